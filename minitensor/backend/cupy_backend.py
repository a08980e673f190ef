"""The CUDA backend: CuPy arrays, behind device("cuda"); created on first use (__init__.py).

Read next: standin.py (how the tests play this backend without a GPU).
"""

from .numpy_backend import NumpyBackend


class CupyBackend(NumpyBackend):
    """The CUDA backend: CuPy arrays, seen through array_api_compat's CuPy namespace.

    The namespace is needed because CuPy's own names are NumPy 1's (`concatenate`, no
    `permute_dims`, `astype` only as a method); array_api_compat adds the array-API names.
    Any CuPy build works (cupy-cuda12x, cupy-cuda13x, conda's cupy): all import as `cupy`.
    """

    name = "cupy"

    def __init__(self, cupy_module):
        import array_api_compat.cupy as cupy_namespace

        self.cupy = cupy_module
        self.xp = cupy_namespace

    def asarray(self, data, dtype=None):
        return self.cupy.asarray(data, dtype=None if dtype is None else dtype.numpy)

    def to_numpy(self, array):
        return self.cupy.asnumpy(array)

    def is_array(self, obj):
        return isinstance(obj, self.cupy.ndarray)

    def index_add(self, target, index, values):
        add_at = getattr(self.cupy.add, "at", None)  # CuPy >= 12; older: cupyx.scatter_add
        if add_at is None:
            import cupyx

            cupyx.scatter_add(target, index, values)
        else:
            add_at(target, index, values)
        return target

    def device_count(self):
        return self.cupy.cuda.runtime.getDeviceCount()

    def synchronize(self):
        self.cupy.cuda.Device().synchronize()

    def device_name(self):
        name = self.cupy.cuda.runtime.getDeviceProperties(0)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
