"""The race's picture: contour plot with paths, and loss against step, as PNG bytes.

`RacePicture(font_scale).draw(model, t, log_scale)` returns the PNG of the race at step t.
matplotlib is slow at drawing text (axes, ticks, labels), and the widget redraws on every
tick of Play and after every slider, so the picture is drawn in layers whose pixels are kept
(matplotlib's "blitting") and each layer is redrawn only when what it shows changed:

    surface  the contour panel: contours, minima, axes          new surface
    frame    the loss panel's axes, ticks and labels, no data   new limits or new runs
    race     the paths, the loss curves, the legend             every new result
             (the legend's and the note's pixels are kept too, and put back while
             their text is unchanged: two opaque boxes of text cost half the layer)
    moving   each optimizer's position and path so far, its     every step t
             state arrow, the step line on the loss axis

It uses a matplotlib `Figure` with the Agg canvas directly (no pyplot, no interactive
backend, no ipympl), so it behaves the same in JupyterLab, under nbval and in a script.

Colours: Okabe-Ito (../common/style.py), and each optimizer also has its own marker and dash, so the
picture reads in greyscale and for colour-blind viewers.

Read next: view.py (the widget around this picture).
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullLocator

from ..common.fonts import picture_text
from ..common.png import png_bytes
from ..common.style import OKABE_ITO
from ..common.translation import _

# runner key -> (colour, marker). Yellow is left out: it vanishes on white.
LOOKS = {
    "SGD": ("vermillion", "o"),
    "Momentum": ("blue", "s"),
    "Nesterov": ("sky_blue", "^"),
    "Adam": ("bluish_green", "D"),
    "AdamW": ("reddish_purple", "v"),
    "RMSprop": ("orange", "P"),
    "Adagrad": ("black", "X"),
    "Momentum (average)": ("orange", "P"),
    "Momentum (lr inside)": ("bluish_green", "D"),
    "Adam (no correction)": ("vermillion", "o"),
    "Adam (L2)": ("blue", "s"),
}
# the same markers as text, for the state table next to the picture
MARKER_SYMBOLS = {"o": "●", "s": "■", "^": "▲", "D": "◆", "v": "▼", "P": "✚", "X": "✖"}
DASHES = {"solid": "-", "dashed": "--", "dotted": ":"}
# Overlaid runs that coincide: the lower ones drawn wider, so every one stays visible.
WIDTHS = {"solid": 4.0, "dashed": 2.6, "dotted": 1.8}


def look(key):
    """(hex colour, marker) for a runner key."""
    colour, marker = LOOKS.get(key, ("black", "o"))
    return OKABE_ITO[colour], marker


def contour_levels(Z, n=24):
    """Levels at quantiles of Z: every part of the surface gets lines, even Rosenbrock's
    flat valley next to its steep walls (evenly spaced levels would show only the walls)."""
    finite = Z[np.isfinite(Z)]
    levels = np.unique(np.quantile(finite, np.linspace(0, 1, n)))
    if len(levels) < 3:
        levels = np.linspace(finite.min(), finite.max() + 1e-9, n)
    return levels


class RacePicture:
    """A two-panel figure, redrawn layer by layer; see the module docstring."""

    def __init__(self, font_scale=1.0, size=(11.0, 4.4), dpi=80):
        self.font_scale = font_scale
        grow = max(1.0, font_scale**0.5)  # bigger text needs some more room, not all of it
        with picture_text(self._rc()):
            self.figure = Figure(figsize=(size[0] * grow, size[1] * grow), dpi=dpi)
            self.canvas = FigureCanvasAgg(self.figure)
            self.contour_axes, self.loss_axes = self.figure.subplots(
                1, 2, gridspec_kw={"width_ratios": [1.15, 1]}
            )
        self._surface = None  # what each layer was drawn for
        self._runs_key = None
        self._limits = None
        self._drawn_key = None
        self._surface_pixels = None  # the kept layers
        self._frame_pixels = None
        self._background = None
        self._kept = {}  # opaque text box -> (its text, its pixels); see _draw_text_box
        self.surface_layers = 0  # how often each layer was drawn (tests and benchmarks)
        self.frame_layers = 0
        self.full_draws = 0
        self.frames = 0

    def _rc(self):
        size = 10 * self.font_scale
        return {
            "font.size": size,
            "axes.titlesize": size * 1.1,
            "axes.labelsize": size,
            "legend.fontsize": size * 0.85,
            "xtick.labelsize": size * 0.85,
            "ytick.labelsize": size * 0.85,
        }

    def draw(self, model, t, log_scale=True):
        """PNG bytes of the race at step t, redrawing only the layers that changed."""
        result = model.result
        key = (id(result), bool(log_scale))
        # picture_text: a Chinese font in Chinese (English words if none is installed)
        with picture_text(self._rc()):
            if key != self._drawn_key:
                self._draw_race(model, result, log_scale)
                self._drawn_key = key
            self._draw_moving(result, t, log_scale)
        return png_bytes(self.canvas)

    # ------------------------------------------------------------------ the layers

    def _draw_race(self, model, result, log_scale):
        self.full_draws += 1
        if result.surface is not self._surface:
            self._draw_surface(result.surface)
        runs_key = (result.surface, log_scale,
                    tuple((r.runner.key, r.runner.dash, r.label) for r in result.runs))  # fmt: skip
        new_runs = runs_key != self._runs_key
        if new_runs:
            self._make_race_artists(result, log_scale)
            self._runs_key = runs_key
        self._update_race_artists(model, result, log_scale)
        if new_runs:
            # Constrained layout finds margins that fit the labels, but it costs as much as
            # drawing; new results for the same runs keep the positions it found.
            self.figure.set_layout_engine("constrained")
            self.figure.get_layout_engine().execute(self.figure)
            self.figure.set_layout_engine("none")
            self._surface_pixels = None
        if self._surface_pixels is None:
            self.surface_layers += 1
            self.loss_axes.set_visible(False)
            self.canvas.draw()  # leaves out every artist marked animated (all of the race's)
            self._surface_pixels = self.canvas.copy_from_bbox(self.figure.bbox)
            self.loss_axes.set_visible(True)
            self._frame_pixels = None
        if self._frame_pixels is None:
            self.frame_layers += 1
            self.canvas.restore_region(self._surface_pixels)
            self.figure.draw_artist(self.loss_axes)  # its data are animated: axes only
            self._frame_pixels = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._frame_pixels)
        for artist in self._race_still:
            if artist is self._legend or artist is self._note:
                self._draw_text_box(artist)
            else:
                artist.axes.draw_artist(artist)
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)

    def _draw_text_box(self, artist):
        """Draw the legend or the note, or, if its text is unchanged, draw only its box and
        put back the pixels of what is inside.

        Text is the slowest thing matplotlib draws, and a new start point changes the paths
        but not the legend's labels. Both boxes are opaque, so nothing under them shows
        through: what is inside depends on their text alone. The box's edge is drawn anew
        each time (it blends with what lies under it), so the kept pixels stop 2 pixels
        inside the edge, where the text begins only further in.
        """
        if not artist.get_visible():
            return
        texts = artist.get_texts() if artist is self._legend else [artist]
        key = tuple(text.get_text() for text in texts)
        box = artist.legendPatch if artist is self._legend else artist.get_bbox_patch()
        renderer = self.canvas.get_renderer()
        kept = self._kept.get(artist)
        if kept is not None and kept[0] == key:
            box.draw(renderer)
            self.canvas.restore_region(kept[1])
            return
        artist.axes.draw_artist(artist)
        inside = box.get_window_extent(renderer).padded(-2)
        self._kept[artist] = (key, self.canvas.copy_from_bbox(inside))

    def _draw_surface(self, surface):
        ax = self.contour_axes
        ax.clear()
        X, Y, Z = surface.grid()
        levels = contour_levels(Z)
        # lines only: a grey fill would not survive the 256-colour PNG (../common/png.py), and the
        # quantile levels already show where the surface is flat and where it is steep
        ax.contour(X, Y, Z, levels=levels, colors="0.6", linewidths=0.6)
        for mx, my in surface.minima:
            ax.plot(mx, my, "*", ms=14, mfc="white", mec="black", mew=1.2)
        ax.set_xlim(surface.xlim)
        ax.set_ylim(surface.ylim)
        ax.set_title(surface.words()[1], loc="left")  # the formula
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        self._surface = surface
        self._surface_pixels = None
        self._runs_key = None  # ax.clear() took the race's artists off too

    def _make_race_artists(self, result, log_scale):
        """The artists for this set of runs (made once; later results only change data).

        All are animated: canvas.draw() leaves them out, and each layer draws its own.
        """
        ax, lx = self.contour_axes, self.loss_axes
        for artist in getattr(self, "_race_artists", []):
            if artist.axes is ax and artist in ax.get_children():
                artist.remove()
        lx.clear()
        self._race_artists = made = []

        def animated(artist):
            artist.set_animated(True)
            made.append(artist)
            return artist

        self._faint, self._crosses, self._loss_lines, self._moving = [], [], [], []
        for run in result.runs:
            colour, marker = look(run.runner.key)
            dash = run.runner.dash
            # the whole path, faint; the path up to step t is drawn over it, per frame
            self._faint.append(animated(ax.plot([], [], DASHES[dash], color=colour, lw=1.2,
                                                alpha=0.35)[0]))  # fmt: skip
            self._crosses.append(animated(ax.plot([], [], "x", color=colour, ms=12, mew=3)[0]))
            loss_line = lx.plot([], [], DASHES[dash], color=colour, lw=WIDTHS[dash] * 0.6,
                                label=run.label)[0]  # fmt: skip
            self._loss_lines.append(animated(loss_line))
            moving = _RunArtists(ax, lx, colour, marker, dash)
            for artist in (moving.path, moving.now, moving.arrow, moving.loss_now):
                animated(artist)
            self._moving.append(moving)
        self._start = animated(ax.plot([], [], "o", ms=9, mfc="white", mec="black", mew=1.5)[0])
        self._note = animated(ax.text(
            0.98, 0.03, "", transform=ax.transAxes, ha="right", va="bottom",
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.6"},  # opaque: see _draw_text_box
        ))  # fmt: skip
        self._floor_note = animated(lx.text(0.02, 0.02, "", transform=lx.transAxes,
                                            fontsize="small", color="0.3"))  # fmt: skip
        self._legend = animated(lx.legend(loc="upper right", framealpha=1.0))
        self._kept = {}
        self._step_line = animated(lx.axvline(0, color="black", lw=1))
        # in the loss panel's title row: inside the contour panel it could hide a start or
        # a minimum; the panel's title keeps that row free
        self._step_text = animated(lx.text(1.0, 1.02, "", transform=lx.transAxes, ha="right",
                                           va="bottom", weight="bold"))  # fmt: skip
        lx.set_title(_("loss against step"), loc="left")
        lx.set_xlabel(_("step"))
        if log_scale:
            lx.set_yscale("log")
            known = result.surface.min_value is not None
            lx.set_ylabel(_("loss − min f") if known else _("loss − lowest loss seen"))
        else:
            lx.set_ylabel(_("loss f(p)"))
        lx.grid(True, alpha=0.3)
        self._limits = None

    def _update_race_artists(self, model, result, log_scale):
        """Put this result's numbers into the artists; new limits invalidate the frame."""
        floor = _loss_floor(result.surface, result.runs) if log_scale else 0.0
        curves = [run.losses - floor for run in result.runs]
        # the runs' labels made again here: in the picture's language (English when no
        # Chinese font is installed, see ../common/fonts.py), whatever the caption's
        labels = {runner.key: runner.label for runner in model.runners()}
        for i, run in enumerate(result.runs):
            self._faint[i].set_data(run.positions[:, 0], run.positions[:, 1])
            last = run.positions[run.diverged_at - 1] if run.diverged_at is not None else None
            self._crosses[i].set_data(*(([last[0]], [last[1]]) if last is not None else ([], [])))
            self._loss_lines[i].set_data(np.arange(len(curves[i])), curves[i])
            words = {"label": labels.get(run.runner.key, run.label), "lr": f"{run.lr:.3g}"}
            if run.diverged_at is not None:
                label = _("{label}  (lr={lr}), diverged at step {step}", step=run.diverged_at,
                          **words)  # fmt: skip
            else:
                label = _("{label}  (lr={lr})", **words)
            self._legend.get_texts()[i].set_text(label)
        self._start.set_data([result.start[0]], [result.start[1]])
        self._note.set_text(_threshold_text(model, result))
        self._note.set_visible(bool(self._note.get_text()))
        finite = np.concatenate([c[np.isfinite(c)] for c in curves])
        note = ""
        if log_scale:
            if len(finite) and finite.min() < 1e-11:
                known = result.surface.min_value is not None
                if known:
                    note = _("bottom line: loss = min f to float32 precision")
                else:
                    note = _("bottom line: the lowest loss seen")
            finite = finite[finite > 0]
        self._floor_note.set_text(note)
        limits = ((0, max(1, result.steps)), _loss_limits(finite, log_scale, self._limits))
        if limits != self._limits:
            self.loss_axes.set_xlim(limits[0])
            self.loss_axes.set_ylim(limits[1])
            if log_scale:
                _log_ticks(self.loss_axes, limits[1])
            self._limits = limits
            self._frame_pixels = None
        self._race_still = [
            *self._faint, *self._crosses, self._start, self._note,
            *self._loss_lines, self._floor_note, self._legend,
        ]  # fmt: skip

    def _draw_moving(self, result, t, log_scale):
        self.frames += 1
        self.canvas.restore_region(self._background)
        floor = _loss_floor(result.surface, result.runs) if log_scale else 0.0
        t = max(0, min(t, result.steps))
        for artists, run in zip(self._moving, result.runs):
            artists.show(run, t, floor)
        self._step_line.set_xdata([t, t])
        self._step_text.set_text(_("step {t} of {steps}", t=t, steps=result.steps))
        for artist in [self._step_line, self._step_text]:
            self.figure.draw_artist(artist)


