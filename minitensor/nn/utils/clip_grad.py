"""Gradient clipping: shrink gradients before `optimizer.step()` when they are too large.

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()

clip_grad_norm_ treats all gradients as ONE long vector g and rescales it when its norm is
above max_norm, so the direction of the step is kept and only its length is limited.

Read next: ../module.py (parameters()), then minitensor/optim/.
"""

import math

from ... import creation
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from ...tensor_functions import isfinite, norm, stack


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients in place by min(1, max_norm / (total_norm + 1e-6)).

    total_norm = ||(||g_1||, ||g_2||, ...)||, the norm_type-norm of all gradients taken
    together (the same number as the norm of their concatenation). Returns total_norm,
    measured before clipping. `foreach` is accepted for PyTorch compatibility; it only
    selects a faster kernel there and changes nothing here.
    """
    grads = _grads(parameters)
    if not grads:
        return creation.tensor(0.0)
    norm_type = float(norm_type)
    first_device = grads[0].device
    # One norm per gradient, then the norm of those norms (moved to one device first).
    norms = [norm(g.detach(), norm_type).to(first_device) for g in grads]
    if norm_type == math.inf:
        total_norm = stack(norms).max()
    else:
        total_norm = norm(stack(norms), norm_type)
    if error_if_nonfinite and not bool(isfinite(total_norm)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    clip_coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(clip_coef.to(g.device))
    return total_norm


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g.clamp_(min=-clip_value, max=clip_value)
