"""mt.save / mt.load: round trips, PyTorch's file format both ways, safety, clear errors.

The PyTorch tests (`torch_module` fixture) are skipped where torch is not installed; the
rest checks the format's promises on minitensor alone: views stay shared, records are
64-byte aligned, weights_only refuses names outside the allow-list, damaged files get a
message that says what is wrong, and a resumed optimizer continues bit for bit.
"""

import collections
import io
import pickle
import zipfile

import numpy as np
import pytest

import minitensor as mt
from minitensor import nn, optim

ALL_DTYPES = [mt.float32, mt.float64, mt.float16, mt.int64, mt.int32, mt.int16, mt.int8,
              mt.uint8, mt.bool]  # fmt: skip


@pytest.fixture
def torch_module():
    return pytest.importorskip("torch")


def round_trip(obj, **load_args):
    buffer = io.BytesIO()
    mt.save(obj, buffer)
    return mt.load(io.BytesIO(buffer.getvalue()), **load_args)


def saved_bytes(obj):
    buffer = io.BytesIO()
    mt.save(obj, buffer)
    return buffer.getvalue()


def rewrite(data, changes):
    """A copy of checkpoint bytes with records replaced ({name: bytes}) or removed (None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            name = info.filename.split("/", 1)[1]
            if name not in changes:
                target.writestr(info, source.read(info))
            elif changes[name] is not None:
                target.writestr(info.filename, changes[name])
    return out.getvalue()


def sample_tensor(dtype, shape=(2, 3)):
    values = np.arange(int(np.prod(shape))).reshape(shape) - 2
    if dtype is mt.bool:
        values = values % 2 == 0
    return mt.tensor(values, dtype=dtype)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(2, 3), (), (0, 4), (5,)], ids=str)
def test_every_dtype_and_shape_round_trips_with_equal_values(dtype, shape):
    t = sample_tensor(dtype, shape)
    back = round_trip(t)
    assert back.dtype is dtype and back.shape == t.shape
    assert np.array_equal(back.numpy(), t.numpy())


def test_nested_checkpoint_round_trips_with_types_kept():
    state = collections.OrderedDict(weight=mt.ones(2, 2), bias=mt.zeros(2))
    checkpoint = {
        "epoch": 7,
        "model": state,
        "history": [0.5, 0.25, float("inf")],
        "shape": mt.Size([2, 3]),
        "pair": (mt.tensor([1, 2]), None, True),
        "big": 2**80,
        "negative": -(2**40),
        "name": "digits ✓",
        "raw": b"\x00\xffbytes",
        "dtype": mt.float64,
        "device": mt.device("cpu"),
        "empty": {},
    }
    back = round_trip(checkpoint)
    assert set(back) == set(checkpoint)
    assert type(back["model"]) is collections.OrderedDict
    assert list(back["model"]) == ["weight", "bias"]
    assert back["history"] == [0.5, 0.25, float("inf")]
    assert isinstance(back["shape"], mt.Size) and back["shape"] == (2, 3)
    assert isinstance(back["pair"], tuple) and back["pair"][1:] == (None, True)
    assert back["pair"][0].tolist() == [1, 2]
    for key in ("epoch", "big", "negative", "name", "raw", "empty"):
        assert back[key] == checkpoint[key]
    assert back["dtype"] is mt.float64 and back["device"] is mt.device("cpu")


def test_views_saved_together_share_one_storage_after_loading():
    w = mt.arange(6.0).reshape(2, 3)
    back = round_trip({"w": w, "column": w[:, 1], "transposed": w.T})
    assert back["column"].tolist() == [1.0, 4.0]
    assert back["transposed"].tolist() == w.T.tolist()
    back["w"][0, 1] = 100.0
    assert back["column"].tolist() == [100.0, 4.0]
    assert back["transposed"][1, 0].item() == 100.0
    records = zipfile.ZipFile(io.BytesIO(saved_bytes({"w": w, "column": w[:, 1]}))).namelist()
    assert sum("/data/" in name for name in records) == 1
    again = zipfile.ZipFile(io.BytesIO(saved_bytes(back))).namelist()  # loaded views, saved
    assert sum("/data/" in name for name in again) == 1


def test_a_slice_saves_its_whole_storage_as_pytorch_does_and_clone_saves_only_the_slice():
    big = mt.zeros(10_000)
    assert len(saved_bytes(big[:2])) > 40_000
    assert len(saved_bytes(big[:2].clone())) < 2_000


def test_non_contiguous_and_strided_views_round_trip():
    x = mt.arange(24.0).reshape(2, 3, 4)
    for view in (x.transpose(0, 2), x[:, ::2, 1:], x[1, :, ::3], x.permute(2, 0, 1)):
        assert round_trip(view).tolist() == view.tolist()


def test_requires_grad_and_parameters_are_kept_and_loaded_tensors_are_leaves():
    param = nn.Parameter(mt.ones(3))
    leaf = mt.ones(2, requires_grad=True)
    back = round_trip({"param": param, "leaf": leaf, "result": leaf * 2})
    assert isinstance(back["param"], nn.Parameter) and back["param"].requires_grad
    assert back["leaf"].requires_grad and back["leaf"].is_leaf
    assert back["result"].requires_grad and back["result"].is_leaf
    assert back["result"].tolist() == [2.0, 2.0]


def test_loaded_tensors_are_writable_and_independent_of_the_saved_ones():
    t = mt.ones(3)
    back = round_trip(t)
    back.add_(1)
    assert t.tolist() == [1.0, 1.0, 1.0] and back.tolist() == [2.0, 2.0, 2.0]


def test_path_and_file_objects_both_work(tmp_path):
    path = tmp_path / "checkpoint.pt"
    mt.save({"x": mt.ones(2)}, path)
    assert mt.load(path)["x"].tolist() == [1.0, 1.0]
    assert mt.load(str(path))["x"].tolist() == [1.0, 1.0]
    with open(path, "rb") as file:
        assert mt.load(file)["x"].tolist() == [1.0, 1.0]


def test_saving_the_same_object_twice_writes_the_same_bytes():
    checkpoint = {"w": mt.arange(4.0), "epoch": 1}
    assert saved_bytes(checkpoint) == saved_bytes(checkpoint)


def test_every_record_starts_at_a_multiple_of_64_bytes():
    data = saved_bytes({"a": mt.ones(3), "b": mt.arange(5), "c": mt.tensor(True)})
    for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
        name_length = int.from_bytes(
            data[info.header_offset + 26 : info.header_offset + 28], "little"
        )
        extra_length = int.from_bytes(
            data[info.header_offset + 28 : info.header_offset + 30], "little"
        )
        start = info.header_offset + 30 + name_length + extra_length
        assert start % 64 == 0, info.filename
        assert info.compress_type == zipfile.ZIP_STORED


def test_objects_that_are_not_checkpoint_data_are_refused_with_a_hint():
    with pytest.raises(TypeError, match="state_dict"):
        saved_bytes({"model": nn.Linear(2, 2)})


def test_cuda_tensors_are_saved_with_their_location_and_map_location_brings_them_back(
    cuda_device,
):
    t = mt.arange(4.0, device=cuda_device)
    data = saved_bytes({"t": t})
    assert b"cuda:0" in zipfile.ZipFile(io.BytesIO(data)).read("archive/data.pkl")
    on_cpu = mt.load(io.BytesIO(data), map_location="cpu")["t"]
    assert on_cpu.device.type == "cpu" and on_cpu.tolist() == [0.0, 1.0, 2.0, 3.0]
    mapped = mt.load(io.BytesIO(data), map_location={"cuda:0": "cpu"})["t"]
    assert mapped.device.type == "cpu"
    again = mt.load(io.BytesIO(data))["t"]
    assert again.device.type == "cuda" and again.cpu().tolist() == [0.0, 1.0, 2.0, 3.0]


def test_map_location_can_send_cpu_tensors_to_cuda(cuda_device):
    back = round_trip(mt.ones(2), map_location=cuda_device)
    assert back.device.type == "cuda"


def test_a_cuda_checkpoint_without_a_gpu_says_to_use_map_location(cuda_device):
    data = saved_bytes(mt.ones(2, device=cuda_device))
    previous = mt.backend.use_cuda_backend(None)
    try:
        if mt.cuda.is_available():
            pytest.skip("a real GPU is present")
        with pytest.raises(RuntimeError, match="map_location"):
            mt.load(io.BytesIO(data))
        assert mt.load(io.BytesIO(data), map_location="cpu").tolist() == [1.0, 1.0]
    finally:
        mt.backend.use_cuda_backend(previous)


# --------------------------------------------------------------------------- weights_only


class Gadget:
    """Not a tensor: a class a checkpoint should not be able to smuggle in by default."""

    def __init__(self, value=0):
        self.value = value


CALLED = []


def _side_effect(*args):
    CALLED.append(args)
    return "ran"


class Payload:
    """Unpickling this calls _side_effect: the way a malicious file runs code."""

    def __reduce__(self):
        return (_side_effect, ("rm -rf",))


def checkpoint_with_pickle(obj):
    """A valid checkpoint whose data.pkl is Python's own pickle of `obj`."""
    return rewrite(saved_bytes(None), {"data.pkl": pickle.dumps(obj, protocol=2)})


