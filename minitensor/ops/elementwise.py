"""Elementwise primitives: out[i] = f(a[i], b[i]), with broadcasting.

Each class is one op: the docstring gives the forward formula and each input's local
derivative, `forward` computes on raw arrays and saves what backward needs
(`self.save_for_backward`), `backward(grad)` returns one gradient per input (the chain rule:
grad * local derivative). Inputs may be arrays or plain Python numbers (`x * 2`); a number
needs no gradient. Broadcasting is undone by the engine (../autograd/node.py): a gradient
of the broadcast shape is summed back to its input's shape there, so backward is the maths
alone.

Read next: reduction.py, shape.py, then ../autograd/engine.py (who calls backward).
"""

import math

from ..autograd.function import Op


def _is_number(x):
    return isinstance(x, (int, float, bool))


class Add(Op):
    """out = a + b.   d out/d a = 1,  d out/d b = 1."""

    __slots__ = ()

    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Op):
    """out = a - b.   d out/d a = 1,  d out/d b = -1.

    PyTorch calls it RsubBackward1 when a is a number (1 - x, "reversed sub").
    """

    __slots__ = ("reversed",)

    def forward(self, a, b):
        self.reversed = _is_number(a)
        return a - b

    def backward(self, grad):
        return grad, -grad

    def name(self):
        return "RsubBackward1" if self.reversed else "SubBackward0"


class Mul(Op):
    """out = a * b.   d out/d a = b,  d out/d b = a.

    Each input is needed only for the *other* one's gradient, so each is saved only then,
    as PyTorch does: for x * w with only w requiring grad, x is saved and w is not, so
    changing w in place afterwards is no error.
    """

    __slots__ = ()

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return a * b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return grad * b if need_a else None, grad * a if need_b else None


class Div(Op):
    """out = a / b.   d out/d a = 1 / b,  d out/d b = -a / b**2.

    b is needed for both gradients, a only for b's.
    """

    __slots__ = ()

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return grad / b if need_a else None, -grad * a / (b * b) if need_b else None


class Reciprocal(Op):
    """out = 1 / x.   d out/d x = -1 / x**2 = -out**2.

    `2 / x` is recorded as 2 * reciprocal(x), as PyTorch does: backward then needs only the
    reciprocal (a tensor of its own), so changing x in place afterwards is no error.
    """

    __slots__ = ()

    def forward(self, x):
        out = 1 / x
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return -grad * out * out


class Remainder(Op):
    """out = a - floor(a / b) * b (the sign of b: Python's %, and PyTorch's).

    d out/d a = 1,  d out/d b = -floor(a / b)   (floor is flat between its steps).
    Only b's gradient needs the inputs, so they are saved only when b requires grad.
    """

    __slots__ = ("divisor_is_number",)

    def name(self):
        return "RemainderBackward0" if self.divisor_is_number else "RemainderBackward1"

    def forward(self, a, b):
        self.divisor_is_number = _is_number(b)
        if self.needs_input_grad[1]:
            self.save_for_backward(a, b)
        out = self.xp.remainder(a, b)
        if self.xp.isdtype(out.dtype, "real floating"):
            # A zero result takes the sign of a, as PyTorch's (NumPy gives it b's sign:
            # 3 % -1.5 is -0.0 there), which shows in 1 / (a % b): inf, not -inf.
            out = self.xp.where(out == 0, a * 0.0, out)
        return out

    def backward(self, grad):
        grad_b = None
        if self.needs_input_grad[1]:
            a, b = self.saved_tensors
            # floor_divide, not floor(a / b): it gives nan for an infinite a (inf // 1 has no
            # step to speak of), as PyTorch's floor division does
            grad_b = -grad * self.xp.floor_divide(a, b)
        return grad, grad_b


