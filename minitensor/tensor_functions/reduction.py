"""Reductions: `sum`, `mean`, `prod`, `var`, `std`, `max`, `min`, `amax`, `logsumexp`, `argmax`,
`all`, `norm`, ..., and `cumsum`, a running sum.

`dim` (None, an int or a tuple) is normalised here with `_dims` (_args.py), so ops/ gets
non-negative axes. With a `dim`, `max` and `min` return a (values, indices) pair that
prints like PyTorch's `torch.return_types.max`. `sum`, `max`, `min`, `all` and `any` shadow
Python's builtins on purpose (PyTorch's names); the real ones are `builtins.sum`, ...

Read next: shape.py, ops/reduction.py (how each reduction spreads the gradient back).
"""

import collections
import math as _math

from .. import dtypes, ops
from ..tensor import Tensor
from ._args import _bool, _dim, _dim_or_axis, _dims
from .arithmetic import maximum, minimum  # pow and abs: the tensor functions
from .conversion import to
from .unary import abs


def sum(x, dim=None, keepdim=False, *, axis=None):  # noqa: A001
    dim = _dim_or_axis(dim, axis)
    if x.dtype.category < 2 and x.dtype is not dtypes.int64:
        x = to(x, dtypes.int64)  # PyTorch sums bools and small ints as int64
    return ops.Sum.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)


def mean(x, dim=None, keepdim=False, *, axis=None):
    dim = _dim_or_axis(dim, axis)
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {dtypes.scalar_type_name(x.dtype)} "
            "(use x.float().mean())"
        )
    return ops.Mean.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)


def prod(x, dim=None, keepdim=False, *, axis=None):
    dim = _dim_or_axis(dim, axis)
    if isinstance(dim, (tuple, list)):  # PyTorch's prod takes one dim, unlike sum
        raise TypeError(f"prod(): dim must be an int, not a {type(dim).__name__}")
    if x.dtype.category < 2 and x.dtype is not dtypes.int64:
        x = to(x, dtypes.int64)  # as sum: the product of bools or small ints is int64
    return ops.Prod.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def _check_floating(name, x):
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            f"std and var only support floating point and complex dtypes ({name} of a "
            f"{x.dtype} tensor: convert it with .float() first)"
        )


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    """Variance with Bessel's correction by default (divide by n - 1), as PyTorch."""
    dim = _dim_or_axis(dim, axis)
    _check_floating("var", x)
    return ops.Var.apply(
        x,
        dims=_dims(dim, x.ndim),
        correction=_correction(unbiased, correction),
        keepdim=keepdim,
    )


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    """The standard deviation sqrt(var), with Bessel's correction by default, as PyTorch."""
    dim = _dim_or_axis(dim, axis)
    _check_floating("std", x)
    return ops.Std.apply(
        x,
        dims=_dims(dim, x.ndim),
        correction=_correction(unbiased, correction),
        keepdim=keepdim,
    )


class _ValuesIndices(collections.namedtuple("values_indices", ["values", "indices"])):
    """What max(x, dim) returns: a (values, indices) pair that prints like PyTorch's."""

    __slots__ = ()
    kind = "values_indices"

    def __repr__(self):
        return (
            f"minitensor.return_types.{self.kind}(\nvalues={self.values!r},\n"
            f"indices={self.indices!r})"
        )


class MaxResult(_ValuesIndices):
    __slots__ = ()
    kind = "max"


class MinResult(_ValuesIndices):
    __slots__ = ()
    kind = "min"


def _check_something_to_pick(name, x, dim, error=RuntimeError):
    """max/min/argmax/argmin pick an element: there must be one, as PyTorch checks."""
    if dim is None:
        if x.numel() == 0:
            raise error(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
    elif x.ndim and x.shape[_dim(dim, x.ndim)] == 0:
        raise IndexError(
            f"{name}(): Expected reduction dim {dim} to have non-zero size (the tensor has "
            f"shape {list(x.shape)})."
        )


def _extreme(op, along_dim, result_type, x, dim, keepdim):
    _check_something_to_pick(op.reduce, x, dim)
    if dim is None:
        return op.apply(x)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op.reduce}(): dim must be an int, not a {type(dim).__name__}")
    axis = _dim(dim, x.ndim)
    values = along_dim.apply(x, dim=axis, keepdim=keepdim)
    indices = _arg("arg" + op.reduce, x, dim, keepdim)
    return result_type(values, indices)