def test_weights_only_refuses_an_unknown_class_naming_it():
    data = checkpoint_with_pickle({"gadget": Gadget(3)})
    with pytest.raises(pickle.UnpicklingError) as error:
        mt.load(io.BytesIO(data))
    message = str(error.value)
    assert "Weights only load failed" in message
    assert f"Unsupported global: GLOBAL {__name__}.Gadget" in message
    assert "weights_only` set to `False`" in message


def test_weights_only_never_calls_what_the_file_names():
    CALLED.clear()
    data = checkpoint_with_pickle([Payload()])
    with pytest.raises(pickle.UnpicklingError, match="_side_effect"):
        mt.load(io.BytesIO(data))
    assert CALLED == []
    assert mt.load(io.BytesIO(data), weights_only=False) == ["ran"]  # trusted: it runs
    assert CALLED == [("rm -rf",)]


def test_weights_only_false_loads_any_class_and_add_safe_globals_allows_one():
    data = checkpoint_with_pickle({"gadget": Gadget(3)})
    assert mt.load(io.BytesIO(data), weights_only=False)["gadget"].value == 3
    mt.serialization.add_safe_globals([Gadget])
    try:
        assert Gadget in mt.serialization.get_safe_globals()
        assert mt.load(io.BytesIO(data))["gadget"].value == 3
    finally:
        mt.serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        mt.load(io.BytesIO(data))


