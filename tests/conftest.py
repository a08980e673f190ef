"""Shared fixtures: the `device` every device-parametrized test runs on.

`device` is "cpu" and "cuda". On a machine without a GPU, "cuda" is served by a stand-in
backend (array_api_strict arrays on its `device1`), which refuses silent conversion to NumPy
and mixing with CPU arrays, as a real GPU does; so CPU-only CI exercises the device code
paths for real. With CuPy and a GPU present, "cuda" is the real thing.
"""

import pytest
from hypothesis import settings

import minitensor as mt
from minitensor import backend

# Few examples by default: CI has 2 cores. `--hypothesis-profile=thorough` for more.
settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile("default")


def real_gpu_available():
    return mt.cuda.is_available() and backend.cuda_backend().name == "cupy"


@pytest.fixture
def standin_cuda():
    """Put the array_api_strict stand-in behind device('cuda') for one test."""
    previous = backend.use_cuda_backend(backend.ArrayApiStrictBackend())
    yield "cuda"
    backend.use_cuda_backend(previous)


@pytest.fixture(params=["cpu", "cuda"])
def device(request):
    """Run the test on the CPU, and on 'cuda' (a real GPU, else the stand-in)."""
    if request.param == "cpu" or real_gpu_available():
        yield request.param
        return
    pytest.importorskip("array_api_strict")
    previous = backend.use_cuda_backend(backend.ArrayApiStrictBackend())
    try:
        yield "cuda"
    finally:
        backend.use_cuda_backend(previous)
