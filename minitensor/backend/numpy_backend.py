"""The CPU backend: plain NumPy arrays, behind device("cpu").

Read next: cupy_backend.py (the GPU, the same methods on CuPy), standin.py (the GPU played
by array_api_strict in tests), __init__.py (devices).
"""

import numpy as np

from .. import dtypes


class NumpyBackend:
    """The CPU backend: plain NumPy arrays."""

    name = "numpy"
    xp = np

    def asarray(self, data, dtype=None):
        """An array on this backend from host data (NumPy array, list, number)."""
        return np.asarray(data, dtype=None if dtype is None else dtype.numpy)

    def to_numpy(self, array):
        return np.asarray(array)

    def dtype_of(self, array):
        return dtypes.from_numpy_dtype(array.dtype)

    def native_dtype(self, dtype):
        """Our dtype object as this library's own dtype (what `xp.astype` takes)."""
        return dtype.numpy

    def is_array(self, obj):
        return isinstance(obj, np.ndarray)

    def getitem(self, array, index):
        """array[index]: basic indexing gives a view, array indexing a copy."""
        return array[index]

    def setitem(self, array, index, values):
        """array[index] = values, in place."""
        array[index] = values

    def index_add(self, target, index, values):
        """target[index] += values, adding repeated indices up (`x[[0, 0]] += 1` adds 2).

        Plain `target[index] += values` would add only once per position: NumPy evaluates
        it as `target[index] = target[index] + values`. Returns the result (which may be
        `target` itself, changed in place).
        """
        np.add.at(target, index, values)
        return target

    def device_count(self):
        return 0

    def synchronize(self):
        """Wait until queued work is done (NumPy finishes each call before returning)."""

    def device_name(self):
        return "CPU"
