"""Reductions: sum, mean, max/min (over everything or along dims), prod, var.

`dim` arrives already normalised by the caller (functional/reduction.py) to a tuple of
non-negative axes, or None for "all of them". Backward has to undo the reduction: put the
reduced axes back (as size 1, `keepdim=True` style) and broadcast the gradient over them.

Read next: softmax.py (a reduction inside an op), linalg.py (matmul, a sum of products).
"""

from ..autograd.node import Op


def _restore_dims(xp, grad, dims, keepdim, ndim):
    """Give `grad` back the reduced axes as size-1 axes, so it broadcasts over the input."""
    if keepdim or dims is None and grad.ndim == ndim:
        return grad
    axes = range(ndim) if dims is None else sorted(dims)
    for axis in axes:
        grad = xp.expand_dims(grad, axis=axis)
    return grad


def _count(shape, dims):
    """How many elements of an array of `shape` each output of the reduction over `dims` sees."""
    n = 1
    for axis in range(len(shape)) if dims is None else dims:
        n *= shape[axis]
    return n


class Sum(Op):
    """out = sum of x over `dims`.   d out/d x[i] = 1 for every i that was summed.

    PyTorch names the node SumBackward0 (all elements) or SumBackward1 (along dims).
    """

    __slots__ = ("dims", "keepdim", "shape")

    def forward(self, x, *, dims, keepdim):
        self.dims, self.keepdim, self.shape = dims, keepdim, x.shape
        return self.xp.sum(x, axis=dims, keepdims=keepdim)

    def backward(self, grad):
        grad = _restore_dims(self.xp, grad, self.dims, self.keepdim, len(self.shape))
        return self.xp.broadcast_to(grad, self.shape)

    def name(self):
        return "SumBackward0" if self.dims is None else "SumBackward1"


class Mean(Op):
    """out = sum of x over `dims` / n.   d out/d x[i] = 1 / n (n = number of elements averaged)."""

    __slots__ = ("dims", "keepdim", "shape")

    def forward(self, x, *, dims, keepdim):
        self.dims, self.keepdim, self.shape = dims, keepdim, x.shape
        return self.xp.mean(x, axis=dims, keepdims=keepdim)

    def backward(self, grad):
        n = _count(self.shape, self.dims)
        grad = _restore_dims(self.xp, grad, self.dims, self.keepdim, len(self.shape))
        # n == 0 only for an empty x, whose gradient is empty too: avoid 1/0 warnings
        return self.xp.broadcast_to(grad / max(n, 1), self.shape)

    def name(self):
        return "MeanBackward0" if self.dims is None else "MeanBackward1"


class Max(Op):
    """out = the largest x over `dims`.   d out/d x[i] = 1 at the maximum, else 0.

    Over all elements PyTorch spreads the gradient evenly over ties (MaxBackward1); along
    a dim it goes to the one index `argmax` picks (MaxBackward0). We do the same.
    """

    __slots__ = ("dims", "keepdim")
    saves_inputs = (0,)
    saves_output = True
    reduce = "max"

    def forward(self, x, *, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        out = getattr(self.xp, self.reduce)(x, axis=dims, keepdims=keepdim)
        self.saved = (x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved
        out = _restore_dims(xp, out, self.dims, self.keepdim, x.ndim)
        grad = _restore_dims(xp, grad, self.dims, self.keepdim, x.ndim)
        # 1.0 where x is the extreme, else 0.0, in the gradient's dtype (a float64 mask
        # would turn a float32 tensor's gradient into float64).
        hits = xp.astype(x == out, grad.dtype)
        if self.dims is None:
            hits = hits / xp.sum(hits)  # ties share the gradient
        else:
            (axis,) = self.dims
            first = xp.argmax(hits, axis=axis, keepdims=True)
            column = xp.arange(x.shape[axis], device=x.device)
            positions = xp.reshape(column, (-1,) + (1,) * (x.ndim - axis - 1))
            hits = xp.astype(positions == first, grad.dtype)
        return grad * hits

    def name(self):
        kind = self.reduce.capitalize()
        return f"{kind}Backward1" if self.dims is None else f"{kind}Backward0"


class Min(Max):
    """out = the smallest x over `dims`.   d out/d x[i] = 1 at the minimum, else 0."""

    __slots__ = ()
    reduce = "min"


class Prod(Op):
    """out = product of x over `dims`.   d out/d x[i] = product of all the other x[j].

    NOTE: computed as out / x[i] where x[i] != 0; a zero in the input takes the slow,
    exact route (the product of the others), since out / 0 would be nan.
    """

    __slots__ = ("dims", "keepdim")
    saves_inputs = (0,)
    saves_output = True

    def forward(self, x, *, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        out = self.xp.prod(x, axis=dims, keepdims=keepdim)
        self.saved = (x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved
        out = _restore_dims(xp, out, self.dims, self.keepdim, x.ndim)
        grad = _restore_dims(xp, grad, self.dims, self.keepdim, x.ndim)
        if not bool(xp.any(x == 0)):
            return grad * out / x
        others = xp.ones_like(x)
        axes = tuple(range(x.ndim)) if self.dims is None else self.dims
        flat_positions = xp.reshape(xp.arange(x.size, device=x.device), x.shape)
        for i in range(x.size):
            # product of every element but position i, along the reduced axes
            mask = flat_positions == i
            others = xp.where(
                mask, xp.prod(xp.where(mask, xp.ones_like(x), x), axis=axes, keepdims=True), others
            )
        return grad * others

    def name(self):
        return "ProdBackward0" if self.dims is None else "ProdBackward1"


class Var(Op):
    """out = sum((x - mean)**2) / (n - correction) over `dims`.

    d out/d x[i] = 2 (x[i] - mean) / (n - correction).
    """

    __slots__ = ("dims", "keepdim", "divisor")
    saves_inputs = (0,)

    def forward(self, x, *, dims, correction, keepdim):
        xp = self.xp
        self.dims, self.keepdim = dims, keepdim
        self.divisor = max(_count(x.shape, dims) - correction, 0)
        centred = x - xp.mean(x, axis=dims, keepdims=True)
        self.saved = (centred,)
        total = xp.sum(centred * centred, axis=dims, keepdims=keepdim)
        return total / self.divisor if self.divisor else total * float("nan")

    def backward(self, grad):
        (centred,) = self.saved
        grad = _restore_dims(self.xp, grad, self.dims, self.keepdim, centred.ndim)
        return grad * 2 * centred / self.divisor


class Std(Var):
    """out = sqrt(var) over `dims`, the standard deviation.

    d out/d x[i] = d sqrt(v)/d v * d v/d x[i] = 1 / (2 out) * 2 (x[i] - mean) / (n - correction)
                 = (x[i] - mean) / ((n - correction) * out).
    """

    __slots__ = ()
    saves_output = True

    def forward(self, x, *, dims, correction, keepdim):
        out = self.xp.sqrt(super().forward(x, dims=dims, correction=correction, keepdim=keepdim))
        self.saved = (self.saved[0], out)
        return out

    def backward(self, grad):
        centred, out = self.saved
        out = _restore_dims(self.xp, out, self.dims, self.keepdim, centred.ndim)
        grad = _restore_dims(self.xp, grad, self.dims, self.keepdim, centred.ndim)
        return grad * centred / (self.divisor * out)
