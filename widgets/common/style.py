"""Colours, shapes and font sizes shared by every widget.

Colours come from the Okabe-Ito palette: eight colours that stay distinct for the common
forms of colour blindness and on a washed-out projector. Colour is never the only cue:
every kind of node also has its own shape or border (a learner printing in black and white,
or a colour-blind one, can still tell a parameter from a leaf), and the stepper marks the
current node with a thick border *and* a "▶" in its title.

For a classroom demo, make everything bigger at once:

    from widgets import style
    style.set_default(font_scale=1.6)

or pass `font_scale=` to a single widget. Nothing here imports a display library.

Read next: ../graph/render.py (where these styles become Graphviz attributes).
"""

from dataclasses import dataclass, replace

# Okabe & Ito (2008), "Color Universal Design". Names as in their paper.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# Light versions of the palette for node fills: black text on them keeps a high contrast.
_TINTS = {
    "orange": "#F5CF80",
    "sky_blue": "#AAD9F4",
    "yellow": "#F8F2A1",
    "reddish_purple": "#E6BCD3",
    "grey": "#E6E6E6",
}


@dataclass(frozen=True)
class NodeStyle:
    """How one kind of graph node looks, and the legend's words for it."""

    legend: str
    shape: str
    fill: str
    border: str = OKABE_ITO["black"]
    style: str = "filled"
    peripheries: int = 1


# One entry per kind of node that ../graph/model.py produces.
NODE_STYLES = {
    "parameter": NodeStyle(
        "parameter (leaf, named; double border)",
        "box",
        _TINTS["orange"],
        peripheries=2,
    ),
    "leaf": NodeStyle("leaf tensor, requires_grad=True", "box", _TINTS["sky_blue"]),
    "tensor": NodeStyle(
        "intermediate tensor (non-leaf, has grad_fn)",
        "box",
        "#FFFFFF",
        style="filled,rounded",
    ),
    "constant": NodeStyle(
        "requires_grad=False (no gradient; dashed)",
        "box",
        _TINTS["grey"],
        border="#555555",
        style="filled,dashed",
    ),
    "op": NodeStyle("operation (grad_fn, PyTorch's name)", "ellipse", _TINTS["yellow"]),
    "module": NodeStyle(
        "collapsed module (expand to see its ops)",
        "box3d",
        _TINTS["reddish_purple"],
    ),
    "more": NodeStyle("nodes left out to keep the picture readable", "note", _TINTS["grey"]),
}

# The backward stepper's marks, on top of the kind's own style.
CURRENT_BORDER = OKABE_ITO["vermillion"]
DONE_BORDER = OKABE_ITO["bluish_green"]
CURRENT_MARK = "▶ "
DONE_MARK = "✓ "


@dataclass(frozen=True)
class Style:
    """Sizes for one widget. `font_scale=1.6` is a good start for a projector."""

    font_scale: float = 1.0
    font_name: str = "Helvetica,Arial,sans-serif"
    base_font_pt: float = 12.0

    def __post_init__(self):
        if not 0.5 <= self.font_scale <= 4:
            raise ValueError(f"font_scale should be between 0.5 and 4, got {self.font_scale}")

    @property
    def font_pt(self):
        """Graph label size in points."""
        return round(self.base_font_pt * self.font_scale, 1)

    def css_font(self, base_px=14):
        """A CSS font-size for panels next to the graph, e.g. '22px'."""
        return f"{round(base_px * self.font_scale)}px"


_default = Style()


def default():
    """The style widgets use when none is given."""
    return _default


def set_default(**changes):
    """Change the default style for every widget made afterwards, e.g. font_scale=1.6."""
    global _default
    _default = replace(_default, **changes)
    return _default


def resolve(style=None, font_scale=None):
    """The style a widget should use: an explicit one, else the default, then font_scale."""
    chosen = style if style is not None else _default
    if font_scale is not None:
        chosen = replace(chosen, font_scale=font_scale)
    return chosen
