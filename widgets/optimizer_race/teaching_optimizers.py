"""Three small optimizers written for teaching, NOT part of PyTorch: variants to compare with.

The optimizer race runs the real `minitensor.optim` classes. To show that some formulas you
meet in books and other libraries are the same idea written differently (or not quite the
same), it also runs these, each a few lines on top of the same `Optimizer` data model:

    MovingAverageMomentum       v = mu v + (1 - mu) g      p = p - lr v
    LrInsideMomentum            v = mu v + lr g            p = p - v
    AdamWithoutBiasCorrection   Adam's m and v, but p = p - lr m / (sqrt(v) + eps)

Compare with PyTorch's SGD (`v = mu v + g`, `p = p - lr v`, in ../../minitensor/optim/sgd.py)
and Adam (../../minitensor/optim/adam.py). Each keeps its state under PyTorch's key names, so
the race reads all of them the same way.

Read next: model.py (where they are raced against the real classes).
"""

import minitensor as mt
from minitensor.optim import Optimizer


def _check(lr, momentum=0.0, betas=(0.0, 0.0)):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"Invalid momentum value: {momentum} (must be in [0, 1))")
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


class MovingAverageMomentum(Optimizer):
    """Momentum as a moving average of gradients. One step, for each parameter `p`:

        v = momentum * v + (1 - momentum) * grad        (v starts at zero)
        p = p - lr * v

    v is (1 - momentum) times PyTorch's buffer at every step, so this walks exactly
    PyTorch's path when its lr is PyTorch's lr / (1 - momentum).
    """

    def __init__(self, params, lr, momentum=0.9):
        _check(lr, momentum)
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _update(self, p, grad, group):
        mu = group["momentum"]
        state = self.state[p]
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = mt.zeros_like(p)
        v = state["momentum_buffer"]
        v.mul_(mu).add_(grad, alpha=1 - mu)
        p.add_(v, alpha=-group["lr"])


class LrInsideMomentum(Optimizer):
    """Momentum with the learning rate inside the velocity. One step, for each `p`:

        v = momentum * v + lr * grad                    (v starts at zero)
        p = p - v

    v is lr times PyTorch's buffer, so with a constant lr the path is PyTorch's with the same
    lr. (They part ways when lr changes during training.)
    """

    def __init__(self, params, lr, momentum=0.9):
        _check(lr, momentum)
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _update(self, p, grad, group):
        state = self.state[p]
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = mt.zeros_like(p)
        v = state["momentum_buffer"]
        v.mul_(group["momentum"]).add_(grad, alpha=group["lr"])
        p.sub_(v)


class AdamWithoutBiasCorrection(Optimizer):
    """Adam with the bias correction left out, to see what the correction does.

        step = step + 1
        exp_avg    = beta1 * exp_avg    + (1 - beta1) * grad            (m)
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad     (v)
        p = p - lr * exp_avg / (sqrt(exp_avg_sq) + eps)

    m and v start at zero, so at step t they are too small by the factors 1 - beta1^t and
    1 - beta2^t that real Adam divides out. Under a constant gradient this update is
    (1 - beta1^t) / sqrt(1 - beta2^t) times Adam's: about 3.2x at t = 1 with default betas.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        _check(lr, betas=betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps))

    def _update(self, p, grad, group):
        beta1, beta2 = group["betas"]
        state = self.state[p]
        if not state:
            state["step"] = mt.tensor(0.0)
            state["exp_avg"] = mt.zeros_like(p)
            state["exp_avg_sq"] = mt.zeros_like(p)
        state["step"] += 1
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.mul_(beta1).add_(grad, alpha=1 - beta1)
        v.mul_(beta2).add_(grad * grad, alpha=1 - beta2)
        p.add_(m / (v.sqrt() + group["eps"]), alpha=-group["lr"])