class FloorDivide(Op):
    """out = floor(a / b). Not differentiable: PyTorch records it, and backward raises.

    Its true derivative is 0 almost everywhere, so a zero gradient would silently stop
    learning; PyTorch refuses instead, and so do we. Not in PRIMITIVES (no gradient to test).
    """

    __slots__ = ()
    backward_name = "NotImplemented"  # PyTorch's name for a node whose backward raises

    def forward(self, a, b):
        return self.xp.floor_divide(a, b)

    def backward(self, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class NonzeroCount(Op):
    """out = the number of nonzero x over `dims` (x.norm(0)), nan counting as nonzero.

    A count has no slope: PyTorch records the node but sends x no gradient at all (x.grad
    stays None), and so do we. Not in PRIMITIVES (no gradient to test).
    """

    __slots__ = ()
    backward_name = "LinalgVectorNormBackward0"

    def forward(self, x, *, dims, keepdim):
        xp = self.xp
        self.save_for_backward(x)
        nonzero = xp.astype(x != 0, x.dtype)  # nan != 0 is True
        return xp.sum(nonzero, axis=dims, keepdims=keepdim)

    def backward(self, grad):
        return None


class Neg(Op):
    """out = -x.   d out/d x = -1."""

    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, grad):
        return -grad


class Pow(Op):
    """out = x ** p for a fixed number p.   d out/d x = p * x ** (p - 1)."""

    __slots__ = ("p",)

    def forward(self, x, *, p):
        self.p = p
        self.save_for_backward(x)
        return x**p

    def backward(self, grad):
        (x,) = self.saved_tensors
        if self.p == 0:
            return grad * 0
        return grad * self.p * x ** (self.p - 1)


class PowTensor(Op):
    """out = a ** b, both may be tensors.   d out/d a = b * a ** (b - 1),  d out/d b = out * log(a).

    PyTorch calls this node PowBackward1, or PowBackward2 when the base is a number (2 ** x).
    """

    __slots__ = ("base_is_number",)

    def name(self):
        return "PowBackward2" if self.base_is_number else "PowBackward1"

    def forward(self, a, b):
        self.base_is_number = _is_number(a)
        out = a**b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        xp = self.xp
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        if need_a:
            # NOTE: where b == 0, out = 1 whatever a is: the slope is 0, not 0 * inf = nan
            # (at a = 0), as PyTorch takes it.
            grad_a = _zero_where(xp, b == 0, grad * b * a ** (b - 1))
        if need_b:
            # NOTE: where a == 0 and b >= 0, 0 ** b is flat in b: 0, not 0 * log(0) = nan;
            # for b < 0 PyTorch keeps out * log(0) = inf * -inf = -inf, and so do we.
            grad_b = _zero_where(xp, (a == 0) & (b >= 0), grad * out * _log_base(xp, a))
        return grad_a, grad_b


def _zero_where(xp, condition, values):
    return xp.where(condition, xp.zeros_like(values), values)


def _log_base(xp, a):
    """log(a), with log(0) = -inf but without NumPy's divide-by-zero warning."""
    if not hasattr(a, "shape"):  # a number base: 2 ** x
        if a == 0:
            return -math.inf
        return math.log(a) if a > 0 else math.nan
    zero = a == 0
    log_a = xp.log(xp.where(zero, xp.ones_like(a), a))
    return xp.where(zero, xp.full_like(log_a, -math.inf), log_a)


class Exp(Op):
    """out = exp(x).   d out/d x = exp(x) = out."""

    __slots__ = ()

    def forward(self, x):
        out = self.xp.exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out


class Log(Op):
    """out = log(x).   d out/d x = 1 / x."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.log(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / x


class Log1p(Op):
    """out = log(1 + x).   d out/d x = 1 / (1 + x).

    NOTE: a primitive, not log(1 + x): for tiny x, 1 + x rounds to 1 and the log to 0,
    while log1p keeps every digit (log1p(1e-10) = 1e-10).
    """

    __slots__ = ()
    backward_name = "Log1PBackward0"  # PyTorch's spelling

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.log1p(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (1 + x)


class Sqrt(Op):
    """out = sqrt(x).   d out/d x = 1 / (2 sqrt(x)) = 1 / (2 out)."""

    __slots__ = ()

    def forward(self, x):
        out = self.xp.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad / (2 * out)


class Sin(Op):
    """out = sin(x).   d out/d x = cos(x)."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.sin(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * self.xp.cos(x)


