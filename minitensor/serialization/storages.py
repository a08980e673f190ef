"""Storages: the flat blocks of numbers that tensors are views of, in and out of a file.

A tensor in a checkpoint is described in two parts, as PyTorch keeps it in memory:

    a storage        a flat run of `numel` numbers of one dtype, saved raw as `data/<key>`
    a view of it     (storage_offset, size, stride): element [i, j] of the tensor is
                     storage[storage_offset + i * stride[0] + j * stride[1]]

So `w` (2x3, stride (3, 1)) and its column `w[:, 1]` (offset 1, size (2,), stride (3,))
are two views of one storage of 6 numbers: saved together, the numbers are written once,
and after loading the two tensors share memory again. The flip side, as in PyTorch: saving
a small slice of a big tensor writes the whole storage (`.clone()` the slice first).

minitensor keeps its numbers in NumPy arrays, and a NumPy view knows its `base`: the array
that owns the memory. That owner plays the part of the storage here.

Read next: pickler.py (how the views are written into data.pkl).
"""

import numpy as np

from .. import backend, dtypes
from ..tensor import Tensor

# PyTorch's storage class for each dtype: the name data.pkl uses, e.g. `torch.FloatStorage`.
STORAGE_NAMES = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
    "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
}  # fmt: skip
DTYPE_OF_STORAGE = {storage: dtypes.as_dtype(name) for name, storage in STORAGE_NAMES.items()}
# Storages PyTorch has and minitensor does not, with their dtype, for the error message.
UNSUPPORTED_STORAGES = {
    "BFloat16Storage": "bfloat16", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128", "QInt8Storage": "qint8", "QUInt8Storage": "quint8",
    "QInt32Storage": "qint32", "UntypedStorage": "an untyped storage",
}  # fmt: skip


# ----------------------------------------------------------------------------- saving


class SavedView:
    """Where one tensor's numbers are: its storage (type name, key, device, numel) and view."""

    def __init__(self, storage_name, key, location, numel, offset, size, stride):
        self.storage_name, self.key, self.location, self.numel = storage_name, key, location, numel
        self.offset, self.size, self.stride = offset, size, stride


class StorageTable:
    """The storages of everything being saved: one `data/<key>` record per block of memory.

    `add(tensor)` finds (or makes) the storage that holds the tensor's numbers and returns
    the tensor as a SavedView of it. `records` are the (key, raw bytes) to write.
    """

    def __init__(self):
        self.keys = {}  # id(owning array) -> key
        self.owners = []  # the owning arrays, kept alive so that their ids stay unique
        self.records = []  # (key, bytes)

    def add(self, tensor):
        array = tensor._data
        location = str(tensor.device)
        if tensor.device.type == "cpu":
            owner = _owner(array)
            view = _view_of(array, owner)
            if view is not None:
                return self._saved(tensor, owner, view, location)
        else:
            array = tensor.device.backend.to_numpy(array)  # bring GPU numbers to the host
        # Not a plain view of its owner (a flipped or reinterpreted array, GPU numbers):
        # save a compact copy as its own storage.
        compact = np.ascontiguousarray(array)
        return self._saved(tensor, compact, (0, _contiguous_strides(compact.shape)), location)

    def _saved(self, tensor, owner, view, location):
        key = self.keys.get(id(owner))
        if key is None:
            key = self.keys[id(owner)] = str(len(self.keys))
            self.owners.append(owner)
            self.records.append((key, _little_endian_bytes(owner)))
        offset, stride = view
        return SavedView(
            STORAGE_NAMES[tensor.dtype.name],
            key,
            location,
            owner.size,
            offset,
            tuple(tensor.shape),
            stride,
        )


