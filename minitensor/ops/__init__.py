"""The primitive ops: every differentiable operation minitensor records is one of these.

Everything else (`x - y` on a number, `mean`, `var`, losses, layers) is built from them in
tensor_functions/ and nn/. `PRIMITIVES` lists them all; the test suite is parametrized over
it, so a new op without a test case fails the suite. Two recorded ops are not among them,
as they have no gradient: `FloorDivide` (x // y), whose backward raises, as PyTorch's does,
and `NonzeroCount` (x.norm(0)), which sends none.

Read next: ../autograd/node.py (the Op base class), then elementwise.py.
"""

from .elementwise import (
    Abs,
    Add,
    Clamp,
    Clone,
    Copy,
    Cos,
    Div,
    Exp,
    Fill,
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
    Sigmoid,
    Sign,
    Sin,
    Sqrt,
    Sub,
    Tanh,
    ToCopy,
    Where,
    Zero,
)
from .linalg import MatMul
from .reduction import Max, MaxAlongDim, Mean, Min, MinAlongDim, Norm, Prod, Std, Sum, Var
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
    Sum, Mean, Max, Min, MaxAlongDim, MinAlongDim, Prod, Norm, Var, Std, MatMul,
    Reshape, Unsqueeze, Squeeze, Permute, Transpose, T, Expand, Repeat, Index, Cat, Stack,
    Softmax, LogSoftmax,
)  # fmt: skip
