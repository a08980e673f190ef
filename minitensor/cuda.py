"""`mt.cuda`: is a GPU usable, and the few functions PyTorch keeps under `torch.cuda`.

`is_available()` is True only when CuPy imports *and* finds a working GPU: CuPy imports
fine on machines without one, so importing is not the test (see backend/). Nothing here
imports CuPy until one of these functions is called.

    mt.cuda.is_available()        False -> mt.cuda.unavailable_reason() says why
    mt.cuda.device_count()        0 without a usable GPU
    mt.cuda.synchronize()         wait for the GPU before reading a clock
    mt.cuda.manual_seed(0)        the same generator as the CPU's (see creation.py)

Read next: backend/__init__.py.
"""

from . import backend, creation


def is_available():
    """True when tensors can be put on device="cuda"."""
    return backend.cuda_unavailable_reason() is None


def unavailable_reason():
    """Why `is_available()` is False, and how to fix it (None when it is True)."""
    return backend.cuda_unavailable_reason()


def device_count():
    """The number of GPUs CUDA sees (0 when CUDA is not usable). minitensor uses cuda:0."""
    if not is_available():
        return 0
    return backend.cuda_backend().device_count()


def current_device():
    """The index of the GPU new CUDA tensors go to: always 0 in minitensor."""
    backend.cuda_backend()  # a clear error when there is no GPU, as PyTorch
    return 0


def get_device_name(device=None):
    """The GPU's name, e.g. 'NVIDIA H100 80GB HBM3'."""
    backend.tensor_device("cuda" if device is None else device)
    return backend.cuda_backend().device_name()


def synchronize(device=None):
    """Wait until the GPU has finished the work queued so far.

    GPU calls return before the GPU is done, so time GPU code only after this. Does
    nothing when no GPU is in use (as there is nothing to wait for).
    """
    if is_available():
        backend.cuda_backend().synchronize()


def manual_seed(seed):
    """Seed the generator CUDA tensors draw from. minitensor makes random numbers on the
    host and copies them over, so this is the CPU's generator: the same seed gives the
    same numbers on both devices (PyTorch's CUDA generator gives different ones)."""
    creation.manual_seed(seed)


manual_seed_all = manual_seed
