"""Indexing: `x[index]` (`index`) and `x[index] = value` (`index_put_`).

A Python index (ints, slices, None, ..., lists, int or bool tensors) is turned into one the
array library takes and named by PyTorch's node: SelectBackward0, SliceBackward0,
IndexBackward0, ... Basic indexing gives a view; indexing with arrays copies.

Read next: inplace.py (`x[index] = value` is recorded by `_inplace`), ops/shape.py (Index).
"""

import builtins

import numpy as np

from .. import dtypes, ops
from ..autograd import grad_mode
from ..tensor import Tensor
from .inplace import _check_leaf, _inplace
from .promotion import _cast
from .shape import _view_of, expand, reshape


def _normalise_index(x, index):
    """Turn a Python index into one the array library takes, and name its kind.

    Returns (index tuple, kind) where kind is PyTorch's node name: IndexBackward0 when
    arrays (advanced indexing, which can read one position several times) are involved,
    else the name of the last step of basic indexing (see `_basic_kind`).
    """
    parts = index if isinstance(index, tuple) else (index,)
    normalised, advanced = [], False
    for part in parts:
        if isinstance(part, Tensor):
            if part.device is not x.device:
                part = x.device.backend.asarray(part.device.backend.to_numpy(part._data))
            else:
                part = part._data
            advanced = True
        elif isinstance(part, (list, np.ndarray)):
            host = np.asarray(part)
            part = x.device.backend.asarray(host, dtypes.from_numpy_dtype(host.dtype))
            advanced = True
        elif isinstance(part, builtins.bool):
            raise IndexError("indexing with a Python bool is not supported; use a bool tensor")
        elif isinstance(part, slice) and part.step is not None and part.step <= 0:
            # NumPy reverses with x[::-1]; PyTorch has no negative strides: flip() instead
            raise ValueError("step must be greater than zero (negative steps are not supported)")
        normalised.append(part)
    kind = "IndexBackward0" if advanced else _basic_kind(tuple(x.shape), normalised)
    if not builtins.any(p is Ellipsis for p in normalised):
        normalised.append(Ellipsis)  # the array API wants every axis accounted for
    return tuple(normalised), kind


def _basic_kind(shape, parts):
    """PyTorch's node for basic indexing: the last step that changed anything.

    PyTorch applies the parts left to right: x[:, 0] ends with a select (SelectBackward0),
    x[0, 1:] with a slice (SliceBackward0), x[0, None] with an unsqueeze. A full slice or
    `...` changes nothing, so x[...] is an alias (AliasBackward0).
    """
    consumed = builtins.sum(1 for p in parts if p is not None and p is not Ellipsis)
    kind, dim = "AliasBackward0", 0
    for part in parts:
        if part is Ellipsis:
            dim += len(shape) - consumed
            continue
        if part is None:
            kind = "UnsqueezeBackward0"
            continue
        if not isinstance(part, slice):
            kind = "SelectBackward0"
        elif dim < len(shape) and part.indices(shape[dim]) != (0, shape[dim], 1):
            kind = "SliceBackward0"
        dim += 1
    return kind


def _index_error(x, error):
    message = str(error).replace("axis", "dimension")
    if message.startswith("too many indices"):
        message = f"too many indices for tensor of dimension {x.ndim}"
    return IndexError(f"{message} (indexing a tensor of shape {list(x.shape)})")


def index(x, index):
    """x[index]: basic slicing is a view (shares numbers); array indexing copies."""
    normalised, kind = _normalise_index(x, index)
    try:
        result = ops.Index.apply(x, index=normalised, kind=kind, backend=x.device.backend)
    except IndexError as error:
        raise _index_error(x, error) from None
    return result if kind == "IndexBackward0" else _view_of(result, x)


def index_put_(x, index, value):
    """x[index] = value, in place."""
    normalised, kind = _normalise_index(x, index)
    if kind == "IndexBackward0":
        _check_leaf(x)  # PyTorch's order: index_put_ checks the leaf first, ...
    try:
        target = x.device.backend.getitem(x._data, normalised).shape  # a bad index raises
        _check_leaf(x)  # ... x[0] = v (a view, then copy_) checks the index first
        if isinstance(value, Tensor):
            if _no_conversion(index, value) and value.dtype is not x.dtype:
                # x[[0, 1]] = v and x[mask] = v are index_put_, which does not convert;
                # x[0] = v (copy_) and x[mask] = one number (masked_fill) do, as PyTorch
                raise RuntimeError(
                    "Index put requires the source and destination dtypes match, got "
                    f"{dtypes.scalar_type_name(x.dtype)} for the destination and "
                    f"{dtypes.scalar_type_name(value.dtype)} for the source."
                )
            value = _cast(value, x.dtype)
            _check_expands_to(value, target)
            if _selects_all(index) and value.ndim <= x.ndim:
                # x[...] = v and x[:] = v write all of x: PyTorch does x.copy_(v) there
                # (CopyBackwards, which saves nothing, so a second backward is allowed)
                return _inplace(x, ops.Copy, value)
        advanced = kind == "IndexBackward0"
        return _inplace(
            x, ops.IndexPut, value, index=normalised, backend=x.device.backend, advanced=advanced
        )
    except IndexError as error:
        raise _index_error(x, error) from None


def _selects_all(index):
    """Whether `index` is `...`, `:` or a tuple of them: the whole tensor, as it is."""
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.all(p is Ellipsis or (type(p) is slice and p == slice(None)) for p in parts)


def _no_conversion(index, value):
    """Is x[index] = value PyTorch's index_put_ (which wants value in x's dtype)?"""
    parts = index if isinstance(index, tuple) else (index,)
    integers = builtins.any(
        isinstance(p, list) or (isinstance(p, Tensor) and p.dtype is not dtypes.bool) for p in parts
    )
    masks = builtins.any(isinstance(p, Tensor) and p.dtype is dtypes.bool for p in parts)
    return integers or (masks and value.numel() != 1)


def _check_expands_to(value, shape):
    """x[index] = value needs value to broadcast to x[index]'s shape; else expand's error.

    Leading size-1 dims of value are dropped first, as PyTorch does (x[0] = ones(1, 3)).
    """
    value_shape = list(value.shape)
    while len(value_shape) > len(shape) and value_shape[0] == 1:
        value_shape.pop(0)
    with grad_mode.no_grad():
        expand(reshape(value.detach(), value_shape), *shape)
