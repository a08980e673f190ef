"""Which ops belong to which nn.Module, so a big graph can draw each submodule as one box.

The autograd graph knows nothing about modules: `MmBackward0` does not say it ran inside
`net[0]`. Two ways to find out, best first:

1. Record it while the forward pass runs:

       with record_modules(net):
           loss = loss_fn(net(x), y)
       show_graph(loss, model=net)

   A forward hook on every submodule sees the module's inputs and output; the ops between
   them (walking back from the output until the inputs) were made by that module. Inner
   modules finish first, so an op belongs to the innermost module that ran it.

2. Otherwise, guess from the parameters: an op that uses a module's parameter belongs to
   that module, and so does an op using a value computed from that module's parameters
   alone (e.g. `x @ W.T` uses `W.T`). An activation between two layers stays outside.

`collapse(graph, names, modules)` then redraws each named module's nodes as one node.
Pure Python, no display library.

Read next: render.py.
"""

import weakref
from contextlib import contextmanager

from minitensor import Tensor
from minitensor.autograd import AccumulateGrad
from minitensor.autograd.graph import input_nodes

from ..common.translation import _
from .diagram import Graph, GraphNode

# op node -> qualified name of the module that made it ("0", "encoder.fc1", ...).
# Weak: recording must not keep old graphs alive.
_MODULE_OF = weakref.WeakKeyDictionary()


@contextmanager
def record_modules(model):
    """Remember, for the ops made inside this block, which submodule of `model` made them."""
    if not hasattr(model, "named_modules"):
        raise TypeError(f"record_modules expects an nn.Module, got {type(model).__name__}")
    handles = [
        module.register_forward_hook(_recorder(name))
        for name, module in model.named_modules()
        if name  # the whole model is not a group: it would swallow the graph
    ]
    try:
        yield model
    finally:
        for handle in handles:
            handle.remove()


def _recorder(name):
    def hook(module, args, output):
        claim(name, args, output)

    return hook


def _tensors_in(value):
    """The tensors in a module's inputs or output (a tensor, or tuples/lists/dicts of them)."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            found.append(item)
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found


def claim(name, inputs, outputs):
    """Mark the ops between `inputs` and `outputs` as made by module `name` (if unclaimed)."""
    stop = {t.grad_fn for t in _tensors_in(inputs) if t.grad_fn is not None}
    stack = [t.grad_fn for t in _tensors_in(outputs) if t.grad_fn is not None]
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen or node in stop or isinstance(node, AccumulateGrad):
            continue
        seen.add(node)
        _MODULE_OF.setdefault(node, name)  # an inner module claimed it first: keep that
        stack.extend(child for child in input_nodes(node) if child is not None)


# --------------------------------------------------------------------------- grouping


def _owner_of_parameter(name):
    """'0.weight' -> '0'; 'encoder.fc1.bias' -> 'encoder.fc1'; 'w' -> None."""
    return name.rsplit(".", 1)[0] if "." in name else None


def groups_for(ops, leaves, graph, graph_model):
    """{node id: module name} for the nodes of `graph` that belong to a module."""
    parameter_group = {}
    for leaf in leaves:
        name = graph_model.name_of(leaf.variable)
        owner = _owner_of_parameter(name) if name else None
        if owner is not None:
            parameter_group[leaf] = owner
    recorded = {op: _MODULE_OF[op] for op in ops if op in _MODULE_OF}
    op_group = recorded if recorded else _guess_from_parameters(ops, parameter_group)

    groups = {graph.id_of[leaf]: owner for leaf, owner in parameter_group.items()}
    anonymous = (_("no grad"), _("number"))  # the titles model.py gives such constants
    for op, owner in op_group.items():
        op_id = graph.op_id_of[op]
        groups[op_id] = owner
        groups[graph.id_of[op]] = owner
        for i, child in enumerate(input_nodes(op)):
            constant = graph.nodes.get(f"{op_id}.in{i}")
            # Anonymous constants (numbers, unnamed tensors) go with the op; a named tensor
            # such as the input batch `x` is the module's input and stays outside.
            if child is None and constant is not None and constant.title in anonymous:
                groups[constant.id] = owner
    return groups


def _guess_from_parameters(ops, parameter_group):
    """Ops that use a module's parameters, or values made from them alone (`W.T`)."""
    owner_of = {}
    made_from_parameters_only = set()
    for op in ops:  # forward order: inputs are decided before the ops that use them
        candidates = set()
        all_inside = True
        for child in input_nodes(op):
            if child is None:  # data from outside (or a number): not made from parameters
                all_inside = False
            elif child in parameter_group:
                candidates.add(parameter_group[child])
            elif child in made_from_parameters_only:
                candidates.add(owner_of[child])
            else:
                all_inside = False
        if len(candidates) == 1:
            owner_of[op] = candidates.pop()
            if all_inside:
                made_from_parameters_only.add(op)
    return owner_of


# --------------------------------------------------------------------------- collapsing


def collapse(graph, names, modules):
    """A copy of `graph` with each module in `names` drawn as one "module" node.

    modules: {name: module object} (for the type name in the title); may be empty.
    """
    members = {}
    for node_id, owner in graph.group_of.items():
        if owner in names:
            members.setdefault(owner, []).append(node_id)
    into = {node_id: f"module:{owner}" for owner, ids in members.items() for node_id in ids}

    result = Graph()
    result.roots = [into.get(r, r) for r in graph.roots]
    result.total_nodes = graph.total_nodes
    result.id_of, result.op_id_of, result.label_of = graph.id_of, graph.op_id_of, graph.label_of
    result.group_of = {k: v for k, v in graph.group_of.items() if k not in into}
    for node_id, node in graph.nodes.items():
        if node_id not in into:
            result.add(node)
            continue
        owner = graph.group_of[node_id]
        if into[node_id] in result.nodes:
            continue
        parts = [graph.nodes[i] for i in members[owner]]
        module = modules.get(owner)
        title = f"{owner}: {type(module).__name__}" if module is not None else owner
        box = result.add(GraphNode(into[node_id], "module", title))
        ops = [p for p in parts if p.kind == "op"]
        op_names = ", ".join(_unique(p.title for p in ops))
        box.lines = [_("{count} ops: {names}", count=len(ops), names=op_names)]
        box.lines += [_parameter_line(p, owner) for p in parts if p.kind == "parameter"]
        box.tooltip = _("module {name} collapsed; expand it to see its ops", name=owner)
        states = [p.state for p in parts if p.kind in ("op", "parameter", "leaf")]
        if "current" in states:
            box.state = "current"
        elif states and all(s == "done" for s in states):
            box.state = "done"
    seen = set()
    for source, target, label in graph.edges:
        source, target = into.get(source, source), into.get(target, target)
        if source != target and (source, target) not in seen:
            seen.add((source, target))
            result.connect(source, target, label)
    shown = ", ".join(sorted(members))
    note = _("modules drawn as one box (expand to see inside): {names}", names=shown)
    result.notes = [*graph.notes, note]
    return result


def _unique(items):
    return list(dict.fromkeys(items))


def _parameter_line(node, owner):
    """'weight (3, 2)  grad: None' from a parameter node's own label lines."""
    short = node.title[len(owner) + 1 :] if node.title.startswith(owner + ".") else node.title
    shape = node.lines[0].rsplit(" ", 1)[0] if node.lines else ""  # "(4, 3) float32"
    # model.py writes a tensor's lines as [shape and dtype, value, grad] (in any language)
    grad = node.lines[2] if len(node.lines) > 2 else ""
    return f"{short} {shape}  {grad}".rstrip()
