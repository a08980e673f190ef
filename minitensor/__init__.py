"""minitensor: PyTorch's Tensor, autograd and optimizers, small enough to read.

    import minitensor as mt        # and read `mt` wherever a PyTorch text says `torch`

This file is only the public namespace. Where things live:

    tensor.py       the Tensor class        tensor_functions/  mt.add, mt.sum, mt.cat, ...
    creation.py     mt.tensor, zeros, ...   dtypes.py          float32, int64, promotion
    autograd/       the graph and engine    ops/               each op's forward and backward
    nn/  optim/  utils/data.py              backend/           NumPy / CuPy / test GPU, devices
    serialization/  mt.save, mt.load: checkpoints in PyTorch's file format
"""

from . import autograd, cuda, nn, optim, serialization, utils
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .backend import device
from .creation import (
    Generator,
    arange,
    as_tensor,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .serialization import load, save
from .tensor import Size, Tensor
from .tensor_functions import (
    abs,
    add,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cat,
    ceil,
    clamp,
    clip,
    clone,
    concat,
    cos,
    cumsum,
    div,
    dot,
    eq,
    equal,
    exp,
    flatten,
    floor,
    floor_divide,
    ge,
    gt,
    isfinite,
    isnan,
    le,
    log,
    log1p,
    log_softmax,
    logical_and,
    logical_not,
    logical_or,
    logsumexp,
    lt,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    ne,
    neg,
    norm,
    permute,
    pow,
    prod,
    reciprocal,
    relu,
    remainder,
    repeat,
    reshape,
    round,
    sigmoid,
    sign,
    sin,
    softmax,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    t,
    tanh,
    transpose,
    trunc,
    unsqueeze,
    var,
    where,
)

__version__ = "0.1.0"


def is_tensor(obj):
    """True for a minitensor Tensor (a Parameter too), as torch.is_tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of a tensor, as torch.numel."""
    return input.numel()
