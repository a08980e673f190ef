"""Arguments as PyTorch users write them, turned into what the ops take.

    _dim, _dims          dim=-1, dim=(0, 2): PyTorch's range check (an IndexError), then
                         non-negative axes
    _shape_args          reshape(2, 3) and reshape((2, 3)) mean the same
    _as_tensor_operand   the other operand of x + y: a tensor, a number or a NumPy array
    _bool                a tensor's truth values (nonzero is True), for logical_* and all/any

Nothing here records a graph node.

Read next: promotion.py (what happens to two operands before an op runs).
"""

import builtins

import numpy as np

from .. import creation, dtypes
from ..tensor import Tensor


def _dim(dim, ndim):
    """A dim in range [-ndim, ndim) as a non-negative axis, else PyTorch's IndexError."""
    low, high = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return dim % builtins.max(ndim, 1)


def _dims(dim, ndim):
    """None, an int or a tuple of ints -> None or a sorted tuple of non-negative axes.

    A 0-d tensor has no axis to reduce, but PyTorch accepts dim 0 (or -1) for it, meaning
    the tensor itself: that is the empty tuple of axes, a reduction over nothing.
    """
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        axes = [_dim(d, ndim) for d in dim]
        for axis in axes:
            if axes.count(axis) > 1:  # x.sum((0, -2)) of a 2-D x names dim 0 twice
                raise RuntimeError(f"dim {axis} appears multiple times in the list of dims")
        return tuple(sorted(axes)) if axes else None
    axis = _dim(dim, ndim)
    return (axis,) if ndim else ()


def _dim_or_axis(dim, axis):
    """PyTorch takes NumPy's `axis=` as another name for `dim=` (x.sum(axis=0))."""
    if axis is None:
        return dim
    if dim is not None:
        raise TypeError("got both dim= and axis= (they are the same argument; give one)")
    return axis


def _shape_args(shape):
    """reshape(2, 3) and reshape((2, 3)) mean the same."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _as_tensor_operand(x, like):
    """Operands of binary ops: tensors and Python numbers pass; NumPy arrays become tensors."""
    if isinstance(x, np.generic):
        # Before the number test: np.float64 *is* a Python float, but NumPy would let it
        # make a float32 result float64. PyTorch treats it as a plain number.
        return x.item()
    if isinstance(x, (Tensor, builtins.int, builtins.float, builtins.bool)):
        return x
    if isinstance(x, np.ndarray):
        return creation.as_tensor(x, device=like.device)
    raise TypeError(
        f"unsupported operand type: {type(x).__name__} (expected a Tensor, a number or a "
        "NumPy array)"
    )


def _bool(x):
    if isinstance(x, Tensor):
        return x._data if x.dtype is dtypes.bool else x._data != 0
    return builtins.bool(x)
