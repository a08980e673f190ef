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

Read next: gradcheck.py (test your backward), function.py (the Op it becomes).
"""

import weakref

from ..backend import backend_of
from ..tensor import Tensor
from . import grad_mode
from .function import Op, edge_of
from .node import FREED, _backend_error_double_backward, _sequence


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
        if self._to_save is FREED:
            raise _backend_error_double_backward(self)
        self._check_versions()  # a saved tensor changed in place since forward?
        return self._to_save


class CustomNode(FunctionCtx, Op):
    """The grad_fn of a tensor made by `MyFunction.apply(...)`; also its `ctx`.

    Its backward wraps the gradient into a tensor for `function.backward` and unwraps what
    that returns; `Op.input_gradients` then sums each gradient back to its input's shape,
    exactly as for a built-in op.
    """

    __slots__ = ("function", "_to_save", "__dict__")

    def name(self):
        return f"{self.function.__name__}Backward"

    def backward(self, grad):
        with grad_mode.no_grad():
            grads = self.function.backward(self, Tensor._from_array(grad, backend_of(grad)))
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self._next):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{len(self._next)}, got {len(grads)})"
            )
        return tuple(g._data if isinstance(g, Tensor) else g for g in grads)

    @property
    def is_freed(self):
        return self._to_save is FREED

    def _check_saved(self):
        # PyTorch checks a custom Function's saved tensors when backward reads
        # `ctx.saved_tensors`, not before: a backward that never reads them may run again
        # after the graph was freed, as a built-in op that saves nothing can.
        pass

    def _release(self):
        self._to_save = FREED


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
        node = CustomNode.__new__(CustomNode)
        node.function = cls
        node._to_save = ()
        node._saved_sources = node._saved_versions = ()
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
        node._next = tuple(
            edge_of(a) if needs else None
            for a, needs in zip(args, node.needs_input_grad, strict=True)
        )
        node.input_shapes = tuple(tuple(a.shape) if isinstance(a, Tensor) else None for a in args)
        node.sequence_nr = next(_sequence)
        result = Tensor._from_array(out._data, out.device, grad_fn=node)
        node._output = weakref.ref(result)
        return result
