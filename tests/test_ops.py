"""Every primitive op in `minitensor.ops.PRIMITIVES`: forward against NumPy, backward against
finite differences (`mt.autograd.gradcheck`), on shapes drawn by hypothesis.

`CASES` maps each op class to a strategy that draws one example: the float64 input arrays
(each becomes a leaf that requires grad), a function of tensors written with minitensor's
public API that exercises the op, and the same maths in NumPy. Adding an op to PRIMITIVES
without adding a case here fails `test_every_primitive_has_a_case`, and a case that stops
reaching its op fails `test_forward_matches_numpy` (it checks the op is in the graph).

Three tests per op:
- forward on every device (CPU and the 'cuda' stand-in) equals NumPy's, in float64;
- backward: gradcheck (float64, CPU), the analytical Jacobian equals finite differences;
- float32 on every device: the gradients keep the leaf's dtype, shape and device, and agree
  with the float64 CPU ones, so a device backend that computes something else is caught.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pytest
import strategies as S  # tests/strategies.py (pytest puts tests/ on the path)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitensor as mt
import minitensor.tensor_functions as F
from minitensor import ops
from minitensor.ops import PRIMITIVES


class Example(NamedTuple):
    arrays: tuple  # float64 NumPy inputs; each becomes a leaf tensor that requires grad
    fn: Callable  # tensors -> tensor, built from minitensor's public API
    ref: Callable  # arrays -> array: the same maths in NumPy


def _example(arrays, fn, ref):
    return Example(tuple(arrays), fn, ref)


# ----------------------------------------------------------------------------- elementwise


def _binary(fn, ref, left=S.arrays, right=S.arrays):
    @st.composite
    def draw(draw):
        shape_a, shape_b = draw(S.broadcast_shapes())
        return _example([draw(left(shape_a)), draw(right(shape_b))], fn, ref)

    return draw()


def _unary(fn, ref, values=S.arrays):
    @st.composite
    def draw(draw):
        return _example([draw(values(draw(S.shapes())))], fn, ref)

    return draw()


@st.composite
def _pow_number(draw):
    p = draw(st.sampled_from([0, 1, 2, 3, -1, 0.5, 2.5, -1.5]))
    x = draw(S.positive(draw(S.shapes())))
    return _example([x], lambda t: t**p, lambda a: a**p)


@st.composite
def _pow_tensor(draw):
    shape_a, shape_b = draw(S.broadcast_shapes())
    base, exponent = draw(S.positive(shape_a)), draw(S.arrays(shape_b))
    if draw(st.booleans()):  # both tensors: PowBackward1
        return _example([base, exponent], lambda a, b: a**b, np.power)
    number = draw(st.sampled_from([2.0, 0.5, 3]))  # a number base, 2 ** x: PowBackward2
    return _example([exponent], lambda b: number**b, lambda b: np.power(number, b))


@st.composite
def _clamp(draw):
    x = draw(S.off_grid(draw(S.shapes())))
    low, high = sorted(draw(st.lists(st.integers(-16, 16), min_size=2, max_size=2)))
    low, high = low / 8, high / 8
    bounds = draw(st.sampled_from(["both", "min", "max"]))
    lo = low if bounds != "max" else None
    hi = high if bounds != "min" else None
    return _example([x], lambda t: t.clamp(lo, hi), lambda a: np.clip(a, lo, hi))


@st.composite
def _where(draw):
    shape_a, shape_b = draw(S.broadcast_shapes())
    shape_c = np.broadcast_shapes(shape_a, shape_b)
    condition = draw(hnp.arrays(np.bool_, shape_c))
    a, b = draw(S.arrays(shape_a)), draw(S.arrays(shape_b))

    def fn(x, y):
        return mt.where(mt.tensor(condition, device=x.device), x, y)

    return _example([a, b], fn, lambda x, y: np.where(condition, x, y))


@st.composite
def _to_copy(draw):
    x = draw(S.arrays(draw(S.shapes())))
    return _example([x], lambda t: t.to(t.dtype, copy=True), lambda a: a.copy())


# Ops that only arise from in-place changes: y = x * 1 is a non-leaf, so the change is
# recorded; multiplying by x afterwards makes the result depend on x through the new node.


@st.composite
def _fill(draw):
    x = draw(S.arrays(draw(S.shapes())))
    value = draw(st.sampled_from([2.5, -1.0, 0.0]))

    def fn(t):
        y = t * 1
        y.fill_(value)
        return y * t

    return _example([x], fn, lambda a: np.full_like(a, value) * a)


@st.composite
def _zero(draw):
    x = draw(S.arrays(draw(S.shapes())))

    def fn(t):
        y = t * 1
        y.zero_()
        return (y + 1.5) * t

    return _example([x], fn, lambda a: 1.5 * a)


@st.composite
def _copy(draw):
    shape_source, shape_target = draw(S.broadcast_shapes())
    # the source must broadcast *to* the target's shape
    shape_target = np.broadcast_shapes(shape_source, shape_target)
    target, source = draw(S.arrays(shape_target)), draw(S.arrays(shape_source))

    def fn(t, s):
        y = t * 1
        y.copy_(s)
        return y * t

    return _example([target, source], fn, lambda t, s: np.broadcast_to(s, t.shape) * t)


def _basic_indices(shape, allow_ellipsis):
    """NumPy's basic indices, without negative steps (PyTorch refuses x[::-1])."""

    def forward_only(index):
        parts = index if isinstance(index, tuple) else (index,)
        return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)

    return hnp.basic_indices(shape, allow_ellipsis=allow_ellipsis).filter(forward_only)


