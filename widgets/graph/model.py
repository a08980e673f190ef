"""The computation graph behind a tensor, as plain data: nodes, edges and their labels.

    model = GraphModel(loss, params=dict(net.named_parameters()))
    graph = model.build()          # walks the autograd graph *now*
    graph.nodes, graph.edges       # what render.py draws

The drawing goes forwards, the way the values flowed: leaf tensors at the top, then each
op (an ellipse named like PyTorch's grad_fn, e.g. MulBackward0) pointing at the tensor it
produced, down to the loss. Each tensor shows its shape, dtype, numbers (a min/mean/max
summary when big) and `.grad`. `build()` reads everything afresh, so building again after
`backward()` shows the gradients and the freed saved buffers.

Where the autograd graph does not say something, we say so instead of guessing:
- An input that does not require grad is not in the autograd graph at all (the op's
  `next_functions` entry is None). It is drawn as a dashed "requires_grad=False" box, with
  its name and numbers only when we can prove which tensor it was.
- An intermediate result that no Python variable holds any more has been freed; its op
  node then stands in for it ("output not kept").
- A non-leaf tensor's grad is None after backward unless you called `retain_grad()`:
  the label says "grad: None (non-leaf)", never a made-up zero.

The backward stepper passes an `overlay` (see ../stepper/model.py) that marks the current
and processed nodes and replaces `.grad` by the gradient the walk has computed so far.

The autograd graph is read only through minitensor's public API (`next_functions`,
`minitensor.autograd.graph`): the way you would write your own visualiser.

Pure Python: no display library is imported here (tests/test_widgets_purity.py checks).

Read next: diagram.py (the data drawn), modules.py (grouping ops by nn.Module), render.py
(DOT, SVG, text).
"""

import weakref
from collections import deque

from minitensor import Tensor
from minitensor.autograd import AccumulateGrad
from minitensor.autograd import graph as autograd_graph

from ..common.numbers import format_number, shape_text, summarize, to_numpy
from ..common.translation import _
from . import modules as graph_modules
from .diagram import Graph, GraphNode

DEFAULT_MAX_NODES = 150  # above this many nodes the summary form is drawn


def formula_of(node):
    """The first line of the op's docstring: its forward formula and local derivatives."""
    function = getattr(node, "function", None)  # custom autograd.Function: the user's class
    doc = (function or type(node)).__doc__ or ""
    lines = [line.strip() for line in doc.strip().splitlines()]
    return lines[0] if lines else ""


# --------------------------------------------------------------------------- walking autograd


def _root_tensors(tensor):
    tensors = tensor if isinstance(tensor, (list, tuple)) else [tensor]
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(
                f"show_graph expects a minitensor Tensor (or a list of them), got "
                f"{type(t).__name__}: {t!r}"
            )
    return list(tensors)


def is_parameter(tensor):
    """nn.Parameter, recognised by class name so this works before nn is imported."""
    return any(cls.__name__ == "Parameter" for cls in type(tensor).__mro__)


