"""`mt.cuda`: is a GPU usable, and the few functions PyTorch keeps under `torch.cuda`.

`is_available()` is True only when CuPy imports *and* finds a working GPU: CuPy imports
fine on machines without one, so importing is not the test (see backend.py).
"""

from . import backend


def is_available():
    return backend.cuda_unavailable_reason() is None


def unavailable_reason():
    """Why `is_available()` is False, in one sentence (None when it is True)."""
    return backend.cuda_unavailable_reason()


def device_count():
    if not is_available():
        return 0
    backend_ = backend.cuda_backend()
    if backend_.name == "cupy":
        return backend_.cupy.cuda.runtime.getDeviceCount()
    return 1


def synchronize():
    """Wait for the GPU to finish queued work (time GPU code only after this)."""
    if is_available() and backend.cuda_backend().name == "cupy":
        backend.cuda_backend().cupy.cuda.Device().synchronize()


def manual_seed(seed):
    """Same generator as the CPU's: numbers are made on the host, then copied over."""
    from .creation import manual_seed as seed_default

    return seed_default(seed)


manual_seed_all = manual_seed
