"""The machinery that lets CPU-only CI test GPU code, and the choice of the CUDA backend.

- The stand-in (array_api_strict on its `device1`) must catch an op that leaks to NumPy;
  a planted leaky op proves it: it passes on the CPU and fails on the stand-in.
- Its emulation of NumPy's indexing and scatter-add must agree with NumPy exactly.
- A fake `cupy` module in sys.modules drives backend selection through each case: CuPy
  missing, importable but without a GPU, broken, and working (then all tensor traffic must
  go through CuPy's functions).
- `import minitensor` never imports CuPy (or the array-API packages).
"""

import builtins
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitensor as mt
from minitensor import backend, ops
from minitensor.autograd.function import Op

ROOT = Path(__file__).resolve().parent.parent


def standin_backend():
    """The stand-in backend; the test is skipped (with the reason) without array_api_strict."""
    pytest.importorskip("array_api_strict")
    return backend.ArrayApiStrictBackend()


# ----------------------------------------------------------------------------- leaks


class LeakyDouble(Op):
    """out = 2 x, written wrongly: forward goes through NumPy (works on the CPU only)."""

    __slots__ = ()

    def forward(self, x):
        return np.asarray(x) * 2

    def backward(self, grad):
        return grad * 2


class LeakyBackwardSquare(Op):
    """out = x**2 whose backward builds a NumPy constant and mixes it in."""

    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x * np.float32(2.0)


