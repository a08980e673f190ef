"""Graph nodes: `Op` (what `tensor.grad_fn` is) and `AccumulateGrad` (one per leaf).

Every differentiable op is a subclass of `Op` with two methods on raw arrays:

    forward(self, *inputs, **options) -> output array   (saves what backward needs)
    backward(self, grad)              -> one gradient per input (None where not needed)

`Op.apply(*tensors, **options)` runs `forward`, and, if grad mode is on and some input
requires grad, keeps the `Op` object as the new tensor's `grad_fn`, linked to the nodes of
its inputs (`next_functions`). That chain of nodes *is* the computation graph; the engine
(engine.py) walks it backwards.

Saved arrays and version counters. An op that needs its inputs (or its output) in backward
lists them in `saves_inputs` / `saves_output`; `apply` records each one's version number.
If the tensor is modified in place before backward, the numbers no longer match and the
engine raises, exactly like PyTorch. After backward the saved arrays are freed (`saved` is
set to `FREED`) unless `retain_graph=True`.

Read next: engine.py, then any op in ../ops/.
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
        "saved",  # arrays kept for backward; FREED after backward
        "_saved_versions",  # ((version counter, its value at save time), ...)
        "sequence_nr",  # creation order: the engine runs later nodes first
        "xp",  # the array namespace (numpy, cupy, ...) the op ran with
        "_output",  # weak reference to the output tensor (for graph drawings)
        "_pre_hooks",  # tensor hooks registered on the output (register_hook, retain_grad)
        "__weakref__",
    )

    # Which of the op's tensors backward needs; apply records their versions.
    saves_inputs = ()
    saves_output = False
    # {saved input: the inputs whose gradient uses it}, for inputs that only serve *other*
    # inputs' gradients (Mul: a is needed only for grad_b). Such an input is version-checked
    # only when one of those inputs requires grad, exactly when PyTorch saves it.
    saved_input_used_by = {}
    # PyTorch's grad_fn name; by default the class name + "Backward0".
    backward_name = None
    # Only ToCopy: the output lives on `node.target_device`, not on the inputs' device.
    moves_device = False

    def forward(self, *inputs, **options):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    # ------------------------------------------------------------------ running an op

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on tensors (and plain numbers); record it if a gradient is needed."""
        Tensor = tensor_module.Tensor
        device, arrays, needs_grad = _unwrap(inputs)
        node = cls.__new__(cls)
        node.xp = device.xp
        node.saved = ()
        out = node.forward(*arrays, **options)
        if cls.moves_device:
            device = node.target_device
        if not (needs_grad and grad_mode._enabled) or not _is_floating(device, out):
            # An integer or bool result has no gradient (x.long(), x // 2 of ints): PyTorch
            # records nothing for it and its requires_grad is False.
            return Tensor._from_array(out, device)
        edges = []
        for x in inputs:
            edges.append(x._edge() if isinstance(x, Tensor) and x._requires_grad else None)
        node._next = tuple(edges)
        node.sequence_nr = next(_sequence)
        node._pre_hooks = None
        result = Tensor._from_array(out, device, grad_fn=node)
        node._output = weakref.ref(result)
        if cls.saves_inputs or cls.saves_output:
            # (version counter, its value now, which input; -1: the output) per saved tensor
            versions = [
                (inputs[i]._version, inputs[i]._version[0], i)
                for i in cls.saves_inputs
                if isinstance(inputs[i], Tensor) and _needed(cls, i, inputs)
            ]
            if cls.saves_output:
                versions.append((result._version, 0, -1))
            node._saved_versions = tuple(versions)
        else:
            node._saved_versions = ()
        return result

    @classmethod
    def run_untracked(cls, *inputs, **options):
        """Only the forward maths, on the inputs' arrays: no graph node, no output tensor.

        In-place ops whose change needs no recording (`p.add_(...)` under no_grad, in every
        optimizer step) write this array straight into the tensor's own memory.
        """
        device, arrays, _ = _unwrap(inputs)
        node = cls.__new__(cls)
        node.xp = device.xp
        node.saved = ()
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
        return self.saved is FREED

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    # ------------------------------------------------------------------ used by the engine

    def _check_saved(self):
        if self.saved is FREED:
            raise _backend_error_double_backward(self)
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
        if self.saved:
            self.saved = FREED


def _unwrap(inputs):
    """(the inputs' device, their arrays, does any require grad?); numbers pass as they are."""
    Tensor = tensor_module.Tensor
    device = None
    arrays = []
    needs_grad = False
    for x in inputs:
        if isinstance(x, Tensor):
            if device is None:
                device = x.device
            elif x.device is not device:
                _raise_device_mismatch(device, x.device)
            arrays.append(x._data)
            needs_grad = needs_grad or x._requires_grad
        else:
            arrays.append(x)
    return device, arrays, needs_grad


def _is_floating(device, array):
    return device.xp.isdtype(array.dtype, "real floating")


def _needed(cls, i, inputs):
    """Does backward really use saved input i, given which inputs require grad?"""
    users = cls.saved_input_used_by.get(i)
    if users is None:
        return True
    return any(getattr(inputs[j], "_requires_grad", False) for j in users)


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
    saved = ()

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