@st.composite
def _index_put(draw):
    x = draw(S.arrays(draw(S.shapes(min_dims=1, min_side=1))))
    index = draw(_basic_indices(x.shape, allow_ellipsis=False))
    parts = index if isinstance(index, tuple) else (index,)
    if all(p == slice(None) for p in parts):  # all of x: x.copy_(v), not IndexPut
        index = (0, *parts[1:])
    target_shape = x[index].shape
    # the values: the target's shape, or one that broadcasts to it
    values_shape = draw(st.sampled_from([target_shape, target_shape[1:], ()]))
    values = draw(S.arrays(values_shape))

    def fn(t, v):
        y = t * 2
        y[index] = v
        return y

    def ref(a, v):
        out = a * 2
        out[index] = v
        return out

    return _example([x, values], fn, ref)


# ----------------------------------------------------------------------------- reductions


def _reduction(method, numpy_name, values=S.arrays, allow_tuple=True, min_side=0):
    @st.composite
    def draw(draw):
        x = draw(values(draw(S.shapes(min_side=min_side))))
        dim = draw(S.dims(x.ndim, allow_tuple=allow_tuple))
        keepdim = draw(st.booleans()) if dim is not None else False
        axis = S.normalised_axes(dim, x.ndim)

        def fn(t):
            if dim is None:
                return getattr(t, method)()
            result = getattr(t, method)(dim, keepdim=keepdim)
            return result.values if method in ("max", "min") else result

        def ref(a):
            with np.errstate(all="ignore"):
                return getattr(np, numpy_name)(a, axis=axis, keepdims=keepdim)

        return _example([x], fn, ref)

    return draw()


@st.composite
def _extreme(draw, method):
    """x.max() / x.min(): over all elements (MaxBackward1), distinct values (no ties)."""
    x = draw(S.distinct(draw(S.shapes(min_side=1))))
    return _example([x], lambda t: getattr(t, method)(), getattr(np, method))


@st.composite
def _extreme_along_dim(draw, method):
    """x.max(dim).values: MaxBackward0, the gradient goes through the indices."""
    x = draw(S.distinct(draw(S.shapes(min_side=1))))
    dim = draw(S.dims(x.ndim, allow_none=False, allow_tuple=False))
    keepdim = draw(st.booleans())

    def ref(a):
        if a.ndim == 0:
            return a  # a 0-d tensor is its own maximum along dim 0
        return getattr(np, method)(a, axis=dim, keepdims=keepdim)

    return _example([x], lambda t: getattr(t, method)(dim, keepdim=keepdim).values, ref)


@st.composite
def _amax_amin(draw, method):
    """x.amax(dim) / x.amin(dim), over all dims by default: distinct values (no ties, where
    the gradient is shared evenly between equal maxima)."""
    x = draw(S.distinct(draw(S.shapes(min_side=1))))
    dim = draw(S.dims(x.ndim))
    keepdim = draw(st.booleans())
    axis = S.normalised_axes(dim, x.ndim) if x.ndim else None

    def fn(t):
        return getattr(t, method)(() if dim is None else dim, keepdim=keepdim)

    return _example([x], fn, lambda a: getattr(np, method[1:])(a, axis=axis, keepdims=keepdim))


