"""Shape ops: `reshape`/`view`, `flatten`, `squeeze`, `permute`, `transpose`, `expand`, `cat`...

A view (reshape, view, flatten, squeeze, unsqueeze, permute, transpose, t, expand)
shares its base's numbers, so `_view_of` gives it the base's version counter: an in-place
change through either one is seen by both, as in PyTorch. `repeat`, `cat` and `stack` copy.

Read next: indexing.py (x[i] is a view too), ops/shape.py (each op's backward).
"""

import builtins

from .. import dtypes, ops
from ..autograd import grad_mode
from ._args import _dim, _dims, _shape_args
from .promotion import _cast


def _view_of(result, x):
    """Mark `result` as sharing x's numbers: same version counter, as PyTorch's views.

    A view taken under no_grad() of a tensor that requires grad is, as in PyTorch, a leaf
    that requires grad: it has no graph back to x (gradients reach the view, not x). Any
    view taken under no_grad() remembers the version counter's value then: a recorded
    in-place change of it is refused (tensor_functions/inplace.py), and so is using it in a
    recorded op after its base changed in place (edge_of in autograd/function.py); a view
    of it inherits that.
    """
    result._base = x._base if x._base is not None else x
    result._base_grad_fn = result._base.grad_fn  # a later recorded in-place op replaces it
    result._version = x._version
    if not grad_mode.is_grad_enabled():
        result._requires_grad = result._base._requires_grad
        result._no_grad_view_version = x._version[0]
    elif x._no_grad_view_version is not None:  # a view of such a view, in grad mode
        result._no_grad_view_version = x._no_grad_view_version
    return result


def _infer_shape(shape, numel, x_shape, name):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(
            f"shape '{shape}' is invalid for input of size {numel} (the tensor has shape "
            f"{list(x_shape)}; {name} keeps the number of elements)"
        )
    return tuple(shape)


def reshape(x, *shape):
    shape = _infer_shape(_shape_args(shape), x.numel(), x.shape, "reshape")
    return _view_of(ops.Reshape.apply(x, shape=shape), x)


def view(x, *shape):
    """Like reshape; PyTorch's view also requires contiguous memory, which we do not track."""
    return reshape(x, *shape)


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one. When that is a single dim (any 1-D tensor)
    nothing changes, and PyTorch returns x itself (a leaf stays a leaf): so do we."""
    start, end = _dim(start_dim, x.ndim), _dim(end_dim, x.ndim)
    if x.ndim == 0:
        return reshape(x, 1)
    if start > end:
        raise RuntimeError(
            f"flatten() has invalid args: start_dim cannot come after end_dim (got "
            f"start_dim={start_dim}, end_dim={end_dim})"
        )
    if start == end:
        return x
    middle = 1
    for s in x.shape[start : end + 1]:
        middle *= s
    return reshape(x, *x.shape[:start], middle, *x.shape[end + 1 :])


def squeeze(x, dim=None):
    if dim is None:
        shape = tuple(s for s in x.shape if s != 1)
    else:
        axes = _dims(dim, x.ndim) or ()
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in axes and s == 1))
    return _view_of(ops.Squeeze.apply(x, shape=shape, dim=dim), x)


def unsqueeze(x, dim):
    axis = _dim(dim, x.ndim + 1)
    shape = x.shape[:axis] + (1,) + x.shape[axis:]
    return _view_of(ops.Unsqueeze.apply(x, shape=tuple(shape)), x)


def permute(x, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = tuple(_dim(d, x.ndim) for d in _shape_args(dims))
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is "
            f"not equal to len(dims) = {len(dims)}"
            if len(dims) != x.ndim
            else f"permute(): duplicate dims are not allowed (got {dims})"
        )
    return _view_of(ops.Permute.apply(x, dims=dims), x)


def transpose(x, dim0, dim1):
    dims = list(range(x.ndim))
    a, b = _dim(dim0, x.ndim), _dim(dim1, x.ndim)
    if x.ndim:
        dims[a], dims[b] = dims[b], dims[a]
    # A 0-d tensor is its own transpose, but still a new view (TransposeBackward0).
    return _view_of(ops.Transpose.apply(x, dims=tuple(dims)), x)


def matrix_transpose(x):
    """x.mT: the last two dims swapped (a batch of matrices, each transposed)."""
    if x.ndim == 0:
        return x  # PyTorch returns a 0-d tensor as it is
    if x.ndim == 1:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    return transpose(x, -2, -1)


def t(x):
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    # A 0-D or 1-D tensor is its own transpose, but still gets a TBackward0 node, as in PyTorch.
    return _view_of(ops.T.apply(x, dims=(1, 0) if x.ndim == 2 else tuple(range(x.ndim))), x)


def expand(x, *shape):
    shape = list(_shape_args(shape))
    if len(shape) < x.ndim:
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(x.shape)}}}, size={shape}): the number of sizes "
            f"provided ({len(shape)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({x.ndim})"
        )
    offset = len(shape) - x.ndim
    for i, s in enumerate(x.shape):
        if shape[offset + i] == -1:
            shape[offset + i] = s
        elif s != 1 and s != shape[offset + i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[offset + i]}) must match the "
                f"existing size ({s}) at non-singleton dimension {offset + i}.  Target sizes: "
                f"{shape}.  Tensor sizes: {list(x.shape)}"
            )
    return _view_of(ops.Expand.apply(x, shape=tuple(shape)), x)


def repeat(x, *repeats):
    repeats = _shape_args(repeats)
    if len(repeats) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            f"of tensor (got {len(repeats)} repeat dims for a {x.ndim}-D tensor)"
        )
    return ops.Repeat.apply(x, repeats=tuple(repeats))


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated (use "
                "stack, or reshape it to 1-D first)"
            )
    shaped = [t for t in tensors if t.shape != (0,)]
    if shaped and builtins.any(t.ndim != 1 for t in shaped):
        # PyTorch's legacy rule: an empty 1-D tensor (shape (0,)) joins anything, as if it
        # had the others' shape with 0 rows along dim: `cat([torch.tensor([]), x])` is x.
        empty = list(shaped[0].shape)
        empty[_dim(dim, len(empty))] = 0
        tensors = [reshape(t, *empty) if t.shape == (0,) else t for t in tensors]
    first = tensors[0]
    axis = _dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or builtins.any(
            a != b for j, (a, b) in enumerate(zip(t.shape, first.shape)) if j != axis
        ):
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {axis}. Expected shape "
                f"{list(first.shape)} (any size in dim {axis}) but got {list(t.shape)} for "
                f"tensor number {i} in the list."
            )
    dtype = dtypes.result_type(*tensors)
    return ops.Cat.apply(*[_cast(t, dtype) for t in tensors], dim=axis)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                f"at entry 0 and {list(t.shape)} at entry {i}"
            )
    dtype = dtypes.result_type(*tensors)
    return ops.Stack.apply(*[_cast(t, dtype) for t in tensors], dim=_dim(dim, tensors[0].ndim + 1))
