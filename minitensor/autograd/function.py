"""`Op`: a graph node made by running an op on tensors. Every built-in op is one (../ops/).

An op is written like PyTorch's custom `Function` (custom_function.py), with `self` as the
`ctx`, on raw arrays:

    forward(self, *inputs, **options) -> output array
        self.needs_input_grad    (True, False): which inputs want a gradient
        self.save_for_backward(a, b)           what backward will need
    backward(self, grad) -> one gradient per input (None where not needed)
        a, b = self.saved_tensors

`Op.apply(*tensors, **options)` is the one step from tensors to a recorded node: it takes
the arrays out of the tensors, runs `forward`, wraps the result in a new tensor and, if
grad mode is on and some input requires grad, keeps the op object as that tensor's
`grad_fn`, linked to its inputs' nodes. Two things backward needs are done here, for every
op: the inputs' shapes are remembered (node.py sums a broadcast gradient back to them),
and for every saved array that is an input tensor's own (or the output's) the tensor's
version number is recorded, so that an in-place change before backward is caught.

Read next: ../ops/elementwise.py (Mul), node.py (what the engine does with the node).
"""

import weakref

from .. import backend
from ..tensor import Tensor, _raise_changed_no_grad_view, _raise_stale_view
from . import grad_mode
from .node import AccumulateGrad, Node, _sequence


class Op(Node):
    """The base class of the ops: subclasses define `forward` and `backward` (module doc)."""

    __slots__ = ()

    # Only ToCopy: the output lives on `node.target_device`, not on the inputs' device.
    moves_device = False

    def forward(self, *inputs, **options):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on tensors (and plain numbers); record it if a gradient is needed.

        This runs for every op, so it is written flat: a pass over the inputs, the forward,
        the result tensor, then the node's links (each step commented).
        """
        # 1. The inputs' arrays, their device, and which of them want a gradient.
        device, arrays, needs = _unwrap(inputs)
        node = cls.__new__(cls)
        node.xp = backend.np if device is backend.cpu else device.xp  # (a property call)
        node.saved_tensors = ()
        recording = grad_mode._enabled and True in needs
        # Under no_grad() nothing needs a gradient, so forward saves nothing.
        node.needs_input_grad = needs if recording else _shared((False,) * len(needs))
        # 2. The maths, and the result.
        out = node.forward(*arrays, **options)
        if cls.moves_device:
            device = node.target_device
        result = Tensor._from_array(out, device)
        if not recording or not result.dtype.is_floating_point:
            # An integer or bool result has no gradient (x.long(), x // 2 of ints): PyTorch
            # records nothing for it and its requires_grad is False.
            return result
        # 3. The node's links: to the inputs' nodes, and (weakly) to the result.
        result.grad_fn = node
        result._requires_grad = True
        node._output = weakref.ref(result)
        # (only now: an integer result links to nothing, so it checks nothing either)
        node._next = tuple([edge_of(x) if need else None for x, need in zip(inputs, needs)])
        node.sequence_nr = next(_sequence)
        node._pre_hooks = None
        # 4. What backward checks: the inputs' shapes if broadcasting made the output
        # larger (it sums the gradient back, node.py), the versions of what was saved.
        shape = out.shape
        node.input_shapes = None
        for a in arrays:
            if getattr(a, "shape", shape) != shape:
                node.input_shapes = tuple([getattr(a, "shape", None) for a in arrays])
                break
        if node.saved_tensors:
            _record_saved(node, inputs, arrays, out, result)
        else:
            node._saved_sources = node._saved_versions = ()
        return result

    @classmethod
    def run_untracked(cls, *inputs, **options):
        """Only the forward maths, on the inputs' arrays: no graph node, no output tensor.

        In-place ops whose change needs no recording (`p.add_(...)` under no_grad, in every
        optimizer step) write this array straight into the tensor's own memory.
        """
        device, arrays, needs = _unwrap(inputs)
        node = cls.__new__(cls)
        node.xp = device.xp
        node.saved_tensors = ()
        node.needs_input_grad = _shared((False,) * len(needs))
        return node.forward(*arrays, **options)

    def register_prehook(self, hook):
        """Call `hook(grad)`, grad a tensor, when the gradient of this node's output arrives
        (`tensor.register_hook` on a non-leaf); the engine itself calls it on arrays."""
        if not isinstance(hook, _GradHook):
            hook = _GradHook(hook)
        return super().register_prehook(hook)


def edge_of(tensor):
    """The graph node a new op should point to for this input: its grad_fn, or for a leaf
    its AccumulateGrad (made on first use, shared by every op that uses the leaf)."""
    seen = tensor._no_grad_view_version
    if seen is not None and seen != tensor._version[0] and tensor._base._requires_grad:
        _raise_changed_no_grad_view(tensor)  # (a view of a tensor needing no grad is free)
    if tensor.grad_fn is not None:
        if tensor._base is not None and tensor._base.grad_fn is not tensor._base_grad_fn:
            _raise_stale_view(tensor)
        return tensor.grad_fn
    accumulator = tensor._accumulator() if tensor._accumulator is not None else None
    if accumulator is None:
        accumulator = AccumulateGrad(tensor)
        # weak: the leaf must not keep its own accumulator (and so itself) alive
        tensor._accumulator = weakref.ref(accumulator)
    return accumulator


class _GradHook:
    """A tensor hook (`register_hook`, `retain_grad`) as the engine calls it: on arrays.

    The engine works on arrays only (engine.py); the hook gets the gradient as a tensor,
    under no_grad(), and may return a replacement.
    """

    __slots__ = ("hook", "retains_grad")

    def __init__(self, hook):
        self.hook = hook
        # retain_grad()'s hook runs after every other one (the engine sorts by this)
        self.retains_grad = getattr(hook, "retains_grad", False)

    def __call__(self, grad):
        # The gradient's own device: the node's output tensor may already be gone.
        with grad_mode.no_grad():
            result = self.hook(Tensor._from_array(grad, backend.backend_of(grad)))
        return None if result is None else result._data


# One shared tuple per pattern of needs_input_grad: a graph of 100,000 nodes then holds a
# handful of tuples like (True, False), not 100,000 copies of them.
_patterns = {}


def _shared(needs):
    return _patterns.setdefault(needs, needs)


def _unwrap(inputs):
    """(the inputs' device, their arrays, which require grad); numbers pass as they are."""
    device = None
    arrays = []
    needs = []
    for x in inputs:
        if isinstance(x, Tensor):
            if device is None:
                device = x.device
            elif x.device is not device:
                backend.raise_device_mismatch(device, x.device)
            arrays.append(x._data)
            needs.append(x._requires_grad)
        else:
            arrays.append(x)
            needs.append(False)
    needs = tuple(needs)
    return device, arrays, _patterns.setdefault(needs, needs)  # _shared(needs), inlined


def _record_saved(node, inputs, arrays, out, result):
    """Which input (or -1: the output) each saved array is, and the version number of each
    such tensor now: backward checks it is unchanged (`_check_versions`)."""
    sources = []
    versions = []
    for saved in node.saved_tensors:
        source = None
        i = 0
        for array in arrays:  # by identity: the same array, not equal numbers
            if saved is array:
                source = i
                break
            i += 1
        if source is not None:
            x = inputs[i]
            if isinstance(x, Tensor):
                versions.append((x._version, x._version[0], i))
        elif saved is out and saved is not None:
            source = -1
            versions.append((result._version, 0, -1))
        sources.append(source)
    sources = tuple(sources)
    node._saved_sources = _patterns.setdefault(sources, sources)  # _shared(sources), inlined
    node._saved_versions = tuple(versions)
