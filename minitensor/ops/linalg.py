"""Matrix multiplication, the op behind `@`, `nn.Linear` and every layer of a network.

Read next: _broadcast.py (how batch dimensions are summed back), ../nn/linear.py.
"""

from ..autograd.node import Op
from ._broadcast import unbroadcast


class MatMul(Op):
    """out = a @ b.   d out/d a = grad @ b^T,  d out/d b = a^T @ grad.

    Shapes, for the 2-D case: a (n, k), b (k, m), grad (n, m):
        grad_a = grad (n, m) @ b^T (m, k) -> (n, k)
        grad_b = a^T (k, n) @ grad (n, m) -> (k, m)
    A 1-D operand is treated as a row (on the left) or a column (on the right) and the
    extra axis removed again; batch axes broadcast and are summed back by `unbroadcast`.
    PyTorch's node name depends on the shapes: DotBackward0 (1-D @ 1-D), MvBackward0
    (2-D @ 1-D), MmBackward0 (2-D @ 2-D), SqueezeBackward4 (1-D @ 2-D: PyTorch makes the
    vector a 1-row matrix and squeezes the row away), UnsafeViewBackward0 for batches.
    """

    __slots__ = ("a_ndim", "b_ndim")
    saves_inputs = (0, 1)
    saved_input_used_by = {0: (1,), 1: (0,)}  # grad_a = grad @ b^T, grad_b = a^T @ grad

    def forward(self, a, b):
        self.a_ndim, self.b_ndim = a.ndim, b.ndim
        self.saved = (a, b)
        return self.xp.matmul(a, b)

    def backward(self, grad):
        xp = self.xp
        a, b = self.saved
        # Make both operands (at least) 2-D, as matmul did internally.
        a2 = xp.expand_dims(a, axis=0) if a.ndim == 1 else a
        b2 = xp.expand_dims(b, axis=-1) if b.ndim == 1 else b
        # Column axis first: for vector @ vector grad is 0-d and gets (1,), then (1, 1).
        if b.ndim == 1:
            grad = xp.expand_dims(grad, axis=-1)
        if a.ndim == 1:
            grad = xp.expand_dims(grad, axis=-2)
        grad_a = xp.matmul(grad, xp.matrix_transpose(b2))
        grad_b = xp.matmul(xp.matrix_transpose(a2), grad)
        grad_a = unbroadcast(xp, grad_a, a2.shape)
        grad_b = unbroadcast(xp, grad_b, b2.shape)
        if a.ndim == 1:
            grad_a = xp.squeeze(grad_a, axis=0)
        if b.ndim == 1:
            grad_b = xp.squeeze(grad_b, axis=-1)
        return grad_a, grad_b

    def name(self):
        if self.a_ndim == 1 and self.b_ndim == 1:
            return "DotBackward0"
        if self.a_ndim == 2 and self.b_ndim == 1:
            return "MvBackward0"
        if self.a_ndim == 2 and self.b_ndim == 2:
            return "MmBackward0"
        if self.a_ndim == 1 and self.b_ndim == 2:
            return "SqueezeBackward4"
        return "UnsafeViewBackward0"
