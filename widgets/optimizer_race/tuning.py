"""Best settings for a race: from the eigenvalues where theory gives them, else by a sweep.

A race is only fair when every optimizer runs at its own best settings. On a quadratic
f = 1/2 p^T H p the best settings of the momentum methods follow from the eigenvalues of
H, between mu (the smallest) and L (the largest), because each step multiplies the
component of p along an eigenvector by the same numbers every time:

    gradient descent   p_(t+1) = (1 - lr lambda) p_t, per eigenvalue lambda.
                       Best: lr = 2 / (L + mu), the lr that makes |1 - lr mu| = |1 - lr L|;
                       every step then shrinks the error by (kappa - 1) / (kappa + 1),
                       kappa = L / mu.
    heavy ball         PyTorch's SGD(momentum=beta): v = beta v + g, p = p - lr v, that is
                       p_(t+1) = p_t - lr g_t + beta (p_t - p_(t-1)). Per eigenvalue the
                       error follows z^2 - (1 + beta - lr lambda) z + beta = 0; its larger
                       root |z| is the rate. Polyak's best:
                       lr = 4 / (sqrt(L) + sqrt(mu))^2,
                       beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2,
                       rate sqrt(beta) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1).
    Nesterov           SGD(momentum=beta, nesterov=True): z^2 - (1 + beta)(1 - lr lambda) z
                       + beta (1 - lr lambda) = 0. For the race's beta, the lr with the
                       smallest rate is found on a fine grid of lrs (no simulation).

For kappa = 10 (the race's quadratic) that is a rate of 0.818 per step for gradient
descent and 0.519 for the heavy ball: momentum needs about a third as many steps.

Adam, AdamW, RMSprop and Adagrad have no such formula (their steps are divided by running
averages of g^2, so they are not linear maps), and no optimizer has one off the quadratic.
Their best lr is found by a sweep: run the real optimizer at each lr of a log-spaced grid
for the race's number of steps and keep the lr whose loss over the last 10 steps is lowest
on average. The notes returned say which way each number was found.

Read next: model.py (`RaceModel.use_best_settings`), ../momentum_rates/model.py (the rate
of every (lr, beta) pair, measured by running SGD).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..common.translation import _

# The lrs a sweep tries: 10^-4 to 10^1, 8 per decade.
SWEEP_LRS = tuple(float(lr) for lr in np.logspace(-4, 1, 41))


def gradient_descent_rate(lr, eigenvalues):
    """max |1 - lr lambda| over the eigenvalues: how much each step shrinks the error."""
    return max(abs(1 - lr * lam) for lam in eigenvalues)


def momentum_rate(lr, beta, eigenvalues, nesterov=False):
    """The rate of SGD(lr, momentum=beta[, nesterov]) on a quadratic: the largest |root|.

    lr and beta may be NumPy arrays (a whole grid at once). A rate below 1 converges
    (the error shrinks by that factor per step, in the long run); above 1 it diverges.
    """
    lr, beta = np.asarray(lr, dtype=float), np.asarray(beta, dtype=float)
    worst = np.zeros(np.broadcast(lr, beta).shape)
    for lam in eigenvalues:
        if nesterov:  # z^2 - b z + c = 0 with
            b, c = (1 + beta) * (1 - lr * lam), beta * (1 - lr * lam)
        else:
            b, c = 1 + beta - lr * lam, beta + 0 * lr
        root = np.sqrt((b * b - 4 * c).astype(complex))
        largest = np.maximum(np.abs((b + root) / 2), np.abs((b - root) / 2))
        worst = np.maximum(worst, largest)
    return worst


def best_gradient_descent(eigenvalues):
    """(lr, rate): lr = 2 / (L + mu)."""
    mu, L = min(eigenvalues), max(eigenvalues)
    lr = 2 / (L + mu)
    return lr, gradient_descent_rate(lr, eigenvalues)


def best_heavy_ball(eigenvalues):
    """(lr, beta, rate): Polyak's lr = 4 / (sqrt(L) + sqrt(mu))^2 and
    beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2."""
    root_mu, root_L = math.sqrt(min(eigenvalues)), math.sqrt(max(eigenvalues))
    lr = 4 / (root_L + root_mu) ** 2
    beta = ((root_L - root_mu) / (root_L + root_mu)) ** 2
    return lr, beta, math.sqrt(beta)


def best_nesterov_lr(beta, eigenvalues):
    """(lr, rate): the lr with the smallest Nesterov rate at this beta (a fine grid)."""
    top = 2 * (1 + beta) / ((1 + 2 * beta) * max(eigenvalues))  # its stability limit
    lrs = np.linspace(top / 2000, top, 2000)
    rates = momentum_rate(lrs, beta, eigenvalues, nesterov=True)
    best = int(np.argmin(rates))
    return float(lrs[best]), float(rates[best])


@dataclass
class BestSettings:
    """Learning rates (per optimizer name), the momentum, and how each was found."""

    lrs: dict
    momentum: float
    notes: list = field(default_factory=list)


def sweep_lr(run_losses, lrs=SWEEP_LRS, last=10):
    """(best lr, its score): run_losses(lrs) gives one loss curve per lr (rows: lrs);
    the score is the mean loss over the last `last` steps (inf for a diverged run)."""
    losses = np.asarray(run_losses(list(lrs)), dtype=float)
    tail = losses[:, -last:]
    scores = np.where(np.isfinite(tail).all(axis=1), tail.mean(axis=1), np.inf)
    best = int(np.argmin(scores))
    return lrs[best], float(scores[best])


def best_settings(surface, optimizers, steps, momentum, run_losses):
    """BestSettings for these optimizers on this surface, with notes saying how.

    run_losses(name, lrs, momentum) must run the real optimizer `name` once per lr for
    `steps` steps and return the loss curves (model.py passes the race's own loop).
    """
    eigenvalues = surface.hessian_eigenvalues
    lrs, notes = {}, []
    if eigenvalues is not None:
        mu, L = min(eigenvalues), max(eigenvalues)
        lr, momentum, rate = best_heavy_ball(eigenvalues)
        lrs["Momentum"] = lr
        notes.append(
            _(
                "Momentum: Polyak's lr = 4/(√L + √μ)² = {lr:.3g} and μ = ((√L − √μ)/(√L + √μ))² "
                "= {momentum:.3g} (L = {L:g}, μ = {mu:g} are the Hessian's eigenvalues); the "
                "error shrinks by {rate:.3g} per step",
                lr=lr, momentum=momentum, L=L, mu=mu, rate=rate,
            )
        )  # fmt: skip
        lr, rate = best_gradient_descent(eigenvalues)
        lrs["SGD"] = lr
        notes.append(_("SGD: lr = 2/(L + μ) = {lr:.3g}; the error shrinks by {rate:.3g} per step",
                       lr=lr, rate=rate))  # fmt: skip
        lr, rate = best_nesterov_lr(momentum, eigenvalues)
        lrs["Nesterov"] = lr
        notes.append(
            _(
                "Nesterov: at the same μ, the lr with the smallest rate of its update's "
                "eigenvalues, {lr:.3g} (rate {rate:.3g})",
                lr=lr, rate=rate,
            )
        )  # fmt: skip
    swept = [name for name in optimizers if name not in lrs]
    for name in swept:
        lrs[name], _score = sweep_lr(lambda grid, name=name: run_losses(name, grid, momentum))
    if swept:
        notes.append(
            _(
                "{names}: no formula; each lr is the best of {count} from {low:g} to {high:g} "
                "(log-spaced), by the mean loss over the last 10 of {steps} steps, running the "
                "real optimizer",
                names=", ".join(swept), count=len(SWEEP_LRS), low=SWEEP_LRS[0],
                high=SWEEP_LRS[-1], steps=steps,
            )
        )  # fmt: skip
    if "AdamW" in swept and (0.0, 0.0) in surface.minima:
        notes.append(
            _(
                "AdamW's weight decay pulls every parameter towards 0, which is this surface's "
                "minimum: here decay helps it, which says nothing about a network's loss"
            )
        )
    return BestSettings(lrs, momentum, notes)
