"""Devices and the array libraries behind them: the only package that picks NumPy or CuPy.

Every tensor stores its numbers in an array of one *backend*:

- `cpu`  -> NumPy (always there),
- `cuda` -> CuPy, imported the first time a CUDA tensor is asked for, never before, so
  `import minitensor` costs nothing on a machine without CuPy.

Ops never ask "am I on the GPU?". They call `xp = tensor.device.xp` and use the array-API
functions of that namespace (`xp.exp`, `xp.sum`, `xp.matmul`, ...), which NumPy 2, CuPy
(through array_api_compat) and the test stand-in all provide. The few things the array API
does not cover are methods of the backend classes, one file each, so device-specific code
lives in this folder and nowhere else:

    numpy_backend.py   NumpyBackend, behind device("cpu")
    cupy_backend.py    CupyBackend, behind device("cuda") (CuPy, imported on first use)
    standin.py         ArrayApiStrictBackend, the GPU played by array_api_strict in tests

Each backend has:

    asarray(host_data, dtype)    host numbers -> an array on this device
    to_numpy(array)              an array on this device -> a NumPy array (the only way back)
    getitem / setitem            x[index] and x[index] = v, with NumPy's indexing rules
    index_add(target, index, v)  target[index] += v, where repeated indices add up

Tests on machines without a GPU swap in a *stand-in* CUDA backend built on
`array_api_strict` (standin.py, put in place by `use_cuda_backend`): its arrays refuse to
turn into NumPy arrays and refuse to mix with CPU arrays, as CuPy's do, so a leak fails
loudly on any machine.

Read next: numpy_backend.py, then ../tensor.py; ../cuda.py for `mt.cuda.is_available()`.
"""

import sys

import numpy as np

from .cupy_backend import CupyBackend
from .numpy_backend import NumpyBackend
from .standin import ArrayApiStrictBackend  # noqa: F401  (tests put it behind "cuda")

GPU_INSTALL_HINT = (
    'Install the GPU extra with  pip install -e ".[gpu]"  (CuPy for CUDA 12; for CUDA 13 '
    "drivers: pip install cupy-cuda13x array-api-compat), or with conda: "
    "conda install -c conda-forge cupy array-api-compat."
)


# ----------------------------------------------------------------------------- devices

_cpu_backend = NumpyBackend()
_cuda_backend = None  # created on first use (imports CuPy), or set by use_cuda_backend()
_devices = {}


class device:
    """Where a tensor lives: `device("cpu")`, `device("cuda")`, `device("cuda:0")`,
    `device("cuda", 0)`, or `device(0)` (a CUDA ordinal), as `torch.device`.

    Prints like PyTorch's: `device(type='cuda', index=0)`; `str()` gives `'cuda:0'`.
    As in PyTorch, `device("cuda")` (no index: "the current GPU") is not equal to
    `device("cuda:0")`; a tensor asked for on "cuda" lives on `cuda:0` (see `tensor_device`).
    Device objects are shared: `device("cpu") is device("cpu")`.
    """

    __slots__ = ("type", "index")

    def __new__(cls, type_or_spec, index=None):
        spec = type_or_spec
        if isinstance(spec, device):
            return spec
        if isinstance(spec, int) and not isinstance(spec, bool):
            spec = f"cuda:{spec}"  # PyTorch reads a bare number as a CUDA ordinal
        if not isinstance(spec, str):
            raise TypeError(
                f"device() received an invalid argument {spec!r} of type {type(spec).__name__} "
                "(expected a string like 'cpu', 'cuda' or 'cuda:0', or a device)"
            )
        kind, colon, number = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {spec}"
            )
        if colon:
            if not number.isdigit() or index is not None:
                raise RuntimeError(f"Invalid device string: '{spec}'")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index!r}")
        key = (kind, index)
        if key not in _devices:
            made = super().__new__(cls)
            made.type, made.index = kind, index
            _devices[key] = made
        return _devices[key]

    @property
    def backend(self):
        """The backend object of this device (raises a clear error for CUDA without a GPU)."""
        return _cpu_backend if self.type == "cpu" else cuda_backend()

    @property
    def xp(self):
        """The array namespace of this device (numpy, CuPy's, or the stand-in's)."""
        if self.type == "cpu":
            return np  # every op asks this: the common case answers without a detour
        return self.backend.xp

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    # Equality is identity (objects are shared, one per (type, index)); comparing with a
    # string is False, as in PyTorch: compare `t.device.type == "cuda"` instead.
    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))


cpu = device("cpu")
cuda0 = device("cuda", 0)


def tensor_device(spec):
    """The device a tensor asked for with `device=spec` lives on: `cpu` or `cuda:0`.

    PyTorch does the same: `zeros(2, device="cuda").device` is `device(type='cuda',
    index=0)` and `device="cpu:0"` gives `device(type='cpu')`. minitensor drives one GPU,
    so `cuda:1` and up are refused with a message saying so.
    """
    if spec is None:
        return cpu
    wanted = device(spec)
    if wanted.type == "cpu":
        return cpu
    if wanted.index not in (None, 0):
        raise RuntimeError(
            f"CUDA error: invalid device ordinal: minitensor uses one GPU, cuda:0, and "
            f"cannot put a tensor on {wanted}"
        )
    return cuda0


# ----------------------------------------------------------------------------- CUDA


def _driver_detail(cupy):
    """What CUDA itself says about the GPUs (for the error message), in one phrase."""
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDARuntimeError, e.g. cudaErrorInsufficientDriver
        return f"CUDA says: {error}"
    return f"CUDA sees {count} device(s)"


def cuda_unavailable_reason():
    """None when a CUDA backend is usable, else sentences saying why not and what to do.

    CuPy imports fine on a machine without a GPU, so the import is not the test:
    `cupy.is_available()` is.
    """
    if _cuda_backend is not None:
        return None
    try:
        import cupy
    except ImportError:
        return f"CuPy is not installed, so minitensor cannot use a GPU. {GPU_INSTALL_HINT}"
    except Exception as error:  # a broken CUDA install can raise anything on import
        return (
            f"CuPy is installed but failed to import ({type(error).__name__}: {error}). "
            "Its CUDA libraries may not match this machine; reinstall the CuPy build for "
            f"your driver's CUDA version. {GPU_INSTALL_HINT}"
        )
    try:
        available = cupy.is_available()
    except Exception as error:
        available, detail = False, f"{type(error).__name__}: {error}"
    else:
        detail = None if available else _driver_detail(cupy)
    if not available:
        return (
            f"CuPy is installed, but found no usable NVIDIA GPU ({detail}). There is no GPU, "
            "or the NVIDIA driver is missing or too old for this CuPy build (check with "
            "`nvidia-smi`; cupy-cuda12x needs a CUDA 12 driver, cupy-cuda13x a CUDA 13 one)."
        )
    try:
        import array_api_compat.cupy  # noqa: F401
    except ImportError:
        return f"array-api-compat is missing (CuPy needs it here). {GPU_INSTALL_HINT}"
    return None


def cuda_backend():
    """The backend behind device('cuda'), created on first use."""
    global _cuda_backend
    if _cuda_backend is None:
        reason = cuda_unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"CUDA is not available: {reason}")
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
        return cuda0
    cupy = sys.modules.get("cupy")  # a CuPy array can only exist once cupy is imported
    if cupy is not None and isinstance(array, getattr(cupy, "ndarray", ())):
        return cuda0
    return None


def raise_device_mismatch(first, second):
    """PyTorch's error for an op on tensors from two devices."""
    raise RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{first} and {second}!"
    )
