"""The training monitor, without any display: the numbers a loss curve needs, and when to redraw.

    model = MonitorModel(total=500, every=10, metric_name="accuracy")
    for step in range(500):
        ...
        if model.update(loss, metric=acc):   # True every 10 updates (and at the end)
            redraw()                         # the view's job (view.py)
        if end_of_epoch:
            model.validate(val_loss, metric=val_acc)   # a point at the current step

`update` takes a Python number or a tensor holding one number and calls `.item()` itself:
keeping `loss` tensors around would keep every iteration's graph alive (LEARNERS.md 13).

Read next: view.py (the live curve and progress bar built on this).
"""

import math

import numpy as np

from ..common.translation import _

# Redraws per run when `every` is not given and the total is known: enough to look live,
# few enough that drawing costs little next to the training itself.
REDRAWS_PER_RUN = 25
DEFAULT_EVERY = 10


def as_number(value, what="loss"):
    """A float from a Python number, a NumPy scalar, or a tensor with exactly one element."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number or a one-element tensor, got {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    item = getattr(value, "item", None)
    numel = getattr(value, "numel", None)
    if callable(item) and callable(numel):
        if numel() != 1:
            shape = list(getattr(value, "shape", ()))
            raise ValueError(
                f"{what} must be a single number, got a tensor of shape {shape}; reduce it "
                "first (loss.mean() or loss.sum())"
            )
        return float(item())
    raise TypeError(
        f"{what} must be a number or a one-element tensor, got {type(value).__name__} {value!r}"
    )


class MonitorModel:
    """Losses (and an optional metric) per update, plus the redraw schedule.

    total        the number of updates expected (None if unknown: no progress fraction)
    every        redraw every this many updates (default: about 25 redraws per run)
    metric_name  the name of a second curve (e.g. "accuracy"), or None
    """

    def __init__(self, total=None, every=None, metric_name=None):
        if total is not None and (isinstance(total, bool) or int(total) != total or total < 1):
            raise ValueError(f"total must be a positive whole number (or None), got {total!r}")
        self.total = None if total is None else int(total)
        if every is None:
            every = DEFAULT_EVERY if total is None else max(1, math.ceil(total / REDRAWS_PER_RUN))
        if isinstance(every, bool) or int(every) != every or every < 1:
            raise ValueError(f"every must be a positive whole number, got {every!r}")
        self.every = int(every)
        self.metric_name = metric_name
        self.losses = []
        self.metrics = []  # one per update; nan where no metric was given
        self.validation = []  # (step, loss, metric or nan): one per validate() call
        self.redraws = 0
        self.finished = False

    @property
    def step(self):
        """How many updates so far."""
        return len(self.losses)

    def update(self, loss, metric=None):
        """Record one step; return True when the view should redraw now."""
        if self.finished:
            raise RuntimeError(
                "this monitor has finished; make a new TrainingMonitor for a new training run"
            )
        self.losses.append(as_number(loss, "loss"))
        self.metrics.append(float("nan") if metric is None else as_number(metric, "metric"))
        due = self.step % self.every == 0 or self.step == self.total
        if due:
            self.redraws += 1
        return due

    def validate(self, loss, metric=None):
        """Record a result on held-out data (say once per epoch) at the current step.

        Always due for a redraw: validation is rare, and it is the number one waits for.
        """
        if self.finished:
            raise RuntimeError(
                "this monitor has finished; make a new TrainingMonitor for a new training run"
            )
        value = float("nan") if metric is None else as_number(metric, "validation metric")
        self.validation.append((self.step, as_number(loss, "validation loss"), value))
        return True

    def finish(self):
        """Mark the run as over; return True if the last steps have not been drawn yet."""
        self.finished = True
        if self.step % self.every != 0 and self.step != self.total:
            self.redraws += 1
            return True
        return False

    @property
    def progress(self):
        """The fraction of `total` done (None when total is unknown)."""
        if self.total is None:
            return None
        return min(1.0, self.step / self.total)

    def first_bad_step(self):
        """The first step whose loss is nan or inf (1-based), or None."""
        for i, loss in enumerate(self.losses):
            if not math.isfinite(loss):
                return i + 1
        return None

    def best(self):
        """(step, loss) of the lowest finite loss so far, or None."""
        finite = [(loss, i + 1) for i, loss in enumerate(self.losses) if math.isfinite(loss)]
        if not finite:
            return None
        loss, step = min(finite)
        return step, loss

    def has_metric(self):
        """True once a metric was given, for a training step or a validation."""
        every = self.metrics + [metric for _, _, metric in self.validation]
        return any(math.isfinite(m) for m in every)

    def metric_label(self):
        """The metric's name: the one given, else "metric" (in the learner's language)."""
        return self.metric_name or _("metric")

    def summary(self):
        """One line, e.g. 'step 120/500 · loss 0.0312 · best 0.0298 (step 97)'."""
        if not self.losses:
            return _("waiting for the first update")
        if self.total is not None:
            parts = [_("step {step}/{total}", step=self.step, total=self.total)]
        else:
            parts = [_("step {step}", step=self.step)]
        parts.append(_("loss {loss}", loss=_fmt(self.losses[-1])))
        best = self.best()
        if best is not None:
            parts.append(_("best {loss} (step {step})", loss=_fmt(best[1]), step=best[0]))
        given = [m for m in self.metrics if math.isfinite(m)]
        if given:
            parts.append(f"{self.metric_label()} {_fmt(given[-1])}")
        if self.validation:
            _step, val_loss, val_metric = self.validation[-1]
            parts.append(_("validation loss {loss}", loss=_fmt(val_loss)))
            if math.isfinite(val_metric):
                parts.append(_("validation {metric} {value}", metric=self.metric_label(),
                               value=_fmt(val_metric)))  # fmt: skip
        bad = self.first_bad_step()
        if bad is not None:
            parts.append(_("loss became {loss} at step {step}: training diverged",
                           loss=self.losses[bad - 1], step=bad))  # fmt: skip
        if self.finished:
            parts.append(_("finished"))
        return " · ".join(parts)


def _fmt(x):
    return f"{x:.4g}"
