"""The torch-level functions (`mt.add`, `mt.sum`, `mt.cat`, ...) behind every Tensor method.

This file does the argument handling PyTorch users expect, then calls one primitive op
from ops/ (or composes a few). Three jobs happen here and nowhere else:

- type promotion: `int tensor + 0.5` is cast to float32 before the op runs (dtypes.py);
- `dim` arguments: negative dims, tuples, range checks with PyTorch's error message;
- in-place ops (`add_`, `x[i] = v`, ...): the leaf check, the version bump, and recording
  the op when a gradient is needed (`_inplace`).

Read next: ops/ for the maths of each op.
"""

import builtins
import collections
import math as _math

import numpy as np

from . import backend, dtypes, ops
from .autograd import grad_mode
from .autograd.node import _raise_device_mismatch
from .tensor import Tensor

# ----------------------------------------------------------------------------- arguments


def _dim(dim, ndim):
    """A dim in range [-ndim, ndim) as a non-negative axis, else PyTorch's IndexError."""
    low, high = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return dim % builtins.max(ndim, 1)


def _dims(dim, ndim):
    """None, an int or a tuple of ints -> None or a sorted tuple of non-negative axes."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        axes = tuple(sorted({_dim(d, ndim) for d in dim}))
        return axes if axes else None
    return (_dim(dim, ndim),)


def _shape_args(shape):
    """reshape(2, 3) and reshape((2, 3)) mean the same."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _as_tensor_operand(x, like):
    """Operands of binary ops: tensors and Python numbers pass; NumPy arrays become tensors."""
    if isinstance(x, np.generic):
        # Before the number test: np.float64 *is* a Python float, but NumPy would let it
        # make a float32 result float64. PyTorch treats it as a plain number.
        return x.item()
    if isinstance(x, (Tensor, builtins.int, builtins.float, builtins.bool)):
        return x
    if isinstance(x, np.ndarray):
        from .creation import as_tensor

        return as_tensor(x, device=like.device)
    raise TypeError(
        f"unsupported operand type: {type(x).__name__} (expected a Tensor, a number or a "
        "NumPy array)"
    )


def _cast(x, dtype):
    """A tensor converted to `dtype` (recorded, so gradients flow back); numbers pass."""
    if isinstance(x, Tensor) and x.dtype is not dtype:
        return to(x, dtype)
    return x


def _promote(a, b, floating=False):
    """Both operands in their common dtype (PyTorch's rule); `floating` for true division."""
    a_tensor, b_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
    if (
        a_tensor
        and b_tensor
        and a.dtype is b.dtype
        and a.device is b.device  # different devices: checked below (0-dim CPU tensors pass)
        and (a.dtype.is_floating_point or not floating)
    ):
        return a, b  # the fast path: nothing to convert
    # Second fast path: a float tensor with a Python number keeps its dtype (x * 0.5).
    if a_tensor and a.dtype.is_floating_point and type(b) in (builtins.float, builtins.int):
        return a, b
    if b_tensor and b.dtype.is_floating_point and type(a) in (builtins.float, builtins.int):
        return a, b
    tensor = a if a_tensor else b
    a = _as_tensor_operand(a, tensor)
    b = _as_tensor_operand(b, tensor)
    dtype = dtypes.result_type(a, b)
    if floating and not dtype.is_floating_point:
        dtype = dtypes.get_default_dtype()
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.device is not b.device:
        # PyTorch lets a 0-dim CPU tensor join a CUDA op, like a number
        if a.ndim == 0 and a.device is backend.cpu:
            a = a.item()
        elif b.ndim == 0 and b.device is backend.cpu:
            b = b.item()
        else:
            _raise_device_mismatch(a.device, b.device)
    return _cast(a, dtype), _cast(b, dtype)


