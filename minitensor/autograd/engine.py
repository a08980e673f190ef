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

Read next: node.py (the nodes), api.py (`backward`, `grad`: the checks before the walk).
"""

import heapq
import itertools

from ..backend import backend_of
from . import grad_mode
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
    dependencies = {}
    stack = list(roots)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for child in node._next:
            if child is None:
                continue
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies


def _run_pre_hooks(node, grad):
    """Tensor hooks (`register_hook`, `retain_grad`) see, and may replace, the gradient."""
    hooks = node._pre_hooks
    if isinstance(node, AccumulateGrad):
        hooks = node.variable._hooks
    if not hooks:
        return grad
    from ..tensor import Tensor

    # The gradient's own device: the node's output tensor may already be gone.
    device = backend_of(grad)
    # retain_grad() stores the gradient after every other hook changed it, as PyTorch.
    for hook in sorted(hooks, key=lambda h: getattr(h, "retains_grad", False)):
        with grad_mode.no_grad():
            result = hook(Tensor._from_array(grad, device))
        if result is not None:
            grad = result._data
    return grad


def _accumulate_into_leaf(leaf, grad):
    """leaf.grad += grad (the first time: a fresh copy, never an alias of another grad)."""
    from ..tensor import Tensor

    if not leaf._requires_grad:
        return  # detach_() turned it off after the graph was built: PyTorch skips it too
    if leaf._base is not None and leaf._base._requires_grad:
        # A view taken under no_grad() of a tensor that requires grad: it requires grad but
        # is part of neither graph, and PyTorch gives it no .grad (nor its base).
        return
    if grad.shape != leaf._data.shape:
        grad = leaf.device.xp.broadcast_to(grad, leaf._data.shape)
    if leaf._grad is None:
        leaf._grad = Tensor._from_array(leaf.device.xp.asarray(grad, copy=True), leaf.device)
    elif leaf._grad.shape != leaf.shape:  # x.unsqueeze_(0) since the last backward
        raise RuntimeError(
            f"output with shape {list(leaf._grad.shape)} doesn't match the broadcast shape "
            f"{list(leaf.shape)} (x.grad kept its old shape: set x.grad = None first)"
        )
    else:
        # In place, as PyTorch: someone holding `g = w.grad` sees the sum too.
        leaf._grad._data += grad
        leaf._grad._version[0] += 1


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
    heapq.heapify(ready)

    while ready:
        node = heapq.heappop(ready)[2]
        grad = _run_pre_hooks(node, buffers.pop(node))
        node._check_saved()
        if isinstance(node, AccumulateGrad):
            grad_inputs = ()
            if accumulate:
                _accumulate_into_leaf(node.variable, grad)
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
            dependencies[child] -= 1
            if dependencies[child] == 0:
                heapq.heappush(ready, (-child.sequence_nr, next(tiebreak), child))
        yield BackwardStep(node, grad, grad_inputs, tuple(accumulated))


def run_backward(roots, grad_roots, retain_graph=False):
    """Drain `backward_steps`: what `Tensor.backward()` does."""
    for _ in backward_steps(roots, grad_roots, retain_graph):
        pass
