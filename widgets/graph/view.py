"""The computation-graph widget: `show_graph(loss)` in a lesson, `GraphView` underneath.

    from widgets import show_graph
    show_graph(loss)                          # names come from your variables
    show_graph(loss, model=net)               # parameters named, submodules collapsible

What you see depends on what is installed, and is never a traceback:
1. Graphviz's `dot` installed: an SVG picture.
2. No `dot`, but `graphviz-anywidget`: the same DOT laid out in the browser (WebAssembly).
3. Neither: the graph as text, with a one-line install hint.

Static copies: besides the live widget, the displayed output carries the SVG (or the text)
as `image/svg+xml` / `text/plain`, so GitHub, nbviewer, exported HTML and nbval show the
graph too. JupyterLab prefers the live widget.

Live: the picture is drawn from the tensors as they are *now*. After `loss.backward()` press
Refresh (or display the view again) to see the gradients and the freed saved tensors.

Read next: model.py (what is drawn), render.py (how).
"""

import inspect

import ipywidgets as ipw

from ..common import style as styles
from ..common.translation import _
from ..common.view import sized
from . import render as graph_render
from .model import GraphModel, names_in_frame

try:  # optional: lays the graph out in the browser when `dot` is missing
    from graphviz_anywidget import GraphvizAnyWidget
except ImportError:  # pragma: no cover - depends on what is installed
    GraphvizAnyWidget = None


class Rendering:
    """One drawing of a graph in every form we have: DOT source, SVG (or None), text."""

    def __init__(self, dot, svg, text, problem):
        self.dot, self.svg, self.text, self.problem = dot, svg, text, problem

    def static_bundle(self):
        """MIME data for viewers without a live kernel (GitHub, nbviewer, nbval)."""
        bundle = {"text/plain": self.text}
        if self.svg is not None:
            bundle["image/svg+xml"] = self.svg
        return bundle


def render(graph, style=None, rankdir="TB", cache=None):
    """Draw `graph` every way we can. `cache` ({dot source: svg}) saves re-running dot."""
    dot = graph_render.to_dot(graph, style, rankdir=rankdir)
    problem = None
    if cache is not None and dot in cache:
        svg = cache[dot]
    else:
        svg, problem = graph_render.render_svg(dot)
        if cache is not None and svg is not None:
            if len(cache) > 64:
                cache.clear()
            cache[dot] = svg
    text = graph_render.to_text(graph, hint=problem)
    return Rendering(dot, svg, text, problem)


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class GraphPicture(ipw.VBox):
    """Shows one Rendering: the SVG, else the in-browser layout, else text with a hint."""

    def __init__(self, style=None, css_class="mt-graph-picture"):
        self.display_style = styles.resolve(style)
        self.notice = ipw.HTML().add_class("mt-graph-notice")
        self.svg_box = ipw.HTML().add_class("mt-graph-svg")
        self.text_box = ipw.HTML().add_class("mt-graph-text")
        self.browser_layout = None  # a GraphvizAnyWidget, made when first needed
        super().__init__()
        self.add_class(css_class)
        self.rendering = None

    def show(self, rendering):
        self.rendering = rendering
        if rendering.svg is not None:
            self.notice.value = ""
            self.svg_box.value = f'<div style="overflow:auto">{rendering.svg}</div>'
            self.children = [self.svg_box]
        elif GraphvizAnyWidget is not None and graph_render.dot_program() is None:
            if self.browser_layout is None:
                self.browser_layout = GraphvizAnyWidget().add_class("mt-graph-browser")
            self.browser_layout.dot_source = rendering.dot
            note = _(
                "Graphviz's `dot` is not installed: this graph is laid out in your browser. "
                "Install Graphviz for a picture that also shows in saved notebooks."
            )
            self.notice.value = f"<i>{_escape(note)}</i>"
            self.children = [self.notice, self.browser_layout]
        else:
            font = self.display_style.css_font(13)
            self.notice.value = f"<b>{_escape(rendering.problem or '')}</b>"
            self.text_box.value = (
                f'<pre style="font-size:{font}; white-space:pre; overflow:auto">'
                f"{_escape(rendering.text)}</pre>"
            )
            self.children = [self.notice, self.text_box]