def _broadcast_check(a, b, op_name):
    """Name both shapes when they cannot broadcast (NumPy's message names neither tensor)."""
    shape_a, shape_b = getattr(a, "shape", ()), getattr(b, "shape", ())
    for i, (m, n) in enumerate(zip(reversed(shape_a), reversed(shape_b))):
        if m != n and m != 1 and n != 1:
            dim = builtins.max(len(shape_a), len(shape_b)) - 1 - i
            raise RuntimeError(
                f"The size of tensor a ({m}) must match the size of tensor b ({n}) at "
                f"non-singleton dimension {dim} ({op_name} of shapes {list(shape_a)} and "
                f"{list(shape_b)})"
            )


def _binary(op, a, b, name, floating=False):
    a, b = _promote(a, b, floating)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape != b.shape:
        _broadcast_check(a, b, name)
    return op.apply(a, b)


# ----------------------------------------------------------------------------- arithmetic


def add(a, b, *, alpha=1):
    return _binary(ops.Add, a, b if alpha == 1 else b * alpha, "add")


def sub(a, b, *, alpha=1):
    bools = [isinstance(x, Tensor) and x.dtype is dtypes.bool for x in (a, b)]
    if builtins.all(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if builtins.any(bools):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _binary(ops.Sub, a, b if alpha == 1 else b * alpha, "sub")


def mul(a, b):
    return _binary(ops.Mul, a, b, "mul")


def div(a, b):
    """True division: int / int gives float32, as PyTorch (NumPy would give float64)."""
    return _binary(ops.Div, a, b, "div", floating=True)


true_divide = div


def floor_divide(a, b):
    """a // b, rounded down. Not differentiable (its gradient is zero almost everywhere)."""
    a, b = _promote(a, b)
    tensor = a if isinstance(a, Tensor) else b
    raw = (x._data if isinstance(x, Tensor) else x for x in (a, b))
    return Tensor._from_array(tensor.device.xp.floor_divide(*raw), tensor.device)


def remainder(a, b):
    """a % b with the sign of b (Python's rule, and PyTorch's).

    Built as a - floor(a / b) * b with the floor treated as a constant, which gives exactly
    PyTorch's gradients: d/da = 1, d/db = -floor(a / b).
    """
    return sub(a, mul(floor_divide(a, b), b))


def neg(x):
    return ops.Neg.apply(x)


negative = neg


def pow(base, exponent):  # noqa: A001  (PyTorch's name)
    """base ** exponent. With a number as exponent the node is PowBackward0."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(base, Tensor) and isinstance(exponent, (builtins.int, builtins.float)):
        if not base.dtype.is_floating_point and isinstance(exponent, builtins.float):
            base = to(base, dtypes.get_default_dtype())
        if not base.dtype.is_floating_point and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return ops.Pow.apply(base, p=exponent)
    return _binary(ops.PowTensor, base, exponent, "pow")


def _unary(op, x, floating=True):
    if floating and not x.dtype.is_floating_point:
        x = to(x, dtypes.get_default_dtype())  # exp(int tensor) is float32, as PyTorch
    return op.apply(x)


def exp(x):
    return _unary(ops.Exp, x)


def log(x):
    return _unary(ops.Log, x)


def sqrt(x):
    return _unary(ops.Sqrt, x)


def sin(x):
    return _unary(ops.Sin, x)


def cos(x):
    return _unary(ops.Cos, x)


def tanh(x):
    return _unary(ops.Tanh, x)


def sigmoid(x):
    return _unary(ops.Sigmoid, x)


def relu(x):
    return _unary(ops.Relu, x, floating=False)


def leaky_relu(x, negative_slope=0.01):
    return ops.LeakyRelu.apply(x, slope=negative_slope)


def abs(x):  # noqa: A001
    return _unary(ops.Abs, x, floating=False)


def sign(x):
    """-1, 0 or 1. Its gradient is zero everywhere (PyTorch still records SignBackward0)."""
    return ops.Sign.apply(x)


def clamp(x, min=None, max=None):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return ops.Clamp.apply(x, low=min, high=max)


clip = clamp


def maximum(a, b):
    return _binary(ops.Maximum, a, b, "maximum")


def minimum(a, b):
    return _binary(ops.Minimum, a, b, "minimum")


def where(condition, a, b):
    """a where condition is True, else b (elementwise, broadcasting all three)."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): condition must be a Tensor, got {type(condition).__name__}")
    if condition.dtype is not dtypes.bool:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.scalar_type_name(condition.dtype)} (compare first, e.g. x > 0)"
        )
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        # where(mask, 1.0, 0.0): two numbers make a tensor of the default dtype, as PyTorch
        from .creation import tensor

        a = tensor(a, dtype=dtypes.result_type(a, b), device=condition.device)
    a, b = _promote(a, b)
    return ops.Where.apply(condition, a, b)