class Cos(Op):
    """out = cos(x).   d out/d x = -sin(x)."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.cos(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return -grad * self.xp.sin(x)


class Tanh(Op):
    """out = tanh(x).   d out/d x = 1 - tanh(x)**2 = 1 - out**2."""

    __slots__ = ()

    def forward(self, x):
        out = self.xp.tanh(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Op):
    """out = 1 / (1 + exp(-x)).   d out/d x = out * (1 - out).

    NOTE: exp(-x) overflows for large negative x, so there we use the same number written
    as exp(x) / (1 + exp(x)). Both branches only ever take exp of -|x| <= 0, which cannot
    overflow and keeps tiny results exact (sigmoid(-20) = 2.06e-9, not 0).
    """

    __slots__ = ()

    def forward(self, x):
        xp = self.xp
        e = xp.exp(-xp.abs(x))  # in (0, 1]
        out = xp.where(x >= 0, 1 / (1 + e), e / (1 + e))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out * (1 - out)


class Relu(Op):
    """out = max(x, 0).   d out/d x = 1 where x > 0, else 0 (PyTorch picks 0 at x = 0)."""

    __slots__ = ()

    def forward(self, x):
        out = self.xp.maximum(x, 0)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        # where(), not grad * (out > 0): the array API has no float * bool arithmetic
        return self.xp.where(out > 0, grad, self.xp.zeros_like(grad))


class LeakyRelu(Op):
    """out = x if x > 0 else slope * x.   d out/d x = 1 where x > 0, else slope."""

    __slots__ = ("slope",)

    def forward(self, x, *, slope):
        self.slope = slope
        self.save_for_backward(x)
        return self.xp.where(x > 0, x, x * slope)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return self.xp.where(x > 0, grad, grad * self.slope)


class Sign(Op):
    """out = -1, 0 or 1 (the sign of x).   d out/d x = 0 (a step: flat on both sides).

    Recorded anyway, as PyTorch does, so `x.sign()` of a tensor that requires grad does too.
    """

    __slots__ = ()

    def forward(self, x):
        xp = self.xp
        out = xp.sign(x)
        if xp.isdtype(x.dtype, "real floating"):
            out = xp.where(xp.isnan(x), xp.zeros_like(x), out)  # PyTorch: sign(nan) = 0
        return out

    def backward(self, grad):
        return self.xp.zeros_like(grad)


class Floor(Op):
    """out = the largest whole number <= x.   d out/d x = 0: a staircase is flat between
    its steps (and has no slope at them). Recorded anyway, as PyTorch does (FloorBackward0).

    Ceil, Trunc and Round are the same staircase with its steps in other places.
    """

    __slots__ = ()
    function = "floor"  # the array library's function of that name

    def forward(self, x):
        return getattr(self.xp, self.function)(x)

    def backward(self, grad):
        return self.xp.zeros_like(grad)


class Ceil(Floor):
    """out = the smallest whole number >= x.   d out/d x = 0."""

    __slots__ = ()
    function = "ceil"


class Trunc(Floor):
    """out = x without its fractional part (towards 0).   d out/d x = 0."""

    __slots__ = ()
    function = "trunc"


class Round(Floor):
    """out = x rounded to `decimals` places, halves to the even neighbour (2.5 -> 2, as
    PyTorch and NumPy).   d out/d x = 0.

    With decimals (PyTorch's RoundBackward1), as PyTorch computes it: round(x * 10**d) /
    10**d, or for d < 0 round(x / 10**-d) * 10**-d (dividing by 10**-d is exact where
    multiplying by 10**d, 0.01, is not).
    """

    __slots__ = ("decimals",)
    function = "round"

    def name(self):
        return "RoundBackward1" if self.decimals else "RoundBackward0"

    def forward(self, x, *, decimals=0):
        xp = self.xp
        self.decimals = decimals
        if decimals == 0:
            return xp.round(x)
        if decimals > 0:
            scale = 10.0**decimals
            return xp.round(x * scale) / scale
        scale = 10.0**-decimals
        return xp.round(x / scale) * scale


class Abs(Op):
    """out = |x|.   d out/d x = sign(x) (0 at x = 0, as PyTorch)."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.abs(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * self.xp.sign(x)


class Clamp(Op):
    """out = min(max(x, low), high).   d out/d x = 1 where low <= x <= high, else 0.

    PyTorch calls the node for number bounds ClampBackward1.
    """

    __slots__ = ()
    backward_name = "ClampBackward1"

    def forward(self, x, *, low, high):
        self.save_for_backward(x, low, high)
        xp = self.xp
        out = x
        # The bounds become arrays on x's own device (x.device), in x's dtype.
        if low is not None:
            out = xp.maximum(out, xp.asarray(low, dtype=x.dtype, device=x.device))
        if high is not None:
            out = xp.minimum(out, xp.asarray(high, dtype=x.dtype, device=x.device))
        return out

    def backward(self, grad):
        x, low, high = self.saved_tensors
        passes = self.xp.ones_like(x, dtype=self.xp.bool)
        if low is not None:
            passes = passes & (x >= low)
        if high is not None:
            passes = passes & (x <= high)
        return self.xp.where(passes, grad, self.xp.zeros_like(grad))


def _split(node, grad, a_wins, tie):
    """Gradients of max/min(a, b): all of grad to the winner, half each on a tie.

    where(), not grad * mask: an infinite gradient times a 0 mask would be nan.
    """
    xp = node.xp
    zero = xp.zeros_like(grad)
    half = xp.where(tie, grad / 2, zero)
    grad_a = xp.where(a_wins, grad, half)
    grad_b = xp.where(a_wins | tie, half, grad)
    return grad_a, grad_b


class Maximum(Op):
    """out = max(a, b) elementwise.   d out/d a = 1 where a > b, 1/2 where a == b, else 0.

    On ties the gradient is split evenly between the two inputs, as PyTorch does.
    """

    __slots__ = ()

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _split(self, grad, a > b, a == b)


class Minimum(Op):
    """out = min(a, b) elementwise.   d out/d a = 1 where a < b, 1/2 where a == b, else 0."""

    __slots__ = ()

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _split(self, grad, a < b, a == b)


class Where(Op):
    """out = a where condition else b.   d out/d a = condition,  d out/d b = not condition."""

    __slots__ = ()

    def forward(self, condition, a, b):
        self.save_for_backward(condition)
        return self.xp.where(condition, a, b)

    def backward(self, grad):
        (condition,) = self.saved_tensors
        zero = self.xp.zeros_like(grad)
        return None, self.xp.where(condition, grad, zero), self.xp.where(condition, zero, grad)


class MaskedFill(Op):
    """out = value where mask, else x (x.masked_fill(mask, value)).

    d out/d x = 0 where mask, else 1. The value is a number: it gets no gradient.
    """

    __slots__ = ()

    def forward(self, x, mask, *, value):
        xp = self.xp
        self.save_for_backward(mask)
        return xp.where(mask, xp.full_like(x, value), x)

    def backward(self, grad):
        (mask,) = self.saved_tensors
        xp = self.xp
        return xp.where(mask, xp.zeros_like(grad), grad), None


class Clone(Op):
    """out = a copy of x.   d out/d x = 1."""

    __slots__ = ()

    def forward(self, x):
        return self.xp.asarray(x, copy=True)

    def backward(self, grad):
        return grad


class ToCopy(Op):
    """out = x converted to another dtype and/or device.   d out/d x = 1 (converted back).

    The gradient goes back in the input's dtype and on the input's device.
    """

    __slots__ = ("source_device", "source_dtype", "target_device")
    moves_device = True
    backward_name = "ToCopyBackward0"

    def forward(self, x, *, source_device, source_dtype, target_device, target_dtype):
        self.source_device, self.source_dtype = source_device, source_dtype
        self.target_device = target_device
        if target_device is not source_device:
            x = target_device.backend.asarray(source_device.backend.to_numpy(x))
        backend = target_device.backend
        return target_device.xp.astype(x, backend.native_dtype(target_dtype), copy=True)

    def backward(self, grad):
        if self.target_device is not self.source_device:
            grad = self.source_device.backend.asarray(self.target_device.backend.to_numpy(grad))
        native = self.source_device.backend.native_dtype(self.source_dtype)
        return self.source_device.xp.astype(grad, native)


# Ops on a tensor's own storage (x.zero_(), x.copy_(src), x[i] = v) when they are recorded.


class Fill(Op):
    """out = value everywhere (x.fill_(value)).   d out/d x = 0.

    PyTorch calls this node FillBackward2 (FillBackward0/1/3 are other variants of fill).
    """

    __slots__ = ()
    backward_name = "FillBackward2"

    def forward(self, x, *, value):
        return self.xp.full_like(x, value)

    def backward(self, grad):
        return self.xp.zeros_like(grad)


class Zero(Fill):
    """out = 0 everywhere (x.zero_()).   d out/d x = 0. PyTorch's node: ZeroBackward0."""

    __slots__ = ()
    backward_name = "ZeroBackward0"


class Copy(Op):
    """out = source, broadcast to x's shape (x.copy_(source)).   d out/d x = 0, d out/d source = 1.

    PyTorch calls this node CopyBackwards.
    """

    __slots__ = ("source_dtype",)
    backward_name = "CopyBackwards"

    def forward(self, x, source):
        self.source_dtype = getattr(source, "dtype", None)
        # a copy, not `+ 0`, which would turn -0.0 into 0.0
        return self.xp.asarray(
            self.xp.broadcast_to(self.xp.astype(source, x.dtype), x.shape), copy=True
        )

    def backward(self, grad):
        grad_source = grad
        if self.source_dtype is not None:
            grad_source = self.xp.astype(grad, self.source_dtype)
        return self.xp.zeros_like(grad), grad_source


class IndexPut(Op):
    """out = x with out[index] = values (x[index] = values).

    d out/d x = 1 except at `index` (0 there),  d out/d values = 1 at `index`.
    PyTorch calls this node CopySlices, or IndexPutBackward0 when the index holds arrays
    (x[mask] = v, x[[0, 2]] = v).
    """

    __slots__ = ("backend", "advanced", "values_ndim")

    def forward(self, x, values, *, index, backend, advanced=False):
        # backend.setitem / getitem: a[index] = v and a[index], with NumPy's indexing rules
        self.backend, self.advanced = backend, advanced
        self.values_ndim = getattr(values, "ndim", 0)
        # Kept as a saved value: freed after backward, so a second backward through
        # x[index] = v raises, as PyTorch's (CopySlices and IndexPutBackward0 both do).
        self.save_for_backward(index)
        out = self.xp.asarray(x, copy=True)
        backend.setitem(out, index, values)
        return out

    def backward(self, grad):
        (index,) = self.saved_tensors
        grad_x = self.xp.asarray(grad, copy=True)
        self.backend.setitem(grad_x, index, 0)
        grad_values = self.backend.getitem(grad, index)
        # values may carry leading size-1 axes the slot lacks (x[0] = v with v of shape (1,))
        missing = self.values_ndim - grad_values.ndim
        if missing > 0:
            grad_values = self.xp.reshape(grad_values, (1,) * missing + grad_values.shape)
        return grad_x, grad_values  # summed to values' shape if they were broadcast

    def name(self):
        return "IndexPutBackward0" if self.advanced else "CopySlices"
