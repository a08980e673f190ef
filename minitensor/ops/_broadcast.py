"""Undoing broadcasting: the one place where a gradient is summed back to its input's shape.

If `x` of shape (3,) was broadcast against `y` of shape (2, 3), then every element of `x`
was used twice, once per row, so its gradient is the sum over the rows:

    grad (2, 3)  --sum over the new leading axis-->  (3,)

Axes where the input had size 1 (shape (2, 1) against (2, 3)) are summed with keepdims.

Read next: elementwise.py (Add, Mul, ...: every two-input op calls unbroadcast).
"""


def unbroadcast(xp, grad, shape):
    """Sum `grad` down to `shape` (the shape of the input before broadcasting)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = xp.sum(grad, axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = xp.sum(grad, axis=stretched, keepdims=True)
    return grad


def shape_of(x):
    """The shape of an array, () for a Python number."""
    return getattr(x, "shape", ())