class GraphView(ipw.VBox):
    """The live computation graph of a tensor; see the module docstring.

    rankdir ("TB" or "LR"), style and font_scale are the view's; everything else (params,
    model, names, expand, collapse, max_nodes) goes to GraphModel, which documents them,
    so the two signatures cannot drift apart.
    """

    def __init__(self, tensor, rankdir="TB", style=None, font_scale=None, **graph_options):
        self.graph_model = GraphModel(tensor, **graph_options)
        self.display_style = styles.resolve(style, font_scale)
        self.rankdir = rankdir
        self._svg_cache = {}
        self.refresh_button = ipw.Button(
            description=_("Refresh"),
            tooltip=_("Draw again from the tensors as they are now (after backward: the grads)"),
            icon="refresh",
        ).add_class("mt-graph-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.module_buttons = ipw.HBox().add_class("mt-graph-modules")
        self.picture = GraphPicture(self.display_style)
        super().__init__(children=[ipw.HBox([self.refresh_button]), self.picture])
        self.add_class("mt-graph")
        sized(self, self.display_style)  # buttons at the text's size
        self.graph = None
        self.rendering = None
        self.refresh()

    def refresh(self):
        """Walk the graph again and redraw it."""
        self.graph = self.graph_model.build()
        self.rendering = render(self.graph, self.display_style, self.rankdir, self._svg_cache)
        self.picture.show(self.rendering)
        self._update_module_buttons()
        return self

    def toggle_module(self, name):
        """Expand a collapsed module, or collapse an expanded one, and redraw."""
        self.graph_model.toggle(name)
        return self.refresh()

    def _update_module_buttons(self):
        names = self.graph_model.modules
        current = [b.description for b in self.module_buttons.children]
        if current != names:
            buttons = []
            for name in names:
                button = ipw.ToggleButton(
                    description=name, tooltip=_("expand/collapse {name}", name=name)
                )
                button.add_class("mt-graph-module")
                button.observe(self._on_module_button, "value")
                buttons.append(button)
            self.module_buttons.children = buttons
            toolbar = [self.refresh_button]
            if buttons:
                toolbar += [ipw.Label(_("modules (pressed = expanded):")), self.module_buttons]
            # children[2:]: the size rule that sized() appended, if any
            self.children = [ipw.HBox(toolbar), self.picture, *self.children[2:]]
        for button in self.module_buttons.children:
            expanded = button.description not in self.graph_model.collapsed
            if button.value != expanded:
                button.unobserve(self._on_module_button, "value")
                button.value = expanded
                button.observe(self._on_module_button, "value")

    def _on_module_button(self, change):
        self.toggle_module(change["owner"].description)

    # ---------------------------------------------------------------- static output

    def _repr_mimebundle_(self, **kwargs):
        """The live widget plus a static SVG/text copy of the graph as it is now."""
        self.refresh()
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle.update(self.rendering.static_bundle())
        return bundle

    def _repr_svg_(self):
        """The SVG of the last drawing (None without `dot`)."""
        return self.rendering.svg

    def __repr__(self):
        graph = self.graph or self.graph_model.build()
        return f"<GraphView: {len(graph)} nodes ({graph.total_nodes} before summarising)>"


def show_graph(tensor, names=None, **options):
    """The computation graph behind `tensor`, labelled with your variable names.

    names:   {name: tensor}; default: the names your variables have where you call this;
             names=False for none
    options: GraphModel's: params ({name: tensor}, e.g. dict(net.named_parameters())),
             model (an nn.Module: names its parameters, its submodules can collapse),
             expand, collapse, max_nodes; GraphView's: rankdir ("TB" or "LR"), style,
             font_scale
    """
    names = names_or_callers(names)
    return GraphView(tensor, names=names, **options)


def names_or_callers(names):
    """A helper's `names` argument: None -> the variable names of whoever called the helper
    (two frames up); False -> no names; a dict stays as it is."""
    if names is False:
        return None
    if names is not None:
        return names
    caller = inspect.currentframe().f_back.f_back
    try:
        return names_in_frame(caller)
    finally:
        del caller  # a frame kept alive would keep every local alive
