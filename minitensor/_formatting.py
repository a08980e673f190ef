"""How a tensor prints: PyTorch's layout, so a learner's output matches PyTorch's.

tensor([1., 2.])                      whole numbers: a trailing dot
tensor([1.5000, 2.0000])              otherwise 4 decimals, all the same width
tensor([1.0000e-05, 1.0000e+03])      scientific when the magnitudes are far apart
tensor([[1, 2],
        [3, 4]])

The rules, as PyTorch applies them:
- Floats pick one style for the whole tensor from its finite, nonzero values: whole numbers
  print as `1.`, others with 4 decimals, and scientific notation is used when the largest
  is over 1000 times the smallest, above 1e8, or (not whole) below 1e-4.
- Every number is right-aligned to the width of the widest finite nonzero one (nan and inf
  do not count), so columns line up.
- Over 1000 elements, only the first and last 3 along each dimension are shown, with
  `...` between them, and the style is chosen from the numbers that are shown.
- Rows wrap at 80 characters; `grad_fn=...` and the other suffixes go on a new line when
  they would not fit.

Read next: tensor.py (`Tensor.__repr__` adds the suffixes).
"""

import math

import numpy as np

LINE_WIDTH = 80
THRESHOLD = 1000  # more elements than this: summarize
EDGE_ITEMS = 3  # how many to show at each end of a summarized dimension
PRECISION = 4


class _Formatter:
    """Formats one number of a given array so that all of them line up."""

    def __init__(self, values):
        self.kind = values.dtype.kind
        self.whole, self.scientific, self.width = True, False, 1
        if self.kind != "f":
            for v in values.reshape(-1).tolist():
                self.width = max(self.width, len(str(v)))
            return
        values = values.astype(np.float64)
        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            return
        largest, smallest = np.abs(shown).max(), np.abs(shown).min()
        self.whole = bool(np.all(shown == np.ceil(shown)))
        far_apart = largest / smallest > 1000.0 or largest > 1.0e8
        self.scientific = far_apart or (not self.whole and smallest < 1.0e-4)
        for v in shown.tolist():
            self.width = max(self.width, len(self._text(v)))

    def _text(self, v):
        if self.kind != "f":
            return str(v)
        if self.scientific:
            return f"{v:.{PRECISION}e}"
        if self.whole:
            return f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        return f"{v:.{PRECISION}f}"

    def __call__(self, v):
        return self._text(v).rjust(self.width)


def _summarized(values):
    """Only the edge items of every dimension: the numbers a summarized repr shows."""
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * EDGE_ITEMS:
        values = np.concatenate([values[:EDGE_ITEMS], values[-EDGE_ITEMS:]])
    if values.ndim == 1:
        return values
    return np.stack([_summarized(row) for row in values])


def _vector(values, format_one, indent, summarize):
    """One row `[a, b, c]`, wrapped to the line width, with `...` in the middle if summarized."""
    if summarize and values.shape[0] > 2 * EDGE_ITEMS:
        items = [format_one(v) for v in values[:EDGE_ITEMS].tolist()]
        items += [" ..."] + [format_one(v) for v in values[-EDGE_ITEMS:].tolist()]
    else:
        items = [format_one(v) for v in values.tolist()]
    per_line = max(1, (LINE_WIDTH - indent) // (format_one.width + 2))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(values, format_one, indent, summarize):
    if values.ndim == 1:
        return _vector(values, format_one, indent, summarize)
    rows = range(values.shape[0])
    if summarize and values.shape[0] > 2 * EDGE_ITEMS:
        rows = [*range(EDGE_ITEMS), None, *range(values.shape[0] - EDGE_ITEMS, values.shape[0])]
    parts = [
        "..." if i is None else _nested(values[i], format_one, indent + 1, summarize) for i in rows
    ]
    # Between the blocks of a 3-D tensor: one blank line per extra dimension.
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def format_array(values, prefix="tensor("):
    """The body of a tensor's repr: the numbers, laid out as PyTorch does."""
    values = np.asarray(values)
    if values.size == 0:
        return "[]"
    summarize = values.size > THRESHOLD
    format_one = _Formatter(_summarized(values) if summarize else values)
    if values.ndim == 0:
        return format_one._text(values.item())
    return _nested(values, format_one, len(prefix), summarize)


def add_suffixes(text, suffixes, indent):
    """`tensor([...], dtype=..., grad_fn=...)`: a suffix that would pass the line width
    starts a new line, indented like the numbers."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # Measured as PyTorch's `torch.float64` would be, so lines break where PyTorch's do
        # and a learner's output lines up with the PyTorch text next to it.
        length = len(suffix.replace("minitensor.", "torch."))
        if last_line + length + 2 > LINE_WIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + length
        else:
            parts.append(", " + suffix)
            last_line += length + 2
    return "".join(parts) + ")"
