"""The optimizer race, without any display: run real optimizers side by side, record everything.

    model = RaceModel("rosenbrock", optimizers=("SGD", "Momentum", "Adam"), steps=200)
    result = model.result            # runs once, then cached until a setting changes
    result.runs[2].positions         # (steps + 1, 2): where Adam was after each step
    result.runs[2].states["exp_avg"] # (steps + 1, 2): Adam's m after each step (copied)
    model.caption()                  # text generated from the settings and the results

Every optimizer starts at the same point, takes the same number of steps, and (on the noisy
bowl) sees the same random samples. Each step is the training loop you know:

    loss = f(x, y);  loss.backward();  optimizer.step();  optimizer.zero_grad()

with the real `minitensor.optim` classes (and, for three comparisons, the small teaching
variants in teaching_optimizers.py). simulation.py holds that loop; this file decides
what to run and says what the results mean.

The numbers to show (position, gradient, every entry of `optimizer.state[p]`) are copied
after every step, so scrubbing through time never re-runs anything; and finished runs are
kept, so changing Adam's lr re-runs only Adam, and a longer race continues the shorter one.

Comparisons (`compare=`):
    "optimizers"       the optimizers you list
    "momentum"         the three ways to write momentum, lr rescaled so that they coincide
    "bias_correction"  Adam with and without bias correction
    "weight_decay"     Adam without decay, Adam(weight_decay) (L2), and AdamW

Read next: simulation.py (the loop), surfaces.py (the functions), view.py (the
widget that draws all this).
"""

import math
from dataclasses import dataclass, field

import numpy as np

import minitensor as mt
from minitensor import optim

from ..common.translation import _, sentences
from .simulation import NoiseTable, Track, advance
from .surfaces import OPTIMIZER_NAMES, get_surface
from .teaching_optimizers import (
    AdamWithoutBiasCorrection,
    LrInsideMomentum,
    MovingAverageMomentum,
)
from .tuning import best_settings

COMPARISONS = ("optimizers", "momentum", "bias_correction", "weight_decay")
MAX_STEPS = 5000
# How many finished runs to keep, so that going back to an earlier setting costs nothing.
TRACK_CACHE_SIZE = 32


@dataclass(frozen=True)
class Runner:
    """One line in the race: how to build its optimizer, and how to label and draw it.

    key       stable name, also the colour key ("Adam", "Momentum (average)")
    lr_key    which learning-rate setting it uses (an optimizer name)
    dash      "solid", "dashed" or "dotted": overlaid runs stay visible when they coincide
    teaching  True for the teaching variants, which are not PyTorch optimizers
    bias_corrected  for Adam-like runs: does m_hat / v_hat mean a corrected average?
    buffer_has_lr   the momentum buffer already holds lr (v = mu v + lr g): the velocity
                    is -v, not -lr v
    """

    key: str
    label: str
    make: object  # params, lr -> optimizer
    lr_key: str
    lr_factor: float = 1.0
    dash: str = "solid"
    teaching: bool = False
    bias_corrected: bool = True
    buffer_has_lr: bool = False