@st.composite
def _logsumexp(draw):
    """log(sum(exp(x))) over dim (required), empty tensors included (-inf)."""
    x = draw(S.arrays(draw(S.shapes())))
    dim = draw(S.dims(x.ndim, allow_none=False))
    keepdim = draw(st.booleans())

    def ref(a):
        if a.ndim == 0:
            return a  # over a 0-d tensor's dim 0: the number itself
        with np.errstate(divide="ignore"):
            axis = S.normalised_axes(dim, a.ndim)
            return np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdim))

    return _example([x], lambda t: t.logsumexp(dim, keepdim=keepdim), ref)


@st.composite
def _round(draw):
    """Halves to even; off-grid values (odd sixteenths) are never on a half, at any of these
    decimals."""
    x = draw(S.off_grid(draw(S.shapes())))
    decimals = draw(st.sampled_from([0, 1, 2]))
    return _example(
        [x], lambda t: t.round(decimals=decimals), lambda a: np.round(a, decimals=decimals)
    )


@st.composite
def _cumsum(draw):
    x = draw(S.arrays(draw(S.shapes())))
    dim = draw(S.dims(x.ndim, allow_none=False, allow_tuple=False))

    def ref(a):
        return a.copy() if a.ndim == 0 else np.cumsum(a, axis=dim)

    return _example([x], lambda t: t.cumsum(dim), ref)


@st.composite
def _remainder(draw):
    # a / b is never an integer here, so a % b is never at one of its jumps
    shape_a, shape_b = draw(S.broadcast_shapes())
    a = draw(S.off_grid(shape_a))
    b = draw(hnp.arrays(np.float64, shape_b, elements=st.sampled_from([0.7, -1.3, 1.9])))
    return _example([a, b], lambda x, y: x % y, np.remainder)


@st.composite
def _masked_fill(draw):
    x = draw(S.arrays(draw(S.shapes())))
    mask = draw(hnp.arrays(np.bool_, x.shape))
    value = draw(st.sampled_from([0.5, -2.0, 0.0]))

    def fn(t):
        return t.masked_fill(mt.tensor(mask, device=t.device), value)

    return _example([x], fn, lambda a: np.where(mask, value, a))


@st.composite
def _norm(draw):
    # away from x = 0, where the norm has a kink (its slope there is taken to be 0)
    x = draw(S.off_grid(draw(S.shapes(min_side=1))))
    dim = draw(S.dims(x.ndim))
    keepdim = draw(st.booleans()) if dim is not None else False
    p = draw(st.sampled_from([1, 2, 3, 1.5]))
    axis = S.normalised_axes(dim, x.ndim)

    def ref(a):
        return np.sum(np.abs(a) ** p, axis=axis, keepdims=keepdim) ** (1 / p)

    return _example([x], lambda t: t.norm(p, dim, keepdim), ref)


@st.composite
def _prod(draw):
    # values from a grid that includes 0: prod's backward has a separate path for zeros
    x = draw(S.on_grid(draw(S.shapes())))
    dim = draw(S.dims(x.ndim, allow_tuple=False))
    keepdim = draw(st.booleans())
    axis = S.normalised_axes(dim, x.ndim)
    if dim is None:
        return _example([x], lambda t: t.prod(), np.prod)
    return _example(
        [x],
        lambda t: t.prod(dim, keepdim=keepdim),
        lambda a: np.prod(a, axis=axis, keepdims=keepdim),
    )


@st.composite
def _var(draw, method):
    # n > correction; distinct values, so std (a square root) is not at 0, where its
    # derivative is infinite
    x = draw(S.distinct(draw(S.shapes(min_dims=1, min_side=2))))
    dim = draw(S.dims(x.ndim))
    keepdim = draw(st.booleans())
    correction = draw(st.sampled_from([0, 1]))
    axis = S.normalised_axes(dim, x.ndim)

    def fn(t):
        return getattr(t, method)(dim, keepdim=keepdim, correction=correction)

    def ref(a):
        return getattr(np, method)(a, axis=axis, keepdims=keepdim, ddof=correction)

    return _example([x], fn, ref)


