"""Turn a `Graph` (model.py) into DOT source, an SVG picture, or plain text.

    to_dot(graph, style)      DOT source: needs nothing installed
    render_svg(dot_source)    SVG text from Graphviz's `dot` program, or (None, reason)
    to_text(graph)            one line per node, for when there is no `dot`

We write the DOT text ourselves and run `dot` as a program: the Python `graphviz` package
would only do the same, and raises when `dot` is missing. Every failure of `dot` (missing,
crashing, too slow) comes back as a reason in words, never as an exception, so a lesson
never dies because a drawing program is not installed.

Pure Python, no display library.

Read next: view.py (the widget that shows these).
"""

import shutil
import subprocess

from ..common import style as styles
from ..common.language import get_language
from ..common.translation import _

# Put first in Chinese: fonts with Chinese characters, so that `dot` measures the labels
# with the font the browser will most likely draw them in (boxes then fit their text).
CJK_FONT_NAMES = "Noto Sans CJK SC,Source Han Sans SC,WenQuanYi Zen Hei,Microsoft YaHei,PingFang SC"


def install_hint():
    """What to install for pictures, in the learner's language."""
    return _(
        "Graphviz's `dot` program is not installed, so the graph is shown as text. For a "
        "picture: `sudo apt-get install graphviz`, `brew install graphviz` or `conda install "
        "graphviz`."
    )


DOT_TIMEOUT_S = 30


def dot_program():
    """The path of Graphviz's `dot`, or None when it is not on PATH."""
    return shutil.which("dot")


# --------------------------------------------------------------------------- DOT