def test_a_leaky_forward_passes_on_cpu_and_is_caught_by_the_standin(standin_cuda):
    on_cpu = mt.tensor([1.0, 2.0], requires_grad=True)
    LeakyDouble.apply(on_cpu).sum().backward()
    assert on_cpu.grad.tolist() == [2.0, 2.0]
    on_standin = mt.tensor([1.0, 2.0], device=standin_cuda, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't convert array on the .* device to a NumPy"):
        LeakyDouble.apply(on_standin)


def test_a_leaky_backward_passes_on_cpu_and_is_caught_by_the_standin(standin_cuda):
    on_cpu = mt.tensor([1.0, 3.0], requires_grad=True)
    LeakyBackwardSquare.apply(on_cpu).sum().backward()
    assert on_cpu.grad.tolist() == [2.0, 6.0]
    on_standin = mt.tensor([1.0, 3.0], device=standin_cuda, requires_grad=True)
    out = LeakyBackwardSquare.apply(on_standin).sum()  # forward is fine
    with pytest.raises(TypeError, match="Expected Array or Python scalar"):
        out.backward()


def test_a_monkeypatched_builtin_op_that_uses_numpy_is_caught(standin_cuda, monkeypatch):
    monkeypatch.setattr(ops.Exp, "forward", lambda self, x: np.exp(x))
    assert mt.tensor([0.0]).exp().tolist() == [1.0]
    with pytest.raises(RuntimeError, match="NumPy array"):
        mt.tensor([0.0], device=standin_cuda).exp()


def test_an_array_made_on_the_default_device_is_caught(standin_cuda, monkeypatch):
    # xp.zeros(shape) without device= lands on the host: the stand-in refuses to mix it.
    def backward_without_device(self, grad):
        return self.xp.zeros(self.shape, dtype=grad.dtype) + grad

    monkeypatch.setattr(ops.Sum, "backward", backward_without_device)
    x = mt.ones(3, device=standin_cuda, requires_grad=True)
    with pytest.raises(ValueError, match="different devices"):
        x.sum().backward()


def test_standin_arrays_refuse_numpy_and_cpu_arrays():
    standin = standin_backend()
    array = standin.asarray([1.0, 2.0])
    with pytest.raises(RuntimeError):
        np.asarray(array)
    with pytest.raises(TypeError):
        array + np.ones(2)
    assert standin.to_numpy(array).tolist() == [1.0, 2.0]  # the sanctioned way back


def test_ops_and_autograd_never_touch_numpy_or_cupy_directly():
    """Device code stays in backend/: ops and the engine only use `xp` and the backend."""
    for path in [
        *(ROOT / "minitensor" / "ops").glob("*.py"),
        ROOT / "minitensor/autograd/engine.py",
    ]:
        source = path.read_text()
        assert "import numpy" not in source and "np." not in source, path.name
        assert "cupy" not in source and '"cuda"' not in source, path.name


# ----------------------------------------------------------------------------- indexing


@st.composite
def index_cases(draw):
    """A shape and an index mixing ints, slices, integer lists (with repeats) and None."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    if draw(st.booleans()) and len(shape) > 1:  # a boolean mask over the leading axes
        mask = np.asarray(draw(st.lists(st.booleans(), min_size=shape[0], max_size=shape[0])))
        return shape, (mask, Ellipsis)
    parts = []
    length = draw(st.integers(1, 4))  # integer lists broadcast together: one length for all
    for size in shape:
        kind = draw(st.sampled_from(["int", "slice", "list", "none+slice"]))
        if kind == "int":
            parts.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            parts.append(slice(draw(st.integers(0, size - 1)), None, draw(st.integers(1, 2))))
        elif kind == "list":
            column = st.lists(st.integers(0, size - 1), min_size=length, max_size=length)
            parts.append(np.asarray(draw(column)))
        else:
            parts += [None, slice(None)]
    return shape, (*parts, Ellipsis)


def _on_standin(standin, index):
    return tuple(standin.asarray(p) if isinstance(p, np.ndarray) else p for p in index)


@given(index_cases())
def test_standin_indexing_agrees_with_numpy(case):
    shape, index = case
    standin = standin_backend()
    values = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    picked = standin.getitem(standin.asarray(values), _on_standin(standin, index))
    np.testing.assert_array_equal(standin.to_numpy(picked), values[index])


@given(index_cases())
def test_standin_index_add_adds_repeated_positions_like_numpy(case):
    shape, index = case
    standin = standin_backend()
    read = np.zeros(shape)[index]
    added = np.arange(1, read.size + 1, dtype=np.float64).reshape(read.shape)
    expected = np.zeros(shape)
    np.add.at(expected, index, added)
    target = standin.asarray(np.zeros(shape))
    result = standin.index_add(target, _on_standin(standin, index), standin.asarray(added))
    np.testing.assert_array_equal(standin.to_numpy(result), expected)


@given(index_cases(), st.booleans())
def test_standin_setitem_agrees_with_numpy(case, scalar):
    shape, index = case
    standin = standin_backend()
    expected = np.zeros(shape)
    if scalar:
        written = 7.0
    else:
        # distinct values only where positions are distinct: NumPy keeps the last write
        written = np.arange(1, expected[index].size + 1, dtype=np.float64).reshape(
            expected[index].shape
        )
    expected[index] = written
    array = standin.asarray(np.zeros(shape))
    standin.setitem(
        array, _on_standin(standin, index), written if scalar else standin.asarray(written)
    )
    np.testing.assert_array_equal(standin.to_numpy(array), expected)


# ----------------------------------------------------------------------------- choosing CUDA


@pytest.fixture
def no_cuda_backend():
    """Forget any CUDA backend, so the next CUDA request looks for CuPy again."""
    previous = backend.use_cuda_backend(None)
    yield
    backend.use_cuda_backend(previous)


def fake_cupy(available=True, device_count=1, count_error=None, with_add_at=True):
    """A stand-in `cupy` module on NumPy arrays that records what minitensor calls."""
    calls = []
    cupy = types.ModuleType("cupy")
    cupy.calls = calls
    cupy.ndarray = np.ndarray
    cupy.is_available = lambda: available

    def asarray(data, dtype=None):
        calls.append("asarray")
        return np.asarray(data, dtype=dtype)

    def asnumpy(array):
        calls.append("asnumpy")
        return np.asarray(array)

    def add_at(target, index, values):
        calls.append("add.at")
        np.add.at(target, index, values)

    def get_device_count():
        if count_error is not None:
            raise count_error
        return device_count

    cupy.asarray, cupy.asnumpy = asarray, asnumpy
    cupy.add = types.SimpleNamespace(at=add_at) if with_add_at else types.SimpleNamespace()
    cupy.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(
            getDeviceCount=get_device_count,
            getDeviceProperties=lambda index: {"name": b"Fake GPU 80GB"},
        ),
        Device=lambda *index: types.SimpleNamespace(synchronize=lambda: calls.append("sync")),
    )
    return cupy


def install(monkeypatch, cupy):
    """Put `cupy` in sys.modules; CuPy's array-API namespace is played by NumPy's."""
    import array_api_compat
    import array_api_compat.numpy

    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "array_api_compat.cupy", array_api_compat.numpy)
    monkeypatch.setattr(array_api_compat, "cupy", array_api_compat.numpy, raising=False)


def test_without_cupy_cuda_is_unavailable_and_says_how_to_install(no_cuda_backend, monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` raises ImportError
    assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
    assert "CuPy is not installed" in mt.cuda.unavailable_reason()
    mt.cuda.synchronize()  # nothing to wait for: no error
    for attempt in (
        lambda: mt.zeros(2, device="cuda"),
        lambda: mt.ones(2).cuda(),
        lambda: mt.ones(2).to("cuda:0"),
        lambda: mt.cuda.current_device(),
    ):
        with pytest.raises(RuntimeError) as info:
            attempt()
        message = str(info.value)
        assert message.startswith("CUDA is not available: CuPy is not installed")
        assert 'pip install -e ".[gpu]"' in message and "cupy-cuda13x" in message
        assert "conda install -c conda-forge cupy" in message


def test_cupy_without_a_gpu_is_unavailable_and_quotes_cuda(no_cuda_backend, monkeypatch):
    error = RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    install(monkeypatch, fake_cupy(available=False, count_error=error))
    assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
    with pytest.raises(RuntimeError) as info:
        mt.randn(3, device="cuda")
    message = str(info.value)
    assert "CuPy is installed, but found no usable NVIDIA GPU" in message
    assert "cudaErrorNoDevice: no CUDA-capable device is detected" in message
    assert "nvidia-smi" in message and "cupy-cuda12x needs a CUDA 12 driver" in message


def test_cupy_reporting_zero_devices_is_unavailable(no_cuda_backend, monkeypatch):
    install(monkeypatch, fake_cupy(available=False, device_count=0))
    assert "CUDA sees 0 device(s)" in mt.cuda.unavailable_reason()


def test_a_cupy_that_fails_to_import_is_reported(no_cuda_backend, monkeypatch):
    real_import = builtins.__import__

    def broken_import(name, *args, **kwargs):
        if name == "cupy":
            raise OSError("libcudart.so.12: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "cupy", raising=False)
    monkeypatch.setattr(builtins, "__import__", broken_import)
    reason = mt.cuda.unavailable_reason()
    assert "CuPy is installed but failed to import (OSError: libcudart.so.12" in reason
    assert mt.cuda.is_available() is False


def test_missing_array_api_compat_is_reported(no_cuda_backend, monkeypatch):
    install(monkeypatch, fake_cupy())
    monkeypatch.setitem(sys.modules, "array_api_compat.cupy", None)
    assert "array-api-compat is missing" in mt.cuda.unavailable_reason()


def test_a_working_cupy_carries_all_cuda_tensor_traffic(no_cuda_backend, monkeypatch):
    cupy = fake_cupy(device_count=2)
    install(monkeypatch, cupy)
    assert mt.cuda.is_available() and mt.cuda.device_count() == 2
    assert mt.cuda.get_device_name() == "Fake GPU 80GB"
    x = mt.tensor([[1.0, -2.0], [3.0, 4.0]], device="cuda", requires_grad=True)
    assert cupy.calls == ["asarray"] and x.device == mt.device("cuda:0")
    assert isinstance(backend.cuda_backend(), backend.CupyBackend)
    x[[0, 0]].relu().sum().backward()  # repeated rows: scatter-add through cupy.add.at
    assert "add.at" in cupy.calls
    assert x.grad.cpu().tolist() == [[2.0, 0.0], [0.0, 0.0]] and cupy.calls[-1] == "asnumpy"
    mt.cuda.synchronize()
    assert cupy.calls[-1] == "sync"
    assert mt.tensor(np.ones(2)).device == mt.device("cpu")  # NumPy data stays on the CPU


def test_an_older_cupy_without_add_at_uses_cupyx_scatter_add(no_cuda_backend, monkeypatch):
    cupy = fake_cupy(with_add_at=False)
    cupyx = types.ModuleType("cupyx")

    def scatter_add(target, index, values):
        cupy.calls.append("scatter_add")
        np.add.at(target, index, values)

    cupyx.scatter_add = scatter_add
    install(monkeypatch, cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    x = mt.ones(3, device="cuda", requires_grad=True)
    x[[1, 1]].sum().backward()
    assert "scatter_add" in cupy.calls and x.grad.cpu().tolist() == [0.0, 2.0, 0.0]


def test_a_cupy_array_given_to_tensor_lands_on_cuda(no_cuda_backend, monkeypatch):
    class FakeCupyArray:
        pass

    cupy = fake_cupy()
    cupy.ndarray = FakeCupyArray
    install(monkeypatch, cupy)
    assert backend.backend_of(FakeCupyArray()) == mt.device("cuda:0")
    assert backend.backend_of(np.ones(2)) == mt.device("cpu")
    assert backend.backend_of([1.0]) is None


# ----------------------------------------------------------------------------- import cost


def _fresh_python(code):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_importing_minitensor_imports_no_cupy_and_no_array_api_packages():
    loaded = _fresh_python(
        "import sys, minitensor as mt\n"
        "x = mt.randn(3, 2, requires_grad=True); (x @ x.T).relu().sum().backward()\n"
        "print(*sorted(m for m in sys.modules if m.split('.')[0] in "
        "('cupy', 'cupyx', 'array_api_compat', 'array_api_strict')))"
    )
    assert loaded == []


def test_asking_whether_cuda_is_available_does_not_load_the_array_api_packages_on_cpu():
    if _fresh_python("import importlib.util; print(importlib.util.find_spec('cupy') is None)") != [
        "True"
    ]:
        pytest.skip("CuPy is installed here")
    loaded = _fresh_python(
        "import sys, minitensor as mt\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('array_api'))\n"
        "print(mt.cuda.is_available(), *loaded)"
    )
    assert loaded == ["False"]
