"""The primitive ops: every differentiable operation minitensor records is one of these.

A primitive is a class with its own forward and backward (see elementwise.py, `Mul`). Each
one is here for at least one of three reasons:

- it is a building block: nothing smaller computes it (Add, Mul, Exp, MatMul, Sum,
  Reshape, Index, ...);
- PyTorch records it as one node, so `grad_fn` shows PyTorch's name and a drawing of the
  graph looks like PyTorch's (Mean: MeanBackward0, not SumBackward0 then DivBackward0;
  Var, Std, Sub, Clamp, Amax, the in-place Fill, Zero, Copy, IndexPut, Addmm for
  nn.Linear, NllLoss, MseLoss), and one node is cheaper than several (composed,
  `nll_loss` was about ten: loss.py);
- a composition would be numerically wrong: Log1p (log(1 + x) loses tiny x), Sigmoid,
  Softmax / LogSoftmax and Logsumexp (exp overflows), Norm (sqrt(sum(x * x)) has a nan
  slope at 0).

Everything else is composed from these in ../tensor_functions/ and ../nn/: a number
divided by a tensor (2 / x is 2 * reciprocal(x), as PyTorch records it), `square`,
`clamp` with tensor bounds, `linear` of a single sample or without a bias, the other
losses, `dropout`. `PRIMITIVES` lists them all; the test suite is parametrized over it,
so a new op without a test case fails the suite. Two recorded ops are not among them, as
they have no gradient: `FloorDivide` (x // y), whose backward raises, as PyTorch's does,
and `NonzeroCount` (x.norm(0)), which sends none.

Read next: ../autograd/function.py (the Op base class), then elementwise.py.
"""

from .elementwise import (
    Abs,
    Add,
    Ceil,
    Clamp,
    Clone,
    Copy,
    Cos,
    Div,
    Exp,
    Fill,
    Floor,
    FloorDivide,
    IndexPut,
    LeakyRelu,
    Log,
    Log1p,
    MaskedFill,
    Maximum,
    Minimum,
    Mul,
    Neg,
    NonzeroCount,
    Pow,
    PowTensor,
    Reciprocal,
    Relu,
    Remainder,
    Round,
    Sigmoid,
    Sign,
    Sin,
    Sqrt,
    Sub,
    Tanh,
    ToCopy,
    Trunc,
    Where,
    Zero,
)
from .linalg import Addmm, MatMul
from .loss import MseLoss, NllLoss
from .reduction import (
    Amax,
    Amin,
    Cumsum,
    Logsumexp,
    Max,
    MaxAlongDim,
    Mean,
    Min,
    MinAlongDim,
    Norm,
    Prod,
    Std,
    Sum,
    Var,
)
from .shape import (
    Cat,
    Expand,
    Index,
    Permute,
    Repeat,
    Reshape,
    Squeeze,
    Stack,
    T,
    Transpose,
    Unsqueeze,
)
from .softmax import LogSoftmax, Softmax

PRIMITIVES = (
    Add, Sub, Mul, Div, Reciprocal, Remainder, Neg, Pow, PowTensor, Exp, Log, Log1p, Sqrt, Sin,
    Cos, Tanh, Sigmoid, Relu, LeakyRelu, Abs, Sign, Clamp, Maximum, Minimum, Where, MaskedFill,
    Clone, ToCopy, Fill, Zero, Copy, IndexPut,
    Floor, Ceil, Trunc, Round,
    Sum, Mean, Max, Min, MaxAlongDim, MinAlongDim, Amax, Amin, Logsumexp, Cumsum, Prod, Norm,
    Var, Std, MatMul, Addmm,
    Reshape, Unsqueeze, Squeeze, Permute, Transpose, T, Expand, Repeat, Index, Cat, Stack,
    Softmax, LogSoftmax, NllLoss, MseLoss,
)  # fmt: skip