@st.composite
def _matmul(draw):
    n, k, m = draw(st.tuples(*[st.integers(0, S.MAX_SIDE)] * 3))
    kind = draw(st.sampled_from(["vv", "mv", "vm", "mm", "batched"]))
    if kind == "batched":
        batch_a, batch_b = draw(S.broadcast_shapes(min_side=1))
        shape_a, shape_b = (*batch_a, n, k), (*batch_b, k, m)
    else:
        shape_a = (k,) if kind[0] == "v" else (n, k)
        shape_b = (k,) if kind[1] == "v" else (k, m)
    return _example([draw(S.arrays(shape_a)), draw(S.arrays(shape_b))], mt.matmul, np.matmul)


@st.composite
def _addmm(draw):
    """nn.functional.linear of a batch with a bias: one Addmm node (bias + x @ W^T)."""
    n, k, m = draw(st.tuples(*[st.integers(0, S.MAX_SIDE)] * 3))
    x, w, b = draw(S.arrays((n, k))), draw(S.arrays((m, k))), draw(S.arrays((m,)))
    return _example([x, w, b], mt.nn.functional.linear, lambda x, w, b: x @ w.T + b)


# ----------------------------------------------------------------------------- shape ops


@st.composite
def _reshape(draw):
    x = draw(S.arrays(draw(S.shapes())))
    shape = draw(st.sampled_from([(-1,), x.shape[::-1], (1, *x.shape), (*x.shape, 1)]))
    view = draw(st.booleans())
    return _example(
        [x], lambda t: t.view(shape) if view else t.reshape(shape), lambda a: a.reshape(shape)
    )


@st.composite
def _unsqueeze(draw):
    x = draw(S.arrays(draw(S.shapes())))
    dim = draw(st.integers(-x.ndim - 1, x.ndim))
    return _example([x], lambda t: t.unsqueeze(dim), lambda a: np.expand_dims(a, dim))


@st.composite
def _squeeze(draw):
    shape = draw(S.shapes(max_side=2))
    x = draw(S.arrays(shape))
    if x.ndim and draw(st.booleans()):
        dim = draw(st.integers(-x.ndim, x.ndim - 1))
        axis = dim % x.ndim

        def ref(a):
            return np.squeeze(a, axis) if a.shape[axis] == 1 else a

        return _example([x], lambda t: t.squeeze(dim), ref)
    return _example([x], lambda t: t.squeeze(), np.squeeze)


@st.composite
def _permute(draw):
    x = draw(S.arrays(draw(S.shapes())))
    order = draw(st.permutations(range(x.ndim)))
    return _example([x], lambda t: t.permute(tuple(order)), lambda a: np.transpose(a, order))


@st.composite
def _transpose(draw):
    x = draw(S.arrays(draw(S.shapes(min_dims=1))))
    d0, d1 = draw(st.tuples(*[st.integers(-x.ndim, x.ndim - 1)] * 2))
    return _example([x], lambda t: t.transpose(d0, d1), lambda a: np.swapaxes(a, d0, d1))


@st.composite
def _t(draw):
    x = draw(S.arrays(draw(S.shapes(max_dims=2))))
    return _example([x], lambda t: t.t(), lambda a: a.T)


@st.composite
def _expand(draw):
    x = draw(S.arrays(draw(S.shapes(max_side=2))))
    kept = tuple(draw(st.integers(1, 3)) if s == 1 else s for s in x.shape)
    target = draw(st.sampled_from([(), (2,)])) + kept
    # -1 means "keep this size"; only the tensor's own dims may say so
    marks = draw(st.lists(st.booleans(), min_size=x.ndim, max_size=x.ndim))
    own = tuple(-1 if mark and s == k else k for mark, s, k in zip(marks, x.shape, kept))
    spelled = target[: len(target) - x.ndim] + own
    return _example([x], lambda t: t.expand(*spelled), lambda a: np.broadcast_to(a, target))


