"""Colours, shapes and font sizes shared by every widget.

Colours come from the Okabe-Ito palette: eight colours that stay distinct for the common
forms of colour blindness and on a washed-out projector. Colour is never the only cue:
every kind of node also has its own shape or border (a learner printing in black and white,
or a colour-blind one, can still tell a parameter from a leaf), and the stepper marks the
current node with a thick border *and* a "▶" in its title.

For a classroom demo, make everything bigger at once (text, pictures, and the buttons and
sliders around them), for every widget made afterwards:

    import widgets
    widgets.set_presentation(True)       # the projector size; False goes back to normal

or pass `font_scale=` to a single widget. `set_presentation` is the same as
`style.set_default(font_scale=PROJECTOR_SCALE)`: every view reads the default style, so this
is the one place the size is decided. The demo app (course/demo/) starts with it.

The sizes of ipywidgets' own controls come from CSS variables (`--jp-widgets-font-size`,
`--jp-widgets-inline-height`, ...). `controls_css()` writes those variables, multiplied by
the font scale, for one CSS class; ../common/view.py puts that class and rule on a widget,
so its buttons and sliders grow with its text and nothing else on the page changes.
Nothing here imports a display library.

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
    """How one kind of graph node looks (the legend's words for it: ../graph/render.py,
    legend_words, in the learner's language)."""

    shape: str
    fill: str
    border: str = OKABE_ITO["black"]
    style: str = "filled"
    peripheries: int = 1


# One entry per kind of node that ../graph/model.py produces.
NODE_STYLES = {
    "parameter": NodeStyle("box", _TINTS["orange"], peripheries=2),  # leaf, named
    "leaf": NodeStyle("box", _TINTS["sky_blue"]),  # requires_grad=True
    "tensor": NodeStyle("box", "#FFFFFF", style="filled,rounded"),  # non-leaf
    "constant": NodeStyle("box", _TINTS["grey"], border="#555555", style="filled,dashed"),
    "op": NodeStyle("ellipse", _TINTS["yellow"]),  # grad_fn
    "module": NodeStyle("box3d", _TINTS["reddish_purple"]),  # collapsed nn.Module
    "more": NodeStyle("note", _TINTS["grey"]),  # nodes left out
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

    @property
    def size_class(self):
        """The CSS class that carries this scale's control sizes, e.g. 'mt-size-160'."""
        return f"mt-size-{round(self.font_scale * 100)}"

    def controls_css(self):
        """A CSS rule that scales ipywidgets' stock controls inside `.{size_class}`."""
        lines = [f"--jp-widgets-{name}: {round(px * self.font_scale)}px;" for name, px in
                 CONTROL_SIZES_PX.items()]  # fmt: skip
        # Defined from the width above in ipywidgets' own CSS, but computed where they are
        # declared (the page's root): they must be declared again to follow the new width.
        lines += [
            "--jp-widgets-inline-width-short: calc(var(--jp-widgets-inline-width) / 2 - "
            "var(--jp-widgets-margin));",
            "--jp-widgets-inline-width-tiny: calc(var(--jp-widgets-inline-width-short) / 2 - "
            "var(--jp-widgets-margin));",
            f"font-size: {self.css_font(13)};",
        ]
        return f".{self.size_class} {{ {' '.join(lines)} }}"


# ipywidgets 8's defaults for the sizes of its controls (@jupyter-widgets/controls CSS), in px;
# font-size is JupyterLab's --jp-ui-font-size1.
CONTROL_SIZES_PX = {
    "font-size": 13,
    "inline-height": 28,
    "inline-width": 300,
    "inline-label-width": 80,
    "slider-handle-size": 16,
    "slider-track-thickness": 4,
    "progress-thickness": 20,
    "menu-item-height": 24,
}

# A classroom projector seen from the back row: 1.6 x JupyterLab's sizes.
PROJECTOR_SCALE = 1.6

_default = Style()


def default():
    """The style widgets use when none is given."""
    return _default


def set_default(**changes):
    """Change the default style for every widget made afterwards, e.g. font_scale=1.6."""
    global _default
    _default = replace(_default, **changes)
    return _default


def set_presentation(on=True):
    """Projector sizes (font_scale=PROJECTOR_SCALE) for every widget made afterwards; or,
    with on=False, the normal sizes again. Returns the new default style."""
    return set_default(font_scale=PROJECTOR_SCALE if on else 1.0)


def resolve(style=None, font_scale=None):
    """The style a widget should use: an explicit one, else the default, then font_scale."""
    chosen = style if style is not None else _default
    if font_scale is not None:
        chosen = replace(chosen, font_scale=font_scale)
    return chosen
