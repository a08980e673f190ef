"""The momentum map widget: `momentum_map()` in a lesson, `MomentumMap` underneath.

    from widgets import momentum_map
    momentum_map()            # the map of SGD(lr, momentum=β) on the quadratic, and a race

What you get: the rate of every (lr, β) cell as colour (measured by model.py, which runs
the real `optim.SGD`), the stability boundary lr = 2(1 + β)/λ_max as a dashed line,
Polyak's optimum as a star, and under the map an optimizer race (SGD against Momentum).
Click a cell: the race runs Momentum with that cell's lr and β.

How the click works with stock widgets only: the picture is a PNG (matplotlib's Agg, drawn
here) in an `Image`; over its plotting area lies a grid of transparent `Button`s, one per
cell, in the same CSS grid area. The figure is drawn at a fixed size in pixels and the
axes at a fixed box inside it (`BOX`), so the buttons' grid lines up with the cells.
All buttons share one `Layout` and one `ButtonStyle`, so the browser gets two models for
their looks, not hundreds.

Read next: model.py (what the colours are), ../optimizer_race/view.py (the race).
"""

import base64
import html

import ipywidgets as ipw
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..common.fonts import picture_text
from ..common.png import png_bytes
from ..common.translation import _
from ..optimizer_race.view import race
from .model import MomentumMapModel

# The picture in pixels: its size, and the plotting area's margins (left, right, top,
# bottom); the colour bar sits in the right margin.
WIDTH, HEIGHT, DPI = 640, 400, 80
BOX = {"left": 72, "right": 118, "top": 38, "bottom": 56}
SLOWEST_SHOWN = 1.0  # rates from FASTEST_SHOWN (dark) to 1 (light); >= 1 diverges (grey)
FASTEST_SHOWN = 0.5


def draw_map(model):
    """The map as PNG bytes: rates as colours, the boundary, the optimum, the selection."""
    rc = {"font.size": 11, "axes.titlesize": 12}
    with picture_text(rc):  # in Chinese, a Chinese font (../common/fonts.py)
        figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
        canvas = FigureCanvasAgg(figure)
        ax = figure.add_axes(_fractions(BOX))
        bar_box = dict(BOX, left=WIDTH - BOX["right"] + 16, right=BOX["right"] - 30)
        bar_axes = figure.add_axes(_fractions(bar_box))
        lr_edges, beta_edges = _edges(model.lrs), _edges(model.betas)
        colours = mpl.colormaps["viridis"].with_extremes(over="#d9d9d9", bad="#d9d9d9")
        mesh = ax.pcolormesh(lr_edges, beta_edges, model.rates, cmap=colours,
                             vmin=FASTEST_SHOWN, vmax=SLOWEST_SHOWN)  # fmt: skip
        betas = np.linspace(beta_edges[0], beta_edges[-1], 100)
        ax.plot(model.boundary(betas), betas, "--", color="black", lw=1.8,
                label=_("lr = 2(1 + β)/λ_max: diverges to the right"))  # fmt: skip
        lr, beta, rate = model.optimum()
        ax.plot([lr], [beta], "*", color="white", markeredgecolor="black", markersize=17,
                label=_("best: lr {lr:.3g}, β {beta:.2f}, rate {rate:.2f}", lr=lr, beta=beta,
                        rate=rate))  # fmt: skip
        if model.selected is not None:
            ax.plot(
                *model.selected,
                "o",
                markersize=13,
                markerfacecolor="none",
                markeredgecolor="#D55E00",
                markeredgewidth=2.5,
                label=_("racing now"),
            )
        ax.set_xlim(lr_edges[0], lr_edges[-1])
        ax.set_ylim(beta_edges[0], beta_edges[-1])
        ax.set_xlabel(_("learning rate lr"))
        ax.set_ylabel(_("momentum β"))
        ax.set_title(_("SGD(lr, momentum=β) on {formula}: rate per step",
                       formula=model.surface.words()[1]))  # fmt: skip
        ax.legend(loc="lower right", fontsize=9, framealpha=0.9)
        bar = figure.colorbar(mesh, cax=bar_axes, extend="max")
        bar.set_label(_("rate (smaller = faster; grey: diverges)"))
        canvas.draw()
        return png_bytes(canvas)


