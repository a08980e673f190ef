"""Copies: `to` (another device and/or dtype) and `clone` (the same, in new memory).

Both are recorded (ToCopyBackward0, CloneBackward0), so gradients flow back through a copy.
`to` returns x itself when nothing changes, as in PyTorch. promotion.py casts operands with
it, so an int tensor that becomes float32 still sends its gradient back.

Read next: ops/elementwise.py (ToCopy and Clone: forward and backward).
"""

import builtins

from .. import backend, dtypes, ops
from ..tensor import Tensor


def clone(x):
    return ops.Clone.apply(x)


def to(x, *args, device=None, dtype=None, copy=False, non_blocking=False):
    """x on another device and/or with another dtype; x itself when nothing changes.

    Accepts what PyTorch's `.to` does: `to("cuda")`, `to(mt.float64)`, `to(other)`,
    `to("cuda", mt.float64)`, `to(device=..., dtype=...)`.
    """
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, backend.device)):
            device = arg
        elif type(arg) is builtins.int:  # x.to(0): a CUDA ordinal, as in PyTorch
            device = backend.device(arg)
        elif isinstance(arg, dtypes.dtype) or arg in (builtins.float, builtins.int, builtins.bool):
            dtype = arg
        else:
            raise TypeError(f"to() received an invalid argument {arg!r}")
    target_device = x.device if device is None else backend.tensor_device(device)
    if isinstance(dtype, type):
        dtype = {
            builtins.float: dtypes.float64,
            builtins.int: dtypes.int64,
            builtins.bool: dtypes.bool,
        }[dtype]
    target_dtype = x.dtype if dtype is None else dtypes.as_dtype(dtype)
    if target_device is x.device and target_dtype is x.dtype and not copy:
        return x
    if target_device.type == "cuda":
        target_device.backend  # noqa: B018  (raises a clear error when no GPU is usable)
    return ops.ToCopy.apply(
        x,
        source_device=x.device,
        source_dtype=x.dtype,
        target_device=target_device,
        target_dtype=target_dtype,
    )
