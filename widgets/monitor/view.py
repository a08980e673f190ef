"""`TrainingMonitor`: a live loss curve and progress bar for a plain training loop.

    monitor = TrainingMonitor(total=200)          # shows itself in the notebook
    for step in range(200):
        ...
        loss.backward(); opt.step(); opt.zero_grad()
        monitor.update(loss)                      # a float or a one-element tensor
    monitor.finish()                              # final picture, kept in the saved notebook

With held-out data, call `monitor.validate(val_loss, metric=val_accuracy)` once per epoch:
the validation results are drawn as points joined by a line, over the per-step training
curves, so a training loss that keeps falling while the validation loss rises (overfitting)
shows as two curves drifting apart.

Every `every` updates the curve is redrawn into an `Image` widget and the `FloatProgress`
moves: widget values change in place, so nothing flickers and nothing is printed (no
`clear_output`). Without a notebook frontend (a script, nbval) the same code runs and stays
silent: in a script nothing is displayed at all, under nbval the widget's output appears
once and later changes travel as widget messages, never as new cell output.

`finish()` draws the final curve and replaces the displayed output with one that also
carries the picture as PNG, so the notebook saved afterwards shows the curve on GitHub,
in nbviewer and in exported HTML.

Read next: model.py (the numbers and the redraw schedule).
"""

import base64
import html
import time

import ipywidgets as ipw
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullLocator

from ..common import style as styles
from ..common.fonts import picture_text
from ..common.png import png_bytes
from ..common.style import OKABE_ITO
from ..common.translation import _
from ..common.view import sized
from .model import MonitorModel


