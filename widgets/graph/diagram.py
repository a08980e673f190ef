"""The drawing of a graph as plain data: `Graph` (nodes, edges, notes) and `GraphNode`.

model.py fills one in from the autograd graph, modules.py redraws modules as single boxes,
render.py turns it into DOT, SVG or text. Nothing here knows about autograd or about how it
will be shown.

Read next: model.py (where a Graph is built).
"""


class GraphNode:
    """One box or ellipse of the drawing.

    kind: "parameter", "leaf", "tensor" (non-leaf), "constant" (requires_grad=False),
          "op", "module" (a collapsed nn.Module) or "more" (nodes left out)
    state: None, or the stepper's "current" / "done"
    """

    __slots__ = ("id", "kind", "title", "lines", "tooltip", "state")

    def __init__(self, id, kind, title, lines=(), tooltip=""):
        self.id = id
        self.kind = kind
        self.title = title
        self.lines = list(lines)
        self.tooltip = tooltip
        self.state = None

    def __repr__(self):
        return f"GraphNode({self.id!r}, {self.kind!r}, {self.title!r}, {self.lines!r})"


class Graph:
    """Nodes (in forward order: inputs first) and edges (source id, target id, label)."""

    def __init__(self):
        self.nodes = {}
        self.edges = []
        self.notes = []  # sentences shown under the drawing (e.g. "summary form: ...")
        self.roots = []  # ids of the tensors the graph was drawn for
        self.id_of = {}  # engine node (grad_fn / AccumulateGrad) -> id of the tensor it made
        self.op_id_of = {}  # engine op -> id of its ellipse
        self.label_of = {}  # engine node -> short words for its tensor ("w", "output of ...")
        self.group_of = {}  # node id -> name of the nn.Module it belongs to
        self.total_nodes = 0  # before collapsing and leaving out

    def add(self, node):
        self.nodes[node.id] = node
        return node

    def connect(self, source, target, label=""):
        self.edges.append((source, target, label))

    def kinds(self):
        return {node.kind for node in self.nodes.values()}

    def titles(self, kind=None):
        return [n.title for n in self.nodes.values() if kind is None or n.kind == kind]

    def find(self, title):
        """The node whose title is `title` (tests and the text view use it)."""
        for node in self.nodes.values():
            if node.title == title:
                return node
        raise KeyError(f"no node titled {title!r}; titles are {self.titles()}")

    def __len__(self):
        return len(self.nodes)