@st.composite
def _repeat(draw):
    x = draw(S.arrays(draw(S.shapes(max_side=2))))
    extra = draw(st.integers(0, 1))
    count = max(x.ndim + extra, 1)
    repeats = tuple(draw(st.lists(st.integers(0, 2), min_size=count, max_size=count)))
    return _example([x], lambda t: t.repeat(*repeats), lambda a: np.tile(a, repeats))


@st.composite
def _index(draw):
    x = draw(S.arrays(draw(S.shapes(min_dims=1, min_side=1))))
    kind = draw(st.sampled_from(["basic", "integer array", "bool mask", "repeated"]))
    if kind == "basic":
        index = draw(_basic_indices(x.shape, allow_ellipsis=True))
    elif kind == "integer array":
        index = draw(hnp.integer_array_indices(x.shape, result_shape=S.shapes(max_dims=2)))
        index = tuple(mt.tensor(i) for i in index)
    elif kind == "bool mask":
        index = mt.tensor(draw(hnp.arrays(np.bool_, x.shape)))
    else:  # the same row twice: its gradient must be added up, not overwritten
        index = [0, 0, x.shape[0] - 1]

    def ref(a):
        host = index
        if isinstance(index, tuple):
            host = tuple(i.numpy() if isinstance(i, mt.Tensor) else i for i in index)
        elif isinstance(index, mt.Tensor):
            host = index.numpy()
        return a[host]

    return _example([x], lambda t: t[_on(index, t.device)], ref)


def _on(index, device):
    """Move tensor parts of an index to `device` (an index on another device is an error)."""
    if isinstance(index, mt.Tensor):
        return index.to(device)
    if isinstance(index, tuple):
        return tuple(_on(i, device) for i in index)
    return index


@st.composite
def _cat(draw):
    shape = draw(S.shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    count = draw(st.integers(1, 3))
    arrays = []
    for _ in range(count):
        piece = list(shape)
        piece[dim] = draw(st.integers(0, 2))
        arrays.append(draw(S.arrays(tuple(piece))))
    return _example(arrays, lambda *ts: mt.cat(ts, dim), lambda *a: np.concatenate(a, dim))


@st.composite
def _stack(draw):
    shape = draw(S.shapes())
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    arrays = [draw(S.arrays(shape)) for _ in range(draw(st.integers(1, 3)))]
    return _example(arrays, lambda *ts: mt.stack(ts, dim), lambda *a: np.stack(a, dim))


# ----------------------------------------------------------------------------- softmax


def _np_log_softmax(a, dim):
    shifted = a - a.max(axis=dim, keepdims=True, initial=-np.inf)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


@st.composite
def _softmax(draw, log):
    x = draw(S.arrays(draw(S.shapes(min_dims=1))))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    if log:
        return _example([x], lambda t: t.log_softmax(dim), lambda a: _np_log_softmax(a, dim))
    return _example([x], lambda t: mt.softmax(t, dim), lambda a: np.exp(_np_log_softmax(a, dim)))


@st.composite
def _nll_loss(draw):
    """Log-probabilities (N, C, d...) or (C,) and class targets, some of them ignored (-1),
    with or without class weights, each reduction."""
    shape = draw(S.shapes(min_dims=1, min_side=1))
    x = draw(S.arrays(shape))
    class_dim = 0 if x.ndim == 1 else 1
    classes = shape[class_dim]
    target_shape = () if x.ndim == 1 else shape[:1] + shape[2:]
    y = draw(hnp.arrays(np.int64, target_shape, elements=st.integers(-1, classes - 1)))
    w = draw(st.none() | S.positive((classes,)))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))

    def fn(t):
        weight = None if w is None else mt.tensor(w, dtype=t.dtype, device=t.device)
        target = mt.tensor(y, device=t.device)
        return mt.nn.functional.nll_loss(
            t, target, weight, ignore_index=-1, reduction=reduction
        )  # fmt: skip

    def ref(a):
        weights = np.ones(classes) if w is None else w
        picked = np.expand_dims(y, class_dim) == np.arange(classes).reshape(
            [classes if d == class_dim else 1 for d in range(a.ndim)]
        )
        w_y = np.where(y == -1, 0.0, weights[np.maximum(y, 0)])
        loss = -np.sum(np.where(picked, a, 0.0), axis=class_dim) * w_y
        if reduction == "none":
            return loss
        return loss.sum() / w_y.sum() if reduction == "mean" else loss.sum()

    return _example([x], fn, ref)


