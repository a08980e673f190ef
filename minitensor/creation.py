"""Making tensors: `tensor`, `zeros`, `arange`, `randn`, ... and the random `Generator`.

Everything is created on the host with NumPy and then handed to the device's backend, so a
seed gives the same numbers on the CPU and on a GPU (PyTorch's CUDA generator differs from
its CPU one; here they are the same on purpose, so results can be compared across devices).

Random numbers come from NumPy's PCG64, not PyTorch's Mersenne Twister: `manual_seed(0)`
makes every run repeat, but the numbers are not PyTorch's numbers.

Read next: backend/ (how the host array reaches a device), dtypes.py.
"""

import builtins

import numpy as np

from . import backend, dtypes
from .tensor import Tensor

# ----------------------------------------------------------------------------- helpers


def _device(device):
    return backend.tensor_device(device)  # "cuda" -> cuda:0, "cpu:0" -> cpu, as PyTorch


def _size(size):
    """zeros(2, 3), zeros((2, 3)) and zeros([2, 3]) all mean the shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        bad = next(s for s in shape if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {list(shape)}")
    return shape


def _finish(host_array, dtype, device, requires_grad):
    """Move a NumPy array to its device, wrap it, set requires_grad (which checks the dtype)."""
    device = _device(device)
    dtype = dtypes.as_dtype(dtype)
    array = device.backend.asarray(np.asarray(host_array, dtype=dtype.numpy), dtype)
    t = Tensor._from_array(array, device)
    if requires_grad:
        t.requires_grad = True
    return t


def _infer_dtype(host_array):
    """PyTorch's choice for Python data: bools -> bool, ints -> int64, floats -> float32."""
    kind = host_array.dtype.kind
    if kind == "b":
        return dtypes.bool
    if kind in "iu":
        return dtypes.int64
    if kind == "f":
        return dtypes.get_default_dtype()
    raise TypeError(
        f"can't make a tensor from data of type {host_array.dtype} "
        "(expected numbers, bools, or nested lists of them)"
    )


def _host(data):
    """Python data or an array as a NumPy array, with PyTorch-like errors for bad data."""
    if isinstance(data, Tensor):
        return data.device.backend.to_numpy(data._data), data.dtype
    if isinstance(data, np.ndarray):
        return data, dtypes.from_numpy_dtype(data.dtype)
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type 'str' (got {data!r})")
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [x.item() if isinstance(x, Tensor) else x for x in data]
    try:
        host = np.asarray(data)
    except ValueError as error:
        raise ValueError(
            f"expected a rectangular nested list of numbers (every row the same length); "
            f"NumPy says: {error}"
        ) from None
    if host.dtype == object:
        raise ValueError(
            "expected a rectangular nested list of numbers (every row the same length), "
            f"got {data!r}"
        )
    return host, _infer_dtype(host)


# ----------------------------------------------------------------------------- from data