@dataclass
class Run:
    """What one optimizer did, step by step. Row t of each array is "after t steps"."""

    runner: Runner
    optimizer_name: str
    hyperparameters: dict  # read back from optimizer.param_groups[0]
    positions: np.ndarray  # (T + 1, 2)
    grads: np.ndarray  # (T + 1, 2); row t is the gradient step t used (row 0 is nan)
    losses: np.ndarray = None  # (T + 1,), f at each position (noise-free)
    states: dict = field(default_factory=dict)  # key -> (T + 1, ...) copies of state[p]
    diverged_at: int = None  # the first step after which the run left the plot for good

    @property
    def label(self):
        return self.runner.label

    @property
    def lr(self):
        return self.hyperparameters["lr"]

    def last_step(self):
        """The last step with a finite position (the number of steps, unless it diverged)."""
        return len(self.positions) - 1 if self.diverged_at is None else self.diverged_at - 1

    def velocity_at(self, t):
        """The displacement the optimizer's memory stands for at step t (None if it has none).

        Momentum: the velocity, -lr * v (for "lr inside", -v): for heavy-ball momentum this
        is the step just taken. Adam: -lr * m_hat / (sqrt(v_hat) + eps), its step without
        weight decay.
        """
        if t == 0 or t > self.last_step():
            return None
        quantities = dict((name, value) for name, _, value in self.quantities_at(t))
        if "update without decay" in quantities:
            return quantities["update without decay"]
        if "momentum_buffer" in self.states:
            v = self.states["momentum_buffer"][t]
            return -v if self.runner.buffer_has_lr else -self.lr * v
        return None

    def quantities_at(self, t):
        """[(name, formula, value), ...]: what to show about this run after step t."""
        t = min(t, len(self.positions) - 1)
        rows = [
            ("position", "p", self.positions[t]),
            ("loss", "f(p)", self.losses[t] if self.losses is not None else float("nan")),
        ]
        if t == 0:
            return rows
        rows.append(("gradient", "g (used by step t)", self.grads[t]))
        rows.append(("update", "p_t − p_(t−1)", self.positions[t] - self.positions[t - 1]))
        if "momentum_buffer" in self.states:
            rows.append(("momentum_buffer", "v", self.states["momentum_buffer"][t]))
        if "exp_avg" in self.states:
            rows.extend(self._adam_quantities(t))
        elif "square_avg" in self.states:
            rows.append(("square_avg", "running mean of g²", self.states["square_avg"][t]))
        elif "sum" in self.states:
            rows.append(("sum", "Σ g² so far", self.states["sum"][t]))
        return rows

    def _adam_quantities(self, t):
        beta1, beta2 = self.hyperparameters["betas"]
        eps = self.hyperparameters["eps"]
        step = float(self.states["step"][t])
        m, v = self.states["exp_avg"][t], self.states["exp_avg_sq"][t]
        if self.runner.bias_corrected:
            m_hat, v_hat = m / (1 - beta1**step), v / (1 - beta2**step)
            hat_formula = ("m / (1 − β1^t)", "v / (1 − β2^t)")
        else:
            m_hat, v_hat = m, v
            hat_formula = ("m (NOT corrected)", "v (NOT corrected)")
        effective_lr = self.lr / (np.sqrt(v_hat) + eps)
        return [
            ("step", "t", step),
            ("exp_avg", "m", m),
            ("exp_avg_sq", "v", v),
            ("m_hat", hat_formula[0], m_hat),
            ("v_hat", hat_formula[1], v_hat),
            ("effective lr", "lr / (√v̂ + ε), per coordinate", effective_lr),
            ("update without decay", "−lr · m̂ / (√v̂ + ε)", -effective_lr * m_hat),
        ]


@dataclass
class RaceResult:
    surface: object
    start: tuple
    steps: int
    seed: int
    compare: str
    runs: list


class RaceModel:
    """Settings of a race, and its result (computed when asked for, then cached).

    Change settings with `set(...)`; the next `result` re-runs only if something changed.
    `run_count` counts the simulations, so you can check that scrubbing never re-runs.
    """

    def __init__(
        self,
        surface="quadratic",
        optimizers=("SGD", "Momentum", "Adam"),
        lr=None,
        momentum=None,
        betas=(0.9, 0.999),
        weight_decay=0.1,
        steps=200,
        start=None,
        seed=0,
        compare="optimizers",
        rescale_lr=True,
        **surface_options,
    ):
        self.surface = get_surface(surface, **surface_options)
        self.lrs = {name: self.surface.default_lrs.get(name, 0.01) for name in OPTIMIZER_NAMES}
        self.start = self.surface.start
        self.optimizers = ()
        self.momentum = self.surface.default_momentum
        self.betas, self.weight_decay = (0.9, 0.999), 0.1
        self.steps, self.seed, self.compare, self.rescale_lr = 200, 0, "optimizers", True
        self.run_count = 0  # simulations that stepped anything (scrubbing adds none)
        self.optimizer_steps = 0  # optimizer.step() calls so far, over all runs
        self._tracks = {}  # cache of live runs: settings -> Track (see _track)
        self._noise = None
        self._result = None
        self._best = None  # (settings snapshot, notes) after use_best_settings()
        self.set(
            optimizers=optimizers,
            lr=lr,
            momentum=momentum,
            betas=betas,
            weight_decay=weight_decay,
            steps=steps,
            start=start,
            seed=seed,
            compare=compare,
            rescale_lr=rescale_lr,
        )

    # ------------------------------------------------------------------ settings

    def set(self, **changes):
        """Change settings; returns True if anything changed (the result is then stale).

        surface=      a name or your function; resets the lrs, momentum and start to its
                      defaults
        lr=           a number for every optimizer, or {"Adam": 0.1, ...}
        optimizers=, momentum=, betas=, weight_decay=, steps=, start=, seed=, compare=,
        rescale_lr=   as in the constructor. None means "leave as it is".
        """
        changes = {key: value for key, value in changes.items() if value is not None}
        unknown = set(changes) - {
            "surface", "optimizers", "lr", "momentum", "betas", "weight_decay", "steps",
            "start", "seed", "compare", "rescale_lr",
        }  # fmt: skip
        if unknown:
            raise TypeError(f"RaceModel.set() got unknown settings {sorted(unknown)}")
        before = self._snapshot()
        if "surface" in changes:
            surface = get_surface(changes["surface"])
            if surface is not self.surface:
                self.surface = surface
                self.lrs = {n: surface.default_lrs.get(n, 0.01) for n in OPTIMIZER_NAMES}
                self.start = surface.start
                self.momentum = surface.default_momentum
        if "optimizers" in changes:
            self.optimizers = _check_optimizers(changes["optimizers"])
        if "lr" in changes:
            self.lrs.update(_check_lrs(changes["lr"]))
        if "momentum" in changes:
            self.momentum = _check_fraction(changes["momentum"], "momentum")
        if "betas" in changes:
            b1, b2 = changes["betas"]
            self.betas = (_check_fraction(b1, "beta1"), _check_fraction(b2, "beta2"))
        if "weight_decay" in changes:
            self.weight_decay = _check_nonnegative(changes["weight_decay"], "weight_decay")
        if "steps" in changes:
            self.steps = _check_steps(changes["steps"])
        if "start" in changes:
            self.start = _check_start(changes["start"])
        if "seed" in changes:
            self.seed = int(changes["seed"])
        if "compare" in changes:
            if changes["compare"] not in COMPARISONS:
                raise ValueError(
                    f"compare must be one of {COMPARISONS}, got {changes['compare']!r}"
                )
            self.compare = changes["compare"]
        if "rescale_lr" in changes:
            self.rescale_lr = bool(changes["rescale_lr"])
        changed = self._snapshot() != before
        if changed:
            self._result = None
        return changed

    def _snapshot(self):
        return (
            id(self.surface), self.optimizers, tuple(sorted(self.lrs.items())), self.momentum,
            self.betas, self.weight_decay, self.steps, self.start, self.seed, self.compare,
            self.rescale_lr,
        )  # fmt: skip

    def lr_keys(self):
        """The learning-rate settings that matter for the current comparison."""
        keys = []
        for runner in self.runners():
            if runner.lr_key not in keys:
                keys.append(runner.lr_key)
        return keys

    # ------------------------------------------------------------------ the runners

    def runners(self):
        """The lines of the race for the current comparison (see the module docstring)."""
        make = self.optimizer_makers()
        comparison = {
            "momentum": self._momentum_runners,
            "bias_correction": self._bias_correction_runners,
            "weight_decay": self._weight_decay_runners,
        }.get(self.compare)
        if comparison is not None:
            return comparison(make)
        return [Runner(name, name, make[name], name) for name in self.optimizers]

    def optimizer_makers(self, momentum=None):
        """{name: (params, lr) -> optimizer} for the real minitensor.optim classes, built
        with the current momentum (or the one given), betas and weight decay: the one place
        they are made."""
        mu = self.momentum if momentum is None else momentum
        betas, wd = self.betas, self.weight_decay
        return {
            "SGD": lambda ps, lr: optim.SGD(ps, lr=lr),
            "Momentum": lambda ps, lr: optim.SGD(ps, lr=lr, momentum=mu),
            "Nesterov": lambda ps, lr: optim.SGD(ps, lr=lr, momentum=mu, nesterov=True),
            "Adam": lambda ps, lr: optim.Adam(ps, lr=lr, betas=betas),
            "Adam (L2)": lambda ps, lr: optim.Adam(ps, lr=lr, betas=betas, weight_decay=wd),
            "AdamW": lambda ps, lr: optim.AdamW(ps, lr=lr, betas=betas, weight_decay=wd),
            "RMSprop": lambda ps, lr: optim.RMSprop(ps, lr=lr),
            "Adagrad": lambda ps, lr: optim.Adagrad(ps, lr=lr),
        }

    def _momentum_runners(self, make):
        mu = self.momentum
        average_factor = 1 / (1 - mu) if self.rescale_lr else 1.0
        return [
            Runner("Momentum", _("PyTorch SGD: v = μv + g, p −= lr·v"), make["Momentum"],
                   "Momentum"),
            Runner("Momentum (average)", _("moving average: v = μv + (1−μ)g, p −= lr·v"),
                   lambda ps, lr: MovingAverageMomentum(ps, lr=lr, momentum=mu),
                   "Momentum", lr_factor=average_factor, dash="dashed", teaching=True),
            Runner("Momentum (lr inside)", _("lr inside: v = μv + lr·g, p −= v"),
                   lambda ps, lr: LrInsideMomentum(ps, lr=lr, momentum=mu),
                   "Momentum", dash="dotted", teaching=True, buffer_has_lr=True),
        ]  # fmt: skip

    def _bias_correction_runners(self, make):
        betas = self.betas
        return [
            Runner("Adam", _("Adam (bias-corrected, PyTorch)"), make["Adam"], "Adam"),
            Runner("Adam (no correction)", _("Adam WITHOUT bias correction (teaching variant)"),
                   lambda ps, lr: AdamWithoutBiasCorrection(ps, lr=lr, betas=betas),
                   "Adam", dash="dashed", teaching=True, bias_corrected=False),
        ]  # fmt: skip

    def _weight_decay_runners(self, make):
        return [
            Runner("Adam", _("Adam, no weight decay"), make["Adam"], "Adam", dash="dotted"),
            Runner("Adam (L2)", _("Adam(weight_decay): wd·p added to the gradient"),
                   make["Adam (L2)"], "Adam"),
            Runner("AdamW", _("AdamW(weight_decay): p shrunk by (1 − lr·wd)"), make["AdamW"],
                   "Adam", dash="dashed"),
        ]  # fmt: skip

    # ------------------------------------------------------------------ best settings

    def use_best_settings(self):
        """Set every optimizer of the race to its best lr (and momentum); see tuning.py.

        On a quadratic, SGD's, Momentum's and Nesterov's settings come from the Hessian's
        eigenvalues; every other lr from a sweep that runs the real optimizer for the
        race's number of steps. `best_notes()` says how each number was found.
        """
        best = best_settings(
            self.surface, self.optimizers, self.steps, self.momentum, self._sweep_losses
        )
        self.set(lr=best.lrs, momentum=best.momentum)
        self._best = (self._snapshot(), best.notes)
        return best

    def best_notes(self):
        """How the current settings were computed, while they are still the best settings
        (an empty list once a setting has changed)."""
        if self._best is None or self._best[0] != self._snapshot():
            return []
        return list(self._best[1])

    def _sweep_losses(self, name, lrs, momentum):
        """Loss curves of optimizer `name` run from the start at each lr: one row per lr."""
        make = self.optimizer_makers(momentum)[name]
        tracks = []
        for lr in lrs:
            p = mt.tensor(list(self.start), requires_grad=True)
            tracks.append(Track(Runner(name, name, make, name), make([p], lr), p))
        noise = (
            NoiseTable(self.seed, self.surface.noise_std) if self.surface.is_stochastic else None
        )
        advance(tracks, self.steps, self.surface, noise)
        rows = self.steps + 1
        return [_padded(t.losses_up_to(self.surface, self.steps), rows) for t in tracks]

    # ------------------------------------------------------------------ running

    @property
    def result(self):
        """The race for the current settings (simulated now if the settings changed)."""
        if self._result is None:
            self._result = self.run()
        return self._result

    def run(self):
        """Bring every runner to `steps` steps from `start`; return a RaceResult.

        Runs already simulated with the same settings (kept in a small cache) are reused and,
        if the race got longer, continued: changing Adam's lr re-runs only Adam.
        """
        tracks = [self._track(runner) for runner in self.runners()]
        noise_table = None
        if self.surface.is_stochastic:
            if self._noise is None or self._noise.seed != self.seed:
                self._noise = NoiseTable(self.seed, self.surface.noise_std)
            noise_table = self._noise
        taken = advance(tracks, self.steps, self.surface, noise_table)
        if taken:
            self.run_count += 1
            self.optimizer_steps += taken
        runs = [self._run_view(track) for track in tracks]
        return RaceResult(self.surface, self.start, self.steps, self.seed, self.compare, runs)

    def _track(self, runner):
        """The cached Track for this runner and settings, or a fresh one at the start."""
        p = mt.tensor(list(self.start), requires_grad=True)
        optimizer = runner.make([p], self.lrs[runner.lr_key] * runner.lr_factor)
        group = optimizer.param_groups[0]
        hyperparameters = tuple(sorted((k, v) for k, v in group.items() if k != "params"))
        key = (runner.key, type(optimizer).__name__, hyperparameters, id(self.surface),
               self.start, self.seed if self.surface.is_stochastic else None)  # fmt: skip
        track = self._tracks.pop(key, None) or Track(runner, optimizer, p)
        track.runner = runner
        self._tracks[key] = track  # most recently used last
        while len(self._tracks) > TRACK_CACHE_SIZE:
            self._tracks.pop(next(iter(self._tracks)))
        return track

    def _run_view(self, track):
        """The first `steps` steps of a track, as a Run (views of its arrays, not copies)."""
        rows = self.steps + 1
        group = track.optimizer.param_groups[0]
        diverged = track.diverged_at
        if diverged is not None and diverged > self.steps:
            diverged = None  # it diverges only later, in a longer race kept in the cache
        return Run(
            runner=track.runner,
            optimizer_name=type(track.optimizer).__name__,
            hyperparameters={k: v for k, v in group.items() if k != "params"},
            positions=_padded(track.positions, rows),
            grads=_padded(track.grads, rows),
            losses=_padded(track.losses_up_to(self.surface, self.steps), rows),
            states={key: _padded(value, rows) for key, value in track.states.items()},
            diverged_at=diverged,
        )

    # ------------------------------------------------------------------ words

    def settings_lines(self):
        """The settings as short lines, for the panel next to the plot."""
        result = self.result
        lines = [
            _("surface: {name}", name=self.surface.words()[0]),
            _("start: ({x}, {y})", x=_fmt(self.start[0]), y=_fmt(self.start[1])),
            _("steps: {steps} for every run", steps=self.steps),
        ]
        if self.surface.is_stochastic:
            lines.append(_("noise: seed {seed}, the same samples for every run", seed=self.seed))
        for run in result.runs:
            lines.append(f"{run.runner.key}: {_hyperparameter_text(run)}")
        threshold = self.divergence_threshold()
        if threshold is not None:
            lines.append(_("GD diverges for lr > 2/λ_max = {limit}", limit=_fmt(threshold)))
        lines.extend(_("best settings: {note}", note=note) for note in self.best_notes())
        return lines

    def divergence_threshold(self, momentum=0.0, nesterov=False):
        """The largest stable lr of (heavy-ball or Nesterov) momentum GD on a quadratic.

        Gradient descent on 1/2 lambda x^2 multiplies x by (1 - lr lambda) each step, so it
        diverges once lr > 2 / lambda_max. PyTorch's momentum mu widens this to
        2 (1 + mu) / lambda_max; Nesterov's to 2 (1 + mu) / ((1 + 2 mu) lambda_max).
        None when the surface is not a quadratic.
        """
        lam = self.surface.lambda_max
        if lam is None:
            return None
        if nesterov:
            return 2 * (1 + momentum) / ((1 + 2 * momentum) * lam)
        return 2 * (1 + momentum) / lam

    def caption(self):
        """A caption generated from the current settings and results (never stale)."""
        result = self.result
        name, formula, description = self.surface.words()
        start = {"x": _fmt(self.start[0]), "y": _fmt(self.start[1]), "steps": self.steps}
        if self.surface.is_stochastic:
            journey = _("Every run starts at ({x}, {y}) and takes {steps} steps, seeing the same "
                        "noisy gradients (seed {seed}).", seed=self.seed, **start)  # fmt: skip
        else:
            journey = _("Every run starts at ({x}, {y}) and takes {steps} steps.", **start)
        if description:
            surface = _("{name}: {formula} ({description}).", name=name, formula=formula,
                        description=description)  # fmt: skip
        else:
            surface = _("{name}: {formula}.", name=name, formula=formula)
        parts = [surface, journey]
        for run in result.runs:
            parts.append(_("{label} [{settings}]: {outcome}.", label=run.label,
                           settings=_hyperparameter_text(run), outcome=_outcome(run)))  # fmt: skip
        parts.extend(self._threshold_sentences(result))
        explain = {
            "momentum": self._momentum_sentences,
            "bias_correction": self._bias_correction_sentences,
            "weight_decay": self._weight_decay_sentences,
        }.get(self.compare)
        if explain is not None:
            parts.extend(explain(result))
        notes = self.best_notes()
        if notes:
            parts.append(_("These are the best settings: {notes}.", notes="; ".join(notes)))
        if any(run.runner.teaching for run in result.runs):
            parts.append(
                _(
                    "Dashed/dotted variants marked 'teaching' are small optimizers written for "
                    "this comparison (widgets/optimizer_race/teaching_optimizers.py), not "
                    "PyTorch classes."
                )
            )
        return sentences(parts)

    def _threshold_sentences(self, result):
        gd_runs = [r for r in result.runs if r.optimizer_name == "SGD"]
        if self.surface.lambda_max is None or not gd_runs:
            return []
        lam = self.surface.lambda_max
        sentences = [
            _(
                "On this quadratic (λ_max = {lam}) plain gradient descent diverges for "
                "lr > 2/λ_max = {limit}.",
                lam=_fmt(lam),
                limit=_fmt(2 / lam),
            )
        ]
        for run in gd_runs:
            mu = run.hyperparameters.get("momentum", 0)
            nesterov = run.hyperparameters.get("nesterov", False)
            limit = self.divergence_threshold(mu, nesterov)
            if mu and nesterov:
                limit_text = _(
                    "with Nesterov μ = {mu} the limit is {formula} = {limit}",
                    mu=_fmt(mu),
                    formula="2(1+μ)/((1+2μ)λ_max)",
                    limit=_fmt(limit),
                )
            elif mu:
                limit_text = _("with momentum μ = {mu} the limit is {formula} = {limit}",
                               mu=_fmt(mu), formula="2(1+μ)/λ_max", limit=_fmt(limit))  # fmt: skip
            else:
                limit_text = _("the limit is {limit}", limit=_fmt(limit))
            words = {"label": run.label, "lr": _fmt(run.lr), "limit_text": limit_text}
            if run.lr > limit:
                sentences.append(_("{label}: lr = {lr} is above it ({limit_text}).", **words))
            else:
                sentences.append(_("{label}: lr = {lr} is below it ({limit_text}).", **words))
        return sentences

    def _momentum_sentences(self, result):
        mu = self.momentum
        lrs = ", ".join(f"{_fmt(r.lr)}" for r in result.runs)
        gap = max_gap(result.runs)
        if self.rescale_lr:
            return [
                _(
                    "The moving average's lr is PyTorch's lr / (1 − μ) = {lr} (lrs {lrs}); then "
                    "the three paths coincide: the largest distance between them over all "
                    "steps is {gap:.1e}, rounding error.",
                    lr=_fmt(result.runs[1].lr), lrs=lrs, gap=gap,
                ),
                _(
                    "All three step about lr/(1 − μ) = {factor} times the gradient once the "
                    "velocity has built up.",
                    factor=_fmt(result.runs[0].lr / (1 - mu)),
                ),
            ]  # fmt: skip
        return [
            _(
                "Same lr for all three ({lrs}): the moving average's velocity is (1 − μ) = "
                "{factor} times PyTorch's, so it moves that much slower (largest distance "
                "between the paths: {gap:.3g}). Tick 'rescale lr' to match them.",
                lrs=lrs, factor=_fmt(1 - mu), gap=gap,
            )
        ]  # fmt: skip

    def _bias_correction_sentences(self, result):
        beta1, beta2 = self.betas
        predicted = (1 - beta1) / math.sqrt(1 - beta2)
        ratios = [(1 - beta1**t) / math.sqrt(1 - beta2**t) for t in range(1, 201)]
        peak = int(np.argmax(ratios)) + 1
        said = [
            _(
                "Under a constant gradient the uncorrected step is (1 − β1^t)/√(1 − β2^t) times "
                "the corrected one: {first}x at t = 1, peaking at {peak}x at t = {t}.",
                first=_fmt(predicted), peak=_fmt(ratios[peak - 1]), t=peak,
            )
        ]  # fmt: skip
        measured = first_step_ratio(result.runs[1], result.runs[0])
        if measured is not None:
            said.append(
                _(
                    "Measured here at step 1: {measured}x. With correction the first step is "
                    "lr · sign(g) = {lr} per coordinate.",
                    measured=_fmt(measured), lr=_fmt(result.runs[0].lr),
                )
            )  # fmt: skip
        return said

    def _weight_decay_sentences(self, result):
        wd = self.weight_decay
        lr = result.runs[0].lr
        return [
            _(
                "weight_decay = {wd}. Adam(weight_decay) adds wd·p to the gradient, which is "
                "then divided by √v̂ like the rest of it; AdamW instead multiplies p by "
                "(1 − lr·wd) = {factor} every step, whatever the gradient.",
                wd=_fmt(wd),
                factor=_fmt(1 - lr * wd),
            )
        ]


# ----------------------------------------------------------------------------- helpers


def _padded(array, rows):
    """The first `rows` rows of array; nan rows added if the run stopped early (diverged)."""
    if len(array) >= rows:
        return array[:rows]
    padded = np.full((rows,) + array.shape[1:], np.nan)
    padded[: len(array)] = array
    return padded


def max_gap(runs):
    """The largest distance between any two runs' positions at the same step."""
    gap = 0.0
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            distances = np.linalg.norm(a.positions - b.positions, axis=1)
            if np.isnan(distances).all():
                return float("inf")
            gap = max(gap, float(np.nanmax(distances)))
    return gap


def first_step_ratio(run, reference):
    """|first step of run| / |first step of reference|, largest over coordinates."""
    if len(run.positions) < 2:
        return None
    step = np.abs(run.positions[1] - run.positions[0])
    ref = np.abs(reference.positions[1] - reference.positions[0])
    ok = ref > 0
    if not ok.any():
        return None
    return float(np.max(step[ok] / ref[ok]))


# ----------------------------------------------------------------------------- checks, text


def _check_optimizers(names):
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    if not names:
        raise ValueError(f"choose at least one optimizer from {OPTIMIZER_NAMES}")
    for name in names:
        if name not in OPTIMIZER_NAMES:
            raise ValueError(f"unknown optimizer {name!r}; choose from {OPTIMIZER_NAMES}")
    if len(set(names)) != len(names):
        raise ValueError(f"optimizer listed twice in {names}")
    return names