class GraphModel:
    """What to draw: the root tensor(s), names, module grouping, and the size limit.

    tensor      the tensor (usually the loss) whose graph to draw, or a list of tensors
    params      {name: tensor} drawn as named parameters, e.g. dict(net.named_parameters())
    model       an nn.Module: names its parameters and lets its submodules collapse
    names       {name: tensor} for other tensors (show_graph passes your variable names)
    expand      module names to draw in full; the others collapse when `collapse` says so
    collapse    "auto" (collapse modules when the graph has more than max_nodes nodes),
                True (always), False (never)
    max_nodes   above it the summary form is used; None: always draw everything
    """

    def __init__(
        self,
        tensor,
        params=None,
        model=None,
        names=None,
        expand=(),
        collapse="auto",
        max_nodes=DEFAULT_MAX_NODES,
    ):
        self.tensors = _root_tensors(tensor)
        if collapse not in ("auto", True, False):
            raise ValueError(f"collapse must be 'auto', True or False, got {collapse!r}")
        if max_nodes is not None and max_nodes < 1:
            raise ValueError(f"max_nodes must be a positive number or None, got {max_nodes!r}")
        self.model = model
        self.collapse = collapse
        self.max_nodes = max_nodes
        self._names = {}  # id(tensor) -> (name, tensor); the tensor keeps the id valid
        self._parameter_ids = set()
        for name, t in _named_tensors(names):
            self._names.setdefault(id(t), (name, t))
        if model is not None:
            if not hasattr(model, "named_parameters"):
                raise TypeError(f"model= expects an nn.Module, got {type(model).__name__}")
            params = {**dict(model.named_parameters()), **(params or {})}
        for name, t in _named_tensors(params):
            self._names[id(t)] = (name, t)
            self._parameter_ids.add(id(t))
        # op -> {input index: named tensor that needs no grad}, found by identity
        self._constants = weakref.WeakKeyDictionary()
        self.expanded = set(expand)
        self.collapsed = None  # decided at the first build (needs the module grouping)
        self.modules = []  # module names found in the last build

    # ---------------------------------------------------------------- public

    def name_of(self, tensor):
        entry = self._names.get(id(tensor))
        return entry[0] if entry is not None and entry[1] is tensor else None

    def toggle(self, module_name):
        """Collapse a module drawn in full, or expand a collapsed one."""
        if self.collapsed is None:
            self.build()
        if module_name not in self.modules:
            raise KeyError(f"no module named {module_name!r}; modules are {self.modules}")
        if module_name in self.collapsed:
            self.collapsed.discard(module_name)
            self.expanded.add(module_name)
        else:
            self.collapsed.add(module_name)
            self.expanded.discard(module_name)

    def build(self, overlay=None, compact=None):
        """Walk the autograd graph now and return the Graph to draw.

        overlay: the stepper's view of a half-done backward (see ../stepper/model.py).
        compact: leave numbers out of the labels; default: only in the summary form.
        """
        graph = self._full_graph(overlay)
        graph.total_nodes = len(graph)
        self.modules = sorted(set(graph.group_of.values()))
        too_big = self.max_nodes is not None and len(graph) > self.max_nodes
        if self.collapsed is None:
            collapse_all = self.collapse is True or (self.collapse == "auto" and too_big)
            self.collapsed = set(self.modules) - self.expanded if collapse_all else set()
        if self.collapsed:
            graph = graph_modules.collapse(graph, self.collapsed, self._module_objects())
        if self.max_nodes is not None and len(graph) > self.max_nodes:
            graph = _leave_out_far_nodes(graph, self.max_nodes)
            compact = True if compact is None else compact
        if compact:
            for node in graph.nodes.values():
                if node.kind != "more":
                    node.lines = node.lines[:1]
        return graph

    # ---------------------------------------------------------------- building

    def _module_objects(self):
        if self.model is None or not hasattr(self.model, "named_modules"):
            return {}
        return dict(self.model.named_modules())

    def _full_graph(self, overlay):
        graph = Graph()
        roots = []
        for t in self.tensors:
            if t.requires_grad:  # its grad_fn, or a leaf's AccumulateGrad
                roots.append(autograd_graph.get_gradient_edge(t).node)
            else:
                node = graph.add(GraphNode("root", "constant", self.name_of(t) or _("tensor")))
                node.lines = [*self._tensor_lines(t), _("requires_grad=False: no graph recorded")]
                graph.roots.append(node.id)
        engine_nodes = autograd_graph.nodes_behind(roots)
        leaves = [n for n in engine_nodes if isinstance(n, AccumulateGrad)]
        ops = sorted((n for n in engine_nodes if not isinstance(n, AccumulateGrad)),
                     key=lambda n: n.sequence_nr)  # fmt: skip
        for k, leaf in enumerate(leaves):
            self._add_leaf(graph, f"leaf{k}", leaf, overlay)
        for k, op in enumerate(ops):
            self._add_op(graph, k, op, overlay)
        for op in ops:
            self._connect_inputs(graph, op, overlay)
        for root in roots:
            graph.roots.append(graph.id_of[root])
        groups = graph_modules.groups_for(ops, leaves, graph, self)
        graph.group_of.update(groups)
        return graph

    def _add_leaf(self, graph, node_id, leaf, overlay):
        t = leaf.variable
        name = self.name_of(t)
        kind = "parameter" if id(t) in self._parameter_ids or is_parameter(t) else "leaf"
        kind_words = _("parameter") if kind == "parameter" else _("leaf")
        node = graph.add(GraphNode(node_id, kind, name or kind_words))
        node.lines = [*self._tensor_lines(t), self._grad_line(t, leaf, overlay)]
        node.tooltip = f"{kind_words} {name or ''} {shape_text(t.shape)}".strip()
        self._mark(node, leaf, overlay)
        graph.id_of[leaf] = node_id
        graph.label_of[leaf] = name or _("leaf {shape}", shape=shape_text(t.shape))

    def _add_op(self, graph, k, op, overlay):
        for i, child in enumerate(autograd_graph.input_nodes(op)):
            if child is None:
                self._add_constant(graph, f"op{k}.in{i}", op, i)
        op_node = graph.add(GraphNode(f"op{k}", "op", op.name(), tooltip=formula_of(op)))
        graph.op_id_of[op] = op_node.id
        if autograd_graph.saves_anything(op):
            op_node.lines.append(
                _("saved tensors: FREED") if op.is_freed else _("saved tensors: kept")
            )
        self._mark(op_node, op, overlay)
        out = op.output()
        if out is None:
            # Nothing holds the result any more: the op stands in for its output tensor.
            op_node.lines.append(_("output not kept"))
            if overlay is not None:
                op_node.lines.append(self._grad_line(None, op, overlay))
            graph.id_of[op] = op_node.id
            graph.label_of[op] = _("output of {op}", op=op.name())
            return
        name = self.name_of(out)
        tensor_node = graph.add(GraphNode(f"t{k}", "tensor", name or _("tensor")))
        tensor_node.lines = [*self._tensor_lines(out), self._grad_line(out, op, overlay)]
        tensor_node.tooltip = _("made by {op}", op=op.name())
        if overlay is not None:
            tensor_node.state = op_node.state
        graph.connect(op_node.id, tensor_node.id)
        graph.id_of[op] = tensor_node.id
        graph.label_of[op] = name or _("output of {op}", op=op.name())

    def _connect_inputs(self, graph, op, overlay):
        op_id = graph.op_id_of[op]
        for i, child in enumerate(autograd_graph.input_nodes(op)):
            if child is None:
                graph.connect(f"{op_id}.in{i}", op_id)
                continue
            label = overlay.edge_label(op, i) if overlay is not None else ""
            graph.connect(graph.id_of[child], op_id, label)

    def _add_constant(self, graph, node_id, op, i):
        """An input of `op` that needs no gradient: say what we can prove about it."""
        node = graph.add(GraphNode(node_id, "constant", _("no grad"), ["requires_grad=False"]))
        value = autograd_graph.saved_input(op, i)
        if isinstance(value, (int, float, bool)):
            node.title, node.lines = _("number"), [_("value: {value}", value=format_number(value))]
            return
        known = self._constants.setdefault(op, {})
        tensor = self._named_tensor_saved_as(op, i)
        if tensor is None:
            tensor = known.get(i)
        if tensor is not None:
            known[i] = tensor  # remembered: backward frees the saved array we matched
            node.title, node.lines = self.name_of(tensor), self._tensor_lines(tensor)

    def _named_tensor_saved_as(self, op, i):
        """The named tensor whose own array `op` saved as input i (not just equal numbers)."""
        for _name, t in self._names.values():
            if not t.requires_grad and autograd_graph.saved_input_is(op, i, t):
                return t
        return None

    def _tensor_lines(self, t):
        dtype = getattr(t.dtype, "name", str(t.dtype))
        return [f"{shape_text(t.shape)} {dtype}", _("value: {value}", value=summarize(to_numpy(t)))]

    def _grad_line(self, t, engine_node, overlay):
        if overlay is not None:
            grad = overlay.grad(engine_node)
            if grad is None:
                return _("grad: not reached yet")
            count = overlay.contributions(engine_node)
            if count > 1:
                return _("grad so far: {values} ({count} contributions added)",
                         values=summarize(grad), count=count)  # fmt: skip
            return _("grad so far: {values}", values=summarize(grad))
        if t.grad_fn is not None and not t.retains_grad:
            return _("grad: None (non-leaf)")
        if t.grad is None:
            return _("grad: None")
        return _("grad: {values}", values=summarize(to_numpy(t.grad)))

    @staticmethod
    def _mark(node, engine_node, overlay):
        if overlay is not None:
            node.state = overlay.state(engine_node)


