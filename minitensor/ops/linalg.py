"""Matrix multiplication, the op behind `@`, `nn.Linear` and every layer of a network:
`MatMul` (a @ b, any shapes) and `Addmm` (bias + a @ b: a Linear layer on a batch).

Read next: ../autograd/node.py (`unbroadcast`: how batch axes are summed back),
../nn/linear.py.
"""

from ..autograd.function import Op
from ..autograd.node import unbroadcast


class MatMul(Op):
    """out = a @ b.   d out/d a = grad @ b^T,  d out/d b = a^T @ grad.

    Shapes, for the 2-D case: a (n, k), b (k, m), grad (n, m):
        grad_a = grad (n, m) @ b^T (m, k) -> (n, k)
        grad_b = a^T (k, n) @ grad (n, m) -> (k, m)
    A 1-D operand is treated as a row (on the left) or a column (on the right) and the
    extra axis removed again; batch axes broadcast and are summed back by `Op.apply`.
    PyTorch's node name depends on the shapes: DotBackward0 (1-D @ 1-D), MvBackward0
    (2-D @ 1-D), MmBackward0 (2-D @ 2-D), SqueezeBackward4 (1-D @ 2-D: PyTorch makes the
    vector a 1-row matrix and squeezes the row away), UnsafeViewBackward0 for batches.
    """

    __slots__ = ("a_ndim", "b_ndim")

    def forward(self, a, b):
        self.a_ndim, self.b_ndim = a.ndim, b.ndim
        # grad_a needs b and grad_b needs a: each is saved only for the other's gradient
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return self.xp.matmul(a, b)

    def backward(self, grad):
        xp = self.xp
        a, b = self.saved_tensors
        # Column axis first: for vector @ vector grad is 0-d and gets (1,), then (1, 1).
        if self.b_ndim == 1:
            grad = xp.expand_dims(grad, axis=-1)
        if self.a_ndim == 1:
            grad = xp.expand_dims(grad, axis=-2)
        grad_a = grad_b = None
        # Each 1-D operand made 2-D, as matmul did internally, and its gradient made 1-D again.
        if b is not None:
            b2 = xp.expand_dims(b, axis=-1) if self.b_ndim == 1 else b
            grad_a = xp.matmul(grad, xp.matrix_transpose(b2))
            if self.a_ndim == 1:
                grad_a = xp.squeeze(unbroadcast(xp, grad_a, (1, grad_a.shape[-1])), axis=0)
        if a is not None:
            a2 = xp.expand_dims(a, axis=0) if self.a_ndim == 1 else a
            grad_b = xp.matmul(xp.matrix_transpose(a2), grad)
            if self.b_ndim == 1:
                grad_b = xp.squeeze(unbroadcast(xp, grad_b, (grad_b.shape[-2], 1)), axis=-1)
        # Batch axes that were broadcast are summed back by Op.apply, as for any other op.
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


class Addmm(Op):
    """out = bias + a @ b, for matrices a (n, k) and b (k, m) and a bias of shape (m,).

    nn.Linear on a batch (x @ W^T + b) is this one node, as in PyTorch (AddmmBackward0,
    with b = W^T from a TBackward0 node), instead of MmBackward0 then AddBackward0:

        d out/d bias = grad, summed over the rows (Op.apply sums it back to (m,))
        d out/d a    = grad @ b^T        (n, m) @ (m, k) -> (n, k)
        d out/d b    = a^T @ grad        (k, n) @ (n, m) -> (k, m)
    """

    __slots__ = ()

    def forward(self, bias, a, b):
        _, need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return bias + self.xp.matmul(a, b)

    def backward(self, grad):
        xp = self.xp
        a, b = self.saved_tensors
        grad_a = xp.matmul(grad, xp.matrix_transpose(b)) if b is not None else None
        grad_b = xp.matmul(xp.matrix_transpose(a), grad) if a is not None else None
        return grad, grad_a, grad_b