@st.composite
def _mse_loss(draw):
    shape = draw(S.shapes())
    x, y = draw(S.arrays(shape)), draw(S.arrays(shape))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))

    def ref(a, b):
        squares = (a - b) ** 2
        return {"mean": np.mean, "sum": np.sum, "none": np.asarray}[reduction](squares)

    def fn(a, b):
        return mt.nn.functional.mse_loss(a, b, reduction=reduction)

    return _example([x, y], fn, ref)


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


CASES = {
    ops.Add: _binary(lambda a, b: a + b, np.add),
    ops.Sub: _binary(lambda a, b: a - b, np.subtract),
    ops.Mul: _binary(lambda a, b: a * b, np.multiply),
    ops.Div: _binary(lambda a, b: a / b, np.divide, right=S.off_grid),
    ops.Reciprocal: _unary(lambda t: 1 / t, lambda a: 1 / a, S.off_grid),
    ops.Remainder: _remainder(),
    ops.Neg: _unary(lambda t: -t, np.negative),
    ops.Pow: _pow_number(),
    ops.PowTensor: _pow_tensor(),
    ops.Exp: _unary(mt.exp, np.exp),
    ops.Log: _unary(mt.log, np.log, S.positive),
    ops.Log1p: _unary(mt.log1p, np.log1p, S.positive),
    ops.Sqrt: _unary(mt.sqrt, np.sqrt, S.positive),
    ops.Sin: _unary(mt.sin, np.sin),
    ops.Cos: _unary(mt.cos, np.cos),
    ops.Tanh: _unary(mt.tanh, np.tanh),
    ops.Sigmoid: _unary(mt.sigmoid, _sigmoid),
    ops.Relu: _unary(mt.relu, lambda a: np.maximum(a, 0), S.off_grid),
    ops.LeakyRelu: _unary(
        lambda t: F.leaky_relu(t, 0.1), lambda a: np.where(a > 0, a, 0.1 * a), S.off_grid
    ),
    ops.Abs: _unary(abs, np.abs, S.off_grid),
    ops.Sign: _unary(mt.sign, np.sign, S.off_grid),
    ops.Floor: _unary(mt.floor, np.floor, S.off_grid),
    ops.Ceil: _unary(mt.ceil, np.ceil, S.off_grid),
    ops.Trunc: _unary(mt.trunc, np.trunc, S.off_grid),
    ops.Round: _round(),
    ops.Clamp: _clamp(),
    ops.Maximum: _binary(mt.maximum, np.maximum, S.off_grid, S.on_grid),
    ops.Minimum: _binary(mt.minimum, np.minimum, S.on_grid, S.off_grid),
    ops.Where: _where(),
    ops.MaskedFill: _masked_fill(),
    ops.Clone: _unary(lambda t: t.clone(), np.copy),
    ops.ToCopy: _to_copy(),
    ops.Fill: _fill(),
    ops.Zero: _zero(),
    ops.Copy: _copy(),
    ops.IndexPut: _index_put(),
    ops.Sum: _reduction("sum", "sum"),
    ops.Mean: _reduction("mean", "mean"),
    ops.Max: _extreme("max"),
    ops.Min: _extreme("min"),
    ops.MaxAlongDim: _extreme_along_dim("max"),
    ops.MinAlongDim: _extreme_along_dim("min"),
    ops.Amax: _amax_amin("amax"),
    ops.Amin: _amax_amin("amin"),
    ops.Logsumexp: _logsumexp(),
    ops.Cumsum: _cumsum(),
    ops.Prod: _prod(),
    ops.Norm: _norm(),
    ops.Var: _var("var"),
    ops.Std: _var("std"),
    ops.MatMul: _matmul(),
    ops.Addmm: _addmm(),
    ops.Reshape: _reshape(),
    ops.Unsqueeze: _unsqueeze(),
    ops.Squeeze: _squeeze(),
    ops.Permute: _permute(),
    ops.Transpose: _transpose(),
    ops.T: _t(),
    ops.Expand: _expand(),
    ops.Repeat: _repeat(),
    ops.Index: _index(),
    ops.Cat: _cat(),
    ops.Stack: _stack(),
    ops.Softmax: _softmax(log=False),
    ops.LogSoftmax: _softmax(log=True),
    ops.NllLoss: _nll_loss(),
    ops.MseLoss: _mse_loss(),
}

