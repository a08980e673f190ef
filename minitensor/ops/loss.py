"""The two losses of every first model, each recorded as one node, as PyTorch records them.

Composed from minitensor's ops, `nll_loss` took about ten (a one-hot mask, `where`, sums,
a division), each one a node to record and to run backward through: a quarter of a training
epoch went into the loss; `mse_loss` took three (-, ** 2, mean). PyTorch records one node,
NllLossBackward0 (after LogSoftmaxBackward0 for `cross_entropy`) and MseLossBackward0; so
do these ops. The other losses stay composed (../nn/loss_functions.py).

Read next: ../nn/loss_functions.py (`mse_loss`, `nll_loss` and `cross_entropy` call these).
"""

from ..autograd.function import Op


class NllLoss(Op):
    """Negative log likelihood of log-probabilities x (classes along `class_dim`) at class
    indices y, with class weights w (all 1 without a weight):

        l_i = -w[y_i] * x[i, y_i]          (w[y_i] taken as 0 where y_i == ignore_index)
        out = sum_i l_i / sum_i w[y_i]     'mean';  'sum': sum_i l_i;  'none': every l_i

    d out/d x[i, c] = -w[y_i] * g_i where c == y_i, and 0 for every other class, with g_i
    the gradient that reaches l_i: grad / sum_i w[y_i] ('mean'), grad ('sum'), grad[i]
    ('none'). The target (integers) and the weight get no gradient, as in PyTorch.
    """

    __slots__ = ("class_dim", "reduction", "ndim")

    def forward(self, x, y, w, *, class_dim, ignore_index, reduction):
        xp = self.xp
        self.class_dim, self.reduction, self.ndim = class_dim, reduction, x.ndim
        # A one-hot mask, True at x[i, y_i]: y with a size-1 class axis against 0..C-1.
        classes_shape = tuple(x.shape[d] if d == class_dim else 1 for d in range(x.ndim))
        class_ids = xp.reshape(xp.arange(x.shape[class_dim], device=x.device), classes_shape)
        valid = y != ignore_index
        picked = (xp.expand_dims(y, axis=class_dim) == class_ids) & xp.expand_dims(
            valid, axis=class_dim
        )
        if w is None:
            w_y = xp.astype(valid, x.dtype)  # w[y_i]: 1, or 0 where ignored
        else:
            w_c = xp.reshape(w, classes_shape)
            w_y = xp.sum(xp.where(picked, w_c, xp.zeros_like(w_c)), axis=class_dim)
        x_y = xp.sum(xp.where(picked, x, xp.zeros_like(x)), axis=class_dim)  # x[i, y_i]
        loss = -x_y * w_y
        if reduction == "mean":
            total = xp.sum(w_y)  # 0 when every target is ignored: nan, as PyTorch
            scale, out = -w_y / total, xp.sum(loss) / total
        else:
            scale, out = -w_y, loss if reduction == "none" else xp.sum(loss)
        self.save_for_backward(picked, scale)
        return out

    def backward(self, grad):
        picked, scale = self.saved_tensors
        xp = self.xp
        g = xp.expand_dims(scale * grad, axis=self.class_dim)  # -w[y_i] g_i, a size-1 class axis
        # where, not picked * g: an inf or nan gradient must not reach the other classes
        return xp.where(picked, g, xp.zeros_like(g)), None, None

    def name(self):
        # PyTorch runs inputs with extra dims, (N, C, d1, ...), through its 2-D kernel
        return "NllLoss2DBackward0" if self.ndim >= 3 else "NllLossBackward0"


class MseLoss(Op):
    """Mean squared error of x against y: l_i = (x_i - y_i)^2, then the reduction

        out = sum_i l_i / n   'mean' (n elements);  'sum': sum_i l_i;  'none': every l_i

    d out/d x_i = 2 (x_i - y_i) g_i  and  d out/d y_i = -2 (x_i - y_i) g_i, with g_i the
    gradient that reaches l_i: grad / n ('mean'), grad ('sum'), grad[i] ('none'). If x and
    y broadcast against each other, each gradient is summed back to its input's shape (by
    the engine, as for every op).
    """

    __slots__ = ("reduction",)

    def forward(self, x, y, *, reduction):
        self.reduction = reduction
        diff = x - y
        self.save_for_backward(diff)
        squares = diff * diff
        if reduction == "mean":
            return self.xp.mean(squares)
        return self.xp.sum(squares) if reduction == "sum" else squares

    def backward(self, grad):
        (diff,) = self.saved_tensors
        if self.reduction == "mean":
            grad = grad / max(diff.size, 1)  # an empty x has an empty gradient: no 1/0
        grad_x = grad * 2 * diff
        return grad_x, -grad_x if self.needs_input_grad[1] else None

    def name(self):
        return "MseLossBackward0"
