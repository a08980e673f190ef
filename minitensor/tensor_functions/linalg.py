"""Matrix products: `matmul` (the `@` operator), `mm` and `dot`.

Most of the code is shape checking: the inner dimensions must agree, and the errors name
both shapes as PyTorch's do ("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)").

Read next: comparison.py, ops/linalg.py (MatMul's forward and backward).
"""

from .. import dtypes, ops
from ..tensor import Tensor
from .promotion import _promote


def matmul(a, b):
    """a @ b. Shapes must agree on the inner dimension; the error names both shapes."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        a, b = _promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                f"and {b.shape[0]} elements respectively"
            )
        if a.ndim == 2 and b.ndim == 1:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                f"vec ({b.shape[0]})"
            )
        rows = "x".join(str(s) for s in (a.shape if a.ndim > 1 else (1, a.shape[0])))
        cols = "x".join(str(s) for s in (b.shape if b.ndim > 1 else (b.shape[0], 1)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows} and {cols})")
    if a.dtype is not b.dtype:
        if a.ndim == b.ndim == 1:
            raise RuntimeError(
                "dot : expected both vectors to have same dtype, but found "
                f"{dtypes.scalar_type_name(a.dtype)} and {dtypes.scalar_type_name(b.dtype)}"
            )
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{dtypes.cpp_type_name(a.dtype)} != {dtypes.cpp_type_name(b.dtype)}"
        )
    if a.dtype is dtypes.bool:
        _refuse_bool(a, b, inner_a)
    return ops.MatMul.apply(a, b)


def _refuse_bool(a, b, inner):
    """PyTorch has no bool kernel for matmul and names the one it would have used, except
    where nothing is to be computed (an empty inner dimension or an empty result: the
    answer is all False); dot, vector with vector, refuses even then."""
    # every size but the inner one: if any is 0, the result is empty
    b_others = tuple(b.shape[:-2]) + tuple(b.shape[-1:]) if b.ndim > 1 else ()
    others = tuple(a.shape[:-1]) + b_others
    if a.ndim == b.ndim == 1:
        kernel = "dot"
    elif inner == 0 or 0 in others:
        return
    else:
        kernel = {1: "addmv_impl_cpu", 2: "addmm_impl_cpu_"}.get(b.ndim, "bmm")
    raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def mm(a, b):
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm expects 2-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return matmul(a, b)


def dot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)