def _owner(array):
    """The array that owns the memory `array` looks at (follow `.base` to the end)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _view_of(array, owner):
    """(offset, stride) in elements of `array` inside `owner`'s memory, or None if the
    array cannot be described that way (other dtype, negative or odd strides)."""
    itemsize = array.itemsize
    if array.size == 0 or owner.dtype != array.dtype:
        return None
    if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        return None
    start = array.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    if start % itemsize or any(s < 0 or s % itemsize for s in array.strides):
        return None
    return start // itemsize, tuple(s // itemsize for s in array.strides)


def _contiguous_strides(shape):
    """Row-major strides in elements: shape (2, 3, 4) -> (12, 4, 1)."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def _little_endian_bytes(owner):
    """The owner's memory, in memory order, as little-endian bytes (PyTorch's byte order)."""
    flat = owner.ravel(order="K")  # no copy: the owner is one contiguous block
    return flat.astype(flat.dtype.newbyteorder("<"), copy=False).tobytes()


# ----------------------------------------------------------------------------- loading


class LoadedStorage:
    """One `data/<key>` record as a flat NumPy array, plus the device its tensors go to."""

    def __init__(self, key, array, device):
        self.key, self.array, self.device = key, array, device

    def view(self, offset, size, stride):
        """The tensor's numbers: a NumPy view into this storage (no copy)."""
        size, stride = tuple(size), tuple(stride)
        if len(size) != len(stride) or any(s < 0 for s in stride) or offset < 0:
            raise RuntimeError(
                f"a tensor in this checkpoint has size {list(size)}, stride {list(stride)} "
                f"and offset {offset}: not a valid view of storage data/{self.key}"
            )
        if 0 in size:
            return self.array[:0].reshape(size)
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= self.array.size:
            raise RuntimeError(
                f"a tensor of size {list(size)} with stride {list(stride)} at offset {offset} "
                f"reads element {last} of storage data/{self.key}, which holds only "
                f"{self.array.size} numbers: the checkpoint is damaged"
            )
        if stride == _contiguous_strides(size):  # the common case: a run of numbers
            return self.array[offset : offset + int(np.prod(size))].reshape(size)
        # Any other layout (a transpose, a strided slice): an array over the same memory
        # with the saved strides, in bytes. Its `base` is the storage, so saving it again
        # finds the storage again.
        itemsize = self.array.itemsize
        return np.ndarray(
            size,
            dtype=self.array.dtype,
            buffer=self.array,
            offset=offset * itemsize,
            strides=[s * itemsize for s in stride],
        )


def read_storage(raw, key, storage_name, numel, byteorder, device):
    """A LoadedStorage from the raw bytes of record data/<key>."""
    dtype = DTYPE_OF_STORAGE.get(storage_name)
    if dtype is None:
        what = UNSUPPORTED_STORAGES.get(storage_name, "a dtype minitensor does not know")
        raise TypeError(
            f"this checkpoint holds a tensor stored as torch.{storage_name} ({what}); "
            f"minitensor's dtypes are {', '.join(STORAGE_NAMES)}. Convert it in PyTorch "
            "before saving (for example t.float() or t.to(torch.float32))"
        )
    expected = numel * dtype.itemsize
    if len(raw) < expected:
        raise RuntimeError(
            f"storage data/{key} holds {len(raw)} bytes, but its {numel} {dtype.name} numbers "
            f"need {expected}: the checkpoint is damaged (cut short?)"
        )
    stored = dtype.numpy.newbyteorder("<" if byteorder == "little" else ">")
    # bytearray: a writable copy, so loaded tensors can be trained and changed in place
    array = np.frombuffer(bytearray(raw[:expected]), dtype=stored)
    return LoadedStorage(key, array.astype(dtype.numpy, copy=False), device)


def rebuild_tensor(storage, storage_offset, size, stride, requires_grad=False, *unused):
    """`torch._utils._rebuild_tensor_v2`: a tensor from (storage, offset, size, stride).

    The trailing arguments PyTorch passes (backward hooks, metadata) carry nothing a
    checkpoint of numbers needs.
    """
    if not isinstance(storage, LoadedStorage):
        raise RuntimeError(f"_rebuild_tensor_v2 expected a storage, got {type(storage).__name__}")
    tensor = Tensor._from_array(storage.view(storage_offset, size, stride), backend.cpu)
    if storage.device is not backend.cpu:
        tensor = tensor.to(storage.device)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor
