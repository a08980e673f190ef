"""Shared fixtures: the `device` every device-parametrized test runs on.

`device` is "cpu" and "cuda"; `cuda_device` is "cuda" alone. On a machine without a GPU,
"cuda" is served by a stand-in backend (minitensor/backend/standin.py: array_api_strict
arrays on its `device1`), which refuses silent conversion to NumPy and mixing with CPU arrays, as a
real GPU does; so CPU-only CI exercises the device code paths for real. With CuPy and a
GPU present, "cuda" is the real thing. Tests using either fixture are marked `devices`,
which `make gpu-check` selects to run them on the GPU.
"""

import contextlib

import pytest
from hypothesis import settings

import minitensor as mt
from minitensor import backend

# The submissions under fixtures/ are data for the grading tests (one is corrupt on purpose):
# nbval must not collect them as notebooks to run.
collect_ignore = ["fixtures"]

# Few examples by default: CI has 2 cores. `--hypothesis-profile=thorough` for more.
settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile("default")


def real_gpu_available():
    return mt.cuda.is_available() and backend.cuda_backend().name == "cupy"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "devices: uses the `device` fixture (make gpu-check selects these with -m)"
    )


def pytest_collection_modifyitems(items):
    # Every test that takes `device` (or `cuda_device`) is marked, so `-m devices` runs
    # exactly the device-parametrized tests, on a real GPU in `make gpu-check`.
    for item in items:
        if {"device", "cuda_device"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.devices)


@pytest.fixture
def standin_cuda():
    """Put the array_api_strict stand-in behind device('cuda') for one test (skipped, with
    the reason, where array_api_strict is not installed)."""
    pytest.importorskip("array_api_strict")
    previous = backend.use_cuda_backend(backend.ArrayApiStrictBackend())
    yield "cuda"
    backend.use_cuda_backend(previous)


@contextlib.contextmanager
def _cuda_for_tests():
    """Behind device("cuda"): the real GPU when CuPy finds one, else the stand-in."""
    if real_gpu_available():
        yield
        return
    pytest.importorskip("array_api_strict")
    previous = backend.use_cuda_backend(backend.ArrayApiStrictBackend())
    try:
        yield
    finally:
        backend.use_cuda_backend(previous)


@pytest.fixture
def cuda_device():
    """A CUDA device for tests that need one: the real GPU, else the stand-in."""
    with _cuda_for_tests():
        yield "cuda"


@pytest.fixture(params=["cpu", "cuda"])
def device(request):
    """Run the test on the CPU, and on 'cuda' (a real GPU, else the stand-in)."""
    if request.param == "cpu":
        yield "cpu"
        return
    with _cuda_for_tests():
        yield "cuda"