# --------------------------------------------------------------------------- bad input


def test_a_file_that_is_not_a_checkpoint_says_so():
    with pytest.raises(pickle.UnpicklingError, match="not a checkpoint.*PK"):
        mt.load(io.BytesIO(b"hello, I am a text file"))
    with pytest.raises(pickle.UnpicklingError, match="empty"):
        mt.load(io.BytesIO(b""))


def test_the_legacy_plain_pickle_format_is_named():
    with pytest.raises(pickle.UnpicklingError, match="legacy format"):
        mt.load(io.BytesIO(pickle.dumps({"a": 1}, protocol=2)))


def test_a_truncated_file_says_it_is_damaged():
    data = saved_bytes({"w": mt.ones(100)})
    for cut in (len(data) // 2, len(data) - 10):
        with pytest.raises(RuntimeError, match="failed reading zip archive.*damaged"):
            mt.load(io.BytesIO(data[:cut]))


def test_a_missing_storage_record_is_named():
    data = rewrite(saved_bytes({"a": mt.ones(2), "b": mt.zeros(3)}), {"data/1": None})
    with pytest.raises(RuntimeError, match="failed locating file data/1: file not found"):
        mt.load(io.BytesIO(data))


def test_a_missing_data_pkl_is_named():
    data = rewrite(saved_bytes(mt.ones(2)), {"data.pkl": None})
    with pytest.raises(RuntimeError, match="failed locating file data.pkl"):
        mt.load(io.BytesIO(data))


def test_a_storage_shorter_than_its_tensor_is_reported():
    data = rewrite(saved_bytes(mt.ones(8)), {"data/0": b"\x00" * 12})
    with pytest.raises(RuntimeError, match="data/0 holds 12 bytes.*need 32"):
        mt.load(io.BytesIO(data))


def test_a_damaged_record_fails_its_checksum():
    data = bytearray(saved_bytes(mt.ones(16)))
    position = data.rindex(np.ones(16, dtype=np.float32).tobytes())
    data[position + 5] ^= 0xFF
    with pytest.raises(RuntimeError, match="data/0.*damaged"):
        mt.load(io.BytesIO(bytes(data)))


def test_a_dtype_minitensor_lacks_is_named_with_a_fix():
    original = saved_bytes(mt.ones(2))
    pickled = zipfile.ZipFile(io.BytesIO(original)).read("archive/data.pkl")
    pickled = pickled.replace(b"torch\nFloatStorage\n", b"torch\nBFloat16Storage\n")
    with pytest.raises(TypeError, match=r"torch.BFloat16Storage \(bfloat16\).*t.float\(\)"):
        mt.load(io.BytesIO(rewrite(original, {"data.pkl": pickled})))


def test_a_whole_pytorch_module_pickle_is_explained(torch_module):
    buffer = io.BytesIO()
    torch_module.save(torch_module.nn.Linear(2, 1), buffer)
    data = buffer.getvalue()
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        mt.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError, match="Save model.state_dict"):
        mt.load(io.BytesIO(data), weights_only=False)


