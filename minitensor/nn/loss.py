"""Loss modules: `criterion = nn.MSELoss()` then `loss = criterion(outputs, targets)`.

Each class stores its options (reduction, weight, ...) and calls one function of
loss_functions.py, where the formulas are. Argument order is PyTorch's, including the
old `size_average` / `reduce` flags (they still work, with PyTorch's deprecation warning).

One difference from PyTorch: an invalid `reduction` is rejected when the loss is created,
not only when it is first called (same ValueError, found earlier).

Read next: loss_functions.py.
"""

from . import functional as F
from .loss_functions import _reduction
from .module import Module


class _Loss(Module):
    """Common part of all losses: the `reduction` ('mean', 'sum' or 'none')."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = _reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    """A loss with an optional per-class `weight`, kept as a buffer (moves with .to())."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """l_i = (x_i - y_i)^2, averaged (reduction='mean'), summed ('sum') or not ('none')."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """l_i = |x_i - y_i|."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """l_i = -w[y_i] * x[i, y_i] for log-probabilities x (after LogSoftmax) and class ids y."""

    def __init__(
        self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
    ):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """LogSoftmax + NLLLoss in one: logits x (N, C) against class ids y (N,) or
    class probabilities y (N, C). See loss_functions.cross_entropy for the formulas."""

    def __init__(
        self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
        label_smoothing=0.0,
    ):  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """l_i = -w_i (y_i log(x_i) + (1 - y_i) log(1 - x_i)) for probabilities x in [0, 1]."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + BCELoss in one, computed stably from logits x (no overflow for large |x|).

    pos_weight (one number per class) multiplies the loss of positive targets.
    """

    def __init__(
        self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
    ):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )
