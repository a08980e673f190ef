"""The (lr, β) map of momentum on a quadratic, without any display: how fast each pair converges.

    model = MomentumMapModel("quadratic", steps=100)
    model.rates                  # (len(betas), len(lrs)): the rate measured in each cell
    model.theory_rates()         # the same grid from the eigenvalues, to compare
    model.boundary(model.betas)  # 2 (1 + β) / λ_max: momentum diverges to the right of it
    model.optimum()              # Polyak's (lr, β, rate), the best pair there is
    model.select(i, j)           # the cell a click chose: (lr, β)
    model.caption()

Each cell is a real run: `optim.SGD(momentum=β)` for `steps` steps from the race's start
point. Its *rate* is how much the distance to the minimum shrinks per step, measured
between the second and the last quarter of the run (the largest distance in each, since
momentum swings): 0.5 means the error halves every step, 1 means no progress, above 1 the
run diverges. (For a quadratic the eigenvalues predict
the rate exactly; `theory_rates()` and ../optimizer_race/tuning.py say how.)

Running every cell as its own optimizer would take thousands of Python-level steps, so the
map runs one `optim.SGD` with one parameter group per β (momentum is a group setting) whose
parameter holds one row per lr: a (len(lrs), 2) tensor. The lrs differ inside one group by
scaling each row's loss instead: the loss is the sum over rows of lr_i · f(row i), stepped
with SGD(lr=1). Its gradient for row i is lr_i · g_i, so the buffer becomes
v = β v + lr_i g and the step p -= v: "lr inside the velocity", which lesson 6 shows takes
exactly PyTorch's steps for SGD(lr=lr_i). So each row walks the path of SGD(lr=lr_i,
momentum=β), and all cells cost one forward, one backward and one step() per step.

Read next: view.py (the picture, and a click that starts the race with a cell's settings).
"""

import math

import numpy as np

import minitensor as mt
from minitensor import optim

from ..common.translation import _, sentences
from ..optimizer_race.surfaces import get_surface
from ..optimizer_race.tuning import best_gradient_descent, best_heavy_ball, momentum_rate


