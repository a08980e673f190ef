"""Graph nodes: `Op` (what `tensor.grad_fn` is) and `AccumulateGrad` (one per leaf).

Every differentiable op is a subclass of `Op`, written like PyTorch's custom `Function`
(../autograd/custom_function.py), with `self` as the `ctx`, on raw arrays:

    forward(self, *inputs, **options) -> output array
        self.needs_input_grad    (True, False): which inputs want a gradient
        self.save_for_backward(a, b)           what backward will need
    backward(self, grad) -> one gradient per input (None where not needed)
        a, b = self.saved_tensors

`Op.apply(*tensors, **options)` runs `forward`, and, if grad mode is on and some input
requires grad, keeps the `Op` object as the new tensor's `grad_fn`, linked to the nodes of
its inputs (`next_functions`). That chain of nodes *is* the computation graph; the engine
(engine.py) walks it backwards.

What apply does so that an op's backward is its maths alone:
- Broadcasting. `x` of shape (3,) times `y` of shape (2, 3): `grad * y` has shape (2, 3),
  but x's gradient must have x's shape. Each x[j] was used twice, once per row, so its
  gradient is the sum over the rows. `apply` remembers the inputs' shapes (only when one
  differs from the output's) and `input_gradients` sums every gradient back to its input's
  shape (`unbroadcast`): the one place that does it, for built-in ops and Functions alike.
- Version counters. For every saved array that is one of the op's input tensors (or its
  output), `apply` records the tensor's version number. If the tensor is changed in place
  before backward, the numbers no longer match and the engine raises, exactly like
  PyTorch. An array the op computed itself (an argmax, a mask) has no counter to watch.
  After backward the saved arrays are freed (`saved_tensors` is set to `FREED`) unless
  `retain_graph=True`.

Read next: engine.py, then any op in ../ops/ (elementwise.py: Mul).
"""

import itertools
import weakref

from . import grad_mode

_sequence = itertools.count()


class _Freed:
    def __repr__(self):
        return "<freed after backward>"


FREED = _Freed()


def _backend_error_double_backward(node):
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved "
        "tensors after they have already been freed). Saved intermediate values of the graph "
        f"are freed when you call .backward() or autograd.grad(); {node.name()} needs them. "
        "Specify retain_graph=True if you need to backward through the graph a second time "
        "or if you need to access saved tensors after calling backward."
    )


class Op:
    """A node of the backward graph. Subclasses are the ops; see the module docstring.

    Op classes declare `__slots__` for anything extra they keep (shapes, dims): a graph of
    100,000 nodes then costs a few hundred bytes per node, not a dict each.
    """

    __slots__ = (
        "_next",  # the input nodes (AccumulateGrad, another op, or None), one per input
        "needs_input_grad",  # (True, False, ...): which inputs want a gradient
        "saved_tensors",  # what forward saved for backward; FREED after backward
        "_saved_sources",  # for each saved array: which input it is (-1: the output; None)
        "_saved_versions",  # ((version counter, its value at save time, which), ...)
        "input_shapes",  # the inputs' shapes when one differs from the output's, else None
        "sequence_nr",  # creation order: the engine runs later nodes first
        "xp",  # the array namespace (numpy, cupy, ...) the op ran with
        "_output",  # weak reference to the output tensor (for graph drawings)
        "_pre_hooks",  # tensor hooks registered on the output (register_hook, retain_grad)
        "__weakref__",
    )

    # PyTorch's grad_fn name; by default the class name + "Backward0".
    backward_name = None
    # Only ToCopy: the output lives on `node.target_device`, not on the inputs' device.
    moves_device = False

    def forward(self, *inputs, **options):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    def save_for_backward(self, *arrays):
        """Keep `arrays` for backward, which reads them back from `self.saved_tensors`.

        Save only what a gradient that is needed will use (see `needs_input_grad`): a saved
        input is version-checked, so saving more than PyTorch does would raise where
        PyTorch does not.
        """
        self.saved_tensors = arrays

    # ------------------------------------------------------------------ running an op

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on tensors (and plain numbers); record it if a gradient is needed."""
        Tensor = tensor_module.Tensor
        device, arrays, needs = _unwrap(inputs)
        node = cls.__new__(cls)
        node.xp = device.xp
        node.saved_tensors = ()
        recording = grad_mode._enabled and True in needs
        # Under no_grad() nothing needs a gradient, so forward saves nothing.
        node.needs_input_grad = needs if recording else _shared((False,) * len(needs))
        out = node.forward(*arrays, **options)
        if cls.moves_device:
            device = node.target_device
        if not recording or not device.is_floating(out):
            # An integer or bool result has no gradient (x.long(), x // 2 of ints): PyTorch
            # records nothing for it and its requires_grad is False.
            return Tensor._from_array(out, device)
        node._next = tuple([x._edge() if need else None for x, need in zip(inputs, needs)])
        node.sequence_nr = next(_sequence)
        node._pre_hooks = None
        node.input_shapes = _shapes_if_broadcast(arrays, out)
        result = Tensor._from_array(out, device, grad_fn=node)
        node._output = weakref.ref(result)
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

    # ------------------------------------------------------------------ the graph, as PyTorch

    @property
    def next_functions(self):
        """((node, 0), ...) for each input, as PyTorch's `grad_fn.next_functions`."""
        return tuple((n, 0) for n in self._next)

    def name(self):
        """PyTorch's name for this node, e.g. 'MulBackward0'."""
        return self.backward_name or f"{type(self).__name__}Backward0"

    def register_prehook(self, hook):
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(hook)
        return _RemovableHandle(self._pre_hooks, hook)

    def output(self):
        """The tensor this node produced, if it is still alive (else None)."""
        return self._output()

    @property
    def is_freed(self):
        return self.saved_tensors is FREED

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    # ------------------------------------------------------------------ used by the engine

    def input_gradients(self, grad):
        """`backward(grad)`, each gradient summed back to its input's shape, and None for
        an input that needs none: what the engine sends to the input nodes."""
        grads = self.backward(grad)
        if type(grads) is not tuple:
            grads = (grads,)
        if self.input_shapes is None and False not in self.needs_input_grad:
            return grads  # the common case: every input wants its gradient, as it is
        return tuple([self._to_input(i, g) for i, g in enumerate(grads)])

    def _to_input(self, i, grad):
        """The gradient for input i: None if it needs none, else summed to its shape."""
        if grad is None or not self.needs_input_grad[i]:
            return None
        got = getattr(grad, "shape", None)  # a Function's backward may return a number
        if self.input_shapes is None or got is None or got == self.input_shapes[i]:
            return grad
        shape, got = self.input_shapes[i], tuple(got)
        broadcastable = len(shape) <= len(got) and all(
            n == m or n == 1 for n, m in zip(reversed(shape), reversed(got))
        )
        if not broadcastable:
            raise RuntimeError(
                f"Function {self.name()} returned an invalid gradient at index {i} - got "
                f"{list(got)} but expected shape compatible with {list(shape)}"
            )
        return unbroadcast(self.xp, grad, shape)

    def _check_saved(self):
        if self.saved_tensors is FREED:
            raise _backend_error_double_backward(self)
        self._check_versions()

    def _check_versions(self):
        for counter, version, which in self._saved_versions:
            if counter[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: {self._saved_label(which)} of {self.name()} "
                    f"is at version {counter[0]}; expected version {version} instead. Hint: "
                    "make a copy (.clone()) before changing it in place, or change it after "
                    "backward()."
                )

    def _saved_label(self, which):
        """The saved tensor `which` (an input's position, -1 for the output), in words."""
        return f"the input {which}" if which >= 0 else "the output"

    def _release(self):
        if self.saved_tensors:
            self.saved_tensors = FREED


def unbroadcast(xp, grad, shape):
    """Sum `grad` down to `shape`, the shape of an input before broadcasting.

    If x of shape (3,) was broadcast against y of shape (2, 3), every x[j] was used twice,
    once per row, so its gradient is the sum over the rows:

        grad (2, 3)  --sum over the new leading axis-->  (3,)

    Axes where the input had size 1 (shape (2, 1) against (2, 3)) are summed with keepdims.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = xp.sum(grad, axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = xp.sum(grad, axis=stretched, keepdims=True)
    return grad


# One shared tuple per pattern of needs_input_grad: a graph of 100,000 nodes then holds a
# handful of tuples like (True, False), not 100,000 copies of them.
_patterns = {}


def _shared(needs):
    return _patterns.setdefault(needs, needs)


def _unwrap(inputs):
    """(the inputs' device, their arrays, which require grad); numbers pass as they are."""
    Tensor = tensor_module.Tensor
    device = None
    arrays = []
    needs = []
    for x in inputs:
        if isinstance(x, Tensor):
            if device is None:
                device = x.device
            elif x.device is not device:
                _raise_device_mismatch(device, x.device)
            arrays.append(x._data)
            needs.append(x._requires_grad)
        else:
            arrays.append(x)
            needs.append(False)
    return device, arrays, _shared(tuple(needs))


def _shapes_if_broadcast(arrays, out):
    """The inputs' shapes (None for a number) if one differs from the output's, else None."""
    shape = out.shape
    for a in arrays:
        if getattr(a, "shape", shape) != shape:
            return tuple([getattr(a, "shape", None) for a in arrays])
    return None


def _record_saved(node, inputs, arrays, out, result):
    """Which input (or -1: the output) each saved array is, and the version number of each
    such tensor now: backward checks it is unchanged (`_check_versions`)."""
    Tensor = tensor_module.Tensor
    sources = []
    versions = []
    for saved in node.saved_tensors:
        source = None
        if saved is not None:
            for i, array in enumerate(arrays):
                if saved is array:
                    source = i
                    break
            else:
                if saved is out:
                    source = -1
        sources.append(source)
        if source == -1:
            versions.append((result._version, 0, -1))
        elif source is not None and isinstance(inputs[source], Tensor):
            counter = inputs[source]._version
            versions.append((counter, counter[0], source))
    node._saved_sources = _shared(tuple(sources))
    node._saved_versions = tuple(versions)


class AccumulateGrad:
    """The node at the end of every path: adds the arriving gradient into `leaf.grad`.

    One per leaf tensor that requires grad, shared by every op that uses the leaf, so the
    contributions of all uses meet here (fan-out) before the engine runs it once.
    """

    __slots__ = ("variable", "sequence_nr", "_pre_hooks", "__weakref__")

    def __init__(self, variable):
        self.variable = variable
        # PyTorch gives these the highest priority: run as soon as all gradient has arrived.
        self.sequence_nr = float("inf")
        self._pre_hooks = None

    _next = ()
    next_functions = ()
    saved_tensors = ()
    needs_input_grad = ()
    _saved_sources = ()

    def name(self):
        return "AccumulateGrad"

    def output(self):
        return self.variable

    is_freed = False

    def _check_saved(self):
        pass

    def _release(self):
        pass

    def backward(self, grad):
        return ()

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    """What `register_hook` returns: `handle.remove()` takes the hook off again."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _raise_device_mismatch(first, second):
    raise RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{first} and {second}!"
    )


# At the bottom on purpose: tensor.py imports this module for AccumulateGrad, so the Tensor
# class is reached through the module object, at call time (see Op.apply).
from .. import tensor as tensor_module  # noqa: E402
