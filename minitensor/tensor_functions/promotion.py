"""Type promotion and broadcasting checks: what every op with two operands does first.

    _promote(a, b)        both operands in their common dtype, by PyTorch's rule
                          (dtypes.result_type): int tensor + 0.5 is float32, a float tensor
                          times a Python number keeps its dtype; also the device check
    _cast(x, dtype)       a recorded conversion, so gradients flow back through it
    _float(x)             an int tensor as the default float dtype (softmax, var, std)
    _broadcast_check      the shape error, naming both shapes (NumPy's names neither)
    _binary(op, a, b)     _promote, then op.apply(a, b) (_broadcast_check if it fails)

Read next: arithmetic.py (add, mul, ... are one `_binary` call each), dtypes.py (the rule).
"""

import builtins

from .. import backend, dtypes
from ..tensor import Tensor
from ._args import _as_tensor_operand
from .conversion import to


def _cast(x, dtype):
    """A tensor converted to `dtype` (recorded, so gradients flow back); numbers pass.

    The copy shares x's version counter: PyTorch converts operands inside the kernel and
    saves x itself, so changing x in place must still be caught by the op that saved the
    copy (maximum(x_float, i_int); i_int.sub_(1); backward raises).
    """
    if isinstance(x, Tensor) and x.dtype is not dtype:
        converted = to(x, dtype)
        converted._version = x._version
        return converted
    return x


def _promote(a, b, floating=False):
    """Both operands in their common dtype (PyTorch's rule); `floating` for true division."""
    a_tensor, b_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
    if (
        a_tensor
        and b_tensor
        and a.dtype is b.dtype
        and a.device is b.device  # different devices: checked below (0-dim CPU tensors pass)
        and (a.dtype.is_floating_point or not floating)
    ):
        return a, b  # the fast path: nothing to convert
    # Second fast path: a float tensor with a Python number keeps its dtype (x * 0.5).
    if a_tensor and a.dtype.is_floating_point and type(b) in (builtins.float, builtins.int):
        return a, b
    if b_tensor and b.dtype.is_floating_point and type(a) in (builtins.float, builtins.int):
        return a, b
    tensor = a if a_tensor else b
    a = _as_tensor_operand(a, tensor)
    b = _as_tensor_operand(b, tensor)
    dtype = dtypes.result_type(a, b)
    if floating and not dtype.is_floating_point:
        dtype = dtypes.get_default_dtype()
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.device is not b.device:
        # PyTorch lets a 0-dim CPU tensor join a CUDA op, like a number
        if a.ndim == 0 and a.device is backend.cpu:
            a = a.item()
        elif b.ndim == 0 and b.device is backend.cpu:
            b = b.item()
        else:
            backend.raise_device_mismatch(a.device, b.device)
    return _cast(a, dtype), _cast(b, dtype)


def _broadcast_check(a, b, op_name):
    """Name both shapes when they cannot broadcast (NumPy's message names neither tensor)."""
    error = _broadcast_error(a, b, op_name)
    if error is not None:
        raise error


def _broadcast_error(a, b, op_name):
    """The RuntimeError for shapes that cannot broadcast, or None if they can."""
    shape_a, shape_b = getattr(a, "shape", ()), getattr(b, "shape", ())
    for i, (m, n) in enumerate(zip(reversed(shape_a), reversed(shape_b))):
        if m != n and m != 1 and n != 1:
            dim = builtins.max(len(shape_a), len(shape_b)) - 1 - i
            return RuntimeError(
                f"The size of tensor a ({m}) must match the size of tensor b ({n}) at "
                f"non-singleton dimension {dim} ({op_name} of shapes {list(shape_a)} and "
                f"{list(shape_b)})"
            )
    return None


def _binary(op, a, b, name, floating=False):
    a, b = _promote(a, b, floating)
    try:
        return op.apply(a, b)
    except ValueError:
        # NumPy's "operands could not be broadcast together" names neither tensor: checked
        # here, after the fact, so that the ops that do broadcast pay nothing for it
        error = _broadcast_error(a, b, name)
        if error is None:
            raise
    raise error from None


def _float(x):
    return x if x.dtype.is_floating_point else to(x, dtypes.get_default_dtype())
