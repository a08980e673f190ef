"""`Function`: write your own differentiable op, exactly as with `torch.autograd.Function`.

    class Cube(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    y = Cube.apply(x)

`forward` and `backward` see tensors (with grad mode off), not raw arrays: that is PyTorch's
API, so code written here runs unchanged on PyTorch. Inside, `apply` wraps the class in a
`CustomNode`, an `Op` like every built-in one, so the engine treats it no differently.

Read next: gradcheck.py (test your backward), node.py (the Op it becomes).
"""

from ..backend import backend_of
from ..ops._broadcast import unbroadcast
from . import grad_mode
from .node import FREED, Op, _backend_error_double_backward, _sequence


class FunctionCtx:
    """What forward and backward share: saved tensors, and which inputs need gradients."""

    __slots__ = ()

    def save_for_backward(self, *tensors):
        self._to_save = tensors
        self._saved_versions = tuple(
            (t._version, t._version[0], i) for i, t in enumerate(tensors) if t is not None
        )

    def _saved_label(self, which):
        return f"saved tensor {which}"

    @property
    def saved_tensors(self):
        if self.saved is FREED:
            raise _backend_error_double_backward(self)
        Op._check_saved(self)  # a saved tensor changed in place since forward?
        return self._to_save


class CustomNode(FunctionCtx, Op):
    """The grad_fn of a tensor made by `MyFunction.apply(...)`; also its `ctx`."""

    __slots__ = ("function", "needs_input_grad", "_to_save", "__dict__")

    def name(self):
        return f"{self.function.__name__}Backward"

    def backward(self, grad):
        from ..tensor import Tensor

        with grad_mode.no_grad():
            grads = self.function.backward(self, Tensor._from_array(grad, backend_of(grad)))
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self._next):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{len(self._next)}, got {len(grads)})"
            )
        return tuple(
            self._summed_to_input(i, g._data if isinstance(g, Tensor) else g)
            for i, g in enumerate(grads)
        )

    def _summed_to_input(self, index, grad):
        """A gradient of the broadcast shape is summed back to its input's shape, as PyTorch
        does for custom Functions (built-in ops do it themselves: ops/_broadcast.py)."""
        shape = self.input_shapes[index]
        got = getattr(grad, "shape", None)
        if shape is None or got is None or tuple(got) == shape:
            return grad
        broadcastable = len(shape) <= len(got) and all(
            n == m or n == 1 for n, m in zip(reversed(shape), reversed(tuple(got)))
        )
        if not broadcastable:
            raise RuntimeError(
                f"Function {self.name()} returned an invalid gradient at index {index} - got "
                f"{list(got)} but expected shape compatible with {list(shape)}"
            )
        return unbroadcast(self.xp, grad, shape)

    def _check_saved(self):
        # PyTorch checks a custom Function's saved tensors when backward reads
        # `ctx.saved_tensors`, not before: a backward that never reads them may run again
        # after the graph was freed, as a built-in op that saves nothing can.
        pass

    def _release(self):
        self.saved = FREED
        self._to_save = ()


class Function:
    """Subclass it with static `forward(ctx, *inputs)` and `backward(ctx, *grad_outputs)`."""

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom Function.")

    @classmethod
    def apply(cls, *args):
        import weakref

        from ..tensor import Tensor

        node = CustomNode.__new__(CustomNode)
        node.function = cls
        node.saved = ()
        node._to_save = ()
        node._saved_versions = ()
        node._pre_hooks = None
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with grad_mode.no_grad():
            out = cls.forward(node, *args)
        if not isinstance(out, Tensor):
            raise TypeError(
                f"{cls.__name__}.forward must return a Tensor, got {type(out).__name__}"
            )
        if not (grad_mode.is_grad_enabled() and any(node.needs_input_grad)):
            return out
        node.xp = out.device.xp
        node.saved = node._to_save or ()
        node._next = tuple(
            a._edge() if needs else None
            for a, needs in zip(args, node.needs_input_grad, strict=True)
        )
        node.input_shapes = tuple(tuple(a.shape) if isinstance(a, Tensor) else None for a in args)
        node.sequence_nr = next(_sequence)
        result = Tensor._from_array(out._data, out.device, grad_fn=node)
        node._output = weakref.ref(result)
        return result
