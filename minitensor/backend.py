"""Devices and the array libraries behind them: the only module that picks NumPy or CuPy.

Every tensor stores its numbers in an array of one *backend*:

- `cpu`  -> NumPy (always there),
- `cuda` -> CuPy, imported the first time a CUDA tensor is asked for, never before.

Ops never ask "am I on the GPU?". They call `xp = tensor.device.xp` and use the array-API
functions of that namespace (`xp.exp`, `xp.sum`, `xp.matmul`, ...), which NumPy 2, CuPy
(through array_api_compat) and the test stand-in all provide. The handful of things the
array API does not cover (moving data to the host, scatter-add) are methods of the backend
classes below, so device-specific code lives here and nowhere else.

Tests on machines without a GPU swap in a *stand-in* CUDA backend built on
`array_api_strict` (see `use_cuda_backend`): its arrays refuse to turn into NumPy arrays
and refuse to mix with CPU arrays, as CuPy's do, so a leak fails loudly on any machine.

Read next: tensor.py.
"""

import numpy as np

from . import dtypes


class NumpyBackend:
    """The CPU backend: plain NumPy arrays."""

    name = "numpy"
    xp = np

    def asarray(self, data, dtype=None):
        """An array on this backend from host data (NumPy array, list, number)."""
        return np.asarray(data, dtype=None if dtype is None else dtype.numpy)

    def to_numpy(self, array):
        return np.asarray(array)

    def dtype_of(self, array):
        return dtypes.from_numpy_dtype(array.dtype)

    def native_dtype(self, dtype):
        return dtype.numpy

    def index_add(self, target, index, values):
        """target[index] += values, adding repeated indices up (NumPy's `add.at`)."""
        np.add.at(target, index, values)
        return target

    def is_array(self, obj):
        return isinstance(obj, np.ndarray)


class CupyBackend(NumpyBackend):
    """The CUDA backend: CuPy arrays, seen through array_api_compat's CuPy namespace."""

    name = "cupy"

    def __init__(self, cupy_module):
        import array_api_compat.cupy as cupy_namespace

        self.cupy = cupy_module
        self.xp = cupy_namespace

    def asarray(self, data, dtype=None):
        return self.cupy.asarray(data, dtype=None if dtype is None else dtype.numpy)

    def to_numpy(self, array):
        return self.cupy.asnumpy(array)

    def index_add(self, target, index, values):
        self.cupy.add.at(target, index, values)
        return target

    def is_array(self, obj):
        return isinstance(obj, self.cupy.ndarray)


class ArrayApiStrictBackend:
    """A stand-in GPU for tests: `array_api_strict` arrays on its `device1` device.

    Like a real GPU's arrays they refuse `np.asarray` and refuse to mix with host arrays,
    so any op that silently falls back to NumPy fails under this backend.
    """

    name = "array_api_strict"

    def __init__(self):
        import array_api_strict

        self.xp = array_api_strict
        self.device = array_api_strict.Device("device1")
        self._host = array_api_strict.__array_namespace_info__().default_device()

    def asarray(self, data, dtype=None):
        host = np.asarray(data, dtype=None if dtype is None else dtype.numpy)
        return self.xp.asarray(host, device=self.device)

    def to_numpy(self, array):
        # The one sanctioned way back to the host: copy to the CPU device first.
        return np.asarray(array.to_device(self._host))

    def dtype_of(self, array):
        return dtypes.as_dtype(str(array.dtype).removeprefix("array_api_strict."))

    def native_dtype(self, dtype):
        return getattr(self.xp, dtype.name)

    def index_add(self, target, index, values):
        # The array API has no scatter-add; add one index entry at a time (slow, test-only).
        host_index = (
            np.asarray(index.to_device(self._host))
            if hasattr(index, "to_device")
            else np.asarray(index)
        )
        for position, i in enumerate(host_index.tolist()):
            target[i, ...] = target[i, ...] + values[position, ...]
        return target

    def is_array(self, obj):
        return isinstance(obj, self.xp.Array)


# ----------------------------------------------------------------------------- devices

_cpu_backend = NumpyBackend()
_cuda_backend = None  # created on first use (imports CuPy), or set by use_cuda_backend()


class device:
    """Where a tensor lives: `device("cpu")`, `device("cuda")`, `device("cuda:0")`.

    Prints like PyTorch's `device(type='cuda', index=0)`; `str()` gives `'cuda:0'`.
    """

    __slots__ = ("type", "index")

    def __new__(cls, spec, index=None):
        if isinstance(spec, device):
            return spec
        if not isinstance(spec, str):
            raise TypeError(f"device() expected a string like 'cpu' or 'cuda:0', got {spec!r}")
        kind, _, number = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {spec}"
            )
        if number:
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{spec}'")
            index = int(number)
        if kind == "cuda" and index is None:
            index = 0  # we only know one GPU; PyTorch would use the current device
        key = (kind, index)
        if key not in _devices:
            obj = super().__new__(cls)
            obj.type, obj.index = kind, index
            _devices[key] = obj
        return _devices[key]

    @property
    def backend(self):
        return _cpu_backend if self.type == "cpu" else cuda_backend()

    @property
    def xp(self):
        """The array namespace of this device (numpy, CuPy's, or the stand-in's)."""
        return self.backend.xp

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))


_devices = {}
cpu = device("cpu")


def cuda_unavailable_reason():
    """None when a CUDA backend is usable, else a sentence saying why not and what to do."""
    if _cuda_backend is not None:
        return None
    try:
        import cupy
    except ImportError:
        return (
            "CuPy is not installed, so minitensor cannot use a GPU. Install the GPU extra: "
            "pip install -e '.[gpu]' (or: conda install -c conda-forge cupy)."
        )
    except Exception as error:  # a broken CUDA install can raise anything on import
        return f"CuPy failed to import ({type(error).__name__}: {error})."
    try:
        if not cupy.is_available():
            return (
                "CuPy is installed but found no usable CUDA GPU (no device, or the NVIDIA "
                "driver is missing or too old)."
            )
        import array_api_compat.cupy  # noqa: F401
    except ImportError:
        return "array-api-compat is missing: pip install -e '.[gpu]'."
    except Exception as error:
        return f"CuPy could not reach the GPU: {type(error).__name__}: {error}"
    return None


def cuda_backend():
    """The backend behind device('cuda'), created on first use."""
    global _cuda_backend
    if _cuda_backend is None:
        reason = cuda_unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"Torch not compiled with CUDA enabled: {reason}")
        import cupy

        _cuda_backend = CupyBackend(cupy)
    return _cuda_backend


def use_cuda_backend(backend):
    """Put `backend` behind device('cuda') (tests use the array_api_strict stand-in).

    Returns the previous backend so a test can restore it. `None` means "find CuPy again".
    """
    global _cuda_backend
    previous, _cuda_backend = _cuda_backend, backend
    return previous


def backend_of(array):
    """The device an array belongs to (for arrays handed to `tensor()`), None if unknown."""
    if isinstance(array, (np.ndarray, np.generic)):  # NumPy gives scalars for 0-d results
        return cpu
    if _cuda_backend is not None and _cuda_backend.is_array(array):
        return device("cuda")
    return None