class MomentumMapModel:
    """The rate of SGD(lr, momentum=β) on a quadratic for a grid of (lr, β), measured.

    lrs, betas  the grid's columns and rows (cell centres); by default 20 lrs up to a bit
                past the largest stable one, and 14 momentums from 0 to 0.95
    steps       how long each run is; the rate is measured over its second half (at most
                about 100: faster cells reach float32's smallest numbers after that)
    """

    def __init__(self, surface="quadratic", lrs=None, betas=None, steps=100, start=None):
        self.surface = get_surface(surface)
        if self.surface.hessian_eigenvalues is None:
            raise ValueError(
                f"the momentum map needs a quadratic surface (one with Hessian eigenvalues); "
                f"{self.surface.name!r} has none"
            )
        self.eigenvalues = tuple(self.surface.hessian_eigenvalues)
        lam = max(self.eigenvalues)
        if betas is None:
            betas = np.linspace(0.0, 0.95, 14)
        if lrs is None:  # cell centres from just above 0 to past 2 (1 + 0.95) / lambda_max
            top = 2.2 * 2 / lam
            lrs = (np.arange(20) + 0.5) * top / 20
        self.lrs = np.asarray(lrs, dtype=float)
        self.betas = np.asarray(betas, dtype=float)
        if self.lrs.ndim != 1 or self.betas.ndim != 1 or (self.lrs <= 0).any():
            raise ValueError("lrs and betas must be 1-D, and every lr > 0")
        if ((self.betas < 0) | (self.betas >= 1)).any():
            raise ValueError("every β must be in [0, 1)")
        self.steps = int(steps)
        if self.steps < 4:
            raise ValueError(f"steps must be at least 4, got {steps!r}")
        self.start = tuple(start) if start is not None else self.surface.start
        self.minimum = np.asarray(self.surface.minima[0], dtype=float)
        self.selected = None  # (lr, β) of the cell chosen last
        self.optimizer_steps = 0  # optimizer.step() calls: one per step for the whole grid
        self.rates = self._measure()

    # ------------------------------------------------------------------ computing

    def _measure(self):
        """Run the grid (see the module docstring); the rate of every cell."""
        rows = []
        for _beta in self.betas:
            points = np.tile(np.asarray(self.start, dtype=np.float32), (len(self.lrs), 1))
            rows.append(mt.tensor(points, requires_grad=True))
        groups = [{"params": [p], "momentum": float(beta)} for p, beta in zip(rows, self.betas)]
        optimizer = optim.SGD(groups, lr=1.0)
        lrs = mt.tensor(self.lrs, dtype=mt.float32)
        distances = [np.stack([self._distance(p) for p in rows])]  # one (betas, lrs) per step
        with np.errstate(all="ignore"):  # diverging cells overflow on purpose
            for _step in range(self.steps):
                optimizer.zero_grad()
                loss = sum((lrs * self.surface.fn(p[:, 0], p[:, 1])).sum() for p in rows)
                loss.backward()
                optimizer.step()
                self.optimizer_steps += 1
                distances.append(np.stack([self._distance(p) for p in rows]))
            return _rate(np.array(distances))

    def _distance(self, p):
        return np.linalg.norm(p.detach().numpy().astype(float) - self.minimum, axis=1)

    def theory_rates(self):
        """The rate of every cell predicted from the eigenvalues (the largest |root|)."""
        lrs, betas = np.meshgrid(self.lrs, self.betas)
        return momentum_rate(lrs, betas, self.eigenvalues)

    def boundary(self, betas):
        """The largest stable lr for each β: 2 (1 + β) / λ_max."""
        return 2 * (1 + np.asarray(betas, dtype=float)) / max(self.eigenvalues)

    def optimum(self):
        """Polyak's best (lr, β, rate): see ../optimizer_race/tuning.py."""
        return best_heavy_ball(self.eigenvalues)

    def best_cell(self):
        """(lr, β, rate) of the cell with the smallest measured rate."""
        j, i = np.unravel_index(np.argmin(self.rates), self.rates.shape)
        return float(self.lrs[i]), float(self.betas[j]), float(self.rates[j, i])

    def best_plain_cell(self):
        """(lr, rate) of the best cell with β = 0 (plain SGD), if β = 0 is a row."""
        if not (self.betas == 0).any():
            return None
        row = self.rates[int(np.flatnonzero(self.betas == 0)[0])]
        i = int(np.argmin(row))
        return float(self.lrs[i]), float(row[i])

    # ------------------------------------------------------------------ choosing a cell

    def select(self, i, j):
        """Choose the cell of lr column i and β row j; returns its (lr, β)."""
        self.selected = (float(self.lrs[i]), float(self.betas[j]))
        return self.selected

    def rate_at(self, i, j):
        return float(self.rates[j, i])

    def cell_text(self, i, j):
        """A cell's tooltip: its settings and what happened."""
        rate = self.rates[j, i]
        outcome = _("diverges") if rate >= 1 else _("rate {rate:.3f}", rate=rate)
        return _("lr {lr:.3g}, β {beta:.2f}: {outcome} (click to race it)", lr=self.lrs[i],
                 beta=self.betas[j], outcome=outcome)  # fmt: skip

    # ------------------------------------------------------------------ words

    def caption(self):
        """What the map shows, generated from the grid and the eigenvalues."""
        mu, lam = min(self.eigenvalues), max(self.eigenvalues)
        lr, beta, rate = self.optimum()
        best_lr, best_beta, best_rate = self.best_cell()
        gd_lr, gd_rate = best_gradient_descent(self.eigenvalues)
        diverged = int(np.sum(self.rates >= 1))
        parts = [
            _(
                "Convergence rate of SGD(lr, momentum=β) on {formula}, one cell per (lr, β): "
                "{columns} x {rows} real runs of {steps} steps from ({x:g}, {y:g}), the rate "
                "measured as how much the distance to the minimum shrinks per step in the "
                "second half of the run (smaller is faster).",
                formula=self.surface.words()[1], columns=len(self.lrs), rows=len(self.betas),
                steps=self.steps, x=self.start[0], y=self.start[1],
            ),
            _(
                "{count} cells diverge: right of the line lr = 2(1 + β)/λ_max (λ_max = {lam:g}).",
                count=diverged, lam=lam,
            ),
            _(
                "Star: Polyak's optimum lr = 4/(√L + √μ)² = {lr:.3g}, β = ((√L − √μ)/(√L + √μ))² "
                "= {beta:.3g} (L = {lam:g}, μ = {mu:g}), rate {rate:.3f}; the best cell "
                "measured: lr {best_lr:.3g}, β {best_beta:.2f}, rate {best_rate:.3f}.",
                lr=lr, beta=beta, lam=lam, mu=mu, rate=rate, best_lr=best_lr,
                best_beta=best_beta, best_rate=best_rate,
            ),
            _(
                "Plain gradient descent (β = 0) at its best, lr = 2/(L + μ) = {lr:.3g}, has rate "
                "{rate:.3f}: to shrink the error a millionfold it needs {steps} steps, momentum "
                "at its best {momentum_steps}.",
                lr=gd_lr, rate=gd_rate, steps=_steps_to(gd_rate),
                momentum_steps=_steps_to(rate),
            ),
        ]  # fmt: skip
        high = self.betas[self.betas >= 0.8]
        if len(high):
            parts.append(
                _(
                    "Too much momentum is slow too: at β = {beta:.2f} no lr does better than "
                    "√β = {rate:.3f}.",
                    beta=high[-1],
                    rate=math.sqrt(high[-1]),
                )
            )
        if self.selected is not None:
            parts.append(_("Selected: lr {lr:.3g}, β {beta:.2f}.", lr=self.selected[0],
                           beta=self.selected[1]))  # fmt: skip
        return sentences(parts)


def _rate(distances):
    """Shrink per step between the second and the fourth quarter of the run.

    With momentum the distance swings (it overshoots and comes back), so each quarter is
    represented by its largest distance, the top of its swings: the rate of that envelope
    is the rate of the run. A run that overflowed has rate inf.
    """
    steps = len(distances) - 1
    quarter = steps // 4
    early = distances[quarter : 2 * quarter + 1].max(axis=0)
    late = distances[3 * quarter :].max(axis=0)
    rates = (late / early) ** (1 / (steps - 2 * quarter))
    rates[~np.isfinite(rates)] = np.inf
    return rates


def _steps_to(rate, factor=1e-6):
    """Steps for the error to shrink by `factor` at this rate."""
    return math.ceil(math.log(factor) / math.log(rate))