class _RunArtists:
    """One run's moving parts: path so far, marker now, state arrow, marker on the loss."""

    def __init__(self, ax, lx, colour, marker, dash):
        self.path = ax.plot([], [], DASHES[dash], color=colour, lw=WIDTHS[dash] * 0.7,
                            animated=True, zorder=4)[0]  # fmt: skip
        self.now = ax.plot([], [], marker, color=colour, ms=10, mec="black", mew=1,
                           animated=True, zorder=7)[0]  # fmt: skip
        self.arrow = ax.quiver([0], [0], [0], [0], color=colour, angles="xy",
                               scale_units="xy", scale=1, width=0.006, animated=True,
                               zorder=8)  # fmt: skip
        self.loss_now = lx.plot([], [], marker, color=colour, ms=8, mec="black", mew=1,
                                animated=True)[0]  # fmt: skip
        self.axes = ax

    def show(self, run, t, floor):
        upto = run.positions[: t + 1]
        self.path.set_data(upto[:, 0], upto[:, 1])
        x, y = run.positions[min(t, run.last_step())]
        self.now.set_data([x], [y])
        velocity = run.velocity_at(t)
        if velocity is not None and np.all(np.isfinite(velocity)):
            self.arrow.set_offsets([[x, y]])
            self.arrow.set_UVC([velocity[0]], [velocity[1]])
            self.arrow.set_visible(True)
        else:
            self.arrow.set_visible(False)
        loss_t = min(t, run.last_step())
        self.loss_now.set_data([loss_t], [run.losses[loss_t] - floor])
        for artist in (self.path, self.arrow, self.now, self.loss_now):
            if artist.get_visible():
                artist.axes.draw_artist(artist)