def softmax(x, dim):
    return ops.Softmax.apply(_float(x), dim=_dim(dim, x.ndim))


def log_softmax(x, dim):
    return ops.LogSoftmax.apply(_float(x), dim=_dim(dim, x.ndim))


def _float(x):
    return x if x.dtype.is_floating_point else to(x, dtypes.get_default_dtype())


# ----------------------------------------------------------------------------- matmul


def matmul(a, b):
    """a @ b. Shapes must agree on the inner dimension; the error names both shapes."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        a, b = _promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                f"and {b.shape[0]} elements respectively"
            )
        if a.ndim == 2 and b.ndim == 1:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                f"vec ({b.shape[0]})"
            )
        rows = "x".join(str(s) for s in (a.shape if a.ndim > 1 else (1, a.shape[0])))
        cols = "x".join(str(s) for s in (b.shape if b.ndim > 1 else (b.shape[0], 1)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows} and {cols})")
    if a.dtype is not b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}"
        )
    return ops.MatMul.apply(a, b)


def mm(a, b):
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm expects 2-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return matmul(a, b)


def dot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


# ----------------------------------------------------------------------------- comparisons


def _compare(a, b, name):
    """Elementwise comparison: a bool tensor, never recorded (it has no gradient)."""
    a, b = _promote(a, b)
    tensor = a if isinstance(a, Tensor) else b
    if getattr(a, "shape", ()) != getattr(b, "shape", ()):
        _broadcast_check(a, b, name)
    raw_a = a._data if isinstance(a, Tensor) else a
    raw_b = b._data if isinstance(b, Tensor) else b
    return Tensor._from_array(getattr(_operator, name)(raw_a, raw_b), tensor.device)


import operator as _operator  # noqa: E402


def eq(a, b):
    return _compare(a, b, "eq")


def ne(a, b):
    return _compare(a, b, "ne")


def lt(a, b):
    return _compare(a, b, "lt")


def le(a, b):
    return _compare(a, b, "le")


def gt(a, b):
    return _compare(a, b, "gt")


def ge(a, b):
    return _compare(a, b, "ge")


def logical_and(a, b):
    return Tensor._from_array(a.device.xp.logical_and(_bool(a), _bool(b)), a.device)


def logical_or(a, b):
    return Tensor._from_array(a.device.xp.logical_or(_bool(a), _bool(b)), a.device)


def logical_not(a):
    return Tensor._from_array(a.device.xp.logical_not(_bool(a)), a.device)


def _bool(x):
    if isinstance(x, Tensor):
        return x._data if x.dtype is dtypes.bool else x._data != 0
    return builtins.bool(x)


def isnan(x):
    return Tensor._from_array(x.device.xp.isnan(x._data), x.device)


def isfinite(x):
    return Tensor._from_array(x.device.xp.isfinite(x._data), x.device)


def allclose(a, b, rtol=1e-05, atol=1e-08):
    """True when |a - b| <= atol + rtol * |b| everywhere (compare floats this way, not ==)."""
    return builtins.bool(
        all(le(abs(sub(a.detach(), b.detach())), add(mul(abs(b.detach()), rtol), atol)))
    )


def equal(a, b):
    return a.shape == b.shape and builtins.bool(all(eq(a.detach(), b.detach())))


# ----------------------------------------------------------------------------- reductions


def sum(x, dim=None, keepdim=False):  # noqa: A001
    if x.dtype.category < 2 and x.dtype is not dtypes.int64:
        x = to(x, dtypes.int64)  # PyTorch sums bools and small ints as int64
    return ops.Sum.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)


def mean(x, dim=None, keepdim=False):
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {dtypes.scalar_type_name(x.dtype)} "
            "(use x.float().mean())"
        )
    return ops.Mean.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)


def prod(x, dim=None, keepdim=False):
    return ops.Prod.apply(x, dims=_dims(dim, x.ndim), keepdim=keepdim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance with Bessel's correction by default (divide by n - 1), as PyTorch."""
    return ops.Var.apply(
        _float(x),
        dims=_dims(dim, x.ndim),
        correction=_correction(unbiased, correction),
        keepdim=keepdim,
    )


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The standard deviation sqrt(var), with Bessel's correction by default, as PyTorch."""
    return ops.Std.apply(
        _float(x),
        dims=_dims(dim, x.ndim),
        correction=_correction(unbiased, correction),
        keepdim=keepdim,
    )


