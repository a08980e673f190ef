"""In-place ops (`add_`, `mul_`, `zero_`, `copy_`, `x[i] = v`, ...): one path, `_inplace`.

`_inplace` does what PyTorch does around every in-place op: it refuses a leaf that requires
grad (update weights under no_grad()), bumps the version counter so that backward can tell
a saved value was overwritten (`_write`), and records the op, with x's old value as its
input, when a gradient is needed. `uniform_` and `normal_` only fill in numbers (nn.init).

Read next: indexing.py (`index_put_`), autograd/node.py (where saved versions are checked).
"""

import builtins
import weakref

import numpy as np

from .. import creation, dtypes, ops
from ..autograd import grad_mode
from ..tensor import Tensor
from ._args import _as_tensor_operand
from .arithmetic import _mask_value, neg
from .conversion import to
from .promotion import _broadcast_check, _cast
from .shape import unsqueeze
from .unary import abs


def _check_fits(x, other, name):
    """x += other needs other to broadcast to x's own shape: x can't grow."""
    if isinstance(other, Tensor) and other.shape != x.shape:
        _broadcast_check(x, other, name)
        if len(other.shape) > x.ndim or builtins.any(
            o != s and o != 1 for o, s in zip(reversed(other.shape), reversed(x.shape))
        ):
            grown = np.broadcast_shapes(tuple(x.shape), tuple(other.shape))
            raise RuntimeError(
                f"output with shape {list(x.shape)} doesn't match the broadcast shape {list(grown)}"
            )


def _check_leaf(x):
    """PyTorch's first check of an in-place op, before shapes and dtypes: not on a leaf
    that requires grad (nor a view of one) while grad mode is on."""
    if not grad_mode.is_grad_enabled():
        return
    if x._requires_grad and x.grad_fn is None:
        _refuse_leaf(x)
    base = x._base
    # x's base is a leaf, and x requires grad (or did when it was taken: it has a grad_fn,
    # though base.detach_() has since turned the base's requires_grad off), as PyTorch's
    # check_inplace
    if base is not None and base.grad_fn is None and (base._requires_grad or x.grad_fn is not None):
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation. (Change the leaf itself under `with minitensor.no_grad():`.)"
        )


def _check_inplace_dtype(x, other):
    """x += other must fit in x's dtype: int += float is an error, as in PyTorch."""
    _check_leaf(x)
    _check_fits(x, other, "in-place")
    if isinstance(other, Tensor) and other.dtype is x.dtype:
        return other  # the common case (optimizer steps): nothing to check or convert
    result = dtypes.result_type(x, other)
    if result.category > x.dtype.category:
        raise RuntimeError(
            f"result type {dtypes.scalar_type_name(result)} can't be cast to the desired "
            f"output type {dtypes.scalar_type_name(x.dtype)}"
        )
    return _cast(_as_tensor_operand(other, x), x.dtype)


def _write(x, result):
    """Copy the numbers of `result` (an array) into x's own memory; bump x's version."""
    if tuple(result.shape) != tuple(x._data.shape):
        raise RuntimeError(
            f"output with shape {list(x.shape)} doesn't match the broadcast shape "
            f"{list(result.shape)}"
        )
    try:
        if x.numel():  # an empty expand() is read-only, but there is nothing to write
            x._data[...] = result
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
    # An integer or bool x has no gradient, whatever is written into it.
    recorded = (
        grad_mode.is_grad_enabled()
        and x.dtype.is_floating_point
        and (
            x._requires_grad
            or builtins.any(isinstance(o, Tensor) and o._requires_grad for o in others)
        )
    )
    if recorded and x._no_grad_view_version is not None:
        _refuse_leaf(x)
    if recorded and x.grad_fn is None and x._requires_grad:
        _refuse_leaf(x)
    if not recorded:
        _write(x, op.run_untracked(x, *others, **options))
        return x
    # (a view with a graph of its own counts even when its base was detach_()ed since)
    if x._base is not None and (x._base._requires_grad or x.grad_fn is not None):
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
    before = x._data
    old_x = Tensor._from_array(before, x.device, grad_fn=x.grad_fn, requires_grad=x._requires_grad)
    result = op.apply(old_x, *others, **options)
    node = result.grad_fn
    # If the op saved x's value from before the change, keep a copy: x's memory is about
    # to be overwritten.
    if any(saved is before for saved in node.saved_tensors):
        node.saved_tensors = tuple(
            x.device.xp.asarray(saved, copy=True) if saved is before else saved
            for saved in node.saved_tensors
        )
    _write(x, result._data)
    if x._retains_grad:  # retain_grad() follows the tensor to its new node, as in PyTorch
        old_hooks = x.grad_fn._pre_hooks
        for hook in [h for h in old_hooks if getattr(h, "retains_grad", False)]:
            old_hooks.remove(hook)
            node.register_prehook(hook)
    x.grad_fn, x._requires_grad = node, True
    node._output = weakref.ref(x)
    # A saved output now lives in x: watch x's counter from here on.
    node._saved_versions = tuple(
        (x._version, x._version[0], -1) if which == -1 else (counter, version, which)
        for counter, version, which in node._saved_versions
    )
    return x


