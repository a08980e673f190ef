"""`Tensor`: an array of numbers plus what autograd needs to know about it.

What a tensor holds (names as PyTorch's):

    _data          the numbers: a NumPy array (CPU) or a CuPy array (GPU)
    requires_grad  should backward compute d(loss)/d(this)?
    grad           that gradient once backward ran (leaves only, unless retain_grad())
    grad_fn        the graph node that produced this tensor (None for leaves)
    _version       a counter shared with its aliases (detach()), bumped by every in-place
                   change, so backward can tell that a saved value was overwritten

Methods are one line each and lead to tensor_functions/ (argument handling) and ops/ (the
maths), so "go to definition" always lands on real code.

Read next: tensor_functions/__init__.py, then ops/elementwise.py and autograd/engine.py.
"""

import warnings
import weakref

from . import backend, dtypes
from ._formatting import add_suffixes, format_array


class Tensor:
    __slots__ = (
        "_data", "device", "dtype", "grad_fn", "_requires_grad", "_grad", "_version",
        "_hooks", "_accumulator", "_retains_grad", "_base", "_base_grad_fn",
        "_no_grad_view_version", "__weakref__",
    )  # fmt: skip

    # NumPy must hand `ndarray + tensor` to Tensor.__radd__ instead of looping itself.
    __array_ufunc__ = None

    def __init__(self, *data, dtype=None, device=None, requires_grad=False):
        """PyTorch's legacy constructor, always floating point: `mt.Tensor([1, 2])` holds
        the numbers 1 and 2, but `mt.Tensor(2, 3)` (only ints) is a 2x3 tensor (of zeros;
        PyTorch leaves the memory uninitialised). Prefer `mt.tensor` and `mt.zeros`."""
        dtype = dtype or dtypes.get_default_dtype()
        if len(data) == 1 and not isinstance(data[0], int):
            made = functions.tensor(data[0], dtype=dtype, device=device)
        elif all(isinstance(size, int) and not isinstance(size, bool) for size in data):
            made = functions.zeros(*(data or (0,)), dtype=dtype, device=device)  # Tensor() is empty
        else:
            raise TypeError(f"Tensor() expects data or sizes (ints), got {data!r}")
        for slot in Tensor.__slots__[:-1]:  # take over what the new tensor holds
            setattr(self, slot, getattr(made, slot))
        self.requires_grad = requires_grad

    # ------------------------------------------------------------------ construction

    @classmethod
    def _from_array(cls, array, device, grad_fn=None, requires_grad=False):
        """Wrap an array without copying (the fast path every op result takes)."""
        t = object.__new__(cls)
        if device is backend.cpu:
            if type(array) is not backend.np.ndarray:
                array = backend.np.asarray(array)  # NumPy returns scalars from 0-d maths
            t.dtype = dtypes.from_numpy_dtype(array.dtype)
        else:
            t.dtype = device.backend.dtype_of(array)
        t._data = array
        t.device = device
        t.grad_fn = grad_fn
        t._requires_grad = requires_grad or grad_fn is not None
        t._grad = None
        t._version = [0]
        t._hooks = None
        t._accumulator = None
        t._retains_grad = False
        t._base = None  # for views (reshape, indexing): the tensor whose numbers they share
        t._base_grad_fn = None  # for views: the base's grad_fn when the view was taken
        # for views taken under no_grad() of a tensor that requires grad: the shared version
        # counter's value then (tensor_functions/shape.py, _view_of)
        t._no_grad_view_version = None
        return t

    # ------------------------------------------------------------------ autograd attributes

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            hint = (
                ""
                if value
                else (
                    " If you want to use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach()."
                )
            )
            raise RuntimeError(f"you can only change requires_grad flags of leaf variables.{hint}")
        if value and not self.dtype.is_floating_point:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients "
                f"(this tensor is {self.dtype}; convert it with .float() first)"
            )
        if value and self._base is not None and self._base._requires_grad:
            # a view taken under no_grad() (see tensor_functions/shape.py, _view_of): asked to
            # require grad, it becomes an ordinary leaf that gets its own .grad, as PyTorch's
            self._base = self._no_grad_view_version = None
        self._requires_grad = bool(value)

    @property
    def is_leaf(self):
        """True for tensors made by the user (no grad_fn), and for all that need no grad."""
        return self.grad_fn is None

    @property
    def retains_grad(self):
        """True for a non-leaf tensor whose .grad backward fills in (retain_grad() was called)."""
        return self._retains_grad

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got {value!r}")
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size"
                )
            if value.device is not self.device:
                backend.raise_device_mismatch(self.device, value.device)
        self._grad = value

    @property
    def data(self):
        """The same numbers, untracked: changes through `.data` are invisible to autograd.

        This is PyTorch's sharp edge, kept on purpose: `.data` gets a fresh version counter,
        so an in-place change through it is NOT caught by backward and can silently give
        wrong gradients. Prefer `detach()` (shares the counter) or `with no_grad():`.
        """
        return Tensor._from_array(self._data, self.device)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else value
        self.dtype = self.device.backend.dtype_of(self._data)

    def detach(self):
        """A new leaf sharing the numbers *and* the version counter: no graph, but changes
        made in place through it are still caught by backward."""
        t = Tensor._from_array(self._data, self.device)
        t._version = self._version
        return t

    def detach_(self):
        """Make this tensor a leaf that needs no gradient, in place. A leaf that required
        grad stops receiving gradients, even from graphs built before (as PyTorch)."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead (it returns a new tensor "
                "sharing the numbers)."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True):
        if self.grad_fn is not None and requires_grad:
            return self  # a non-leaf already requires grad: nothing to change
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        me = weakref.ref(self)

        def store(grad):
            tensor = me()
            if tensor is not None:
                if tensor._grad is None:
                    tensor._grad = grad.clone()
                else:
                    tensor._grad._data = tensor._grad._data + grad._data

        store.retains_grad = True  # the engine runs it after the tensor's other hooks
        self.grad_fn.register_prehook(store)

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a new one."""
        return functions.register_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute d(self)/d(leaf) for every leaf behind self, and ADD it to `leaf.grad`."""
        functions.backward(
            self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
        )

    def _accumulate_grad(self, grad):
        """self.grad += grad (an array; the first time: a fresh copy, never an alias of
        another gradient). The engine calls it when gradient reaches this leaf."""
        if not self._requires_grad:
            return  # detach_() turned it off after the graph was built: PyTorch skips it too
        if self._base is not None and self._base._requires_grad:
            # A view taken under no_grad() of a tensor that requires grad: it requires grad
            # but is part of neither graph, and PyTorch gives it no .grad (nor its base).
            return
        xp = self.device.xp
        if grad.shape != self._data.shape:
            grad = xp.broadcast_to(grad, self._data.shape)
        if self._grad is None:
            self._grad = Tensor._from_array(xp.asarray(grad, copy=True), self.device)
        elif self._grad.shape != self.shape:  # x.unsqueeze_(0) since the last backward
            raise RuntimeError(
                f"output with shape {list(self._grad.shape)} doesn't match the broadcast shape "
                f"{list(self.shape)} (x.grad kept its old shape: set x.grad = None first)"
            )
        else:
            # In place, as PyTorch: someone holding `g = w.grad` sees the sum too.
            self._grad._data += grad
            self._grad._version[0] += 1

    # ------------------------------------------------------------------ shape and type

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[functions._dim(dim, self.ndim)]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    def numel(self):
        n = 1
        for s in self._data.shape:
            n *= s
        return n

    nelement = numel

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def element_size(self):
        return self.dtype.itemsize

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    # ------------------------------------------------------------------ leaving minitensor

    def item(self):
        """The single number in this tensor, as a Python float/int/bool."""
        if self.numel() != 1:
            raise RuntimeError(
                f"a Tensor with {self.numel()} elements cannot be converted to Scalar"
            )
        return self.device.backend.to_numpy(self._data).reshape(-1)[0].item()

    def tolist(self):
        return self.device.backend.to_numpy(self._data).tolist()

    def numpy(self, *, force=False):
        """The NumPy array behind a CPU tensor (shared, not copied), as PyTorch."""
        if self.device.type != "cpu":
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use "
                    "Tensor.cpu() to copy the tensor to host memory first."
                )
            return self.device.backend.to_numpy(self._data)
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self.numpy().astype(dtype) if dtype is not None else self.numpy()

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self.numel() != 1:
            raise ValueError(
                "only one element tensors can be converted to Python scalars (this one has "
                f"shape {list(self.shape)})"
            )
        return self.item()

    def __index__(self):
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous "
                f"(it has {self.numel()} values; use .any() or .all())"
            )
        return bool(self.item())

    __hash__ = object.__hash__

    def __repr__(self):
        prefix = "tensor("
        body = format_array(self.device.backend.to_numpy(self._data), prefix=prefix)
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self.numel() == 0 and self.ndim != 1:
            extras.append(f"size={tuple(self.shape)}")
        # An empty tensor has no numbers to show its dtype by, so only float32 goes unsaid.
        implied = (dtypes.get_default_dtype(),)
        if self.numel():
            implied += (dtypes.int64, dtypes.bool)
        if self.dtype not in implied:
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return add_suffixes(prefix + body, extras, indent=len(prefix))

    # ------------------------------------------------------------------ devices and dtypes

    def to(self, *args, **kwargs):
        return functions.to(self, *args, **kwargs)

    def cpu(self):
        return functions.to(self, "cpu")

    def cuda(self, device=None):
        return functions.to(
            self, backend.device("cuda" if device is None else device)
        )  # x.cuda(0) too

    def type(self, dtype=None):
        if dtype is None:
            return f"minitensor.{self.dtype.name}"
        return functions.to(self, dtype)

    def float(self):
        return functions.to(self, dtypes.float32)

    def double(self):
        return functions.to(self, dtypes.float64)

    def half(self):
        return functions.to(self, dtypes.float16)

    def long(self):
        return functions.to(self, dtypes.int64)

    def int(self):
        return functions.to(self, dtypes.int32)

    def bool(self):
        return functions.to(self, dtypes.bool)

    def type_as(self, other):
        return functions.to(self, other.dtype)

    def clone(self):
        return functions.clone(self)

    def contiguous(self):
        return self

    # ------------------------------------------------------------------ arithmetic

    def __add__(self, other):
        return functions.add(self, other)

    def __radd__(self, other):
        return functions.add(other, self)

    def __sub__(self, other):
        return functions.sub(self, other)

    def __rsub__(self, other):
        return functions.sub(other, self)

    def __mul__(self, other):
        return functions.mul(self, other)

    def __rmul__(self, other):
        return functions.mul(other, self)

    def __truediv__(self, other):
        return functions.div(self, other)

    def __rtruediv__(self, other):
        return functions.div(other, self)

    def __floordiv__(self, other):
        return functions.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return functions.floor_divide(other, self)

    def __mod__(self, other):
        return functions.remainder(self, other)

    def __rmod__(self, other):
        return functions.remainder(other, self)

    def __pow__(self, other):
        return functions.pow(self, other)

    def __rpow__(self, other):
        return functions.pow(other, self)

    def __matmul__(self, other):
        return functions.matmul(self, other)

    def __rmatmul__(self, other):
        return functions.matmul(other, self)

    def __neg__(self):
        return functions.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return functions.abs(self)

    def __eq__(self, other):
        return functions.eq(self, other)

    def __ne__(self, other):
        return functions.ne(self, other)

    def __lt__(self, other):
        return functions.lt(self, other)

    def __le__(self, other):
        return functions.le(self, other)

    def __gt__(self, other):
        return functions.gt(self, other)

    def __ge__(self, other):
        return functions.ge(self, other)

    def __and__(self, other):
        return functions.logical_and(self, other)

    def __or__(self, other):
        return functions.logical_or(self, other)

    def __invert__(self):
        return functions.logical_not(self)

    def __getitem__(self, index):
        return functions.index(self, index)

    def __setitem__(self, index, value):
        functions.index_put_(self, index, value)

    # in place: x += y changes x's own numbers (and its version)
    def __iadd__(self, other):
        return functions.add_(self, other)

    def __isub__(self, other):
        return functions.sub_(self, other)

    def __imul__(self, other):
        return functions.mul_(self, other)

    def __itruediv__(self, other):
        return functions.div_(self, other)

    # ------------------------------------------------------------------ named maths

    def add(self, other, alpha=1):
        return functions.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        return functions.sub(self, other, alpha=alpha)

    def mul(self, other):
        return functions.mul(self, other)

    def div(self, other):
        return functions.div(self, other)

    def pow(self, exponent):
        return functions.pow(self, exponent)

    def matmul(self, other):
        return functions.matmul(self, other)

    def mm(self, other):
        return functions.mm(self, other)

    def dot(self, other):
        return functions.dot(self, other)

    def neg(self):
        return functions.neg(self)

    def exp(self):
        return functions.exp(self)

    def log(self):
        return functions.log(self)

    def sqrt(self):
        return functions.sqrt(self)

    def square(self):
        return functions.square(self)

    def log1p(self):
        return functions.log1p(self)

    def sin(self):
        return functions.sin(self)

    def cos(self):
        return functions.cos(self)

    def tanh(self):
        return functions.tanh(self)

    def sigmoid(self):
        return functions.sigmoid(self)

    def relu(self):
        return functions.relu(self)

    def abs(self):
        return functions.abs(self)

    def sign(self):
        return functions.sign(self)

    def floor(self):
        return functions.floor(self)

    def ceil(self):
        return functions.ceil(self)

    def trunc(self):
        return functions.trunc(self)

    def round(self, *, decimals=0):
        return functions.round(self, decimals=decimals)

    def reciprocal(self):
        return functions.reciprocal(self)

    def where(self, condition, other):
        """self where condition is True, else other: functions.where(condition, self, other)."""
        return functions.where(condition, self, other)

    def clamp(self, min=None, max=None):
        return functions.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return functions.maximum(self, other)

    def minimum(self, other):
        return functions.minimum(self, other)

    def softmax(self, dim=None, *, axis=None):
        return functions.softmax(self, dim, axis=axis)

    def log_softmax(self, dim=None, *, axis=None):
        return functions.log_softmax(self, dim, axis=axis)

    def masked_fill(self, mask, value):
        return functions.masked_fill(self, mask, value)

    def eq(self, other):
        return functions.eq(self, other)

    def ne(self, other):
        return functions.ne(self, other)

    def lt(self, other):
        return functions.lt(self, other)

    def le(self, other):
        return functions.le(self, other)

    def gt(self, other):
        return functions.gt(self, other)

    def ge(self, other):
        return functions.ge(self, other)

    def isnan(self):
        return functions.isnan(self)

    def isfinite(self):
        return functions.isfinite(self)

    def allclose(self, other, rtol=1e-05, atol=1e-08):
        return functions.allclose(self, other, rtol, atol)

    def equal(self, other):
        return functions.equal(self, other)

    # ------------------------------------------------------------------ reductions

    def sum(self, dim=None, keepdim=False, *, axis=None):
        return functions.sum(self, dim, keepdim, axis=axis)

    def mean(self, dim=None, keepdim=False, *, axis=None):
        return functions.mean(self, dim, keepdim, axis=axis)

    def prod(self, dim=None, keepdim=False, *, axis=None):
        return functions.prod(self, dim, keepdim, axis=axis)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
        return functions.var(self, dim, unbiased, keepdim, correction=correction, axis=axis)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
        return functions.std(self, dim, unbiased, keepdim, correction=correction, axis=axis)

    def max(self, dim=None, keepdim=False, *, axis=None):
        return functions.max(self, dim, keepdim, axis=axis)

    def min(self, dim=None, keepdim=False, *, axis=None):
        return functions.min(self, dim, keepdim, axis=axis)

    def amax(self, dim=(), keepdim=False):
        return functions.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return functions.amin(self, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        return functions.logsumexp(self, dim, keepdim)

    def cumsum(self, dim):
        return functions.cumsum(self, dim)

    def argmax(self, dim=None, keepdim=False, *, axis=None):
        return functions.argmax(self, dim, keepdim, axis=axis)

    def argmin(self, dim=None, keepdim=False, *, axis=None):
        return functions.argmin(self, dim, keepdim, axis=axis)

    def all(self, dim=None, keepdim=False, *, axis=None):
        return functions.all(self, dim, keepdim, axis=axis)

    def any(self, dim=None, keepdim=False, *, axis=None):
        return functions.any(self, dim, keepdim, axis=axis)

    def norm(self, p=2, dim=None, keepdim=False):
        return functions.norm(self, p, dim, keepdim)

    # ------------------------------------------------------------------ shape ops

    def reshape(self, *shape):
        return functions.reshape(self, *shape)

    def view(self, *shape):
        return functions.view(self, *shape)

    def view_as(self, other):
        return functions.view(self, other.shape)

    def reshape_as(self, other):
        return functions.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return functions.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return functions.squeeze(self, dim)

    def unsqueeze(self, dim):
        return functions.unsqueeze(self, dim)

    def transpose(self, dim0, dim1):
        return functions.transpose(self, dim0, dim1)

    def t(self):
        return functions.t(self)

    @property
    def T(self):
        """All axes reversed (PyTorch records it as a permute: PermuteBackward0)."""
        return functions.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self):
        return functions.matrix_transpose(self)

    def permute(self, *dims):
        return functions.permute(self, *dims)

    def expand(self, *shape):
        return functions.expand(self, *shape)

    def expand_as(self, other):
        return functions.expand(self, other.shape)

    def repeat(self, *repeats):
        return functions.repeat(self, *repeats)

    # ------------------------------------------------------------------ in-place ops

    def add_(self, other, alpha=1):
        return functions.add_(self, other, alpha=alpha)

    def sub_(self, other, alpha=1):
        return functions.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return functions.mul_(self, other)

    def div_(self, other):
        return functions.div_(self, other)

    def pow_(self, exponent):
        return functions.pow_(self, exponent)

    def clamp_(self, min=None, max=None):
        return functions.clamp_(self, min, max)

    def masked_fill_(self, mask, value):
        return functions.masked_fill_(self, mask, value)

    def relu_(self):
        return functions.relu_(self)

    def exp_(self):
        return functions.exp_(self)

    def neg_(self):
        return functions.neg_(self)

    def abs_(self):
        return functions.abs_(self)

    def sqrt_(self):
        return functions.sqrt_(self)

    def tanh_(self):
        return functions.tanh_(self)

    def sigmoid_(self):
        return functions.sigmoid_(self)

    def unsqueeze_(self, dim):
        return functions.unsqueeze_(self, dim)

    def zero_(self):
        return functions.zero_(self)

    def fill_(self, value):
        return functions.fill_(self, value)

    def copy_(self, source):
        return functions.copy_(self, source)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return functions.uniform_(self, a, b, generator=generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return functions.normal_(self, mean, std, generator=generator)


def _raise_stale_view(view):
    """A view's graph reads its base's *old* node; using it would give wrong gradients."""
    raise RuntimeError(
        f"a view (shape {list(view.shape)}) of a tensor that was modified by a recorded "
        "in-place operation after the view was taken is being used. Its graph still reads "
        "the base's old value, and minitensor does not rebase views as PyTorch does. Take "
        "the view again after the in-place change (e.g. v = y[0] after y.mul_(2)), or avoid "
        "the in-place op (y = y * 2)."
    )


def _raise_changed_no_grad_view(view):
    """A view taken under no_grad() is a leaf of its own; once its base has changed in place,
    whether that change should reach the view's gradient is ambiguous: PyTorch refuses."""
    raise RuntimeError(
        f"A view (shape {list(view.shape)}) was created in no_grad mode and its base or another "
        "view of its base has been modified inplace. Given that this use case is ambiguous and "
        "error-prone, it is forbidden. You can clarify your code by moving both the view and "
        "the inplace either both inside the no_grad block (if you don't want the inplace to be "
        "tracked) or both outside (if you want the inplace to be tracked)."
    )


class Size(tuple):
    """A tensor's shape: a tuple that prints as `minitensor.Size([2, 3])`, like PyTorch's."""

    def __repr__(self):
        return f"minitensor.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


# At the bottom on purpose, the one circle in minitensor's imports: the Tensor methods
# above are one line each into tensor_functions/ (mt.add, mt.sum, ..., backward and
# register_hook, the constructors), and those functions make and return Tensors, so each
# side needs the other. tensor_functions/ needs the Tensor class defined above; the methods
# above only look `functions` up when they are called. Besides it, this module imports
# only backend/, dtypes.py, _formatting.py: nothing of autograd/.
from . import tensor_functions as functions  # noqa: E402