def _fractions(box):
    """[left, bottom, width, height] in figure fractions, from margins in pixels."""
    width = WIDTH - box["left"] - box["right"]
    height = HEIGHT - box["top"] - box["bottom"]
    return [box["left"] / WIDTH, box["bottom"] / HEIGHT, width / WIDTH, height / HEIGHT]


def _edges(centres):
    """Cell edges around evenly spaced cell centres."""
    step = centres[1] - centres[0] if len(centres) > 1 else 1.0
    return np.concatenate([centres - step / 2, [centres[-1] + step / 2]])


class MomentumMap(ipw.VBox):
    """The map, its clickable cells, a caption and a race; see the module docstring."""

    def __init__(self, model=None, race_steps=60, **settings):
        self.model = model if model is not None else MomentumMapModel(**settings)
        self.race = race(
            self.model.surface, optimizers=("SGD", "Momentum"), steps=race_steps,
            start=self.model.start,
        )  # fmt: skip
        self.image = ipw.Image(format="png", layout={"width": f"{WIDTH}px",
                                                     "height": f"{HEIGHT}px",
                                                     "grid_area": "map"})  # fmt: skip
        self.image.add_class("mt-map-image")
        self.cells = self._cell_buttons()
        self.caption_box = ipw.HTML().add_class("mt-map-caption")
        self.png = b""
        overlay = ipw.GridBox(
            [self.image, self._cell_grid()],
            layout={"grid_template_areas": '"map"', "width": f"{WIDTH}px"},
        )
        super().__init__(children=[overlay, self.caption_box, self.race])
        self.add_class("mt-map")
        self.refresh()

    def _cell_buttons(self):
        """{(i, j): Button} for lr column i and β row j, sharing one layout and style."""
        layout = ipw.Layout(width="100%", height="100%", min_width="0", min_height="0",
                            margin="0", padding="0", border="none")  # fmt: skip
        style = ipw.ButtonStyle(button_color="transparent")
        cells = {}
        for j in range(len(self.model.betas)):
            for i in range(len(self.model.lrs)):
                button = ipw.Button(description="", tooltip=self.model.cell_text(i, j),
                                    layout=layout, style=style)  # fmt: skip
                button.on_click(lambda _, i=i, j=j: self.choose(i, j))
                cells[i, j] = button
        return cells

    def _cell_grid(self):
        """The buttons over the plotting area: the top row is the largest β."""
        m = self.model
        rows = range(len(m.betas) - 1, -1, -1)
        buttons = [self.cells[i, j] for j in rows for i in range(len(m.lrs))]
        margin = f"{BOX['top']}px {BOX['right']}px {BOX['bottom']}px {BOX['left']}px"
        return ipw.GridBox(
            buttons,
            layout={
                "grid_area": "map",
                "margin": margin,
                "grid_template_columns": f"repeat({len(m.lrs)}, 1fr)",
                "grid_template_rows": f"repeat({len(m.betas)}, 1fr)",
                "grid_gap": "0",
            },
        ).add_class("mt-map-cells")

    def choose(self, i, j):
        """A click on cell (i, j): race Momentum with its lr and β, and mark it."""
        lr, beta = self.model.select(i, j)
        self.race.race_settings(lr, beta)
        return self.refresh()

    def refresh(self):
        self.png = draw_map(self.model)
        self.image.value = self.png
        self.caption_box.value = (
            f'<p style="max-width:{WIDTH}px">{html.escape(self.model.caption())}</p>'
        )
        return self

    def _repr_mimebundle_(self, **kwargs):
        """The live widget plus a static PNG and the caption, for viewers without a kernel."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        bundle["text/plain"] = self.model.caption()
        return bundle

    def __repr__(self):
        m = self.model
        return f"<MomentumMap: {len(m.lrs)} x {len(m.betas)} cells, {m.steps} steps>"


def momentum_map(surface="quadratic", steps=100, race_steps=60, **settings):
    """The (lr, β) map of momentum on a quadratic, with a race that a click sets up."""
    return MomentumMap(MomentumMapModel(surface, steps=steps, **settings), race_steps=race_steps)
