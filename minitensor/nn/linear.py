"""`Linear` (y = x W^T + b) and `Identity` (y = x): the layers with the simplest forward.

Linear is the whole model of the seed post (`nn.Linear(10, 2)`): a weight matrix W of shape
(out_features, in_features) and a bias b of shape (out_features,), both Parameters, so
`model.parameters()` finds them and an optimizer can update them.

Read next: module.py (how assigning a Parameter registers it), init.py (the starting values).
"""

import math

from ..creation import empty
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """y = x W^T + b.   x: (*, in_features) -> y: (*, out_features).

    Starting values (PyTorch's defaults): W and b drawn from U(-k, k) with
    k = 1 / sqrt(in_features), from the default generator (seed it with mt.manual_seed).
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform_ with a = sqrt(5) is exactly U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """y = x. A placeholder layer (e.g. to switch a block off); ignores its arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