# --------------------------------------------------------------------------- resuming


def train_steps(model, optimizer, steps, start=0):
    """Deterministic steps: batch k is a fixed function of k."""
    for k in range(start, start + steps):
        x = mt.tensor(np.sin(np.arange(12.0) * (k + 1)).reshape(4, 3), dtype=mt.float32)
        y = x.sum(dim=1, keepdim=True) * 0.5
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda params: optim.Adam(params, lr=0.01),
        lambda params: optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True),
        lambda params: optim.AdamW(params, lr=0.01, amsgrad=True),
        lambda params: optim.RMSprop(params, lr=0.01, momentum=0.5),
    ],
    ids=["Adam", "SGD-nesterov", "AdamW-amsgrad", "RMSprop"],
)
def test_resuming_from_a_checkpoint_continues_bit_for_bit(make_optimizer, tmp_path):
    def fresh():
        mt.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
        return model, make_optimizer(model.parameters())

    model, optimizer = fresh()
    train_steps(model, optimizer, 10)

    model_a, optimizer_a = fresh()
    train_steps(model_a, optimizer_a, 4)
    path = tmp_path / "checkpoint.pt"
    mt.save({"model": model_a.state_dict(), "optimizer": optimizer_a.state_dict()}, path)
    del model_a, optimizer_a  # the "crash"

    mt.manual_seed(123)  # a different initialisation, overwritten by the checkpoint
    model_b = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
    optimizer_b = make_optimizer(model_b.parameters())
    checkpoint = mt.load(path)
    model_b.load_state_dict(checkpoint["model"])
    optimizer_b.load_state_dict(checkpoint["optimizer"])
    train_steps(model_b, optimizer_b, 6, start=4)

    for (name, p), q in zip(model.named_parameters(), model_b.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), name


