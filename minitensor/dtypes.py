"""Data types (`mt.float32`, `mt.int64`, ...) and PyTorch's type-promotion rule.

A `dtype` is a small named object wrapping the NumPy dtype that stores the numbers.
`result_type` decides the dtype of `a + b` exactly as PyTorch does for the common cases;
it differs from NumPy in two places a learner meets early:

- `int tensor + 0.5` is float32 in PyTorch (the *default* float dtype), float64 in NumPy.
- `int64 tensor / int64 tensor` is float32 in PyTorch, float64 in NumPy.

Read next: tensor.py (where every tensor gets its dtype) and creation.py.
"""

import builtins

import numpy as np


class dtype:
    """One element type. Prints like PyTorch's (`minitensor.float32`)."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "category")

    def __init__(self, name, numpy_dtype, category):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = category  # 0 = bool, 1 = integer, 2 = floating point
        self.is_floating_point = category == 2
        self.is_signed = category != 0
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"minitensor.{self.name}"

    def __reduce__(self):
        # dtypes are singletons: unpickling returns the module-level object
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
int8 = dtype("int8", np.int8, 1)
uint8 = dtype("uint8", np.uint8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
bool = dtype("bool", np.bool_, 0)  # noqa: A001  (PyTorch's name: torch.bool)

# PyTorch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool)
_FROM_NUMPY = {d.numpy: d for d in ALL}
_NAMES = {d.name: d for d in ALL}

# PyTorch's torch.get_default_dtype(): what Python floats become.
_default_float = float32


def _by_name(name):
    return _NAMES[name]


# The C++ names PyTorch's error messages use ("result type Float can't be cast to ... Long").
_SCALAR_TYPE_NAMES = {
    "float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
    "uint8": "Byte", "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool",
}  # fmt: skip


def scalar_type_name(d):
    """PyTorch's name for a dtype in error messages: float32 -> 'Float', int64 -> 'Long'."""
    return _SCALAR_TYPE_NAMES[d.name]


# The C++ type behind each dtype, which some of PyTorch's messages name instead (matmul's).
_CPP_TYPE_NAMES = {
    "float16": "c10::Half", "float32": "float", "float64": "double", "int8": "signed char",
    "uint8": "unsigned char", "int16": "short int", "int32": "int", "int64": "long int",
    "bool": "bool",
}  # fmt: skip


def cpp_type_name(d):
    """The C++ type name PyTorch's matmul errors use: float32 -> 'float', int64 -> 'long int'."""
    return _CPP_TYPE_NAMES[d.name]


def get_default_dtype():
    return _default_float


def set_default_dtype(d):
    global _default_float
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def as_dtype(d):
    """Turn `mt.float32`, `np.float32`, `"float32"` or a NumPy dtype into our dtype object."""
    if isinstance(d, dtype):
        return d
    if isinstance(d, str):
        key = d.removeprefix("minitensor.").removeprefix("torch.")
        if key in _NAMES:
            return _NAMES[key]
        aliases = {
            "float": float32,
            "double": float64,
            "half": float16,
            "long": int64,
            "int": int32,
            "short": int16,
        }
        if key in aliases:
            return aliases[key]
        raise TypeError(f"unknown dtype {d!r}; expected one of {sorted(_NAMES)}")
    try:
        return _FROM_NUMPY[np.dtype(d)]
    except (TypeError, KeyError):
        raise TypeError(f"unsupported dtype {d!r}; expected one of {sorted(_NAMES)}") from None


def from_numpy_dtype(numpy_dtype):
    """The dtype object for a NumPy (or CuPy, or array-API) array's dtype."""
    try:
        return _FROM_NUMPY[numpy_dtype]  # a NumPy dtype is a key already: the fast path
    except (TypeError, KeyError):
        pass
    try:
        return _FROM_NUMPY[np.dtype(numpy_dtype)]
    except (TypeError, KeyError):
        raise TypeError(
            f"can't convert an array of type {numpy_dtype}; the supported types are "
            f"{', '.join(sorted(_NAMES))}"
        ) from None


def _python_scalar_dtype(x):
    # This module rebinds `bool`, `int` and `float` to dtypes (PyTorch's names), so the
    # Python types are reached through `builtins`. `True` is an int in Python: test bool first.
    if isinstance(x, (builtins.bool, np.bool_)):
        return bool
    if isinstance(x, (builtins.int, np.integer)):
        return int64
    if isinstance(x, (builtins.float, np.floating)):
        return _default_float
    raise TypeError(f"unsupported operand {x!r} of type {type(x).__name__}")


def result_type(*operands):
    """The dtype of an elementwise op over `operands` (tensors and Python numbers).

    PyTorch's rule in three steps:
    1. Find the highest *category* among all operands: bool < integer < floating point.
    2. Among the operands of that category, keep those of the highest *priority*:
       a tensor with dimensions > a zero-dimensional tensor > a Python number.
    3. Promote their dtypes; Python numbers alone give the default dtype of the category
       (int64 for ints, float32 for floats).
    So `float32 tensor + 2.5` stays float32 and `int64 tensor + 2.5` becomes float32.
    """
    best_category, best_priority, chosen = -1, -1, None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            priority = 2 if x.ndim > 0 else 1
        else:
            d, priority = _python_scalar_dtype(x), 0
        if d.category > best_category or (d.category == best_category and priority > best_priority):
            best_category, best_priority, chosen = d.category, priority, d
        elif d.category == best_category and priority == best_priority and d is not chosen:
            chosen = _FROM_NUMPY[np.promote_types(chosen.numpy, d.numpy)]
    return chosen
