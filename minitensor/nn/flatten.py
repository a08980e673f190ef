"""`Flatten`: merge dimensions start_dim..end_dim into one, e.g. images (N, 1, 8, 8) -> (N, 64).

The default start_dim=1 keeps the batch dimension, so every sample becomes one vector,
ready for a Linear layer.
"""

from .module import Module


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...) with the defaults start_dim=1, end_dim=-1."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
