"""Arithmetic on two operands: `add`, `sub`, `mul`, `div`, `pow`, `maximum`, `where`, ...

Each function checks what PyTorch checks (no `-` on bool tensors, no negative integer
powers of integers), then hands its operands to `_binary` (promotion.py) or to one primitive
op. `remainder`, and `clamp` with tensor bounds, are compositions of the others.

`pow` shadows Python's builtin on purpose (PyTorch's name); the real one is `builtins.pow`.

Read next: unary.py (exp, relu, ...), ops/elementwise.py (each op's forward and backward).
"""

import builtins

import numpy as np

from .. import dtypes, ops
from ..tensor import Tensor
from .conversion import to
from .promotion import _binary, _promote


def add(a, b, *, alpha=1):
    return _binary(ops.Add, a, b if alpha == 1 else b * alpha, "add")


def sub(a, b, *, alpha=1):
    bools = [isinstance(x, Tensor) and x.dtype is dtypes.bool for x in (a, b)]
    if builtins.all(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if builtins.any(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _binary(ops.Sub, a, b if alpha == 1 else b * alpha, "sub")


def mul(a, b):
    return _binary(ops.Mul, a, b, "mul")


def div(a, b):
    """True division: int / int gives float32, as PyTorch (NumPy would give float64)."""
    return _binary(ops.Div, a, b, "div", floating=True)


true_divide = div


def floor_divide(a, b):
    """a // b, rounded down. Not differentiable (its gradient is zero almost everywhere)."""
    a, b = _promote(a, b)
    tensor = a if isinstance(a, Tensor) else b
    raw = (x._data if isinstance(x, Tensor) else x for x in (a, b))
    return Tensor._from_array(tensor.device.xp.floor_divide(*raw), tensor.device)


def remainder(a, b):
    """a % b with the sign of b (Python's rule, and PyTorch's).

    Built as a - floor(a / b) * b with the floor treated as a constant, which gives exactly
    PyTorch's gradients: d/da = 1, d/db = -floor(a / b).
    """
    return sub(a, mul(floor_divide(a, b), b))


def neg(x):
    return ops.Neg.apply(x)


negative = neg


def pow(base, exponent):  # noqa: A001  (PyTorch's name)
    """base ** exponent. With a number as exponent the node is PowBackward0."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(base, Tensor) and isinstance(exponent, (builtins.int, builtins.float)):
        if not base.dtype.is_floating_point and isinstance(exponent, builtins.float):
            base = to(base, dtypes.get_default_dtype())
        if not base.dtype.is_floating_point and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return ops.Pow.apply(base, p=exponent)
    return _binary(ops.PowTensor, base, exponent, "pow")


def clamp(x, min=None, max=None):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return ops.Clamp.apply(x, low=min, high=max)


clip = clamp


def maximum(a, b):
    return _binary(ops.Maximum, a, b, "maximum")


def minimum(a, b):
    return _binary(ops.Minimum, a, b, "minimum")


def where(condition, a, b):
    """a where condition is True, else b (elementwise, broadcasting all three)."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): condition must be a Tensor, got {type(condition).__name__}")
    if condition.dtype is not dtypes.bool:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.scalar_type_name(condition.dtype)} (compare first, e.g. x > 0)"
        )
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        # where(mask, 1.0, 0.0): two numbers make a tensor of the default dtype, as PyTorch
        from ..creation import tensor

        a = tensor(a, dtype=dtypes.result_type(a, b), device=condition.device)
    a, b = _promote(a, b)
    return ops.Where.apply(condition, a, b)