def _refuse_leaf(x):
    """In-place on a tensor that requires grad but has no graph node: refused, as PyTorch."""
    if x._no_grad_view_version is not None:  # a view taken under no_grad()
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. "
            "You can clarify your code by moving both the view and the inplace either both "
            "inside the no_grad block (if you don't want the inplace to be tracked) or both "
            "outside (if you want the inplace to be tracked)."
        )
    raise RuntimeError(
        "a leaf Variable that requires grad is being used in an in-place operation. "
        "(Update parameters inside `with minitensor.no_grad():`.)"
    )


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
    _check_inplace_dtype(x, exponent)  # int ** 0.5 is a float: it can't go back into x
    if not x.dtype.is_floating_point and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _inplace(x, ops.Pow, p=exponent)


def clamp_(x, min=None, max=None):  # noqa: A002
    _check_leaf(x)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for bound in (min, max):
        if bound is not None:
            _check_inplace_dtype(x, bound)
    return _inplace(x, ops.Clamp, low=min, high=max)


def masked_fill_(x, mask, value):
    """x[mask] = value, in place (mask broadcasts to x's shape)."""
    _check_leaf(x)
    value = _mask_value(mask, value)
    _check_fits(x, mask, "masked_fill_")
    return _inplace(x, ops.MaskedFill, mask, value=value)


# In-place versions of elementwise functions: x.exp_() is x = exp(x) in x's own memory.
# A float result can't go back into an integer x, as in PyTorch.


def _unary_(x, op, floating=True):
    _check_leaf(x)
    if floating:
        _check_inplace_dtype(x, 0.5)
    return _inplace(x, op)


def relu_(x):
    if x.dtype is dtypes.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _unary_(x, ops.Relu, floating=False)


def neg_(x):
    if x.dtype is dtypes.bool:
        neg(x)  # raises PyTorch's error about `-` on bool tensors
    return _unary_(x, ops.Neg, floating=False)


def abs_(x):
    if x.dtype is dtypes.bool:
        abs(x)  # raises
    return _unary_(x, ops.Abs, floating=False)


def exp_(x):
    return _unary_(x, ops.Exp)


def sqrt_(x):
    return _unary_(x, ops.Sqrt)


def tanh_(x):
    return _unary_(x, ops.Tanh)


def sigmoid_(x):
    return _unary_(x, ops.Sigmoid)


def unsqueeze_(x, dim):
    """x.unsqueeze(dim) in place: x itself gets the new size-1 dim (its numbers stay)."""
    _check_leaf(x)
    result = unsqueeze(x, dim)
    x._data = result._data
    x._version[0] += 1  # a new shape is a change: backward must not read the old one
    if result.grad_fn is not None:
        x.grad_fn = result.grad_fn
        x.grad_fn._output = weakref.ref(x)
    return x


def fill_(x, value):
    if isinstance(value, Tensor):
        value = value.item()
    return _inplace(x, ops.Fill, value=value)


def zero_(x):
    return _inplace(x, ops.Zero, value=0)


def copy_(x, source):
    _check_leaf(x)
    if not isinstance(source, Tensor):
        source = creation.tensor(source, dtype=x.dtype)
    if source.device is not x.device:
        source = to(source, x.device)
    _check_fits(x, source, "copy_")
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
    _write(x, filled._data)
    return x


def uniform_(x, a=0.0, b=1.0, *, generator=None):
    return _fill_random(x, creation._rng(generator).uniform(a, b, tuple(x.shape)))


def normal_(x, mean=0.0, std=1.0, *, generator=None):
    return _fill_random(x, creation._rng(generator).normal(mean, std, tuple(x.shape)))
