"""The functions on tensors (`mt.add`, `mt.sum`, `mt.cat`, ...) behind every Tensor method.

Named for what it holds, and apart from its neighbours: ops/ holds the primitive ops (the
maths on raw arrays), nn/functional.py PyTorch's `torch.nn.functional` (layers and losses as
functions), nn/loss_functions.py the losses among them. Each function here does the
argument handling PyTorch users expect, then calls one primitive op from ops/ (or composes a
few). Where things live, in reading order:

    _args.py        `dim` and shape arguments; operands given as numbers or NumPy arrays
    promotion.py    type promotion (int tensor + 0.5 is float32) and broadcasting checks
    arithmetic.py   add, sub, mul, div, pow, maximum, minimum, where, ...
    unary.py        exp, log, sqrt, sin, tanh, sigmoid, relu, abs, softmax, ...
    linalg.py       matmul (the @ operator), mm, dot
    comparison.py   eq, lt, ... (==, <), logical_and, isnan, allclose, equal, clamp
    reduction.py    sum, mean, var, std, max, min, amax, logsumexp, argmax, all, any, norm
    shape.py        reshape, view, permute, transpose, expand, cat, stack, ... (views)
    indexing.py     x[index] and x[index] = value
    inplace.py      add_, mul_, zero_, copy_, ...: the leaf check, the version bump and the
                    recording of every in-place op, in one function, `_inplace`
    conversion.py   to (another device or dtype), clone

Some names shadow Python's builtins on purpose (sum, max, min, abs, all, any, pow): they
are PyTorch's. Inside this package the real ones are always written `builtins.max`, ...

This file only re-exports. Read next: promotion.py, then ops/ for the maths of each op.
"""

# Two private helpers are used outside this package: tensor.py calls `functions._dim` and
# nn/functional.py calls `_inplace` (relu(inplace=True)).
# Tensor's methods reach all their functions through this package: backward and
# register_hook (autograd.py) and the legacy constructor's tensor and zeros (creation.py).
from ..creation import tensor, zeros
from ._args import _dim
from .arithmetic import (
    add,
    div,
    floor_divide,
    masked_fill,
    maximum,
    minimum,
    mul,
    neg,
    negative,
    pow,
    remainder,
    sub,
    true_divide,
    where,
)
from .autograd import backward, register_hook
from .comparison import (
    allclose,
    clamp,
    clip,
    eq,
    equal,
    ge,
    gt,
    isfinite,
    isnan,
    le,
    logical_and,
    logical_not,
    logical_or,
    lt,
    ne,
)
from .conversion import clone, to
from .indexing import index, index_put_
from .inplace import (
    _inplace,
    abs_,
    add_,
    clamp_,
    copy_,
    div_,
    exp_,
    fill_,
    masked_fill_,
    mul_,
    neg_,
    normal_,
    pow_,
    relu_,
    sigmoid_,
    sqrt_,
    sub_,
    tanh_,
    uniform_,
    unsqueeze_,
    zero_,
)
from .linalg import dot, matmul, mm
from .reduction import (
    MaxResult,
    MinResult,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from .shape import (
    cat,
    concat,
    concatenate,
    expand,
    flatten,
    matrix_transpose,
    permute,
    repeat,
    reshape,
    squeeze,
    stack,
    t,
    transpose,
    unsqueeze,
    view,
)
from .unary import (
    abs,
    ceil,
    cos,
    exp,
    floor,
    leaky_relu,
    log,
    log1p,
    log_softmax,
    reciprocal,
    relu,
    round,
    sigmoid,
    sign,
    sin,
    softmax,
    sqrt,
    square,
    tanh,
    trunc,
)
