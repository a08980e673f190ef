"""Reading data.pkl back: the names a pickle may call, and where storages come from.

Unpickling runs the program in data.pkl (pickler.py), and that program may call any
function it names: `GLOBAL "os" "system"` followed by REDUCE runs a shell command. Opening
a checkpoint from the internet is running its code. So, as PyTorch 2.6 and later do by
default, `load(..., weights_only=True)` accepts only names on an allow-list: the few a
checkpoint of numbers needs (rebuilding a tensor, an OrderedDict, a dtype, a device).
Any other name stops the load with an UnpicklingError that names it. weights_only=False
lets pickle import whatever the file names: only for files you trust.

The `torch.*` names in a checkpoint are just text: minitensor maps each one to its own
function (`torch._utils._rebuild_tensor_v2` -> storages.rebuild_tensor) and never imports
torch. A storage is not inside data.pkl: the pickle holds a persistent id,
("storage", torch.FloatStorage, "0", "cpu", 6), and `persistent_load` answers it with the
numbers of record data/0.

Read next: __init__.py (load, which drives this).
"""

import codecs
import collections
import pickle

from .. import backend, dtypes
from ..nn.parameter import Parameter
from ..tensor import Size
from .storages import read_storage, rebuild_tensor

# Names added by add_safe_globals: (module, name) -> the object.
_user_safe_globals = {}


class StorageType:
    """What `torch.FloatStorage` etc. unpickle to: only its name matters (the dtype)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


def rebuild_parameter(data, requires_grad, backward_hooks=None, *state):
    """`torch._utils._rebuild_parameter`: a Parameter around a rebuilt tensor."""
    return Parameter(data, requires_grad)


def _torch_names():
    """The torch names minitensor understands, mapped to what builds them here."""
    names = {
        ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): rebuild_parameter,
        ("torch", "Size"): Size,
        ("torch", "device"): backend.device,
    }
    for dtype in dtypes.ALL:
        names["torch", dtype.name] = dtype
    storage_names = "Float Double Half Long Int Short Char Byte Bool BFloat16 ComplexFloat"
    for prefix in [*storage_names.split(), "ComplexDouble", "QInt8", "QUInt8", "QInt32"]:
        names["torch", f"{prefix}Storage"] = StorageType(f"{prefix}Storage")
    names["torch", "UntypedStorage"] = StorageType("UntypedStorage")
    return names


TORCH_NAMES = _torch_names()
# Plain Python names a checkpoint may use (protocol 2 writes bytes as _codecs.encode).
SAFE_PYTHON_NAMES = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "bytearray"): bytearray,
    ("_codecs", "encode"): codecs.encode,
}


class CheckpointUnpickler(pickle.Unpickler):
    """Unpickles data.pkl, taking storages from `archive` and names from the allow-list."""

    def __init__(self, file, archive, device_for, weights_only):
        super().__init__(file)
        self.archive = archive  # an ArchiveReader
        self.device_for = device_for  # location string ("cpu", "cuda:0") -> device
        self.weights_only = weights_only
        # Files from before the byteorder record were written little-endian.
        has_order = archive.has("byteorder")
        self.byteorder = archive.read("byteorder").decode() if has_order else "little"
        self.storages = {}  # key -> LoadedStorage: views saved together stay shared

    def find_class(self, module, name):
        if (module, name) in TORCH_NAMES:
            return TORCH_NAMES[module, name]
        if (module, name) in SAFE_PYTHON_NAMES:
            return SAFE_PYTHON_NAMES[module, name]
        if (module, name) in _user_safe_globals:
            return _user_safe_globals[module, name]
        if self.weights_only:
            raise pickle.UnpicklingError(_weights_only_message(module, name))
        if module == "torch" or module.startswith("torch."):
            raise pickle.UnpicklingError(
                f"this checkpoint contains the PyTorch object {module}.{name}, which minitensor "
                "cannot rebuild: it loads tensors, dtypes and devices, and plain Python "
                "values. Was it saved with torch.save(model)? Save model.state_dict() instead"
            )
        return super().find_class(module, name)

    def persistent_load(self, pid):
        """("storage", storage type, key, location, numel) -> that storage's numbers."""
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(
                f"unknown persistent id {pid!r} in data.pkl: expected ('storage', type, key, "
                "location, numel)"
            )
        _, storage_type, key, location, numel = pid
        if key not in self.storages:
            if not isinstance(storage_type, StorageType):
                raise pickle.UnpicklingError(f"{storage_type!r} is not a storage type")
            raw = self.archive.read(f"data/{key}")
            device = self.device_for(location)
            self.storages[key] = read_storage(
                raw, key, storage_type.name, numel, self.byteorder, device
            )
        return self.storages[key]


def _weights_only_message(module, name):
    return (
        "Weights only load failed. This file can still be loaded, to do so you have two "
        "options, do those steps only if you trust the source of the checkpoint.\n"
        "\t(1) Re-running `minitensor.load` with `weights_only` set to `False` will likely "
        "succeed, but it can result in arbitrary code execution. Do it only if you got the "
        "file from a trusted source.\n"
        "\t(2) Alternatively, allow this one name with "
        f"`minitensor.serialization.add_safe_globals([{module}.{name}])`.\n"
        f"\tWeightsUnpickler error: Unsupported global: GLOBAL {module}.{name} was not an "
        "allowed global by default."
    )


def add_safe_globals(safe_globals):
    """Allow these classes or functions in `load(..., weights_only=True)` (PyTorch's name).

    Only for your own, trusted types: whatever is allowed here, a file can call.
    """
    for obj in safe_globals:
        _user_safe_globals[obj.__module__, obj.__qualname__] = obj


def get_safe_globals():
    """The objects add_safe_globals allowed."""
    return list(_user_safe_globals.values())


def clear_safe_globals():
    """Forget everything add_safe_globals allowed."""
    _user_safe_globals.clear()
