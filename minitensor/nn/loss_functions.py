"""The loss functions of `nn.functional`: each turns (input, target) into a number to minimise.

Letters used in the formulas: x = input, y = target, w = weight, N = batch size,
C = number of classes, and the loss of one element is l_i. Every loss takes `reduction`:

    'mean' (default)   average of the l_i       'sum'   their sum       'none'   all l_i

The losses are built from minitensor's ops (so backward needs nothing new), with three
exceptions. `mse_loss` and `nll_loss` (and so `cross_entropy`, the loss of every
classifier) are primitive ops, MseLoss and NllLoss in ../ops/loss.py, one node each as in
PyTorch: composed, they were 3 and about 10 ops, and the loss was a quarter of a training
epoch. The composed form of `cross_entropy` stays for what NllLoss does not cover (label
smoothing, a weight that wants a gradient). `binary_cross_entropy` is a custom autograd
Function, to reproduce PyTorch's gradient at inputs of exactly 0 or 1 (see
BinaryCrossEntropy below). So the values and gradients are PyTorch's, but the graph of
the other losses differs: it shows the ops a loss is made of (AbsBackward0 ->
MeanBackward0 for l1_loss) where PyTorch shows one node (L1LossBackward0).

Numerical care, as in PyTorch:
- cross_entropy uses log_softmax (a primitive that subtracts the max first), never
  log(softmax(x)), which turns tiny probabilities into log(0) = -inf;
- binary_cross_entropy_with_logits never computes exp of a large positive number.

Read next: loss.py (the nn.MSELoss, nn.CrossEntropyLoss, ... modules that call these).
"""

import warnings

from .. import creation, dtypes
from ..autograd.custom_function import Function
from ..ops.loss import MseLoss, NllLoss
from ..tensor_functions import clamp, exp, log, log_softmax, maximum, where
from ..tensor_functions.promotion import _broadcast_check

# ----------------------------------------------------------------------------- reduction


def _reduction(size_average, reduce, reduction):
    """Check `reduction`; translate the old size_average/reduce flags (with PyTorch's warning)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead.",
            UserWarning,
            stacklevel=3,
        )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


_LEGACY = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool"}


def _check_floating(kernel, input):
    """PyTorch's loss kernels exist for floating point only ("mse_cpu" for Long: none)."""
    if not input.dtype.is_floating_point:
        name = _LEGACY.get(input.dtype.name, input.dtype.name)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def _promoted(kernel, input, target):
    """input and target in their common dtype, which must be floating point (int + float
    is float32, as for `+`; int + int has no loss kernel in PyTorch)."""
    if input.dtype is target.dtype and input.dtype.is_floating_point:
        return input, target  # the common case: nothing to convert, nothing to check
    # by dtype alone: a 0-d float64 target makes a float32 input float64, unlike `+`
    dtype = dtypes.result_type(
        creation.empty(0, dtype=input.dtype), creation.empty(0, dtype=target.dtype)
    )
    _check_floating(kernel, creation.empty(0, dtype=dtype))
    return input.to(dtype), target.to(dtype)


def _warn_if_sizes_differ(input, target):
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


# ----------------------------------------------------------------------------- regression


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error: l_i = (x_i - y_i)^2."""
    reduction = _reduction(size_average, reduce, reduction)
    _warn_if_sizes_differ(input, target)
    _broadcast_check(input, target, "mse_loss")
    input, target = _promoted("mse_cpu", input, target)
    return MseLoss.apply(input, target, reduction=reduction)  # one node: ops/loss.py


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error: l_i = |x_i - y_i|."""
    reduction = _reduction(size_average, reduce, reduction)
    _warn_if_sizes_differ(input, target)
    return _reduce((input - target).abs(), reduction)


# ----------------------------------------------------------------------------- classification


def _class_dim(input):
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    return 0 if input.ndim == 1 else 1


def _check_class_targets(input, target, weight):
    """Class-index targets: integer dtype, shape = input's without the class dim, weight (C,)."""
    classes = input.shape[_class_dim(input)]  # first, so a 0-d input fails with its message
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        legacy = {"float32": "Float", "float64": "Double", "int32": "Int", "bool": "Bool"}
        got = legacy.get(target.dtype.name, target.dtype.name)
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {got}")
    if input.ndim == 1:
        if target.ndim > 1 or target.numel() != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {target.numel()}"
            )
    elif target.ndim == 0 or target.shape[0] != input.shape[0]:
        batch = target.shape[0] if target.ndim else 0
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({batch})."
        )
    elif target.shape[1:] != input.shape[2:]:
        expected = [input.shape[0], *input.shape[2:]]
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )


def _along_classes(values, input):
    """A (C,) tensor shaped to broadcast along input's class dim: (C,), (1, C) or (1, C, 1...)."""
    class_dim = _class_dim(input)
    shape = [1] * input.ndim
    shape[class_dim] = values.shape[0]
    return values.reshape(shape)


def _check_target_range(input, target, ignore_index):
    """Every target is a class, 0 <= y_i < C, or ignore_index; returns y != ignore_index."""
    classes = input.shape[_class_dim(input)]
    valid = target != ignore_index
    out_of_range = valid & ((target < 0) | (target >= classes))
    if out_of_range.any():
        flags = out_of_range.reshape(-1).tolist()
        first_bad = next(t for t, bad in zip(target.reshape(-1).tolist(), flags) if bad)
        raise IndexError(f"Target {first_bad} is out of bounds.")
    return valid


def _nll_parts(input, target, weight, ignore_index):
    """The per-element loss l_i = -w[y_i] * x[i, y_i] and the weights w[y_i] (0 if ignored).

    No gather: a boolean one-hot `picked` (True at each element's target class) selects
    x[i, y_i] by a sum over the class dim. The same code runs on every device, and
    backward sends -w[y_i] to the picked entries and 0 to the others, as PyTorch.
    """
    _check_class_targets(input, target, weight)
    class_dim = _class_dim(input)
    classes = input.shape[class_dim]
    if target.ndim == 1 and input.ndim == 1:
        target = target.reshape(())
    valid = _check_target_range(input, target, ignore_index)
    class_ids = _along_classes(creation.arange(classes, device=input.device), input)
    picked = (target.unsqueeze(class_dim) == class_ids) & valid.unsqueeze(class_dim)
    chosen = where(picked, input, 0.0).sum(class_dim)  # x[i, y_i]; 0 where ignored
    if weight is None:
        sample_weight = valid.to(input.dtype)
    else:
        sample_weight = where(picked, _along_classes(weight, input), 0.0).sum(class_dim)
    return -chosen * sample_weight, sample_weight, valid