def quote(text):
    """A DOT double-quoted string: backslashes, quotes and line breaks escaped."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r", "").replace("\n", "\\n") + '"'


def _html(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def node_label(node):
    mark = {"current": styles.CURRENT_MARK, "done": styles.DONE_MARK}.get(node.state, "")
    return "\n".join([mark + node.title, *node.lines])


def _node_statement(node):
    look = styles.NODE_STYLES[node.kind]
    attributes = {
        "label": node_label(node),
        "shape": look.shape,
        "style": look.style,
        "fillcolor": look.fill,
        "color": look.border,
        "peripheries": look.peripheries,
        "tooltip": node.tooltip or node.title,
    }
    if node.state == "current":
        attributes.update(color=styles.CURRENT_BORDER, penwidth=4)
    elif node.state == "done":
        attributes.update(color=styles.DONE_BORDER, penwidth=3)
    body = ", ".join(f"{key}={quote(value)}" for key, value in attributes.items())
    return f"  {quote(node.id)} [{body}];"


def legend_words():
    """{kind of node: the legend's words for it}, in the learner's language."""
    return {
        "parameter": _("parameter (leaf, named; double border)"),
        "leaf": _("leaf tensor, requires_grad=True"),
        "tensor": _("intermediate tensor (non-leaf, has grad_fn)"),
        "constant": _("requires_grad=False (no gradient; dashed)"),
        "op": _("operation (grad_fn, PyTorch's name)"),
        "module": _("collapsed module (expand to see its ops)"),
        "more": _("nodes left out to keep the picture readable"),
    }


def kind_words():
    """{kind of node: its short name in the text form}, in the learner's language."""
    return {
        "parameter": _("parameter"),
        "leaf": _("leaf"),
        "tensor": _("tensor"),
        "constant": _("constant"),
        "op": _("op"),
        "module": _("module"),
        "more": _("more"),
    }


def legend_label(graph):
    """An HTML-like table: one row per kind of node in this graph (and the stepper marks)."""
    rows = []
    words = legend_words()
    for kind, look in styles.NODE_STYLES.items():
        if kind in graph.kinds():
            rows.append((look.fill, words[kind]))
    states = {node.state for node in graph.nodes.values()}
    if "current" in states:
        rows.append((styles.CURRENT_BORDER, styles.CURRENT_MARK + _("current step (thick border)")))
    if "done" in states:
        rows.append((styles.DONE_BORDER, styles.DONE_MARK + _("already processed by backward")))
    cells = "".join(
        f'<TR><TD BGCOLOR="{fill}" WIDTH="18"> </TD><TD ALIGN="LEFT">{_html(words)}</TD></TR>'
        for fill, words in rows
    )
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2"><TR><TD COLSPAN="2"><B>{_html(_("legend"))}</B></TD></TR>{cells}</TABLE>>'  # noqa: E501


def to_dot(graph, style=None, rankdir="TB", legend=True):
    """DOT source for `graph`, with the sizes of `style` (../common/style.py)."""
    style = styles.resolve(style)
    font_name = style.font_name
    if get_language() == "zh":
        font_name = f"{CJK_FONT_NAMES},{font_name}"
    font = quote(font_name)
    lines = [
        "digraph computation_graph {",
        f"  graph [rankdir={rankdir}, nodesep=0.25, ranksep=0.35, fontname={font}, "
        f'fontsize={style.font_pt}, bgcolor="white", labelloc=b];',
        f'  node [fontname={font}, fontsize={style.font_pt}, margin="0.12,0.05"];',
        f'  edge [fontname={font}, fontsize={round(style.font_pt * 0.85, 1)}, color="#444444"];',
    ]
    lines += [_node_statement(node) for node in graph.nodes.values()]
    for source, target, label in graph.edges:
        extra = f" [label={quote(label)}]" if label else ""
        lines.append(f"  {quote(source)} -> {quote(target)}{extra};")
    if legend and graph.nodes:
        lines.append(f'  "legend" [shape=plain, label={legend_label(graph)}];')
    if graph.notes:
        lines.append(f"  label={quote(chr(10).join(graph.notes))};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- SVG


def render_svg(dot_source, timeout=DOT_TIMEOUT_S):
    """(svg_text, None) when `dot` drew it, else (None, the reason in words)."""
    program = dot_program()
    if program is None:
        return None, install_hint()
    try:
        finished = subprocess.run(
            [program, "-Tsvg"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, _(
            "Graphviz's `dot` took longer than {seconds} s; shown as text instead.", seconds=timeout
        )
    except OSError as error:  # found on PATH but cannot run (permissions, broken install)
        return None, _("Graphviz's `dot` could not run ({error}); shown as text instead.",
                       error=error)  # fmt: skip
    if finished.returncode != 0:
        message = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else f"exit status {finished.returncode}"
        return None, _("Graphviz's `dot` failed ({reason}); shown as text instead.", reason=reason)
    return strip_xml_prolog(finished.stdout.decode("utf-8")), None


def strip_xml_prolog(svg):
    """Only the <svg> element, so the text can sit inside an HTML page."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


# --------------------------------------------------------------------------- text


def forward_order(graph):
    """The nodes, each after everything it was made from (Kahn's algorithm, stable)."""
    waiting = {node_id: 0 for node_id in graph.nodes}
    users = {}
    for source, target, _label in graph.edges:
        if source in waiting and target in waiting:
            waiting[target] += 1
            users.setdefault(source, []).append(target)
    position = {node_id: k for k, node_id in enumerate(graph.nodes)}
    ready = [node_id for node_id, count in waiting.items() if count == 0]
    ordered = []
    while ready:
        ready.sort(key=position.get, reverse=True)
        node_id = ready.pop()
        ordered.append(graph.nodes[node_id])
        for target in users.get(node_id, ()):
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    return ordered


def to_text(graph, hint=None):
    """The graph as text: one line per node, inputs first, each with what it was made from."""
    incoming = {}
    for source, target, _label in graph.edges:
        incoming.setdefault(target, []).append(source)

    def name(node_id):
        node = graph.nodes[node_id]
        return node.title if node.kind != "op" else f"{node.title}()"

    kinds = kind_words()
    width = max((len(kinds[n.kind]) for n in graph.nodes.values()), default=0) + 2
    lines = [hint] if hint else []
    lines.append(_("Computation graph, inputs first (kind, name: shape dtype | numbers | grad):"))
    for node in forward_order(graph):
        mark = {"current": styles.CURRENT_MARK, "done": styles.DONE_MARK}.get(node.state, "")
        text = f"  {('[' + kinds[node.kind] + ']').ljust(width)} {mark}{node.title}"
        if node.lines:
            text += ": " + " | ".join(node.lines)
        sources = [name(s) for s in incoming.get(node.id, ())]
        if sources:
            text += "   <- " + ", ".join(sources)
        lines.append(text)
    lines += graph.notes
    return "\n".join(lines)
