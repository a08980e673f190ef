"""Numbers as short text, the same way in every widget: 4 significant digits, and a
min / mean / max summary for a tensor too big to print.

    format_number(2.0)             '2'
    summarize(values)              '[1, 2.5]' or 'min -1.2  mean 0.03  max 2.4'
    shape_text((3,))               '(3,)'
    to_numpy(tensor)               the numbers on the host (copied off a GPU if need be)

Plain Python and NumPy, no display library.

Read next: ../graph/model.py (the labels these make).
"""

import numpy as np

from .translation import _

SMALL_TENSOR = 6  # at most this many numbers: show them all; more: min / mean / max


def format_number(value):
    """One number, short: 4 significant digits for floats."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.4g}"


def summarize(values):
    """A tensor's numbers as a short text: all of them if few, else min / mean / max."""
    values = np.asarray(values)
    if values.size == 0:
        return _("[] (empty)")
    if values.ndim == 0:
        return format_number(values.item())
    if values.size <= SMALL_TENSOR:
        formatter = {"all": format_number}
        return np.array2string(values, separator=", ", formatter=formatter, max_line_width=50)
    if values.dtype == np.bool_:
        return _("{count} of {total} True", count=int(values.sum()), total=values.size)
    as_float = values.astype(np.float64)
    finite = as_float[np.isfinite(as_float)]
    if finite.size == 0:
        return _("no finite values")
    text = _(
        "min {low}  mean {mean}  max {high}",
        low=format_number(finite.min()),
        mean=format_number(finite.mean()),
        high=format_number(finite.max()),
    )
    if finite.size < as_float.size:
        text += "  " + _("({count} inf/nan)", count=as_float.size - finite.size)
    return text


def to_numpy(tensor):
    """A tensor's numbers as a NumPy array (copied off a GPU if need be).

    `numpy(force=True)` is PyTorch's way to get them whatever the tensor's requires_grad or
    device; on the CPU it is the tensor's own array, so treat the result as read-only."""
    return np.asarray(tensor.numpy(force=True))


def shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
