"""`nn.functional` (import it as F): layers and losses as plain functions, no parameters kept.

    import minitensor.nn.functional as F
    y = F.relu(F.linear(x, w, b))
    loss = F.cross_entropy(logits, labels)

Each nn layer's `forward` is one call to a function here, so the maths lives in one place.
The functions build on minitensor's ops, so autograd records them like any other
computation; the graph shows the ops they are made of, with PyTorch's names (a Linear
layer on a batch is TBackward0 -> AddmmBackward0, as in PyTorch).

The losses live in loss_functions.py and are imported here, so `F.mse_loss` works.

Read next: loss_functions.py, then linear.py / activation.py for the layers that call these.
"""

import warnings

from .. import creation, dtypes, ops, tensor_functions
from .loss_functions import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    "linear", "one_hot", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax",
    "dropout",
    "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]  # fmt: skip


def linear(input, weight, bias=None):
    """y = x W^T + b, for x of shape (*, in_features) and W of shape (out_features, in_features).

    W is stored (out, in) so each row of W holds the weights of one output; x W^T then
    gives shape (*, out_features).
    """
    if bias is not None and bias.dtype is not weight.dtype and (bias.ndim or input.ndim == 2):
        # PyTorch adds the bias inside its matrix product (addmm), which takes one dtype
        raise RuntimeError(
            "self and mat2 must have the same dtype, but got "
            f"{dtypes.scalar_type_name(bias.dtype)} and {dtypes.scalar_type_name(weight.dtype)}"
        )
    if bias is not None and input.dtype is not weight.dtype:
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{dtypes.scalar_type_name(input.dtype)} and {dtypes.scalar_type_name(weight.dtype)}"
        )
    weight_t = weight.t()
    if _one_node(input, weight, bias):
        # a batch (n, in) through a layer with a bias: one node, bias + x @ W^T, as PyTorch
        return ops.Addmm.apply(bias, input, weight_t)
    output = input.matmul(weight_t)  # (matmul's checks name any shape or dtype mismatch)
    if bias is not None:
        output = output + bias
    return output


def _one_node(input, weight, bias):
    """Is this PyTorch's addmm case: a 2-D batch, a bias (out,), shapes and dtypes agreeing?"""
    return (
        bias is not None
        and input.ndim == 2
        and weight.ndim == 2
        and input.shape[1] == weight.shape[1]
        and bias.shape == (weight.shape[0],)
        and input.dtype is weight.dtype is bias.dtype
    )


def one_hot(tensor, num_classes=-1):
    """Class indices (int64) as rows of 0s with a 1 at the index: shape (*, num_classes).

    num_classes=-1 takes the largest index + 1. The result is int64, as PyTorch's; call
    .float() to multiply it with a float tensor.
    """
    if tensor.dtype is not dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0 and num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if tensor.numel():
        if bool((tensor < 0).any()):
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(tensor.max().item()) + 1
        elif bool((tensor >= num_classes).any()):
            raise RuntimeError(
                f"Class values must be smaller than num_classes. (num_classes={num_classes}, "
                f"largest class value {int(tensor.max().item())})"
            )
    classes = creation.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


def relu(input, inplace=False):
    """max(x, 0), elementwise. inplace=True overwrites x (its gradient stays correct)."""
    if inplace:
        return tensor_functions._inplace(input, ops.Relu)
    return tensor_functions.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x."""
    if inplace:
        return tensor_functions._inplace(input, ops.LeakyRelu, slope=negative_slope)
    return tensor_functions.leaky_relu(input, negative_slope)


def tanh(input):
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x)), elementwise: values in (-1, 1)."""
    return tensor_functions.tanh(input)


def sigmoid(input):
    """1 / (1 + exp(-x))."""
    return tensor_functions.sigmoid(input)


def _implicit_dim(name, ndim, stacklevel):
    """PyTorch's old rule for softmax without dim: 0 for 0-, 1- and 3-d input, else 1."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _along(function, name, input, dim, stacklevel, dtype):
    """What softmax and log_softmax share: PyTorch's default dim, and the optional dtype."""
    if dim is None:
        dim = _implicit_dim(name, input.ndim, stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)  # e.g. compute in float64: softmax(x, 1, dtype=mt.float64)
    return function(input, dim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along `dim`: every slice along dim becomes positive, sum 1."""
    return _along(tensor_functions.softmax, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x_i - log(sum_j exp(x_j)) along `dim`: log(softmax(x)), without overflow."""
    return _along(tensor_functions.log_softmax, "log_softmax", input, dim, _stacklevel, dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p, scale the survivors by 1 / (1 - p).

    The scaling keeps the expected value unchanged: E[out] = (1 - p) * x / (1 - p) = x, so
    nothing needs rescaling at evaluation time, when dropout does nothing
    (training=False, which is what `model.eval()` arranges for nn.Dropout).
    The random mask comes from the default generator: `mt.manual_seed` makes it repeatable.
    The graph shows MulBackward0 where PyTorch shows its fused NativeDropoutBackward0.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = creation.rand(input.shape, device=input.device) >= p  # True with probability 1 - p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)  # p = 1 drops everything: no 1/0
    mask = keep.to(input.dtype) * scale
    if inplace:
        return input.mul_(mask)
    return input * mask
