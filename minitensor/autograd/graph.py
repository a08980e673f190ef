"""The graph and the engine's steps as a visualiser sees them: build your own from these.

PyTorch keeps its graph-inspection helpers in `torch.autograd.graph`; this is the same
place here. Everything a drawing or a step-by-step replay of backward needs is below, so a
visualiser (ours in ../../widgets/, or yours) never reads a private attribute:

    get_gradient_edge(t)     GradientEdge(node, output_nr), as PyTorch: the node that t's
                             gradient flows into (t.grad_fn, or a leaf's AccumulateGrad)
    input_nodes(node)        the nodes of its inputs, None where an input needs no grad
                             (`node.next_functions` without PyTorch's output numbers)
    nodes_behind(nodes)      every node reachable from `nodes`, each once, no recursion
    record_backward(t)       the engine's real steps for t.backward(), as a list; no .grad
                             changes, not even a retain_grad() tensor's
    grad_destination(node)   the tensor whose .grad backward adds the node's gradient to
    accumulate(step)         add a step's gradient there, exactly as backward() does
    saved_input(node, i)     what a node kept of its input i for backward (None: nothing,
                             or freed); saved_input_is(node, i, t): was it t's own array?
    saves_anything(node)     did it keep anything for backward (and is it now freed)?

A step is the engine's `BackwardStep` (engine.py): `step.node` ran, `step.grad_output` is the
gradient that arrived at it (the sum over every path, after tensor hooks), `step.grad_inputs`
what it sent to each of `input_nodes(step.node)`, and `step.accumulated[i]` is True when
input i had already received gradient from another node (so this one is added: `+=`).

A visualiser in ten lines, replaying `loss.backward()` one node at a time:

    from minitensor.autograd import graph

    steps = graph.record_backward(loss)            # nothing has changed yet
    for step in steps:
        print(step.node.name(), "received", step.grad_output)
        for child, sent in zip(graph.input_nodes(step.node), step.grad_inputs):
            if child is not None:
                print("   sends", sent, "to", child.name())
    for step in steps:
        graph.accumulate(step)                     # now .grad is what backward() gives

Read next: engine.py (where the steps come from), ../../widgets/stepper/model.py (a user).
"""

from collections import namedtuple

from ..tensor_functions.autograd import backward_steps
from .function import edge_of
from .node import AccumulateGrad

GradientEdge = namedtuple("GradientEdge", ["node", "output_nr"])
GradientEdge.__doc__ = """Where a tensor's gradient goes: `node` (output number `output_nr`).

minitensor's ops have one output each, so output_nr is always 0 (PyTorch's can be more)."""


def get_gradient_edge(tensor):
    """The edge a tensor's gradient flows into: its grad_fn, or for a leaf that requires grad
    its AccumulateGrad node (made on first use, shared by every op that uses the leaf)."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not require "
            "gradients"
        )
    return GradientEdge(edge_of(tensor), 0)


def input_nodes(node):
    """The node of each of `node`'s inputs, in order; None where that input needs no grad."""
    return node._next


def nodes_behind(nodes):
    """Every node reachable from `nodes` (theirs included), each once, in depth-first order.

    Iterative, like the engine: a chain of 100,000 ops needs no deep Python stack."""
    seen = set()
    order = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(reversed(node._next))
    return order


def grad_destination(node):
    """The tensor whose `.grad` backward adds the gradient arriving at `node` into.

    A leaf, for its AccumulateGrad; the node's output tensor when that tensor called
    retain_grad() (and is still alive); None otherwise: an intermediate gradient is passed
    on and forgotten, which is why a non-leaf's .grad is None after backward.
    """
    if isinstance(node, AccumulateGrad):
        return node.variable
    out = node.output()
    return out if out is not None and out.retains_grad else None


def record_backward(tensors, grad_tensors=None):
    """The engine's steps for `tensors.backward(grad_tensors)`, run to the end, as a list.

    These are the real steps: the generator that `Tensor.backward()` drains, walked with
    `retain_graph=True` (the saved tensors stay, so backward can still run afterwards) and
    `accumulate=False` (no leaf's .grad changes). Tensor hooks run, as in backward; the
    `.grad` that a retain_grad() hook writes is put back as it was. Replay the result with
    `accumulate(step)`.
    """
    if not isinstance(tensors, (list, tuple)):
        tensors = [tensors]
    roots = [get_gradient_edge(t).node for t in tensors if t.requires_grad]
    retained = [t for t in map(grad_destination, nodes_behind(roots)) if t is not None]
    retained = [t for t in retained if t.grad_fn is not None]
    kept = {t: t._grad for t in retained}
    try:
        for t in retained:
            t._grad = None
        return list(backward_steps(tensors, grad_tensors, retain_graph=True, accumulate=False))
    finally:
        for t in retained:
            t._grad = kept[t]


def accumulate(step):
    """Do what backward() does with the gradient that arrived at `step.node`: add it into the
    .grad of `grad_destination(step.node)`. Returns that tensor (None: nothing to add to).

    The rules are backward's own: a leaf's .grad is changed in place (the first time, a
    fresh copy); a retain_grad() tensor gets its retain_grad hook's treatment.
    """
    destination = grad_destination(step.node)
    if destination is None:
        return None
    if isinstance(step.node, AccumulateGrad):
        step.node.accumulate(step.grad_output)
        return destination
    for hook in step.node._pre_hooks or ():
        if hook.retains_grad:
            hook(step.grad_output)  # the hook wraps the array in a tensor (tensor.py)
    return destination


def saved_input(node, i):
    """What `node` kept of its input i for backward: a plain number as given (`x * 2` keeps
    the 2) or the input's array itself; None when it kept nothing or backward freed it.

    An input that requires grad is reachable through its node even where the op did not
    save it (x * w saves w only for x's gradient): its current array is given then.
    """
    if node.is_freed:
        return None
    if i in node._saved_sources:
        return node.saved_tensors[node._saved_sources.index(i)]
    child = node._next[i] if i < len(node._next) else None
    tensor = child.output() if child is not None else None
    return tensor._data if tensor is not None else None


def saves_anything(node):
    """True when `node` kept something for backward (or kept it and backward freed it)."""
    if node.is_freed:
        return True
    # a Function's ctx keeps the tensors it was given (its saved_tensors checks versions)
    saved = node._to_save if hasattr(node, "_to_save") else node.saved_tensors
    return any(x is not None for x in saved)


def saved_input_is(node, i, tensor):
    """True when `node` kept `tensor`'s own array as its input i (the same memory, not just
    equal numbers): how a drawing can name an input that needs no grad, which the graph
    itself does not link to."""
    return saved_input(node, i) is tensor._data
