"""Checkpoints: `mt.save(obj, f)` and `mt.load(f)`, in the file format PyTorch writes.

    checkpoint = {"epoch": 3, "model": model.state_dict(), "optimizer": optimizer.state_dict()}
    mt.save(checkpoint, "checkpoint.pt")
    checkpoint = mt.load("checkpoint.pt")            # weights_only=True: safe to open

The file is the zip archive `torch.save` writes (PyTorch 1.6 and later), so `torch.load`
opens what minitensor saved and `mt.load` opens a state_dict saved by PyTorch. Open one
with any unzip tool; it holds one folder:

    archive/data.pkl            the object as a pickle, each tensor replaced by a reference
                                to its storage (pickler.py)
    archive/data/0, data/1 ...  one record per storage: its numbers as raw little-endian
                                bytes, nothing else (storages.py)
    archive/byteorder           "little"
    archive/version             "3", the version of this layout
    archive/.format_version     "1", and .storage_alignment "64": records start at
                                multiples of 64 bytes (archive.py)

Three ideas to take away:

- a tensor is a view (offset, size, stride) of a flat storage; views saved together stay
  views of one storage after loading;
- the numbers are not pickled: they are raw bytes next to the pickle, which only says
  which record holds them and how to look at them;
- loading a pickle runs code it names, so `weights_only=True` (the default, as in
  PyTorch 2.6+) accepts only the names a checkpoint of numbers needs (unpickler.py).

Where minitensor differs: `save` writes tensors, numbers, strings, bytes, None, dtypes,
devices, and lists, tuples and dicts of them (everything state_dicts and checkpoints hold)
and refuses other objects; `map_location` takes a device, a string or a dict, not a
function; the legacy pre-1.6 format is not read.

Read next: archive.py, storages.py, pickler.py, unpickler.py; then nn/module.py
(`state_dict`, `load_state_dict`) and optim/optimizer.py (the optimizer's `state_dict`).
"""

import io
import os
import pickle

from .. import backend
from .archive import ArchiveReader, ArchiveWriter
from .pickler import CheckpointPickler
from .storages import StorageTable
from .unpickler import CheckpointUnpickler, add_safe_globals, clear_safe_globals, get_safe_globals

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals"]

ZIP_MAGIC = b"PK\x03\x04"


def save(obj, f):
    """Write `obj` (a tensor, or dicts/lists/tuples of tensors and plain values) to `f`,
    a path or a binary file object, as PyTorch's `torch.save` does."""
    storages = StorageTable()
    pickled = CheckpointPickler(storages).dumps(obj)
    archive = ArchiveWriter()
    archive.write("data.pkl", pickled)
    archive.write(".format_version", b"1")
    archive.write(".storage_alignment", b"64")
    archive.write("byteorder", b"little")
    for key, data in storages.records:
        archive.write(f"data/{key}", data)
    archive.write("version", b"3\n")
    data = archive.getvalue()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            file.write(data)
    else:
        f.write(data)


def load(f, map_location=None, weights_only=True):
    """Read what `save` (or `torch.save`) wrote to `f`, a path or a binary file object.

    map_location   where the tensors go: None (where they were saved), "cpu", a device,
                   or a dict {"cuda:0": "cpu"} from saved location to new location
    weights_only   True (default): refuse any pickled name outside the allow-list (safe
                   for files from strangers); False: unpickle anything (trusted files only)
    """
    data, where = _read_all(f)
    if not data.startswith(ZIP_MAGIC):
        raise pickle.UnpicklingError(_not_a_checkpoint(data, where))
    archive = ArchiveReader(data, where)
    pickled = archive.read("data.pkl")

    def device_for(location):
        return _target_device(location, map_location)

    unpickler = CheckpointUnpickler(io.BytesIO(pickled), archive, device_for, weights_only)
    try:
        return unpickler.load()
    except EOFError:
        raise pickle.UnpicklingError(
            f"data.pkl in {where} ends too early: the checkpoint is damaged"
        ) from None


def _read_all(f):
    """(the bytes, a name for messages) of a path or an open binary file."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return file.read(), os.fspath(f)
    data = f.read()
    if isinstance(data, str):
        raise TypeError("load() needs a file opened in binary mode: open(path, 'rb')")
    return data, getattr(f, "name", "the file object")


def _not_a_checkpoint(data, where):
    if not data:
        return f"{where} is empty: not a checkpoint (was it saved completely?)"
    if data.startswith(b"\x80"):
        return (
            f"{where} is a plain pickle, as PyTorch's legacy format (before 1.6, or "
            "_use_new_zipfile_serialization=False) writes: minitensor reads only the zip "
            "format. Load and save it again with a current PyTorch"
        )
    return (
        f"invalid load key: {where} is not a checkpoint. It starts with {data[:8]!r}; a "
        f"file written by torch.save or minitensor.save starts with {ZIP_MAGIC!r} (a zip "
        "archive)"
    )


def _target_device(location, map_location):
    """The device for tensors saved at `location` ("cpu", "cuda:0"), given map_location."""
    if map_location is None:
        wanted = location
    elif isinstance(map_location, dict):
        wanted = map_location.get(location, location)
    elif isinstance(map_location, (str, backend.device)):
        wanted = map_location
    else:
        raise TypeError(
            f"map_location should be a device, a string or a dict, got "
            f"{type(map_location).__name__} (minitensor does not take a function here)"
        )
    device = backend.tensor_device(wanted)
    if device.type == "cuda" and backend.cuda_unavailable_reason() is not None:
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but "
            "minitensor.cuda.is_available() is False. If you are running on a CPU-only "
            "machine, please use minitensor.load with map_location='cpu' to map your "
            "storages to the CPU."
        )
    return device
