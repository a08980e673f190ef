"""`backward`, `grad`, `backward_steps` and `register_hook` on tensors: checks first, then
the engine.

The engine (../autograd/engine.py) works on graph nodes and raw arrays; these functions
take tensors, check them the way PyTorch does, and turn them into the engine's roots and
seeds. They are `mt.autograd.backward` and `mt.autograd.grad`, and what `loss.backward()`
and `t.register_hook(f)` call; they live here, beside the other functions Tensor's methods
call, so that the engine can sit below Tensor.

Read next: ../autograd/engine.py (the walk these functions start), ../autograd/node.py
(the nodes it visits).
"""

from .. import backend
from ..autograd import engine
from ..autograd.function import _GradHook, edge_of
from ..hooks import RemovableHandle
from ..tensor import Tensor


def _roots(tensors, grad_tensors):
    """The engine's starting nodes and their seed gradients, with PyTorch's checks."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs; got {len(tensors)} "
            f"outputs and {len(grad_tensors)} gradients"
        )
    roots, seeds = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors, strict=True)):
        # A view taken under no_grad() of a tensor that requires grad says requires_grad,
        # but belongs to no graph: PyTorch refuses to start backward from it too.
        # (It passes the checks on the seed first, as it says requires_grad.)
        no_grad_view = t.grad_fn is None and t._base is not None and t._base._requires_grad
        seed = _seed(i, t, g) if t.requires_grad else None
        if not t.requires_grad or no_grad_view:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        roots.append(edge_of(t))
        seeds.append(seed)
    return roots, seeds


def _seed(i, t, g):
    """The gradient backward starts from at output `t` (number i): g's array, or 1 for a scalar."""
    if g is None:
        if t.numel() != 1:
            raise RuntimeError(
                "grad can be implicitly created only for scalar outputs (this output has "
                f"shape {list(t.shape)}; pass gradient=, e.g. "
                "y.backward(torch.ones_like(y)), or reduce it first with y.sum())"
            )
        return t.device.xp.ones_like(t._data)
    if not isinstance(g, Tensor):
        raise TypeError(f"gradient must be a Tensor, got {type(g).__name__}")
    if g.shape != t.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
            f"output[{i}] has a shape of {t.shape}."
        )
    if g.device is not t.device:
        backend.raise_device_mismatch(t.device, g.device)
    return g._data


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Add d(tensors)/d(leaf) into `leaf.grad` for every leaf in the graph (accumulates!)."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (double backward) is not supported by minitensor; "
            "gradients are computed on raw arrays and are not themselves recorded."
        )
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported; use autograd.grad")
    roots, seeds = _roots(tensors, grad_tensors)
    engine.run_backward(roots, seeds, retain_graph=bool(retain_graph))


def backward_steps(tensors, grad_tensors=None, retain_graph=False, accumulate=True):
    """The engine's steps for `tensors.backward(grad_tensors)`, one node at a time.

    Nothing happens until you iterate. With `accumulate=False` the leaves' `.grad` are not
    touched: each AccumulateGrad step still shows the gradient that arrived there.
    """
    roots, seeds = _roots(tensors, grad_tensors)
    return engine.backward_steps(roots, seeds, retain_graph=retain_graph, accumulate=accumulate)


def grad(
    outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None
):
    """d(outputs)/d(inputs), returned as a tuple; no `.grad` is changed."""
    if create_graph:
        raise NotImplementedError("create_graph=True (double backward) is not supported")
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(
                f"One of the differentiated Tensors does not require grad (input {i}, of "
                f"shape {list(t.shape)})"
            )
    wanted = {edge_of(t): i for i, t in enumerate(inputs)}
    results = [None] * len(inputs)
    roots, seeds = _roots(outputs, grad_outputs)
    for step in engine.backward_steps(
        roots, seeds, retain_graph=bool(retain_graph), accumulate=False
    ):
        if step.node in wanted:
            t = inputs[wanted[step.node]]
            results[wanted[step.node]] = Tensor._from_array(step.grad_output, t.device)
    for i, r in enumerate(results):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior."
            )
    return tuple(results)


def register_hook(tensor, hook):
    """`tensor.register_hook(hook)`: call `hook(grad)` when the tensor's gradient has been
    computed; it may return a replacement. On a leaf the hook is kept by the tensor itself
    (its AccumulateGrad runs it), on any other tensor by its grad_fn."""
    if not tensor._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        return tensor.grad_fn.register_prehook(hook)
    if tensor._hooks is None:
        tensor._hooks = []
    hook = _GradHook(hook)
    tensor._hooks.append(hook)
    return RemovableHandle(tensor._hooks, hook)