def _log_ticks(axes, limits):
    """Readable ticks on a log axis: powers of ten, plus 2x and 5x on a narrow range."""
    decades = np.log10(limits[1] / limits[0])
    subs = (1.0, 2.0, 5.0) if decades < 2 else (1.0,)
    axes.yaxis.set_major_locator(LogLocator(subs=subs, numticks=7))
    axes.yaxis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False))
    axes.yaxis.set_minor_locator(NullLocator())  # minor ticks cost time and say little


def _loss_limits(values, log_scale, old):
    """y limits for the loss panel: kept while the new curves still fill most of them.

    Keeping the limits keeps the ticks, so the panel's frame need not be drawn again (text
    is the slow part); they change when a curve leaves them or shrinks to a corner.
    """
    if not len(values):
        return old[1] if old else ((1e-3, 1.0) if log_scale else (0.0, 1.0))
    low, high = float(values.min()), float(values.max())
    if log_scale:
        span = np.log10(high / low) if high > low else 0.0
        new = (low / 2, high * 2)
        old_span = np.log10(old[1][1] / old[1][0]) if old else 0.0
    else:
        pad = 0.05 * (high - low) + 1e-9
        span, new = high - low, (low - pad, high + pad)
        old_span = old[1][1] - old[1][0] if old else 0.0
    if old and old[1][0] <= low and high <= old[1][1] and span >= 0.6 * old_span:
        return old[1]
    return new


def _threshold_text(model, result):
    """The divergence threshold note for plain gradient descent on a quadratic, or ''."""
    threshold = model.divergence_threshold()
    if threshold is None or not any(run.optimizer_name == "SGD" for run in result.runs):
        return ""
    return _("GD diverges for lr > 2/λ_max = {limit}", limit=f"{threshold:.3g}")


def _loss_floor(surface, runs):
    """What a log axis subtracts: min f if known, else the lowest loss seen, minus a hair."""
    lowest = [np.nanmin(run.losses) for run in runs if np.isfinite(run.losses).any()]
    floor = min(lowest, default=0.0)
    if surface.min_value is not None:
        floor = min(floor, surface.min_value)  # float32 can land a hair under the minimum
    # a hair below, so that a run sitting exactly at the minimum still shows on a log axis
    return floor - 1e-12 * max(1.0, abs(floor))
