"""How a tensor prints: PyTorch's layout, so a learner's output matches PyTorch's.

tensor([1., 2.])                      whole numbers: a trailing dot
tensor([1.5000, 2.0000])              otherwise 4 decimals, all the same width
tensor([1.0000e-05, 1.0000e+03])      scientific when the magnitudes are far apart
tensor([[1, 2],
        [3, 4]])
"""

import numpy as np


def _float_formatter(values):
    """A function that formats one float of `values` the way PyTorch would."""
    finite = values[np.isfinite(values)]
    nonzero = np.abs(finite[finite != 0])
    if (
        finite.size
        and np.all(finite == np.round(finite))
        and (nonzero.size == 0 or nonzero.max() < 1e8)
    ):
        form = "{:.0f}."
    elif nonzero.size and (
        nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4
    ):
        form = "{:.4e}"
    else:
        form = "{:.4f}"

    def text(v):
        return form.format(v) if np.isfinite(v) else str(v).replace("inf", "inf")

    width = max((len(text(v)) for v in _extremes(values)), default=1)
    return lambda v: text(v).rjust(width)


def _extremes(values):
    """The few values whose printed width is the largest (no need to format a million)."""
    flat = values.reshape(-1)
    if flat.size <= 1000:
        return flat.tolist()
    return [flat.min(), flat.max(), *flat[~np.isfinite(flat)][:1].tolist()]


def format_array(values, prefix="tensor("):
    """The body of a tensor's repr: the numbers, laid out as PyTorch does."""
    values = np.asarray(values)
    options = dict(separator=", ", prefix=prefix, threshold=1000, edgeitems=3, max_line_width=80)
    if values.dtype.kind == "f":
        if values.size == 0:
            return "[]"
        formatter = _float_formatter(values.astype(np.float64))
        options["formatter"] = {"float_kind": formatter}
    if values.ndim == 0:
        return (
            options["formatter"]["float_kind"](values.item()).strip()
            if values.dtype.kind == "f"
            else str(values.item())
        )
    return np.array2string(values, **options)
