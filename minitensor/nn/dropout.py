"""`Dropout`: randomly zero activations while training, do nothing in eval mode.

Which mode it is in is the module's `training` flag, set by `model.train()` and
`model.eval()`. That flag is the ONLY thing eval() changes: gradients are still recorded
unless you also use `with minitensor.no_grad():`.

Read next: functional.py (`dropout`, with the 1 / (1 - p) scaling explained).
"""

from . import functional as F
from .module import Module


class Dropout(Module):
    """Zero each element with probability p (training mode only); scale the rest by 1/(1-p)."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