# The mean of an empty tensor is nan, as in PyTorch; NumPy also warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")


# hypothesis draws a fresh example per run; the `device` fixture is the same for all of them
def fixture_ok(**options):
    return settings(suppress_health_check=[HealthCheck.function_scoped_fixture], **options)


by_name = pytest.mark.parametrize("op", PRIMITIVES, ids=lambda op: op.__name__)


def _leaves(example, device, dtype=mt.float64):
    return [mt.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in example.arrays]


def _host(t):
    """A tensor's numbers as a NumPy array, through .cpu() (never np.asarray on the device)."""
    return t.detach().cpu().numpy()


def graph_ops(output):
    """The classes of every node in output's graph (an iterative walk over next_functions)."""
    seen, stack, found = set(), [output.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        found.add(type(node))
        stack.extend(child for child, _ in node.next_functions)
    return found


def test_every_primitive_has_a_case():
    missing = [op.__name__ for op in PRIMITIVES if op not in CASES]
    stale = [op.__name__ for op in CASES if op not in PRIMITIVES]
    assert not missing, f"ops in PRIMITIVES without a test case in CASES: {missing}"
    assert not stale, f"CASES has ops that PRIMITIVES no longer lists: {stale}"


@by_name
@fixture_ok(max_examples=S.examples(12))
@given(data=st.data())
def test_forward_matches_numpy(op, device, data):
    example = data.draw(CASES[op])
    out = example.fn(*_leaves(example, device))
    with np.errstate(all="ignore"):
        expected = np.asarray(example.ref(*example.arrays))
    assert op in graph_ops(out), f"the case for {op.__name__} did not record that op"
    assert out.dtype == mt.float64
    assert tuple(out.shape) == expected.shape
    np.testing.assert_allclose(_host(out), expected, rtol=1e-10, atol=1e-12, equal_nan=True)


@by_name
@settings(max_examples=S.examples(15))
@given(data=st.data())
def test_backward_matches_finite_differences(op, data):
    example = data.draw(CASES[op])
    assert mt.autograd.gradcheck(example.fn, _leaves(example, "cpu"))


@by_name
@fixture_ok(max_examples=S.examples(6))
@given(data=st.data())
def test_float32_gradients_on_each_device_keep_dtype_and_match_float64(op, device, data):
    example = data.draw(CASES[op])
    exact = _leaves(example, "cpu")
    out = example.fn(*exact)
    seed = np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape))
    out.backward(mt.tensor(seed, dtype=mt.float64))

    leaves = _leaves(example, device, mt.float32)
    out = example.fn(*leaves)
    assert out.dtype == mt.float32
    out.backward(mt.tensor(seed, dtype=mt.float32, device=device))
    for leaf, reference in zip(leaves, exact):
        assert leaf.grad is not None
        assert leaf.grad.dtype == mt.float32, f"{op.__name__} gave a {leaf.grad.dtype} gradient"
        assert leaf.grad.shape == leaf.shape
        assert leaf.grad.device == leaf.device
        np.testing.assert_allclose(_host(leaf.grad), _host(reference.grad), rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------------- in-place forms

# x.exp_() and friends run the same primitive as x.exp(), written into x's own memory: the
# gradient through the recorded in-place op must match finite differences too. (square and
# log1p, methods added with them, are checked the same way.)
IN_PLACE = ["relu_", "exp_", "neg_", "abs_", "tanh_", "sigmoid_", "sqrt_", "square", "log1p"]


def _in_place(name):
    def fn(t):
        y = t * 1  # a non-leaf: changing it in place is recorded
        if name in ("sqrt_", "log1p"):
            y = y.abs() + 0.5
        result = getattr(y, name)()
        return result * t

    return fn


@pytest.mark.parametrize("name", IN_PLACE)
@settings(max_examples=S.examples(10))
@given(data=st.data())
def test_in_place_and_new_elementwise_ops_match_finite_differences(name, data):
    x = data.draw(S.off_grid(data.draw(S.shapes())))
    leaf = mt.tensor(x, dtype=mt.float64, requires_grad=True)
    assert mt.autograd.gradcheck(_in_place(name), [leaf])