class TrainingMonitor(ipw.VBox):
    """A live loss curve (and optional metric) with a progress bar; see the module docstring.

    total        number of updates expected (the progress bar's end); None if unknown
    every        redraw every this many updates (default: about 25 redraws per run)
    metric       name of a second curve, e.g. "accuracy" (pass values to update(metric=))
    log_scale    loss axis on a log scale (default True: losses shrink by orders of magnitude)
    title        shown above the curve (default: "training", in the learner's language)
    display      show the monitor at once (default: only inside a running notebook kernel)
    min_interval  at least this many seconds between two pictures (the bar and the numbers
                 still move at every redraw): drawing never slows a fast loop down much
    """

    def __init__(
        self,
        total=None,
        every=None,
        metric=None,
        log_scale=True,
        title=None,
        font_scale=None,
        style=None,
        display=None,
        min_interval=0.25,
    ):
        self.model = MonitorModel(total=total, every=every, metric_name=metric)
        self.display_style = styles.resolve(style, font_scale)
        self.log_scale = log_scale
        self.title = title
        self.progress = ipw.FloatProgress(
            value=0, min=0, max=total or 1, description=_("progress"), bar_style="info"
        ).add_class("mt-monitor-progress")
        if total is None:
            self.progress.layout.display = "none"  # no end known: the label counts steps
        self.label = ipw.HTML().add_class("mt-monitor-label")
        self.image = ipw.Image(format="png").add_class("mt-monitor-image")
        # natural size: a column box would stretch the picture to its width, and blur it
        self.image.layout.align_self = "flex-start"
        self.image.layout.max_width = "100%"
        super().__init__(children=[ipw.HBox([self.progress, self.label]), self.image])
        self.add_class("mt-monitor")
        sized(self, self.display_style)  # the progress bar at the text's size
        self.min_interval = min_interval
        self._figure = None
        self.png = b""
        self.draws = 0
        self._last_draw = -float("inf")
        self._handle = None
        self._redraw()
        if display is None:
            display = _in_kernel()
        if display:
            from IPython.display import display as show

            self._handle = show(self, display_id=True)

    def update(self, loss, metric=None):
        """Record one step (loss: a float or a one-element tensor); redraw when due."""
        if self.model.update(loss, metric):
            self._redraw(force=False)

    def validate(self, loss, metric=None):
        """Record a validation loss (and metric) at the current step, and redraw."""
        if self.model.validate(loss, metric):
            self._redraw(force=False)

    def finish(self):
        """Draw the final curve, and put it into the displayed output as a static PNG."""
        self.model.finish()
        self._redraw()
        self.progress.bar_style = "danger" if self.model.first_bad_step() else "success"
        if self._handle is not None:
            self._handle.update(self)

    # ------------------------------------------------------------------ drawing

    def _redraw(self, force=True):
        """Move the bar and the label; redraw the curve unless one was drawn just now."""
        self.label.value = (
            f'<span style="font-size:{self.display_style.css_font(14)}">'
            f"{html.escape(self.model.summary())}</span>"
        )
        self.progress.value = self.model.step if self.model.total else 0
        now = time.monotonic()
        if force or now - self._last_draw >= self.min_interval:
            self.png = self._draw_png()
            self.image.value = self.png
            self.draws += 1
            self._last_draw = now

    def _draw_png(self):
        # every text (ticks are made lazily, at draw time) must see the scaled font sizes,
        # and in Chinese a Chinese font (English words if none is installed: ../common/fonts.py)
        with picture_text(self._rc()):
            return self._draw_curves()

    def _rc(self):
        size = 10 * self.display_style.font_scale
        return {
            "font.size": size,
            "axes.titlesize": size * 1.1,
            "axes.labelsize": size,
            "xtick.labelsize": size * 0.85,
            "ytick.labelsize": size * 0.85,
        }

    def _draw_curves(self):
        if self._figure is None:
            self._make_figure()
        model, ax = self.model, self._axes
        steps = np.arange(1, model.step + 1)
        losses = np.array(model.losses, dtype=float)
        self._loss_line.set_data(steps, losses)
        finite = losses[np.isfinite(losses)]
        log = self.log_scale and len(finite) > 0 and (finite > 0).all()
        ax.set_yscale("log" if log else "linear")  # (this resets the tick locators)
        if log:  # labels at 1, 2, 5 x 10^k: a narrow range still gets numbers
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=6))
            ax.yaxis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False))
        ax.yaxis.set_minor_locator(NullLocator())
        title = self.title if self.title is not None else _("training")
        if self.log_scale and not log and len(finite):
            title += " " + _("(linear axis: some losses are ≤ 0)")
        # With validation points the legend takes the left, above the axes: title right.
        where, other = ("right", "center") if model.validation else ("center", "right")
        ax.set_title(title, loc=where)
        ax.set_title("", loc=other)
        ax.set_xlim(0, max(model.total or 0, model.step, 1))
        if len(finite):
            low, high = finite.min(), finite.max()
            pad = 0.05 * (high - low) if not log else 0
            ax.set_ylim((low / 1.2, high * 1.2) if log else (low - pad - 1e-12, high + pad + 1e-12))
        bad = model.first_bad_step()
        if bad is not None:
            self._bad_line.set_xdata([bad, bad])
            self._bad_line.set_visible(True)
            self._bad_text.set_position((bad, 0.5))
            self._bad_text.set_text(" " + _("loss is {loss} from step {step}", loss=losses[bad - 1],
                                            step=bad))  # fmt: skip
        if model.validation:
            self._show_validation(finite)
        if model.has_metric():
            self._show_metric(steps)
        self._figure.canvas.draw()
        return png_bytes(self._figure.canvas)

    def _make_figure(self):
        """The figure and its artists, made once; redraws only change their data.

        Called inside _draw_png's rc_context, so every text gets the scaled font size.
        """
        grow = max(1.0, self.display_style.font_scale**0.5)  # room for bigger text
        self._figure = Figure(figsize=(7.0 * grow, 3.2 * grow), dpi=80)
        FigureCanvasAgg(self._figure)
        ax = self._axes = self._figure.add_subplot(1, 1, 1)
        (self._loss_line,) = ax.plot([], [], color=OKABE_ITO["blue"], lw=2)
        ax.set_xlabel(_("step"))
        ax.set_ylabel(_("loss"), color=OKABE_ITO["blue"])
        ax.grid(True, alpha=0.3)
        self._bad_line = ax.axvline(0, color=OKABE_ITO["vermillion"], ls="--", visible=False)
        self._bad_text = ax.text(0, 0.5, "", transform=ax.get_xaxis_transform(),
                                 color=OKABE_ITO["vermillion"])  # fmt: skip
        self._metric_axes = None
        self._validation_line = None
        # margins grow with the text (labels get bigger faster than the figure does)
        margin = 0.12 * grow
        self._figure.subplots_adjust(left=margin, right=1 - margin, bottom=0.17 * grow,
                                     top=1 - margin)  # fmt: skip

    def _show_metric(self, steps):
        if self._metric_axes is None:
            mx = self._metric_axes = self._axes.twinx()
            (self._metric_line,) = mx.plot([], [], "--", color=OKABE_ITO["vermillion"], lw=2)
            label = _("{metric} (dashed)", metric=self.model.metric_label())
            mx.set_ylabel(label, color=OKABE_ITO["vermillion"])
            self._validation_metric_line = None
        metrics = np.array(self.model.metrics, dtype=float)
        self._metric_line.set_data(steps, metrics)
        finite = metrics[np.isfinite(metrics)]
        checked = [m for _, _, m in self.model.validation if np.isfinite(m)]
        if checked:
            if self._validation_metric_line is None:
                (self._validation_metric_line,) = self._metric_axes.plot(
                    [], [], "s--", color=OKABE_ITO["reddish_purple"], lw=2
                )
                self._metric_axes.set_ylabel(
                    _("{metric} (dashed; squares: validation)", metric=self.model.metric_label()),
                    color=OKABE_ITO["vermillion"],
                )
            points = [(s, m) for s, _, m in self.model.validation if np.isfinite(m)]
            self._validation_metric_line.set_data(*zip(*points))
            finite = np.concatenate([finite, checked])
        low, high = finite.min(), finite.max()
        pad = 0.05 * (high - low) + 1e-9
        self._metric_axes.set_ylim(low - pad, high + pad)

    def _show_validation(self, finite_losses):
        """Validation points on the loss axes; the y range widened to include them."""
        ax = self._axes
        if self._validation_line is None:
            (self._validation_line,) = ax.plot(
                [], [], "o-", color=OKABE_ITO["orange"], lw=2, label=_("validation loss")
            )
            self._loss_line.set_label(_("training loss"))
            # above the axes: inside, the accuracy curves (drawn later, on top) would cross it
            ax.legend(
                loc="lower left", bbox_to_anchor=(0, 1), ncol=2, fontsize="small", frameon=False
            )
        steps, losses, _metrics = (
            np.array(column, dtype=float) for column in zip(*self.model.validation)
        )
        self._validation_line.set_data(steps, losses)
        every = np.concatenate([finite_losses, losses[np.isfinite(losses)]])
        if len(every) and ax.get_yscale() == "log" and (every > 0).all():
            ax.set_ylim(every.min() / 1.2, every.max() * 1.2)

    # ------------------------------------------------------------------ static output

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the current curve as PNG and the summary as text."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        bundle["text/plain"] = "TrainingMonitor: " + self.model.summary()
        return bundle

    def _repr_png_(self):
        return self.png

    def __repr__(self):
        return f"<TrainingMonitor: {self.model.summary()}>"


def _in_kernel():
    """True inside a running IPython kernel (a notebook, or nbval), False in a script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