class _ValuesIndices(collections.namedtuple("values_indices", ["values", "indices"])):
    """What max(x, dim) returns: a (values, indices) pair that prints like PyTorch's."""

    __slots__ = ()
    kind = "values_indices"

    def __repr__(self):
        return (
            f"minitensor.return_types.{self.kind}(\nvalues={self.values!r},\n"
            f"indices={self.indices!r})"
        )


class MaxResult(_ValuesIndices):
    __slots__ = ()
    kind = "max"


class MinResult(_ValuesIndices):
    __slots__ = ()
    kind = "min"


def _check_something_to_pick(name, x, dim, error=RuntimeError):
    """max/min/argmax/argmin pick an element: there must be one, as PyTorch checks."""
    if dim is None:
        if x.numel() == 0:
            raise error(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
    elif x.ndim and x.shape[_dim(dim, x.ndim)] == 0:
        raise IndexError(
            f"{name}(): Expected reduction dim {dim} to have non-zero size (the tensor has "
            f"shape {list(x.shape)})."
        )


def _extreme(op, result_type, arg, x, dim, keepdim):
    _check_something_to_pick(op.reduce, x, dim)
    if dim is None:
        return op.apply(x, dims=None, keepdim=False)
    axes = _dims(dim, x.ndim)
    values = op.apply(x, dims=axes, keepdim=keepdim)
    indices = arg(x, dim, keepdim)
    return result_type(values, indices)


def max(x, dim=None, keepdim=False):  # noqa: A001
    """The largest element; with `dim`, a (values, indices) pair, as PyTorch."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    return _extreme(ops.Max, MaxResult, argmax, x, dim, keepdim)


def min(x, dim=None, keepdim=False):  # noqa: A001
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    return _extreme(ops.Min, MinResult, argmin, x, dim, keepdim)


def _arg(name, x, dim, keepdim):
    _check_something_to_pick(name, x, dim, IndexError)
    xp = x.device.xp
    if dim is None:
        flat = xp.reshape(x._data, (-1,))
        return Tensor._from_array(getattr(xp, name)(flat), x.device)
    axis = _dim(dim, x.ndim)
    return Tensor._from_array(getattr(xp, name)(x._data, axis=axis, keepdims=keepdim), x.device)


def argmax(x, dim=None, keepdim=False):
    return _arg("argmax", x, dim, keepdim)


def argmin(x, dim=None, keepdim=False):
    return _arg("argmin", x, dim, keepdim)


def all(x, dim=None, keepdim=False):  # noqa: A001
    axes = _dims(dim, x.ndim)
    return Tensor._from_array(x.device.xp.all(_bool(x), axis=axes, keepdims=keepdim), x.device)


def any(x, dim=None, keepdim=False):  # noqa: A001
    axes = _dims(dim, x.ndim)
    return Tensor._from_array(x.device.xp.any(_bool(x), axis=axes, keepdims=keepdim), x.device)


def norm(x, p=2, dim=None, keepdim=False):
    """The p-norm: (sum |x|^p)^(1/p). Built from primitives."""
    if p == 2:
        return sqrt(sum(x * x, dim, keepdim))
    if p == 1:
        return sum(abs(x), dim, keepdim)
    if p == _math.inf or p == "inf":
        return max(abs(x)) if dim is None else max(abs(x), dim, keepdim).values
    return pow(sum(pow(abs(x), p), dim, keepdim), 1.0 / p)


# ----------------------------------------------------------------------------- shape ops


def _view_of(result, x):
    """Mark `result` as sharing x's numbers: same version counter, as PyTorch's views."""
    result._base = x._base if x._base is not None else x
    result._base_grad_fn = result._base.grad_fn  # a later recorded in-place op replaces it
    result._version = x._version
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
    if shape == tuple(x.shape):
        return _view_of(ops.Reshape.apply(x, shape=shape), x)
    return _view_of(ops.Reshape.apply(x, shape=shape), x)


def view(x, *shape):
    """Like reshape; PyTorch's view also requires contiguous memory, which we do not track."""
    return reshape(x, *shape)


def flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = _dim(start_dim, x.ndim), _dim(end_dim, x.ndim)
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
    dims[a], dims[b] = dims[b], dims[a]
    if x.ndim == 0:
        return x
    return _view_of(ops.Transpose.apply(x, dims=tuple(dims)), x)


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


# ----------------------------------------------------------------------------- indexing


def _normalise_index(x, index):
    """Turn a Python index into one the array library takes, and name its kind.

    Returns (index tuple, kind) where kind is PyTorch's node name: IndexBackward0 when
    arrays (advanced indexing, which can read one position several times) are involved,
    else the name of the last step of basic indexing (see `_basic_kind`).
    """
    parts = index if isinstance(index, tuple) else (index,)
    normalised, advanced = [], False
    for part in parts:
        if isinstance(part, Tensor):
            if part.device is not x.device:
                part = x.device.backend.asarray(part.device.backend.to_numpy(part._data))
            else:
                part = part._data
            advanced = True
        elif isinstance(part, (list, np.ndarray)):
            host = np.asarray(part)
            part = x.device.backend.asarray(host, dtypes.from_numpy_dtype(host.dtype))
            advanced = True
        elif isinstance(part, builtins.bool):
            raise IndexError("indexing with a Python bool is not supported; use a bool tensor")
        normalised.append(part)
    kind = "IndexBackward0" if advanced else _basic_kind(tuple(x.shape), normalised)
    if not builtins.any(p is Ellipsis for p in normalised):
        normalised.append(Ellipsis)  # the array API wants every axis accounted for
    return tuple(normalised), kind


def _basic_kind(shape, parts):
    """PyTorch's node for basic indexing: the last step that changed anything.

    PyTorch applies the parts left to right: x[:, 0] ends with a select (SelectBackward0),
    x[0, 1:] with a slice (SliceBackward0), x[0, None] with an unsqueeze. A full slice or
    `...` changes nothing, so x[...] is an alias (AliasBackward0).
    """
    consumed = builtins.sum(1 for p in parts if p is not None and p is not Ellipsis)
    kind, dim = "AliasBackward0", 0
    for part in parts:
        if part is Ellipsis:
            dim += len(shape) - consumed
            continue
        if part is None:
            kind = "UnsqueezeBackward0"
            continue
        if not isinstance(part, slice):
            kind = "SelectBackward0"
        elif dim < len(shape) and part.indices(shape[dim]) != (0, shape[dim], 1):
            kind = "SliceBackward0"
        dim += 1
    return kind


def _index_error(x, error):
    message = str(error).replace("axis", "dimension")
    if message.startswith("too many indices"):
        message = f"too many indices for tensor of dimension {x.ndim}"
    return IndexError(f"{message} (indexing a tensor of shape {list(x.shape)})")


def index(x, index):
    """x[index]: basic slicing is a view (shares numbers); array indexing copies."""
    normalised, kind = _normalise_index(x, index)
    try:
        result = ops.Index.apply(x, index=normalised, kind=kind, backend=x.device.backend)
    except IndexError as error:
        raise _index_error(x, error) from None
    return result if kind == "IndexBackward0" else _view_of(result, x)


def index_put_(x, index, value):
    """x[index] = value, in place."""
    normalised, kind = _normalise_index(x, index)
    try:
        if isinstance(value, Tensor):
            value = _cast(value, x.dtype)
            target = x.device.backend.getitem(x._data, normalised).shape
            _check_expands_to(value, target)
        advanced = kind == "IndexBackward0"
        return _inplace(
            x, ops.IndexPut, value, index=normalised, backend=x.device.backend, advanced=advanced
        )
    except IndexError as error:
        raise _index_error(x, error) from None


def _check_expands_to(value, shape):
    """x[index] = value needs value to broadcast to x[index]'s shape; else expand's error.

    Leading size-1 dims of value are dropped first, as PyTorch does (x[0] = ones(1, 3)).
    """
    value_shape = list(value.shape)
    while len(value_shape) > len(shape) and value_shape[0] == 1:
        value_shape.pop(0)
    with grad_mode.no_grad():
        expand(reshape(value.detach(), value_shape), *shape)


# ----------------------------------------------------------------------------- in place


def _check_inplace_dtype(x, other):
    """x += other must fit in x's dtype: int += float is an error, as in PyTorch."""
    result = dtypes.result_type(x, other)
    if result.category > x.dtype.category:
        raise RuntimeError(
            f"result type {dtypes.scalar_type_name(result)} can't be cast to the desired "
            f"output type {dtypes.scalar_type_name(x.dtype)}"
        )
    return _cast(_as_tensor_operand(other, x), x.dtype)


def _write(x, result):
    """Copy result's numbers into x's own memory and bump x's version counter."""
    if tuple(result.shape) != tuple(x.shape):
        raise RuntimeError(
            f"output with shape {list(x.shape)} doesn't match the broadcast shape "
            f"{list(result.shape)}"
        )
    try:
        x._data[...] = result._data
    except ValueError as error:  # a read-only NumPy view, e.g. the result of expand()
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to "
            f"a single memory location. Please clone() the tensor before performing the "
            f"operation. ({error})"
        ) from None
    x._version[0] += 1


