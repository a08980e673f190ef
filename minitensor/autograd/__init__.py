"""Autograd: the graph, the engine that walks it backwards, grad modes, and checks.

    backward(tensors, grad_tensors)   what `loss.backward()` calls
    grad(outputs, inputs)             gradients returned instead of added to `.grad`
    backward_steps(...)               the engine as a generator of steps (public API: the
                                      backward-stepper widget walks it; see engine.py)
    Function                          write your own op with forward/backward, as PyTorch
    gradcheck(fn, inputs)             compare backward with finite differences
    graph                             the graph and the steps for visualisers (graph.py):
                                      build your own from it, as widgets/ does

Two layers live here. Below Tensor, on nodes and arrays only: node.py (graph nodes),
engine.py (the walk), grad_mode.py (the switch). Above it, on tensors: function.py (Op:
how a built-in op records its node), custom_function.py, gradcheck.py, graph.py; and
backward/grad themselves are in ../tensor_functions/autograd.py, beside the other functions
Tensor's methods call.

Read next: node.py, engine.py, function.py, ../ops/ (the maths of each op).
"""

from ..tensor_functions.autograd import backward, backward_steps, grad
from . import graph
from .custom_function import Function, FunctionCtx
from .engine import BackwardStep
from .function import Op
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .node import AccumulateGrad, Node

__all__ = [
    "AccumulateGrad", "BackwardStep", "Function", "FunctionCtx", "GradcheckError", "Op",
    "backward", "backward_steps", "enable_grad", "grad", "gradcheck", "graph", "inference_mode",
    "is_grad_enabled", "no_grad", "set_grad_enabled",
]  # fmt: skip
