"""A stand-in GPU for tests: the CUDA backend played by `array_api_strict` on its `device1`.

CPU-only machines (CI, laptops) cannot run CuPy, yet the device code must be tested there.
This backend stands in for CuPy behind `device("cuda")` (tests/conftest.py puts it in
place with `backend.use_cuda_backend`). Like a GPU's arrays, its arrays refuse
`np.asarray` and refuse to mix with CPU arrays, so an op that silently falls back to NumPy,
or builds an array on the host and mixes it in, fails under this backend on any machine.

It offers the same methods as the backends beside it (numpy_backend.py, cupy_backend.py).
Two things the array API cannot do, and CuPy can, are emulated: NumPy's full indexing (the
array API allows integer-array indices only in a few forms) and scatter-add. Both work out
*where* elements go on the host, from the index alone, and move the numbers with array-API
functions on the device.
Slow, and fine for tests. No float16 (the array API has none).

Read next: __init__.py (devices, and `use_cuda_backend`).
"""

import math

import numpy as np

from .. import dtypes


class ArrayApiStrictBackend:
    """The stand-in: `array_api_strict` arrays on its `device1` device (see the module)."""

    name = "array_api_strict"

    def __init__(self):
        import array_api_strict

        self.xp = array_api_strict
        self.device = array_api_strict.Device("device1")
        self._host = array_api_strict.__array_namespace_info__().default_device()
        self._array_type = type(array_api_strict.asarray(0))

    def asarray(self, data, dtype=None):
        host = np.asarray(data, dtype=None if dtype is None else dtype.numpy)
        return self.xp.asarray(host, device=self.device)

    def to_numpy(self, array):
        # The one sanctioned way back to the host: copy to the CPU device first.
        return np.asarray(array.to_device(self._host))

    def dtype_of(self, array):
        return dtypes.as_dtype(str(array.dtype).removeprefix("array_api_strict."))

    def native_dtype(self, dtype):
        return getattr(self.xp, dtype.name)

    def is_array(self, obj):
        return isinstance(obj, self._array_type)

    def device_count(self):
        return 1

    def synchronize(self):
        pass

    def device_name(self):
        return "array_api_strict stand-in (no GPU)"

    # ------------------------------------------------------------------ indexing

    def _positions(self, shape, index):
        """Flat positions (host array shaped like the result) that `x[index]` reads.

        NumPy applies the index to the numbers 0, 1, 2, ... laid out in x's shape; only the
        index, never x's data, is copied to the host for this.
        """
        host_index = tuple(self.to_numpy(p) if self.is_array(p) else p for p in index)
        return np.arange(math.prod(shape)).reshape(shape)[host_index]

    def _is_advanced(self, index):
        return any(self.is_array(p) for p in index)

    def _scatter(self, flat, positions, values):
        """`flat` with `values[k]` written at `positions[k]` (positions all different)."""
        if positions.size == 0:
            return flat
        source = np.zeros(flat.shape[0], dtype=np.int64)
        source[positions] = np.arange(positions.size)
        mask = np.zeros(flat.shape[0], dtype=bool)
        mask[positions] = True
        spread = self.xp.take(values, self.asarray(source), axis=0)
        return self.xp.where(self.asarray(mask), spread, flat)

    def getitem(self, array, index):
        if not self._is_advanced(index):
            return array[index]
        positions = self._positions(array.shape, index)
        flat = self.xp.reshape(array, (-1,))
        picked = self.xp.take(flat, self.asarray(positions.reshape(-1)), axis=0)
        return self.xp.reshape(picked, positions.shape)

    def setitem(self, array, index, values):
        if not self._is_advanced(index):
            if any(part is None for part in index):
                # The array API allows no None (new axis) in a write: drop those size-1 axes.
                with_new_axes = array[index].shape
                index = tuple(part for part in index if part is not None)
                if self.is_array(values):
                    values = self.xp.broadcast_to(values, with_new_axes)
                    values = self.xp.reshape(values, array[index].shape)
            array[index] = values
            return
        positions = self._positions(array.shape, index)
        if not self.is_array(values):
            values = self.xp.full(positions.shape, values, dtype=array.dtype, device=self.device)
        values = self.xp.reshape(self.xp.broadcast_to(values, positions.shape), (-1,))
        flat = positions.reshape(-1)
        # Where an index repeats, the last write wins, as in NumPy: keep last occurrences.
        _, last_reversed = np.unique(flat[::-1], return_index=True)
        keep = flat.size - 1 - last_reversed
        keep_device = self.asarray(keep)
        written = self._scatter(
            self.xp.reshape(array, (-1,)), flat[keep], self.xp.take(values, keep_device, axis=0)
        )
        array[...] = self.xp.reshape(written, array.shape)

    def index_add(self, target, index, values):
        positions = self._positions(target.shape, index)
        values = self.xp.reshape(self.xp.broadcast_to(values, positions.shape), (-1,))
        positions = positions.reshape(-1)
        if positions.size == 0:
            return target
        # Repeated positions are added in rounds: the 1st occurrence of every position,
        # then the 2nd, ...; within a round all positions differ, so a scatter suffices.
        order = np.argsort(positions, kind="stable")
        ordered = positions[order]
        group_starts = np.r_[True, ordered[1:] != ordered[:-1]]
        first_of_group = np.maximum.accumulate(np.where(group_starts, np.arange(ordered.size), 0))
        occurrence = np.empty(positions.size, dtype=np.int64)
        occurrence[order] = np.arange(ordered.size) - first_of_group
        flat = self.xp.reshape(target, (-1,))
        for round_ in range(int(occurrence.max()) + 1):
            chosen = np.flatnonzero(occurrence == round_)
            picked = self.xp.take(values, self.asarray(chosen), axis=0)
            zeros = self.xp.zeros_like(flat)
            flat = flat + self._scatter(zeros, positions[chosen], picked)
        return self.xp.reshape(flat, target.shape)