def _inplace(x, op, *others, **options):
    """Run `op` on x and others, and put the result into x itself (x.add_(y), x[i] = v).

    Three cases, as in PyTorch:
    1. x is a leaf that requires grad and grad mode is on: refuse. Changing the leaf would
       make its recorded uses wrong, and an update of weights belongs under no_grad().
    2. Nothing needs a gradient (or grad mode is off): just change the numbers.
    3. Otherwise x gets a new grad_fn: the op, whose input is x's *old* value.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"in-place operations need a Tensor, got {type(x).__name__}")
    recorded = grad_mode.is_grad_enabled() and (
        x._requires_grad or builtins.any(isinstance(o, Tensor) and o._requires_grad for o in others)
    )
    if recorded and x.grad_fn is None and x._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "(Update parameters inside `with minitensor.no_grad():`.)"
        )
    if not recorded:
        with grad_mode.no_grad():
            _write(x, op.apply(x, *others, **options))
        return x
    if x._base is not None and x._base._requires_grad:
        if x._base.grad_fn is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation. (Change the leaf itself under `with minitensor.no_grad():`.)"
            )
        raise RuntimeError(
            "minitensor does not support in-place changes to a view of a tensor that requires "
            "grad (PyTorch does, through CopySlices). Use .clone() first, or an out-of-place "
            "op such as torch.where."
        )
    # The op must see x's value from before the change: copy it if the op saves it.
    before = x._data
    if 0 in op.saves_inputs:
        before = x.device.xp.asarray(before, copy=True)
    old_x = Tensor._from_array(before, x.device, grad_fn=x.grad_fn, requires_grad=x._requires_grad)
    result = op.apply(old_x, *others, **options)
    _write(x, result)
    node = result.grad_fn
    if x._retains_grad:  # retain_grad() follows the tensor to its new node, as in PyTorch
        old_hooks = x.grad_fn._pre_hooks
        for hook in [h for h in old_hooks if getattr(h, "retains_grad", False)]:
            old_hooks.remove(hook)
            node.register_prehook(hook)
    x.grad_fn, x._requires_grad = node, True
    import weakref

    node._output = weakref.ref(x)
    if op.saves_output:  # the output now lives in x: watch x's counter from here on
        node._saved_versions = node._saved_versions[:-1] + ((x._version, x._version[0], -1),)
    return x


def add_(x, other, *, alpha=1):
    return _inplace(x, ops.Add, _check_inplace_dtype(x, other if alpha == 1 else other * alpha))


def sub_(x, other, *, alpha=1):
    return _inplace(x, ops.Sub, _check_inplace_dtype(x, other if alpha == 1 else other * alpha))


def mul_(x, other):
    return _inplace(x, ops.Mul, _check_inplace_dtype(x, other))


def div_(x, other):
    if not x.dtype.is_floating_point:
        _check_inplace_dtype(x, 0.5)
    return _inplace(x, ops.Div, _check_inplace_dtype(x, other))


def pow_(x, exponent):
    return _inplace(x, ops.Pow, p=exponent)


def clamp_(x, min=None, max=None):  # noqa: A002
    return _inplace(x, ops.Clamp, low=min, high=max)


def fill_(x, value):
    if isinstance(value, Tensor):
        value = value.item()
    return _inplace(x, ops.Fill, value=value)


def zero_(x):
    return _inplace(x, ops.Zero, value=0)


def copy_(x, source):
    if not isinstance(source, Tensor):
        from .creation import tensor

        source = tensor(source, dtype=x.dtype)
    if source.device is not x.device:
        source = to(source, x.device)
    _broadcast_check(x, source, "copy_")
    return _inplace(x, ops.Copy, _cast(source, x.dtype))


def _fill_random(x, host):
    """Overwrite x with random numbers (nn.init's job): data only, so only outside recording."""
    if grad_mode.is_grad_enabled() and x._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "(Initialise parameters inside `with minitensor.no_grad():`.)"
        )
    filled = Tensor._from_array(
        x.device.backend.asarray(host.astype(x.dtype.numpy), x.dtype), x.device
    )
    _write(x, filled)
    return x


def uniform_(x, a=0.0, b=1.0, *, generator=None):
    from .creation import _rng

    return _fill_random(x, _rng(generator).uniform(a, b, tuple(x.shape)))


def normal_(x, mean=0.0, std=1.0, *, generator=None):
    from .creation import _rng

    return _fill_random(x, _rng(generator).normal(mean, std, tuple(x.shape)))


# ----------------------------------------------------------------------------- copies


def clone(x):
    return ops.Clone.apply(x)


def to(x, *args, device=None, dtype=None, copy=False, non_blocking=False):
    """x on another device and/or with another dtype; x itself when nothing changes.

    Accepts what PyTorch's `.to` does: `to("cuda")`, `to(mt.float64)`, `to(other)`,
    `to("cuda", mt.float64)`, `to(device=..., dtype=...)`.
    """
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, backend.device)):
            device = arg
        elif type(arg) is builtins.int:  # x.to(0): a CUDA ordinal, as in PyTorch
            device = backend.device(arg)
        elif isinstance(arg, dtypes.dtype) or arg in (builtins.float, builtins.int, builtins.bool):
            dtype = arg
        else:
            raise TypeError(f"to() received an invalid argument {arg!r}")
    target_device = x.device if device is None else backend.tensor_device(device)
    if isinstance(dtype, type):
        dtype = {
            builtins.float: dtypes.float64,
            builtins.int: dtypes.int64,
            builtins.bool: dtypes.bool,
        }[dtype]
    target_dtype = x.dtype if dtype is None else dtypes.as_dtype(dtype)
    if target_device is x.device and target_dtype is x.dtype and not copy:
        return x
    if target_device.type == "cuda":
        target_device.backend  # noqa: B018  (raises a clear error when no GPU is usable)
    return ops.ToCopy.apply(
        x,
        source_device=x.device,
        source_dtype=x.dtype,
        target_device=target_device,
        target_dtype=target_dtype,
    )
