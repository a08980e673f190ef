"""Softmax and log-softmax: primitives of their own, for numerical stability.

Composed from exp / sum / div they would overflow: exp(1000) is inf. Subtracting the row's
maximum first changes nothing mathematically (it cancels) and keeps every exp() <= 1.

Read next: ../nn/loss_functions.py (cross_entropy is built on log_softmax).
"""

from ..autograd.function import Op


def _shifted(xp, x, dim):
    """x minus its maximum along dim, so every exp() is <= 1. An empty dim has no maximum
    (NumPy refuses max() of nothing) and nothing to normalise: it stays as it is."""
    if dim is not None and x.shape[dim] == 0:
        return x
    return x - xp.max(x, axis=dim, keepdims=True)


class Softmax(Op):
    """out = exp(x - max) / sum(exp(x - max)) along `dim`.

    d out/d x, applied to grad:  out * (grad - sum(grad * out, dim))
    """

    __slots__ = ("dim",)

    def forward(self, x, *, dim):
        xp = self.xp
        self.dim = dim
        shifted = xp.exp(_shifted(xp, x, dim))
        out = shifted / xp.sum(shifted, axis=dim, keepdims=True)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        inner = self.xp.sum(grad * out, axis=self.dim, keepdims=True)
        return out * (grad - inner)


class LogSoftmax(Op):
    """out = x - max - log(sum(exp(x - max))) along `dim`.

    d out/d x, applied to grad:  grad - exp(out) * sum(grad, dim)
    """

    __slots__ = ("dim",)

    def forward(self, x, *, dim):
        xp = self.xp
        self.dim = dim
        shifted = _shifted(xp, x, dim)
        out = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad - self.xp.exp(out) * self.xp.sum(grad, axis=self.dim, keepdims=True)
