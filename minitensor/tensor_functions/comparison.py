"""Comparisons and truth tests: `eq`, `lt`, ... (`==`, `<`), `logical_and`, `isnan`, `allclose`.

None of these is recorded: a bool result has no gradient, so they work on the raw arrays
and wrap the result with `Tensor._from_array`. `allclose` and `equal` return a Python bool.
`clamp` is here too, as it compares x with its bounds: recorded (Clamp, or `where` for
tensor bounds).

Read next: reduction.py (`all`, `any`, and the reductions that are recorded).
"""

import builtins
import operator as _operator

from .. import dtypes, ops
from ..tensor import Tensor
from ._args import _bool
from .arithmetic import add, mul, sub, where
from .conversion import to
from .promotion import _broadcast_check, _promote
from .reduction import all  # the tensor functions, not Python's builtins
from .unary import abs


def _compare(a, b, name):
    """Elementwise comparison: a bool tensor, never recorded (it has no gradient)."""
    a, b = _promote(a, b)
    tensor = a if isinstance(a, Tensor) else b
    if getattr(a, "shape", ()) != getattr(b, "shape", ()):
        _broadcast_check(a, b, name)
    raw_a = a._data if isinstance(a, Tensor) else a
    raw_b = b._data if isinstance(b, Tensor) else b
    return Tensor._from_array(getattr(_operator, name)(raw_a, raw_b), tensor.device)


def eq(a, b):
    return _compare(a, b, "eq")


def ne(a, b):
    return _compare(a, b, "ne")


def lt(a, b):
    return _compare(a, b, "lt")


def le(a, b):
    return _compare(a, b, "le")


def gt(a, b):
    return _compare(a, b, "gt")


def ge(a, b):
    return _compare(a, b, "ge")


def logical_and(a, b):
    return Tensor._from_array(a.device.xp.logical_and(_bool(a), _bool(b)), a.device)


def logical_or(a, b):
    return Tensor._from_array(a.device.xp.logical_or(_bool(a), _bool(b)), a.device)


def logical_not(a):
    return Tensor._from_array(a.device.xp.logical_not(_bool(a)), a.device)


def isnan(x):
    return Tensor._from_array(x.device.xp.isnan(x._data), x.device)


def isfinite(x):
    return Tensor._from_array(x.device.xp.isfinite(x._data), x.device)


def allclose(a, b, rtol=1e-05, atol=1e-08):
    """True when |a - b| <= atol + rtol * |b| everywhere (compare floats this way, not ==)."""
    return builtins.bool(
        all(le(abs(sub(a.detach(), b.detach())), add(mul(abs(b.detach()), rtol), atol)))
    )


def equal(a, b):
    return a.shape == b.shape and builtins.bool(all(eq(a.detach(), b.detach())))


def clamp(x, min=None, max=None):  # noqa: A002
    """min(max(x, min), max). The result's dtype follows promotion: an int tensor clamped
    to 0.5 is float32 ([1, 2].clamp(0, 0.5) is [0.5, 0.5]), as PyTorch."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # where(), not maximum(): at x == bound all the gradient goes to x, as PyTorch's
        # clamp; maximum would split it in half between x and the bound.
        # A nan bound gives nan, as PyTorch: nan < x is False, so it needs its own test.
        out = x
        if min is not None:
            out = where(_or(lt(out, min), min, isnan), min, out)
        if max is not None:
            out = where(_or(gt(out, max), max, isnan), max, out)
        return out
    bounds = [bound for bound in (min, max) if bound is not None]
    x = to(x, dtypes.result_type(x, *bounds))
    return ops.Clamp.apply(x, low=min, high=max)


clip = clamp


def _or(condition, bound, isnan):
    """condition, or True where a tensor bound is nan."""
    if not isinstance(bound, Tensor) or not bound.dtype.is_floating_point:
        return condition
    return condition | isnan(bound)
