"""Graph nodes, as the engine sees them: `Node` (what `tensor.grad_fn` is) and
`AccumulateGrad` (one per leaf). Nodes hold arrays, never tensors: this module and
engine.py sit below `Tensor` and import nothing above them.

A node links to the nodes of its op's inputs (`next_functions`); that chain of nodes *is*
the computation graph, and the engine (engine.py) walks it backwards, calling each node's
`input_gradients(grad)`: its `backward(grad)`, then two things every op needs, done here
once so that an op's backward is its maths alone:

- Broadcasting undone. `x` of shape (3,) times `y` of shape (2, 3): `grad * y` has shape
  (2, 3), but x's gradient must have x's shape. Each x[j] was used twice, once per row,
  so its gradient is the sum over the rows (`unbroadcast`). The op's inputs' shapes are
  kept (`input_shapes`) only when one differs from the output's.
- Gradients nobody asked for dropped: None for an input with `needs_input_grad` False.

Saved arrays and version counters. What forward saved (`save_for_backward`) is kept in
`saved_tensors`, with the version number of every saved input tensor (or output) in
`_saved_versions`. If such a tensor is changed in place before backward, the numbers no
longer match and the engine raises, exactly like PyTorch. After backward the saved arrays
are freed (`saved_tensors` is set to `FREED`) unless `retain_graph=True`.

How a node is made from tensors (`Op.apply`), and how to write an op: function.py.

Read next: engine.py, then function.py and any op in ../ops/ (elementwise.py: Mul).
"""

import itertools

from ..hooks import RemovableHandle

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


class Node:
    """A node of the backward graph: what `tensor.grad_fn` is. See the module docstring.

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

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    def save_for_backward(self, *arrays):
        """Keep `arrays` for backward, which reads them back from `self.saved_tensors`.

        Save only what a gradient that is needed will use (see `needs_input_grad`): a saved
        input is version-checked, so saving more than PyTorch does would raise where
        PyTorch does not.
        """
        self.saved_tensors = arrays

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
        return RemovableHandle(self._pre_hooks, hook)

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
        if self.input_shapes is None:  # the common case: no input was broadcast
            if False not in self.needs_input_grad:
                return grads
            return tuple([g if need else None for g, need in zip(grads, self.needs_input_grad)])
        return tuple([self._to_input(i, g) for i, g in enumerate(grads)])

    def _to_input(self, i, grad):
        """The gradient for input i: None if it needs none, else summed to its shape."""
        if grad is None or not self.needs_input_grad[i]:
            return None
        got = getattr(grad, "shape", None)  # a Function's backward may return a number
        if self.input_shapes is None or got is None or got == self.input_shapes[i]:
            return grad
        shape = self.input_shapes[i]
        if len(got) >= len(shape):
            summed = unbroadcast(self.xp, grad, shape)
            # Any other shape means got was not shape broadcast: the backward is wrong.
            if summed.shape == shape:
                return summed
        raise RuntimeError(
            f"Function {self.name()} returned an invalid gradient at index {i} - got "
            f"{list(got)} but expected shape compatible with {list(shape)}"
        )

    def _check_saved(self):
        if self.saved_tensors is FREED:
            raise _backend_error_double_backward(self)
        if self._saved_versions:
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


class AccumulateGrad:
    """The node at the end of every path: adds the arriving gradient into `leaf.grad`.

    One per leaf tensor that requires grad, shared by every op that uses the leaf, so the
    contributions of all uses meet here (fan-out) before the engine runs it once.
    """

    __slots__ = ("variable", "sequence_nr", "__weakref__")

    def __init__(self, variable):
        self.variable = variable
        # PyTorch gives these the highest priority: run as soon as all gradient has arrived.
        self.sequence_nr = float("inf")

    @property
    def _pre_hooks(self):
        """The leaf's own hooks (`leaf.register_hook`)."""
        return self.variable._hooks

    def accumulate(self, grad):
        """leaf.grad += grad: the tensor layer decides how (Tensor._accumulate_grad).

        A gradient with more axes than the leaf comes from a graph whose tensor changed
        shape in place after it was recorded (y = -x; y.unsqueeze_(0) under no_grad):
        summed back to the leaf's shape, as PyTorch sums a gradient to its input's shape."""
        leaf = self.variable
        if grad.ndim > leaf.ndim:
            summed = unbroadcast(leaf.device.xp, grad, tuple(leaf.shape))
            if summed.shape == tuple(leaf.shape):
                grad = summed
        leaf._accumulate_grad(grad)

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