def _check_lrs(lr):
    lrs = dict.fromkeys(OPTIMIZER_NAMES, lr) if isinstance(lr, (int, float)) else dict(lr)
    for name, value in lrs.items():
        if name not in OPTIMIZER_NAMES:
            raise ValueError(f"lr given for unknown optimizer {name!r}; use {OPTIMIZER_NAMES}")
        if not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
            raise ValueError(f"Invalid learning rate for {name}: {value!r} (must be > 0)")
    return {name: float(value) for name, value in lrs.items()}


def _check_fraction(value, name):
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"Invalid {name} value: {value} (must be in [0, 1))")
    return value


def _check_nonnegative(value, name):
    value = float(value)
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value} (must be >= 0)")
    return value


def _check_steps(steps):
    if isinstance(steps, bool) or int(steps) != steps or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    return int(steps)


def _check_start(start):
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start must be two numbers (x0, y0), got {start!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"start must be finite, got {start!r}")
    return (x, y)


def _fmt(x):
    """A number in a caption: 3 significant digits, no trailing noise."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if not math.isfinite(x):
        return str(x)
    return f"{x:.3g}"


# The hyperparameters worth listing per optimizer class (defaults that never change here,
# such as maximize=False, are left out to keep the panel readable).
_SHOWN = {
    "SGD": ("lr", "momentum", "nesterov"),
    "MovingAverageMomentum": ("lr", "momentum"),
    "LrInsideMomentum": ("lr", "momentum"),
    "Adam": ("lr", "betas", "weight_decay"),
    "AdamW": ("lr", "betas", "weight_decay"),
    "AdamWithoutBiasCorrection": ("lr", "betas"),
    "RMSprop": ("lr", "alpha"),
    "Adagrad": ("lr",),
}


def _hyperparameter_text(run):
    shown = []
    for key in _SHOWN.get(run.optimizer_name, ("lr",)):
        value = run.hyperparameters.get(key)
        if key in ("momentum", "weight_decay") and not value and run.optimizer_name != "AdamW":
            continue
        if key == "nesterov" and not value:
            continue
        if key == "betas":
            text = f"({_fmt(value[0])}, {_fmt(value[1])})"
        else:
            text = _fmt(value)
        shown.append(f"{key}={text}")
    return f"{run.optimizer_name}(" + ", ".join(shown) + ")"


def _outcome(run):
    if run.diverged_at is not None:
        return _("diverged (left the plot for good at step {step})", step=run.diverged_at)
    final = run.losses[-1]
    x, y = run.positions[-1]
    return _("ends at ({x}, {y}) with loss {loss}", x=_fmt(x), y=_fmt(y), loss=_fmt(final))
