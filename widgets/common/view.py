"""The display side of the shared style: stock ipywidgets controls at a widget's size.

    sized(widget, style)      widget's buttons, sliders and labels grow with style.font_scale
    sized(ipw.HBox([...]))    the same at the default size: for your own controls next to
                              the widgets (the demo pages' buttons, course/demo/)

ipywidgets draws its controls at fixed sizes (CSS variables such as
`--jp-widgets-inline-height`), whatever the widget's font scale. At a scale other than 1,
`sized` gives the widget a class (`mt-size-160`) and a hidden HTML child holding the CSS rule
that sets those variables for that class only (../common/style.py writes the rule). Stock
widgets, no custom JavaScript: the same works in JupyterLab, Notebook 7 and Voila, and the
rest of the page keeps its sizes.

Read next: style.py (the sizes), ../optimizer_race/view.py (a user).
"""

import ipywidgets as ipw

from . import style as styles


def size_widgets(style):
    """The hidden children that carry `style`'s control sizes: [] at font_scale 1."""
    if style.font_scale == 1:
        return []
    rule = ipw.HTML(f"<style>{style.controls_css()}</style>", layout={"display": "none"})
    return [rule.add_class("mt-size-css")]


def sized(widget, style=None):
    """Give `widget` (a Box) the size class of `style` (default: the default style, see
    set_presentation) and the rule for it; return it."""
    style = styles.resolve(style)
    extra = size_widgets(style)
    if extra:
        widget.add_class(style.size_class)
        widget.children = [*widget.children, *extra]
    return widget
