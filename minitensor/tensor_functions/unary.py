"""One tensor in, one tensor out: `exp`, `log`, `sqrt`, `tanh`, `sigmoid`, `relu`, `floor`,
`softmax`...

An integer input becomes the default float dtype first when the result is a float (`exp`
of an int tensor is float32, as in PyTorch); `relu`, `abs` and `sign` keep an integer dtype.
`abs` and `round` shadow Python's builtins on purpose (PyTorch's names).

Read next: linalg.py (matmul), ops/elementwise.py and ops/softmax.py (the maths).
"""

from .. import dtypes, ops
from ._args import _dim, _dim_or_axis
from .arithmetic import pow
from .conversion import to


def _unary(op, x, floating=True):
    if floating and not x.dtype.is_floating_point:
        x = to(x, dtypes.get_default_dtype())  # exp(int tensor) is float32, as PyTorch
    return op.apply(x)


def exp(x):
    return _unary(ops.Exp, x)


def log(x):
    return _unary(ops.Log, x)


def log1p(x):
    """log(1 + x), exact for tiny x (where 1 + x would round to 1)."""
    return _unary(ops.Log1p, x)


def square(x):
    """x * x, recorded as x ** 2 (PowBackward0), as PyTorch; bool squared is int64."""
    return pow(x, 2)


def sqrt(x):
    return _unary(ops.Sqrt, x)


def sin(x):
    return _unary(ops.Sin, x)


def cos(x):
    return _unary(ops.Cos, x)


def tanh(x):
    return _unary(ops.Tanh, x)


def sigmoid(x):
    return _unary(ops.Sigmoid, x)


def relu(x):
    if x.dtype is dtypes.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _unary(ops.Relu, x, floating=False)


def leaky_relu(x, negative_slope=0.01):
    return ops.LeakyRelu.apply(x, slope=negative_slope)


def abs(x):  # noqa: A001
    if x.dtype is dtypes.bool:
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return _unary(ops.Abs, x, floating=False)


def sign(x):
    """-1, 0 or 1. Its gradient is zero everywhere (PyTorch still records SignBackward0)."""
    if x.dtype is dtypes.bool:
        return x.clone()  # the sign of True is True
    return ops.Sign.apply(x)


def reciprocal(x):
    """1 / x; an integer tensor gives the default float dtype (1 / 0 is inf), as PyTorch."""
    return _unary(ops.Reciprocal, x)


def floor(x):
    return _staircase(ops.Floor, x)


def ceil(x):
    return _staircase(ops.Ceil, x)


def trunc(x):
    return _staircase(ops.Trunc, x)


def round(x, *, decimals=0):  # noqa: A001
    """Halves go to the even neighbour (round(2.5) is 2), as in PyTorch and NumPy."""
    if decimals and not x.dtype.is_floating_point and x.dtype is not dtypes.bool:
        raise NotImplementedError(
            f"\"round_cpu\" not implemented for '{dtypes.scalar_type_name(x.dtype)}'"
        )
    return _staircase(ops.Round, x, decimals=decimals)


def _staircase(op, x, **options):
    """floor, ceil, trunc, round: an integer tensor is whole already (a copy, its dtype
    kept); PyTorch has no bool kernel for them."""
    if x.dtype is dtypes.bool:
        raise NotImplementedError(f"\"{op.function}_vml_cpu\" not implemented for 'Bool'")
    if not x.dtype.is_floating_point:
        return x.clone()
    return op.apply(x, **options)


def _softmax_axis(x, dim, axis):
    """The axis softmax normalises along; None for a 0-d tensor (itself: softmax is 1)."""
    dim = _dim_or_axis(dim, axis)
    if dim is None:
        raise TypeError("softmax() missing 1 required positional argument: 'dim'")
    axis = _dim(dim, x.ndim)
    return axis if x.ndim else None


def _check_floating(name, x):
    """PyTorch has no softmax kernel for integers (pass dtype= to F.softmax to convert);
    an empty tensor never reaches the kernel, so it passes."""
    if not x.dtype.is_floating_point and x.numel():
        raise NotImplementedError(
            f'"{name}_lastdim_kernel_impl" not implemented for '
            f"'{dtypes.scalar_type_name(x.dtype)}'"
        )


def softmax(x, dim=None, *, axis=None):
    axis = _softmax_axis(x, dim, axis)
    _check_floating("softmax", x)
    return ops.Softmax.apply(x, dim=axis) if x.dtype.is_floating_point else x.clone()


def log_softmax(x, dim=None, *, axis=None):
    axis = _softmax_axis(x, dim, axis)
    _check_floating("log_softmax", x)
    return ops.LogSoftmax.apply(x, dim=axis) if x.dtype.is_floating_point else x.clone()