def tensor(data, *, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data` (a number, nested lists, a NumPy array).

    `tensor([1, 2])` is int64, `tensor([1.0])` float32, a float64 NumPy array stays float64.
    """
    if isinstance(data, Tensor) and device is None:
        device = data.device  # a copy of a tensor stays on its device, as in PyTorch
    array = backend.backend_of(data) if not isinstance(data, (Tensor, list, tuple)) else None
    if array is not None and array.type == "cuda" and device is None:
        device = array
        data = array.backend.to_numpy(data)
    host, inferred = _host(data)
    return _finish(np.array(host, copy=True), dtype or inferred, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with `data` where it can (same dtype and device)."""
    if isinstance(data, Tensor):
        return data.to(device=device or data.device, dtype=dtype or data.dtype)
    host, inferred = _host(data)
    target = dtypes.as_dtype(dtype or inferred)
    if _device(device) is backend.cpu and host.dtype == target.numpy:
        return Tensor._from_array(host, backend.cpu)
    return _finish(host, target, device, False)


def from_numpy(array):
    """A CPU tensor that shares memory with a NumPy array (changes show on both sides)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)  # raises for unsupported dtypes
    return Tensor._from_array(array, backend.cpu)


# ----------------------------------------------------------------------------- filled


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return full(
        _size(size),
        0,
        dtype=dtype or dtypes.get_default_dtype(),
        device=device,
        requires_grad=requires_grad,
    )


def ones(*size, dtype=None, device=None, requires_grad=False):
    return full(
        _size(size),
        1,
        dtype=dtype or dtypes.get_default_dtype(),
        device=device,
        requires_grad=requires_grad,
    )


def empty(*size, dtype=None, device=None, requires_grad=False):
    """PyTorch leaves the memory uninitialised; here it is zeros, so runs are repeatable."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = _infer_dtype(np.asarray(fill_value))
    return _finish(np.full(_size((size,)), fill_value), dtype, device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    for name, size in (("n", n), ("m", m)):
        if size is not None and size < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {size}")
    return _finish(np.eye(n, m), dtype or dtypes.get_default_dtype(), device, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """[start, start + step, ...) up to but not including `end`; int64 if all are ints."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        all_ints = all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if all_ints else dtypes.get_default_dtype()
    return _finish(np.arange(start, end, step), dtype, device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative (got steps={steps})")
    return _finish(
        np.linspace(start, end, steps), dtype or dtypes.get_default_dtype(), device, requires_grad
    )


def _like(t, dtype, device):
    return dict(dtype=dtype or t.dtype, device=device or t.device)


def zeros_like(t, *, dtype=None, device=None, requires_grad=False):
    return zeros(t.shape, **_like(t, dtype, device), requires_grad=requires_grad)


def ones_like(t, *, dtype=None, device=None, requires_grad=False):
    return ones(t.shape, **_like(t, dtype, device), requires_grad=requires_grad)


def empty_like(t, *, dtype=None, device=None, requires_grad=False):
    return zeros(t.shape, **_like(t, dtype, device), requires_grad=requires_grad)


def full_like(t, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(t.shape, fill_value, **_like(t, dtype, device), requires_grad=requires_grad)


# ----------------------------------------------------------------------------- random


class Generator:
    """A seeded source of random numbers, as `torch.Generator`.

    `g = mt.Generator().manual_seed(0)` then `mt.randn(3, generator=g)`; DataLoader's
    shuffling takes one too.
    """

    # PyTorch's default seed, so `initial_seed()` prints a familiar number.
    DEFAULT_SEED = 67280421310721

    def __init__(self, device="cpu"):
        self.device = backend.device(device)
        self.manual_seed(self.DEFAULT_SEED)

    def manual_seed(self, seed):
        seed = builtins.int(seed)
        if seed < 0:
            raise RuntimeError(f"Generator seed must be non-negative, got {seed}")
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self

    @property
    def numpy_generator(self):
        """The NumPy generator underneath (what DataLoader and nn.init draw from)."""
        return self._rng


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator: the same seed gives the same numbers on every run."""
    return default_generator.manual_seed(seed)


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    return (generator or default_generator).numpy_generator


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform numbers in [0, 1)."""
    dtype = dtypes.as_dtype(dtype or dtypes.get_default_dtype())
    host = _rng(generator).random(_size(size))
    return _finish(host, dtype, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal numbers (mean 0, std 1)."""
    dtype = dtypes.as_dtype(dtype or dtypes.get_default_dtype())
    host = _rng(generator).standard_normal(_size(size))
    return _finish(host, dtype, device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None):
    """Integers in [low, high); `randint(10, (3,))` means low=0, high=10."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    host = _rng(generator).integers(low, high, _size((size,)))
    return _finish(host, dtype or dtypes.int64, device, False)


def randperm(n, *, generator=None, dtype=None, device=None):
    """A random ordering of 0..n-1."""
    return _finish(_rng(generator).permutation(n), dtype or dtypes.int64, device, False)


def rand_like(t, *, dtype=None, device=None, requires_grad=False):
    return rand(t.shape, **_like(t, dtype, device), requires_grad=requires_grad)


def randn_like(t, *, dtype=None, device=None, requires_grad=False):
    return randn(t.shape, **_like(t, dtype, device), requires_grad=requires_grad)
