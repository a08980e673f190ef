"""Shape ops: the numbers stay the same, only their arrangement changes.

So every backward here is the inverse rearrangement of the gradient: reshape it back,
permute it back, sum it over the copies that expand/repeat made, or scatter it back into
the positions that indexing read.
"""

from ..autograd.function import Op


class Reshape(Op):
    """out = x with a new shape (same elements, same order).   grad_x = grad reshaped back.

    PyTorch calls it ViewBackward0 for `view`/`reshape`.
    """

    __slots__ = ("shape",)
    backward_name = "ViewBackward0"

    def forward(self, x, *, shape):
        self.shape = x.shape
        return self.xp.reshape(x, shape)

    def backward(self, grad):
        return self.xp.reshape(grad, self.shape)


class Unsqueeze(Reshape):
    """out = x with a new axis of size 1.   grad_x = grad with that axis removed."""

    __slots__ = ()
    backward_name = "UnsqueezeBackward0"


class Squeeze(Reshape):
    """out = x without size-1 axes.   grad_x = grad with those axes put back.

    PyTorch's node: SqueezeBackward0 for squeeze(), 1 for squeeze(dim), 2 for a tuple of dims.
    """

    __slots__ = ("dim",)

    def forward(self, x, *, shape, dim=None):
        self.dim = dim
        return super().forward(x, shape=shape)

    def name(self):
        if self.dim is None:
            return "SqueezeBackward0"
        return "SqueezeBackward2" if isinstance(self.dim, (tuple, list)) else "SqueezeBackward1"


class Permute(Op):
    """out = x with its axes reordered by `dims`.   grad_x = grad with the inverse order."""

    __slots__ = ("dims",)

    def forward(self, x, *, dims):
        self.dims = dims
        return self.xp.permute_dims(x, dims)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for position, axis in enumerate(self.dims):
            inverse[axis] = position
        return self.xp.permute_dims(grad, tuple(inverse))


class Transpose(Permute):
    """out = x with two axes swapped.   grad_x = grad with them swapped back."""

    __slots__ = ()


class T(Permute):
    """out = x.T (a matrix's transpose).   grad_x = grad.T."""

    __slots__ = ()


class Expand(Op):
    """out = x broadcast to a larger shape (no copy).   grad_x = grad summed over the copies."""

    __slots__ = ()

    def forward(self, x, *, shape):
        if tuple(shape) == tuple(x.shape):
            # Nothing is repeated: a plain view, which may be written to (as PyTorch's).
            # broadcast_to would return a read-only array.
            return x[...]
        return self.xp.broadcast_to(x, shape)

    def backward(self, grad):
        return grad  # Op.apply sums it over the copies, as for any broadcast input


class Repeat(Op):
    """out = x tiled `repeats` times along each axis.   grad_x = sum of grad over the tiles.

    Shape reasoning: out has shape (r0*s0, r1*s1, ...). Reshaped to (r0, s0, r1, s1, ...),
    each tile is one index of the r-axes, so summing those axes adds the tiles up.
    """

    __slots__ = ("shape", "repeats")

    def forward(self, x, *, repeats):
        self.repeats = repeats
        extra = len(repeats) - x.ndim
        self.shape = x.shape
        x = self.xp.reshape(x, (1,) * extra + x.shape)
        return self.xp.tile(x, repeats)

    def backward(self, grad):
        xp = self.xp
        padded = (1,) * (len(self.repeats) - len(self.shape)) + self.shape
        split = []
        for r, s in zip(self.repeats, padded):
            split += [r, s]
        grad = xp.sum(xp.reshape(grad, tuple(split)), axis=tuple(range(0, len(split), 2)))
        return xp.reshape(grad, self.shape)


class Index(Op):
    """out = x[index] (slices, integers, integer arrays, boolean masks).

    grad_x = zeros shaped like x, with grad added at the positions `index` read.
    Added, not assigned: `x[[0, 0]]` reads x[0] twice, so it gets both gradients.
    PyTorch names it IndexBackward0 (array index), SelectBackward0 (x[0]) or
    SliceBackward0 (x[1:3]). An array index is *saved* (as PyTorch saves the index
    tensors), so it is freed after backward; ints and slices are kept like shapes.
    """

    __slots__ = ("shape", "index", "kind", "backend")

    def forward(self, x, *, index, kind, backend):
        # backend.getitem is x[index]; the GPU stand-in emulates NumPy's array indexing
        self.shape, self.kind, self.backend = x.shape, kind, backend
        if kind == "IndexBackward0":
            self.save_for_backward(index)
            self.index = None
        else:
            self.index = index
        return backend.getitem(x, index)

    def backward(self, grad):
        grad_x = self.xp.zeros(self.shape, dtype=grad.dtype, device=grad.device)
        if self.kind == "IndexBackward0":
            (index,) = self.saved_tensors
            return self.backend.index_add(grad_x, index, grad)
        self.backend.setitem(grad_x, self.index, grad)  # basic: no position read twice
        return grad_x

    def name(self):
        return self.kind


class Cat(Op):
    """out = the inputs joined along `dim`.   grad of each input = its slice of grad."""

    __slots__ = ("dim", "sizes")

    def forward(self, *arrays, dim):
        self.dim = dim
        self.sizes = [a.shape[dim] for a in arrays]
        return self.xp.concat(arrays, axis=dim)

    def backward(self, grad):
        grads, start = [], 0
        for size in self.sizes:
            index = (slice(None),) * self.dim + (slice(start, start + size), ...)
            grads.append(grad[index])
            start += size
        return tuple(grads)


class Stack(Op):
    """out = the inputs stacked along a new axis `dim`.   grad of input k = grad[..., k, ...]."""

    __slots__ = ("dim", "count")

    def forward(self, *arrays, dim):
        self.dim, self.count = dim, len(arrays)
        return self.xp.stack(arrays, axis=dim)

    def backward(self, grad):
        return tuple(grad[(slice(None),) * self.dim + (k, ...)] for k in range(self.count))