def nll_loss(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction="mean",
):  # fmt: skip
    """Negative log likelihood, for x = log-probabilities (log_softmax output).

    l_i = -w[y_i] * x[i, y_i]   (0 where y_i == ignore_index)
    'mean' divides by sum_i w[y_i] over the non-ignored i (the count when no weight), so
    all-ignored input gives nan (0 / 0), as PyTorch.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if _fused_nll_fits(input, target, weight):
        _check_class_targets(input, target, weight)
        _check_target_range(input, target, ignore_index)
        class_dim = _class_dim(input)
        if target.ndim == 1 and input.ndim == 1:
            target = target.reshape(())
        return NllLoss.apply(
            input, target, weight, class_dim=class_dim, ignore_index=ignore_index,
            reduction=reduction,
        )  # fmt: skip
    loss, sample_weight, _ = _nll_parts(input, target, weight, ignore_index)
    if reduction == "mean":
        return loss.sum() / sample_weight.sum()
    return _reduce(loss, reduction)


def _fused_nll_fits(input, target, weight):
    """Whether the one-node NllLoss (ops/loss.py) computes this case exactly as the composed
    `_nll_parts` would: floating input, int64 target, no weight or a weight of the input's
    dtype that needs no gradient (PyTorch gives it none; the composed path does)."""
    return (
        input.dtype.is_floating_point
        and target.dtype is dtypes.int64
        and (weight is None or (weight.dtype is input.dtype and not weight.requires_grad))
    )


def cross_entropy(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction="mean", label_smoothing=0.0,
):  # fmt: skip
    """Cross-entropy of logits x against class indices or class probabilities y.

    Class indices (y has x's shape without the class dim):
        l_i = -w[y_i] * log_softmax(x)[i, y_i]      = nll_loss(log_softmax(x), y)
    Class probabilities (y has x's shape, rows summing to 1):
        l_i = -sum_c w[c] * y[i, c] * log_softmax(x)[i, c]
        'mean' divides by the number of rows (N, times any extra dims), not by the weights.
    label_smoothing = eps mixes the target with the uniform distribution:
        y <- (1 - eps) * y + eps / C.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = _class_dim(input)
    classes = input.shape[class_dim]
    log_p = log_softmax(input, class_dim)
    if target.shape == input.shape:
        return _cross_entropy_probabilities(
            log_p, target, weight, ignore_index, reduction, label_smoothing
        )
    if label_smoothing == 0.0:  # PyTorch's two nodes: LogSoftmaxBackward0, NllLossBackward0
        return nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)
    loss, sample_weight, valid = _nll_parts(log_p, target, weight, ignore_index)
    # The eps / C part: -sum_c w[c] * log_p[i, c], for every non-ignored element.
    weighted = log_p if weight is None else log_p * _along_classes(weight, input)
    smooth = where(valid, -weighted.sum(class_dim), 0.0)
    if reduction == "mean":
        total = sample_weight.sum()
        loss, smooth = loss.sum() / total, smooth.sum() / total
    else:
        loss, smooth = _reduce(loss, reduction), _reduce(smooth, reduction)
    return (1 - label_smoothing) * loss + (label_smoothing / classes) * smooth


def _cross_entropy_probabilities(log_p, target, weight, ignore_index, reduction, smoothing):
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{target.dtype.name.capitalize().replace('Int64', 'Long')}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    class_dim = _class_dim(log_p)
    classes = log_p.shape[class_dim]
    if smoothing > 0.0:
        target = target * (1 - smoothing) + smoothing / classes
    if weight is not None:
        target = target * _along_classes(weight, log_p)
    loss = -(log_p * target).sum(class_dim)
    if reduction == "mean":
        return loss.sum() / (log_p.numel() // max(classes, 1))
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- binary


def _clamped_log(v):
    """log(v), but never below -100 (PyTorch's clamp: a 0 costs 100, not infinity).

    Clamping v to a tiny positive number first avoids NumPy's divide-by-zero warning for
    log(0); log(1e-45) is about -103, which the second clamp turns into -100.
    """
    return log(clamp(v, min=1e-45)).clamp(min=-100.0)


class BinaryCrossEntropy(Function):
    """l = -(y log(x) + (1 - y) log(1 - x)), each log clamped at -100.

    Backward uses PyTorch's formulas rather than differentiating the clamps:
        dl/dx = (x - y) / max(x (1 - x), 1e-12)
        dl/dy = log(1 - x) - log(x)         (logs NOT clamped: +-inf at x = 0 or 1, as PyTorch)
    Differentiating the composition would give 0 * inf = nan at x = 0 or 1 exactly; the
    1e-12 floor gives a large but finite push instead, as PyTorch does.
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return -(y * _clamped_log(x) + (1 - y) * _clamped_log(1 - x))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad_x = grad * (x - y) / clamp(x * (1 - x), min=1e-12)
        grad_y = None
        if ctx.needs_input_grad[1]:
            grad_y = grad * (log(1 - x) - log(x))
        return grad_x, grad_y


def _check_binary_dtypes(input, target):
    if target.dtype is not input.dtype:
        legacy = {"float32": "Float", "float64": "Double", "int64": "Long", "bool": "Bool"}
        raise RuntimeError(
            f"Found dtype {legacy.get(target.dtype.name, target.dtype.name)} but expected "
            f"{legacy.get(input.dtype.name, input.dtype.name)}"
        )


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):  # fmt: skip
    """Binary cross-entropy of probabilities x (in [0, 1]) against targets y:

    l_i = -w_i * (y_i log(x_i) + (1 - y_i) log(1 - x_i)),   each log clamped at -100.
    Give it sigmoid outputs; for raw scores use binary_cross_entropy_with_logits, which
    is more accurate and never clamps.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    _check_binary_dtypes(input, target)
    if not ((input >= 0) & (input <= 1)).all():  # also catches nan
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not ((target >= 0) & (target <= 1)).all():
        raise RuntimeError("all elements of target should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):  # fmt: skip
    """Binary cross-entropy of sigmoid(x) against y, computed from the logits x directly.

    l_i = -w_i * (p * y_i log(sigmoid(x_i)) + (1 - y_i) log(1 - sigmoid(x_i))), p = pos_weight,
    rewritten so that no exp() can overflow (|x| = 1000 is fine), as PyTorch does:
        l = (1 - y) x + (1 + (p - 1) y) (log(1 + exp(-|x|)) + max(-x, 0))      (p = 1: none)
    (written as max(x, 0) - x y + ... it would give inf - inf = nan at x = inf, y = 0).
    max(-x, 0) is `mt.maximum`, not relu, on purpose: at x = 0 it gives the gradient -1/2
    (ties are split), so dl/dx = sigmoid(0) - y = 1/2 - y exactly; relu's 0 would be wrong.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    # No dtype match needed (unlike binary_cross_entropy): float32 logits with a float64
    # target promote to float64, as in PyTorch. Both must be floating point, though.
    _check_floating("log_sigmoid_cpu", input)
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{_LEGACY.get(target.dtype.name, target.dtype.name)}"
        )
    log_one_plus_exp = log(1 + exp(-input.abs()))  # exp of a number <= 0: <= 1
    log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    relu_of_minus_x = maximum(-input, creation.zeros_like(input))
    loss = (1 - target) * input + log_weight * (log_one_plus_exp + relu_of_minus_x)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.to(target.dtype), reduction)  # PyTorch: the target's dtype
