"""Reductions: sum, mean, max/min (over everything or along dims), amax/amin, logsumexp,
prod, norm, var, std; and cumsum, a running sum.

`dim` arrives already normalised by the caller (tensor_functions/reduction.py) to a tuple of
non-negative axes, or None for "all of them". Backward has to undo the reduction: put the
reduced axes back (as size 1, `keepdim=True` style) and broadcast the gradient over them.

Read next: softmax.py (a reduction inside an op), linalg.py (matmul, a sum of products).
"""

import math

from ..autograd.function import Op


def _restore_dims(xp, grad, dims, keepdim, ndim):
    """Give `grad` back the reduced axes as size-1 axes, so it broadcasts over the input."""
    if keepdim or dims is None and grad.ndim == ndim:
        return grad
    # One reshape, not an expand_dims per axis: each of those is a Python function call.
    kept = iter(grad.shape)
    shape = tuple(1 if dims is None or axis in dims else next(kept) for axis in range(ndim))
    return xp.reshape(grad, shape)


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
    """out = the largest element of x.   d out/d x[i] = 1 / (number of ties) at the maximum,
    else 0: PyTorch spreads the gradient evenly over ties (MaxBackward1), and so do we.
    """

    __slots__ = ()
    reduce = "max"

    def forward(self, x):
        out = getattr(self.xp, self.reduce)(x)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved_tensors
        # 1.0 where x is the extreme, else 0.0, in the gradient's dtype (a float64 mask
        # would turn a float32 tensor's gradient into float64). A nan is the max and the
        # min of anything holding it (as in PyTorch): it counts as a hit though nan != nan.
        hits = xp.astype((x == out) | (xp.isnan(x) & xp.isnan(out)), grad.dtype)
        return grad * hits / xp.sum(hits)

    def name(self):
        return f"{self.reduce.capitalize()}Backward1"


class Min(Max):
    """out = the smallest element of x.   d out/d x[i] = 1 / (number of ties) at the minimum."""

    __slots__ = ()
    reduce = "min"


class MaxAlongDim(Op):
    """out = the largest x along `dim` (the values of x.max(dim)).

    d out/d x[i] = 1 at the position the indices point to (argmax), else 0.
    Backward needs only those indices, as PyTorch's MaxBackward0: not x, not the values,
    so changing x in place afterwards is no error.
    """

    __slots__ = ("dim", "keepdim", "shape")
    reduce = "max"

    def forward(self, x, *, dim, keepdim):
        xp = self.xp
        self.dim, self.keepdim, self.shape = dim, keepdim, x.shape
        if x.ndim == 0:  # a 0-d tensor is its own maximum, at index 0
            self.save_for_backward(xp.zeros((), dtype=xp.int64))
            return xp.asarray(x, copy=True)
        self.save_for_backward(getattr(xp, "arg" + self.reduce)(x, axis=dim, keepdims=True))
        return getattr(xp, self.reduce)(x, axis=dim, keepdims=keepdim)

    def backward(self, grad):
        xp = self.xp
        (indices,) = self.saved_tensors
        if len(self.shape) == 0:
            return grad
        if not self.keepdim:
            grad = xp.expand_dims(grad, axis=self.dim)
        # positions along dim, shaped to broadcast against indices: (n, 1, ..., 1)
        column = xp.arange(self.shape[self.dim], device=grad.device)
        positions = xp.reshape(column, (-1,) + (1,) * (len(self.shape) - self.dim - 1))
        return xp.where(positions == indices, grad, xp.zeros_like(grad))

    def name(self):
        return f"{self.reduce.capitalize()}Backward0"


class MinAlongDim(MaxAlongDim):
    """out = the smallest x along `dim`.   d out/d x[i] = 1 at argmin, else 0."""

    __slots__ = ()
    reduce = "min"


class Amax(Op):
    """out = the largest x over `dims` (x.amax(dims)): the values only, no indices.

    d out/d x[i] = 1 / (number of ties) where x[i] equals its output, else 0. Equal maxima
    share the gradient evenly, as PyTorch's AmaxBackward0 (x.max(dim) gives it all to the
    one its index points to). A nan maximum equals nothing: 0 / 0 shares, and the gradient
    is nan, as PyTorch's.

    Not `Max` with dims: over everything, `x.max()` (MaxBackward1) sends the gradient to
    a nan, where `x.amax()` makes it nan; PyTorch keeps the two apart, and so do we.
    """

    __slots__ = ("dims", "keepdim")
    reduce = "max"

    def forward(self, x, *, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        out = getattr(self.xp, self.reduce)(x, axis=dims, keepdims=keepdim)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved_tensors
        out = _restore_dims(xp, out, self.dims, self.keepdim, x.ndim)
        grad = _restore_dims(xp, grad, self.dims, self.keepdim, x.ndim)
        hits = xp.astype(x == out, grad.dtype)
        return hits * (grad / xp.sum(hits, axis=self.dims, keepdims=True))

    def name(self):
        return f"A{self.reduce}Backward0"


class Amin(Amax):
    """out = the smallest x over `dims`; equal minima share the gradient evenly."""

    __slots__ = ()
    reduce = "min"


class Logsumexp(Op):
    """out = log(sum(exp(x))) over `dims`, computed as m + log(sum(exp(x - m))) with m the
    largest x: exp(1000.0) overflows to inf, exp(1000.0 - 1000.0) is 1.

    d out/d x[i] = exp(x[i]) / sum(exp(x)) = exp(x[i] - out): the softmax of x over `dims`.
    """

    __slots__ = ("dims", "keepdim")

    def forward(self, x, *, dims, keepdim):
        xp = self.xp
        self.dims, self.keepdim = dims, keepdim
        if x.size == 0:  # nothing to take the maximum of; the log of an empty sum is -inf
            out = xp.full_like(xp.sum(x, axis=dims, keepdims=keepdim), -math.inf)
        else:
            m = xp.max(x, axis=dims, keepdims=True)
            # an infinite m is not subtracted (inf - inf is nan): exp(x) gives inf or 0 there
            m = xp.where(xp.isinf(m), xp.zeros_like(m), m)
            out = xp.log(xp.sum(xp.exp(x - m), axis=dims, keepdims=True)) + m
            if not keepdim:
                out = xp.squeeze(out, axis=tuple(range(x.ndim)) if dims is None else dims)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved_tensors
        out = _restore_dims(xp, out, self.dims, self.keepdim, x.ndim)
        grad = _restore_dims(xp, grad, self.dims, self.keepdim, x.ndim)
        return grad * xp.exp(x - out)


class Cumsum(Op):
    """out[i] = x[0] + x[1] + ... + x[i] along `dim` (a running total).

    d out[j]/d x[i] = 1 for every j >= i, so x[i]'s gradient is grad[i] + grad[i+1] + ...:
    the running total of grad taken from the end (flip, cumsum, flip back).
    """

    __slots__ = ("dim",)

    def forward(self, x, *, dim):
        self.dim = dim
        if x.ndim == 0:  # a 0-d tensor's running total is itself
            return self.xp.asarray(x, copy=True)
        return _cumulative_sum(self.xp, x, dim)

    def backward(self, grad):
        xp = self.xp
        if grad.ndim == 0:
            return grad
        return xp.flip(_cumulative_sum(xp, xp.flip(grad, axis=self.dim), self.dim), axis=self.dim)


def _cumulative_sum(xp, x, axis):
    # The array API (and NumPy 2) calls it cumulative_sum; older CuPy only has cumsum.
    if hasattr(xp, "cumulative_sum"):
        return xp.cumulative_sum(x, axis=axis)
    return xp.cumsum(x, axis=axis)


class Prod(Op):
    """out = product of x over `dims`.   d out/d x[i] = product of all the other x[j].

    NOTE: computed as out / x[i] where x[i] != 0; a zero in the input takes the slow,
    exact route (the product of the others), since out / 0 would be nan.
    """

    __slots__ = ("dims", "keepdim")

    def forward(self, x, *, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        out = self.xp.prod(x, axis=dims, keepdims=keepdim)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved_tensors
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


class Norm(Op):
    """out = (sum |x|^p)^(1/p) over `dims`, the p-norm (p = 2: the length of a vector).

    d out/d x[i] = sign(x[i]) |x[i]|^(p-1) / out^(p-1)      (p = 2: x[i] / out)
    NOTE: a primitive, not sqrt(sum(x * x)): at x = 0 that composition gives
    inf * 0 = nan, while the norm's slope there is taken to be 0, as PyTorch does.
    """

    __slots__ = ("p", "dims", "keepdim")
    backward_name = "LinalgVectorNormBackward0"

    def forward(self, x, *, p, dims, keepdim):
        xp = self.xp
        self.p, self.dims, self.keepdim = p, dims, keepdim
        if p == 2:
            out = xp.sqrt(xp.sum(x * x, axis=dims, keepdims=keepdim))
        elif p == 1:
            out = xp.sum(xp.abs(x), axis=dims, keepdims=keepdim)
        else:
            out = xp.sum(xp.abs(x) ** p, axis=dims, keepdims=keepdim) ** (1 / p)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved_tensors
        out = _restore_dims(xp, out, self.dims, self.keepdim, x.ndim)
        grad = _restore_dims(xp, grad, self.dims, self.keepdim, x.ndim)
        if self.p == 1:
            return grad * xp.sign(x)
        safe_out = xp.where(out == 0, xp.ones_like(out), out)
        if self.p == 2:
            slope = x / safe_out
        else:
            slope = xp.sign(x) * xp.abs(x) ** (self.p - 1) / safe_out ** (self.p - 1)
        return xp.where(out == 0, xp.zeros_like(slope), grad * slope)


class Var(Op):
    """out = sum((x - mean)**2) / (n - correction) over `dims`.

    d out/d x[i] = 2 (x[i] - mean) / (n - correction).
    Saves x itself, as PyTorch (so changing x in place before backward is caught), and
    recomputes x - mean in backward.
    """

    __slots__ = ("dims", "keepdim", "divisor")

    def forward(self, x, *, dims, correction, keepdim):
        xp = self.xp
        self.dims, self.keepdim = dims, keepdim
        self.divisor = max(_count(x.shape, dims) - correction, 0)
        self.save_for_backward(x)
        centred = _centred(xp, x, dims)
        total = xp.sum(centred * centred, axis=dims, keepdims=keepdim)
        return total * self._one_over_divisor()

    def _one_over_divisor(self):
        """1 / (n - correction); inf when that is 0, as PyTorch: var is then inf (0/0: nan)."""
        return 1 / self.divisor if self.divisor else math.inf

    def backward(self, grad):
        (x,) = self.saved_tensors
        centred = _centred(self.xp, x, self.dims)
        grad = _restore_dims(self.xp, grad, self.dims, self.keepdim, x.ndim)
        if not self.divisor:
            # n - correction <= 0: var is inf and its slope meaningless; we give PyTorch's
            # values (inf, nan where x equals the mean) rather than a sign of our own.
            xp = self.xp
            inf = xp.full_like(centred, math.inf)
            return grad * xp.where(centred == 0, xp.full_like(centred, math.nan), inf)
        return grad * 2 * centred / self.divisor


def _centred(xp, x, dims):
    """x - mean(x) over dims."""
    return x - xp.mean(x, axis=dims, keepdims=True)


class Std(Var):
    """out = sqrt(var) over `dims`, the standard deviation.

    d out/d x[i] = d sqrt(v)/d v * d v/d x[i] = 1 / (2 out) * 2 (x[i] - mean) / (n - correction)
                 = (x[i] - mean) / ((n - correction) * out).
    """

    __slots__ = ()

    def forward(self, x, *, dims, correction, keepdim):
        out = self.xp.sqrt(super().forward(x, dims=dims, correction=correction, keepdim=keepdim))
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        xp = self.xp
        x, out = self.saved_tensors
        centred = _centred(xp, x, self.dims)
        out = _restore_dims(xp, out, self.dims, self.keepdim, x.ndim)
        grad = _restore_dims(xp, grad, self.dims, self.keepdim, x.ndim)
        # Where std = 0 every x[i] equals the mean: centred = 0 and the formula is 0 / 0.
        # PyTorch gives 0 there (sqrt's infinite slope times a zero change), and so do we.
        safe_out = xp.where(out == 0, xp.ones_like(out), out)
        scaled = grad * centred * self._one_over_divisor() / safe_out
        return xp.where(out == 0, xp.zeros_like(scaled), scaled)