def max(x, dim=None, keepdim=False, *, axis=None):  # noqa: A001
    """The largest element; with `dim`, a (values, indices) pair, as PyTorch."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    dim = _dim_or_axis(dim, axis)
    return _extreme(ops.Max, ops.MaxAlongDim, MaxResult, x, dim, keepdim)


def min(x, dim=None, keepdim=False, *, axis=None):  # noqa: A001
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    dim = _dim_or_axis(dim, axis)
    return _extreme(ops.Min, ops.MinAlongDim, MinResult, x, dim, keepdim)


def amax(x, dim=(), keepdim=False):
    """The largest values over `dim` (all dims by default), without indices; equal maxima
    share the gradient evenly (x.max(dim) gives it all to the one its index points to)."""
    return _amax_amin(ops.Amax, x, dim, keepdim)


def amin(x, dim=(), keepdim=False):
    """The smallest values over `dim` (all dims by default); see amax."""
    return _amax_amin(ops.Amin, x, dim, keepdim)


def _amax_amin(op, x, dim, keepdim):
    name = op.__name__.lower()
    dims = _dims(dim, x.ndim)  # () and [] mean every dim, as None does
    if x.numel() == 0:  # there must be an element to pick in each reduced row
        if dims is None:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        for axis in dims:
            if x.shape[axis] == 0:
                raise IndexError(
                    f"{name}(): Expected reduction dim {axis} to have non-zero size (the "
                    f"tensor has shape {list(x.shape)})."
                )
    return op.apply(x, dims=dims, keepdim=keepdim)


def logsumexp(x, dim, keepdim=False):
    """log(sum(exp(x))) over `dim` (required, as in PyTorch), without overflow: see
    ops.Logsumexp. An integer tensor gives the default float dtype."""
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be an int or a tuple of ints, not None")
    if not x.dtype.is_floating_point:
        x = to(x, dtypes.get_default_dtype())
    return ops.Logsumexp.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)


def cumsum(x, dim):
    """The running sum along `dim` (required, as in PyTorch). Bools and small ints sum as
    int64, as in sum."""
    if x.dtype.category < 2 and x.dtype is not dtypes.int64:
        x = to(x, dtypes.int64)
    return ops.Cumsum.apply(x, dim=_dim(dim, x.ndim))


def _arg(name, x, dim, keepdim):
    _check_something_to_pick(name, x, dim, IndexError)
    xp = x.device.xp
    if dim is None:
        flat = xp.reshape(x._data, (-1,))
        return Tensor._from_array(getattr(xp, name)(flat), x.device)
    axis = _dim(dim, x.ndim)
    if x.ndim == 0:  # the one element of a 0-d tensor is at index 0
        return Tensor._from_array(xp.zeros((), dtype=xp.int64, device=x._data.device), x.device)
    return Tensor._from_array(getattr(xp, name)(x._data, axis=axis, keepdims=keepdim), x.device)


def _check_not_bool(name, x):
    if x.dtype is dtypes.bool:
        raise RuntimeError(f"{name}(): does not support bool input (convert it with .long())")


def argmax(x, dim=None, keepdim=False, *, axis=None):
    _check_not_bool("argmax", x)
    return _arg("argmax", x, _dim_or_axis(dim, axis), keepdim)


def argmin(x, dim=None, keepdim=False, *, axis=None):
    _check_not_bool("argmin", x)
    return _arg("argmin", x, _dim_or_axis(dim, axis), keepdim)


def all(x, dim=None, keepdim=False, *, axis=None):  # noqa: A001
    axes = _dims(_dim_or_axis(dim, axis), x.ndim)
    return Tensor._from_array(x.device.xp.all(_bool(x), axis=axes, keepdims=keepdim), x.device)


def any(x, dim=None, keepdim=False, *, axis=None):  # noqa: A001
    axes = _dims(_dim_or_axis(dim, axis), x.ndim)
    return Tensor._from_array(x.device.xp.any(_bool(x), axis=axes, keepdims=keepdim), x.device)


def norm(x, p=2, dim=None, keepdim=False):
    """The p-norm: (sum |x|^p)^(1/p), a primitive (ops.Norm) for p >= 1.

    p = inf is the largest |x| (built from abs and max); p = 0 counts the nonzero elements
    (a "norm" only by name; no gradient reaches x).
    """
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{dtypes.scalar_type_name(x.dtype)}"
        )
    if p == 0:
        return ops.NonzeroCount.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)
    if p == _math.inf or p == "inf":
        return max(abs(x)) if dim is None else max(abs(x), dim, keepdim).values
    return ops.Norm.apply(x, p=p, dims=_dims(dim, x.ndim), keepdim=keepdim)