def names_in_frame(frame):
    """{name: tensor} for the tensors a caller's variables hold (locals before globals).

    show_graph(loss) uses it so the drawing says `w` where your code says `w`. Names that
    start with "_" (IPython's `_`, `_3`, ...) are skipped; a tensor with two names gets the
    first one found.
    """
    found, seen = {}, set()
    scopes = [frame.f_locals]
    if frame.f_globals is not frame.f_locals:
        scopes.append(frame.f_globals)
    for scope in scopes:
        for name, value in list(scope.items()):
            if isinstance(value, Tensor) and not name.startswith("_") and id(value) not in seen:
                seen.add(id(value))
                found[name] = value
    return found


def _named_tensors(mapping):
    """(name, tensor) pairs from a dict {name: tensor}; anything else is a clear error."""
    if mapping is None:
        return []
    if not isinstance(mapping, dict):
        raise TypeError(
            f"expected a dict {{name: tensor}}, e.g. dict(model.named_parameters()), got "
            f"{type(mapping).__name__}"
        )
    pairs = []
    for name, t in mapping.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{name!r} should name a Tensor, got {type(t).__name__}")
        pairs.append((str(name), t))
    return pairs


def _leave_out_far_nodes(graph, max_nodes):
    """Keep the `max_nodes` nodes nearest the roots (walking edges backwards); say how many
    were left out in one "more" node pointing at where they connected."""
    incoming = {}
    for source, target, _label in graph.edges:
        incoming.setdefault(target, []).append(source)
    keep = []
    seen = set()
    queue = deque(r for r in graph.roots if r in graph.nodes)
    seen.update(queue)
    while queue and len(keep) < max_nodes - 1:
        node_id = queue.popleft()
        keep.append(node_id)
        for source in incoming.get(node_id, ()):
            if source not in seen:
                seen.add(source)
                queue.append(source)
    kept = set(keep)
    smaller = Graph()
    smaller.roots, smaller.total_nodes = graph.roots, graph.total_nodes
    smaller.id_of, smaller.op_id_of, smaller.label_of = graph.id_of, graph.op_id_of, graph.label_of
    smaller.group_of = {k: v for k, v in graph.group_of.items() if k in kept}
    for node_id, node in graph.nodes.items():  # forward order, as before
        if node_id in kept:
            smaller.add(node)
    left_out = len(graph) - len(kept)
    more = smaller.add(GraphNode("more", "more", _("… {count} more nodes", count=left_out)))
    more.lines = [_("pass max_nodes=None to draw all")]
    joined = set()
    for source, target, label in graph.edges:
        if source in kept and target in kept:
            smaller.connect(source, target, label)
        elif target in kept and target not in joined:
            joined.add(target)
            smaller.connect(more.id, target)
    smaller.notes = [
        *graph.notes,
        _(
            "summary form: {total} nodes in all; the {kept} nearest the output are drawn, "
            "without their numbers",
            total=graph.total_nodes,
            kept=len(kept),
        ),
    ]
    return smaller
