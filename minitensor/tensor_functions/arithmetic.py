"""Arithmetic on two operands: `add`, `sub`, `mul`, `div`, `pow`, `maximum`, `where`, ...

Each function checks what PyTorch checks (no `-` on bool tensors, no negative integer
powers of integers), then hands its operands to `_binary` (promotion.py) or to one primitive
op. `remainder` is a composition of the others (`clamp`, which compares, is in
comparison.py).

`pow` shadows Python's builtin on purpose (PyTorch's name); the real one is `builtins.pow`.

Read next: unary.py (exp, relu, ...), ops/elementwise.py (each op's forward and backward).
"""

import builtins

import numpy as np

from .. import creation, dtypes, ops
from ..tensor import Tensor
from .conversion import to
from .promotion import _binary, _broadcast_check, _float, _promote
from .shape import expand


def add(a, b, *, alpha=1):
    return _binary(ops.Add, a, b if alpha == 1 else b * alpha, "add")


def sub(a, b, *, alpha=1):
    a_bool = isinstance(a, Tensor) and a.dtype is dtypes.bool
    b_bool = isinstance(b, Tensor) and b.dtype is dtypes.bool
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _binary(ops.Sub, a, b if alpha == 1 else b * alpha, "sub")


def mul(a, b):
    return _binary(ops.Mul, a, b, "mul")


def div(a, b):
    """True division: int / int gives float32, as PyTorch (NumPy would give float64).

    A number divided by a tensor (2 / x) is 2 * reciprocal(x), as PyTorch records it.
    """
    if isinstance(b, Tensor) and isinstance(a, (builtins.int, builtins.float)):
        return mul(ops.Reciprocal.apply(_float(b)), a)
    return _binary(ops.Div, a, b, "div", floating=True)


true_divide = div


def _check_integer_divisor(a, b):
    """Integers have no inf: PyTorch refuses an integer division by zero (NumPy gives 0)."""
    a, b = _promote(a, b)
    _broadcast_check(a, b, "division")
    shape = np.broadcast_shapes(getattr(a, "shape", ()), getattr(b, "shape", ()))
    if 0 in shape:
        return  # an empty result: nothing is divided
    if isinstance(b, Tensor):
        zero = not b.dtype.is_floating_point and builtins.bool((b._data == 0).any())
    else:
        tensor = a if isinstance(a, Tensor) else b
        zero = not tensor.dtype.is_floating_point and b == 0
    if zero:
        raise RuntimeError("ZeroDivisionError (an integer divided by an integer zero)")


def floor_divide(a, b):
    """a // b, rounded down. Its gradient is zero almost everywhere, so PyTorch records it
    but raises in backward, rather than silently stopping learning; so do we."""
    _broadcast_check(a, b, "floor_divide")
    if dtypes.result_type(a, b) is dtypes.bool:
        raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
    _check_integer_divisor(a, b)
    return _binary(ops.FloorDivide, a, b, "floor_divide")


def remainder(a, b):
    """a % b with the sign of b (Python's rule, and PyTorch's)."""
    _broadcast_check(a, b, "remainder")
    if dtypes.result_type(a, b) is dtypes.bool:
        raise NotImplementedError("\"remainder_cpu\" not implemented for 'Bool'")
    _check_integer_divisor(a, b)
    return _binary(ops.Remainder, a, b, "remainder")


def neg(x):
    if x.dtype is dtypes.bool:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return ops.Neg.apply(x)


negative = neg


def pow(base, exponent):  # noqa: A001  (PyTorch's name)
    """base ** exponent. With a number as exponent the node is PowBackward0."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(base, Tensor) and isinstance(exponent, (builtins.int, builtins.float)):
        # int ** 0.5 is float32, bool ** 2 is int64 (the usual promotion with a number)
        base = to(base, dtypes.result_type(base, exponent))
        if not base.dtype.is_floating_point and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return ops.Pow.apply(base, p=exponent)
    base, exponent = _promote(base, exponent)
    _broadcast_check(base, exponent, "pow")
    tensor = base if isinstance(base, Tensor) else exponent
    if tensor.dtype is dtypes.bool:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    empty = 0 in np.broadcast_shapes(getattr(base, "shape", ()), getattr(exponent, "shape", ()))
    if not (tensor.dtype.is_floating_point or empty) and builtins.bool(
        (exponent._data < 0).any() if isinstance(exponent, Tensor) else exponent < 0
    ):
        # NumPy raises this (as a ValueError); PyTorch gives 0 (or 1, -1 for a base of 1, -1)
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _binary(ops.PowTensor, base, exponent, "pow")


def _check_tensors(name, a, b):
    for position, x in ((1, a), (2, b)):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{name}(): argument '{'input' if position == 1 else 'other'}' (position "
                f"{position}) must be Tensor, not {type(x).__name__} (for a number use "
                f"clamp: x.clamp(min=...) or x.clamp(max=...))"
            )


def maximum(a, b):
    _check_tensors("maximum", a, b)
    return _binary(ops.Maximum, a, b, "maximum")


def minimum(a, b):
    _check_tensors("minimum", a, b)
    return _binary(ops.Minimum, a, b, "minimum")


def masked_fill(x, mask, value):
    """x with `value` where mask is True. The value is cast to x's dtype (x keeps it)."""
    value = _mask_value(mask, value)
    _broadcast_check(x, mask, "masked_fill")
    shape = np.broadcast_shapes(tuple(x.shape), tuple(mask.shape))
    if shape != tuple(x.shape):  # a larger mask: the result takes its shape, as PyTorch's
        x = expand(x, *shape)
    return ops.MaskedFill.apply(x, mask, value=value)


def _mask_value(mask, value):
    """PyTorch's checks on masked_fill's arguments; the value as a Python number."""
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool:
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {got}"
        )
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        value = value.item()
    return value


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
        a = creation.tensor(a, dtype=dtypes.result_type(a, b), device=condition.device)
    a, b = _promote(a, b)
    _broadcast_check(condition, a, "where")
    _broadcast_check(condition, b, "where")
    _broadcast_check(a, b, "where")
    return ops.Where.apply(condition, a, b)
