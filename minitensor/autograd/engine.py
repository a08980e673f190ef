"""The backward engine: one iterative walk over the graph, exposed as a generator of steps.

`backward_steps(outputs, grad_outputs)` yields one `BackwardStep` per node, in the order the
engine runs them:

    step.node          the grad_fn (or AccumulateGrad) being run
    step.grad_output   the gradient that arrived at it: the sum over every path (an array)
    step.grad_inputs   what it sends to each of its inputs, one array (or None) each
    step.accumulated   for each input, True when that input had already received a
                       contribution from another node, so this one is added (`+=`)

`Tensor.backward()` simply drains the generator; the backward-stepper widget walks the same
generator one step at a time. Backprop is written once, here.

Why a topological order and not plain recursion from the output: a node used by two ops
(`b = a + a`) must wait until *both* contributions have arrived, then run once. We count, for
every node, how many edges point at it (its dependencies), and run a node only when that
count drops to zero. Among the nodes ready to run, the most recently created runs first
(PyTorch's rule), with AccumulateGrad nodes first of all. No recursion anywhere, so a chain
of 100,000 ops needs no deeper Python stack than a chain of 2.

Like node.py, this module works on nodes and arrays only and imports nothing above them.

Read next: node.py (the nodes), ../tensor_functions/autograd.py (`backward`, `grad`: the
checks on tensors before the walk).
"""

import itertools
from heapq import heapify, heappop, heappush

from .node import AccumulateGrad


class BackwardStep:
    """One node's work during backward. Arrays are on the tensors' device."""

    __slots__ = ("node", "grad_output", "grad_inputs", "accumulated")

    def __init__(self, node, grad_output, grad_inputs, accumulated):
        self.node = node
        self.grad_output = grad_output
        self.grad_inputs = grad_inputs
        self.accumulated = accumulated

    def __repr__(self):
        return (
            f"BackwardStep({self.node.name()}, grad_output shape {tuple(self.grad_output.shape)})"
        )


def _count_dependencies(roots):
    """How many edges point at each node reachable from `roots` (iterative DFS)."""
    dependencies = dict.fromkeys(roots, 0)  # a root may also be another root's input
    stack = list(dependencies)
    while stack:
        node = stack.pop()
        for child in node._next:
            if child is None:
                continue
            if child in dependencies:
                dependencies[child] += 1
            else:  # the first edge to it: walk on from it, once
                dependencies[child] = 1
                stack.append(child)
    return dependencies


def _run_pre_hooks(node, grad):
    """Hooks on the node's output tensor (`register_hook`, `retain_grad`) see, and may
    replace, the gradient. retain_grad() stores it after every other hook changed it."""
    for hook in sorted(node._pre_hooks, key=lambda h: h.retains_grad):
        result = hook(grad)
        if result is not None:
            grad = result
    return grad


def backward_steps(roots, grad_roots, retain_graph=False, accumulate=True):
    """Run backward from `roots` (nodes) seeded with `grad_roots` (arrays), step by step.

    With `accumulate=False` the leaves' `.grad` is left alone (the steps still show the
    gradient arriving at each AccumulateGrad); `autograd.grad` and the stepper use that.
    """
    dependencies = _count_dependencies(roots)
    buffers = {}
    for node, grad in zip(roots, grad_roots):
        buffers[node] = buffers[node] + grad if node in buffers else grad

    tiebreak = itertools.count()
    ready = [
        (-node.sequence_nr, next(tiebreak), node)
        for node in buffers
        if dependencies.get(node, 0) == 0
    ]
    heapify(ready)

    while ready:
        node = heappop(ready)[2]
        grad = buffers.pop(node)
        if node._pre_hooks:
            grad = _run_pre_hooks(node, grad)
        node._check_saved()
        if isinstance(node, AccumulateGrad):
            grad_inputs = ()
            if accumulate:
                node.accumulate(grad)  # leaf.grad += grad
        else:
            grad_inputs = node.input_gradients(grad)
            if not retain_graph:
                node._release()

        accumulated = []
        for child, child_grad in zip(node._next, grad_inputs):
            if child is None or child_grad is None:
                accumulated.append(False)
                continue
            if child in buffers:
                buffers[child] = buffers[child] + child_grad  # fan-out: contributions add
                accumulated.append(True)
            else:
                buffers[child] = child_grad
                accumulated.append(False)
            waiting = dependencies[child] - 1  # edges into child not yet run
            dependencies[child] = waiting
            if waiting == 0:
                heappush(ready, (-child.sequence_nr, next(tiebreak), child))
        yield BackwardStep(node, grad, grad_inputs, tuple(accumulated))


def run_backward(roots, grad_roots, retain_graph=False):
    """Drain `backward_steps`: what `Tensor.backward()` does."""
    for _ in backward_steps(roots, grad_roots, retain_graph):
        pass
