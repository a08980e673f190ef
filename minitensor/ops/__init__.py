"""The primitive ops: every differentiable operation minitensor records is one of these.

Everything else (`x - y` on a number, `mean`, `var`, losses, layers) is built from them in
functional/ and nn/. `PRIMITIVES` lists them all; the test suite is parametrized over
it, so a new op without a test case fails the suite.

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
    IndexPut,
    LeakyRelu,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    PowTensor,
    Relu,
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
from .reduction import Max, Mean, Min, Prod, Std, Sum, Var
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
    Add, Sub, Mul, Div, Neg, Pow, PowTensor, Exp, Log, Sqrt, Sin, Cos, Tanh, Sigmoid, Relu,
    LeakyRelu, Abs, Sign, Clamp, Maximum, Minimum, Where, Clone, ToCopy, Fill, Zero, Copy, IndexPut,
    Sum, Mean, Max, Min, Prod, Var, Std, MatMul,
    Reshape, Unsqueeze, Squeeze, Permute, Transpose, T, Expand, Repeat, Index, Cat, Stack,
    Softmax, LogSoftmax,
)  # fmt: skip