# --------------------------------------------------------------------------- with PyTorch


def torch_dtype(torch, dtype):
    return getattr(torch, dtype.name)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_pytorch_loads_minitensor_files_with_equal_values_and_dtypes(torch_module, dtype, tmp_path):
    torch = torch_module
    t = sample_tensor(dtype, (3, 4))
    path = tmp_path / "mine.pt"
    scalar = sample_tensor(dtype, ())
    mt.save({"t": t, "view": t.T[1:], "scalar": scalar}, path)
    back = torch.load(path, weights_only=True)
    assert back["t"].dtype == torch_dtype(torch, dtype)
    assert np.array_equal(back["t"].numpy(), t.numpy())
    assert np.array_equal(back["view"].numpy(), t.T[1:].numpy())
    assert back["view"].untyped_storage().data_ptr() == back["t"].untyped_storage().data_ptr()
    assert back["scalar"].shape == () and back["scalar"].item() == scalar.item()
    mapped = torch.load(path, weights_only=True, mmap=True)  # needs the 64-byte alignment
    assert np.array_equal(mapped["t"].numpy(), t.numpy())


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_minitensor_loads_pytorch_files_with_equal_values_and_dtypes(torch_module, dtype, tmp_path):
    torch = torch_module
    values = sample_tensor(dtype, (3, 4)).numpy()
    t = torch.from_numpy(values.copy())
    path = tmp_path / "theirs.pt"
    torch.save({"t": t, "view": t.t()[1:], "scalar": t[1, 2].clone()}, path)
    back = mt.load(path)
    assert back["t"].dtype is dtype
    assert np.array_equal(back["t"].numpy(), values)
    assert np.array_equal(back["view"].numpy(), values.T[1:])
    assert back["scalar"].shape == () and back["scalar"].item() == values[1, 2]


def test_a_pytorch_model_and_optimizer_checkpoint_opens_in_minitensor(torch_module, tmp_path):
    torch = torch_module
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    their_optimizer = torch.optim.Adam(theirs.parameters(), lr=0.01)
    theirs(torch.ones(2, 4)).sum().backward()
    their_optimizer.step()
    path = tmp_path / "theirs.pt"
    torch.save({"model": theirs.state_dict(), "optimizer": their_optimizer.state_dict()}, path)

    checkpoint = mt.load(path)
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    ours.load_state_dict(checkpoint["model"])
    our_optimizer = optim.Adam(ours.parameters(), lr=0.01)
    our_optimizer.load_state_dict(checkpoint["optimizer"])
    assert our_optimizer.state[ours[0].weight]["step"].item() == 1.0
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    assert np.allclose(ours(mt.tensor(x)).detach().numpy(), expected, atol=1e-6)


def test_a_minitensor_checkpoint_resumes_in_pytorch(torch_module, tmp_path):
    torch = torch_module
    mt.manual_seed(0)
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    our_optimizer = optim.Adam(ours.parameters(), lr=0.01)
    ours(mt.ones(2, 4)).sum().backward()
    our_optimizer.step()
    path = tmp_path / "mine.pt"
    mt.save({"model": ours.state_dict(), "optimizer": our_optimizer.state_dict()}, path)

    checkpoint = torch.load(path, weights_only=True)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    theirs.load_state_dict(checkpoint["model"])
    their_optimizer = torch.optim.Adam(theirs.parameters(), lr=0.01)
    their_optimizer.load_state_dict(checkpoint["optimizer"])
    state = their_optimizer.state[theirs[0].weight]
    assert state["step"].item() == 1.0
    assert np.array_equal(
        state["exp_avg"].numpy(), our_optimizer.state[ours[0].weight]["exp_avg"].numpy()
    )
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    with torch.no_grad():
        got = theirs(torch.from_numpy(x)).numpy()
    assert np.allclose(got, ours(mt.tensor(x)).detach().numpy(), atol=1e-6)
