"""The race's picture: contour plot with paths, and loss against step, as PNG bytes.

`RacePicture(font_scale).draw(model, t, log_scale)` returns the PNG of the race at step t.
Two speeds, because the widget redraws on every tick of Play:

- a *full* draw when the race changed (new paths, new limits): everything that does not
  depend on t is drawn once and the pixels are kept (matplotlib's "blitting");
- a *frame* for another t: only the moving parts (each optimizer's marker, the path so far,
  the state arrow, the step line on the loss axis) are drawn on a copy of those pixels.

It uses a matplotlib `Figure` with the Agg canvas directly (no pyplot, no interactive
backend, no ipympl), so it behaves the same in JupyterLab, under nbval and in a script.

Colours: Okabe-Ito (style.py), and each optimizer also has its own marker and dash, so the
picture reads in greyscale and for colour-blind viewers.

Read next: race_view.py (the widget around this picture).
"""

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullLocator

from .png import png_bytes
from .style import OKABE_ITO

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
    """A two-panel figure redrawn fast for each step; see the module docstring."""

    def __init__(self, font_scale=1.0, size=(11.0, 4.4), dpi=80):
        self.font_scale = font_scale
        grow = max(1.0, font_scale**0.5)  # bigger text needs some more room, not all of it
        with mpl.rc_context(self._rc()):
            self.figure = Figure(figsize=(size[0] * grow, size[1] * grow), dpi=dpi)
            self.canvas = FigureCanvasAgg(self.figure)
            self.contour_axes, self.loss_axes = self.figure.subplots(
                1, 2, gridspec_kw={"width_ratios": [1.15, 1]}
            )
        self._drawn_key = None
        self._layout_key = None
        self._surface_pixels = None
        self._race_artists = []
        self._loss_structure = None
        self._surface = None
        self._background = None
        self._moving = []
        self.full_draws = 0  # race layers drawn (one per new result)
        self.surface_layers = 0  # surface layers drawn (one per surface or layout)
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
        """PNG bytes of the race at step t (full draw only if the race changed)."""
        result = model.result
        key = (id(result), bool(log_scale))
        with mpl.rc_context(self._rc()):
            if key != self._drawn_key:
                self._draw_still(model, result, log_scale)
                self._drawn_key = key
            self._draw_moving(result, t, log_scale)
        return self._png()

    # ------------------------------------------------------------------ what stays still

    def _draw_still(self, model, result, log_scale):
        """Draw what does not depend on t, in two layers kept as pixels.

        The surface layer (contours, axes of the left panel) changes only with the surface;
        the race layer (paths, the loss panel) with every new result. Redrawing only the
        race layer on top of the kept surface pixels saves most of the time of a redraw.
        """
        self.full_draws += 1
        surface = result.surface
        if surface is not self._surface:
            self._draw_surface(surface)
        for artist in self._race_artists:
            try:
                artist.remove()
            except (NotImplementedError, ValueError):
                pass  # already gone: its axes were cleared
        self._race_artists = []
        self._build_loss_panel(result, log_scale)
        still = self._build_race_artists(model, result)
        layout_key = (surface, log_scale, tuple(run.label for run in result.runs))
        if layout_key != self._layout_key:
            # Constrained layout finds margins that fit the labels, but it costs as much as
            # drawing; new paths on the same surface keep the positions it found.
            self.figure.set_layout_engine("constrained")
            self.figure.get_layout_engine().execute(self.figure)
            self.figure.set_layout_engine("none")
            self._layout_key = layout_key
            self._surface_pixels = None
        if self._surface_pixels is None:
            self.surface_layers += 1
            self.loss_axes.set_visible(False)
            self.canvas.draw()  # artists marked animated (the race's) are left out
            self._surface_pixels = self.canvas.copy_from_bbox(self.figure.bbox)
            self.loss_axes.set_visible(True)
        else:
            self.canvas.restore_region(self._surface_pixels)
        for artist in still:
            self.contour_axes.draw_artist(artist)
        self.figure.draw_artist(self.loss_axes)
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)

    def _on_contour_axes(self, artist):
        """Register an artist of the race layer (drawn by hand, removed on the next race)."""
        artist.set_animated(True)
        self._race_artists.append(artist)
        return artist

    def _build_race_artists(self, model, result):
        """The race's marks on the contour panel; returns those that do not move with t."""
        ax, mark = self.contour_axes, self._on_contour_axes
        still = []
        self._moving = []
        for run in result.runs:
            colour, marker = look(run.runner.key)
            dash = DASHES[run.runner.dash]
            # the whole path, faint; the path up to step t is drawn on top, per frame
            still.append(mark(ax.plot(*run.positions.T, dash, color=colour, lw=1.2, alpha=0.35)[0]))
            if run.diverged_at is not None:
                last = run.positions[run.diverged_at - 1]
                still.append(mark(ax.plot(*last, "x", color=colour, ms=12, mew=3)[0]))
            moving = _RunArtists(ax, self.loss_axes, colour, marker, run.runner.dash)
            for artist in (moving.path, moving.now, moving.arrow, moving.loss_now):
                mark(artist)
            self._moving.append(moving)
        start = ax.plot(*result.start, "o", ms=9, mfc="white", mec="black", mew=1.5)[0]
        still.append(mark(start))  # after the paths: drawn on top of them
        note = self._threshold_note(model, result)
        if note is not None:
            still.append(mark(note))
        # in the loss panel's title row (inside the contour panel it could hide a start or
        # a minimum); the panel's title keeps that row free
        lx = self.loss_axes
        self._step_text = mark(lx.text(1.0, 1.02, "", transform=lx.transAxes, ha="right",
                                       va="bottom", weight="bold"))  # fmt: skip
        return still

    def _build_loss_panel(self, result, log_scale):
        """Loss against step. Lines, labels and ticks are reused while the set of runs stays
        the same: making new axes content costs more than the rest of a redraw."""
        lx, surface = self.loss_axes, result.surface
        floor = _loss_floor(surface, result.runs) if log_scale else 0.0
        curves = [run.losses - floor for run in result.runs]
        structure = (surface, log_scale, tuple((r.runner.key, r.runner.dash) for r in result.runs))
        if structure != self._loss_structure:
            lx.clear()
            self._loss_lines = [
                lx.plot([], [], DASHES[run.runner.dash], color=look(run.runner.key)[0],
                        lw=WIDTHS[run.runner.dash] * 0.6, label=run.label)[0]
                for run in result.runs
            ]  # fmt: skip
            self._step_line = lx.axvline(0, color="black", lw=1, animated=True)
            self._floor_note = lx.text(0.02, 0.02, "", transform=lx.transAxes,
                                       fontsize="small", color="0.3")  # fmt: skip
            lx.set_xlabel("step")
            if log_scale:
                lx.set_yscale("log")
                known = surface.min_value is not None
                lx.set_ylabel("loss − min f" if known else "loss − lowest loss seen")
            else:
                lx.set_ylabel("loss f(p)")
            lx.grid(True, alpha=0.3)
            lx.set_title("loss against step", loc="left")
            self._legend = lx.legend(loc="upper right")
            self._loss_structure = structure
        for line, text, run, values in zip(
            self._loss_lines, self._legend.get_texts(), result.runs, curves
        ):
            line.set_data(np.arange(len(values)), values)
            label = f"{run.label}  (lr={run.lr:.3g})"
            if run.diverged_at is not None:
                label += f", diverged at step {run.diverged_at}"
            text.set_text(label)
        finite = np.concatenate([c[np.isfinite(c)] for c in curves])
        if log_scale:
            _log_ticks(lx, curves)
            tiny = len(finite) > 0 and finite.min() < 1e-11
            known = surface.min_value is not None
            note = "loss = min f to float32 precision" if known else "the lowest loss seen"
            self._floor_note.set_text(f"bottom line: {note}" if tiny else "")
            finite = finite[finite > 0]
        if len(finite):
            low, high = finite.min(), finite.max()
            if log_scale:
                lx.set_ylim(low / 2, high * 2)
            else:
                pad = 0.05 * (high - low) + 1e-9
                lx.set_ylim(low - pad, high + pad)
        lx.set_xlim(0, max(1, result.steps))

    def _draw_surface(self, surface):
        ax = self.contour_axes
        ax.clear()
        X, Y, Z = surface.grid()
        levels = contour_levels(Z)
        # lines only: a grey fill would not survive the 256-colour PNG (png.py), and the
        # quantile levels already show where the surface is flat and where it is steep
        ax.contour(X, Y, Z, levels=levels, colors="0.6", linewidths=0.6)
        for mx, my in surface.minima:
            ax.plot(mx, my, "*", ms=14, mfc="white", mec="black", mew=1.2)
        ax.set_xlim(surface.xlim)
        ax.set_ylim(surface.ylim)
        ax.set_title(surface.formula, loc="left")
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        self._surface = surface
        self._surface_pixels = None
        self._race_artists = []  # ax.clear() took them off already

    def _threshold_note(self, model, result):
        threshold = model.divergence_threshold()
        uses_gd = any(run.optimizer_name == "SGD" for run in result.runs)
        if threshold is None or not uses_gd:
            return None
        return self.contour_axes.text(
            0.98, 0.03, f"GD diverges for lr > 2/λ_max = {threshold:.3g}",
            transform=self.contour_axes.transAxes, ha="right", va="bottom",
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.6", "alpha": 0.9},
        )  # fmt: skip

    # ------------------------------------------------------------------ what moves

    def _draw_moving(self, result, t, log_scale):
        self.frames += 1
        self.canvas.restore_region(self._background)
        floor = _loss_floor(result.surface, result.runs)
        t = max(0, min(t, result.steps))
        for artists, run in zip(self._moving, result.runs):
            artists.show(run, t, floor if log_scale else 0.0)
        self._step_line.set_xdata([t, t])
        self._step_text.set_text(f"step {t} of {result.steps}")
        for artist in [self._step_line, self._step_text]:
            self.figure.draw_artist(artist)

    def _png(self):
        return png_bytes(self.canvas)


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


def _log_ticks(axes, curves):
    """Readable ticks on a log axis: powers of ten, plus 2x and 5x on a narrow range."""
    values = np.concatenate(curves)
    values = values[np.isfinite(values) & (values > 0)]
    decades = np.log10(values.max() / values.min()) if len(values) else 0
    subs = (1.0, 2.0, 5.0) if decades < 2 else (1.0,)
    axes.yaxis.set_major_locator(LogLocator(subs=subs, numticks=7))
    axes.yaxis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False))
    axes.yaxis.set_minor_locator(NullLocator())  # minor ticks cost time and say little


def _loss_floor(surface, runs):
    """What a log axis subtracts: min f if known, else the lowest loss seen, minus a hair."""
    lowest = [np.nanmin(run.losses) for run in runs if np.isfinite(run.losses).any()]
    floor = min(lowest, default=0.0)
    if surface.min_value is not None:
        floor = min(floor, surface.min_value)  # float32 can land a hair under the minimum
    # a hair below, so that a run sitting exactly at the minimum still shows on a log axis
    return floor - 1e-12 * max(1.0, abs(floor))
