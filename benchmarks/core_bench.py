"""Core engine benchmarks (issue: core): op overhead, a deep chain, matmul, graph memory.

Each workload runs three ways in one process: minitensor, a hand-written NumPy version
with a manual backward (the practical floor: the same arithmetic, no graph), and PyTorch
on the CPU when installed. Ratios are to PyTorch for overhead, to NumPy for matmul.

Op overhead is measured for five kinds of op at 16 numbers (a tensor with a Python
number, two same-shape tensors, broadcasting, unary ops, reductions), forward and
backward separately: see OP_KINDS.
"""

import gc
import tracemalloc
from functools import partial

import numpy as np

import minitensor as mt

from .harness import Table, best_time, torch_or_none

CHAIN = 2000  # ops per timed graph: enough that one op's cost is the total / CHAIN


# ----------------------------------------------------------------------------- op overhead
#
# At 16 numbers per tensor the arithmetic is nearly free, so the time per op is what the
# library adds around it: checks, the result tensor, the graph node (forward); the walk,
# the gradient arrays, the accumulation into leaves (backward). Each kind of op is timed
# as a graph of CHAIN such ops, built the same way in minitensor and PyTorch (the API is
# the same), next to a NumPy floor: the same arithmetic and a hand-written backward.
# Each kind is four functions: inputs(rng), graph(lib, *leaves) -> outputs to backpropagate
# from, and the floor's numpy_forward(*arrays) -> saved, numpy_backward(saved) -> grads.


def _scalar_inputs(rng):
    return [rng.standard_normal(16).astype(np.float32)]


def _scalar_graph(lib, x):
    """y + 0.5, y * 0.9, tanh(y) in turn: a tensor with a Python number, and a unary op."""
    y = x
    for i in range(CHAIN):
        step = i % 3
        y = y + 0.5 if step == 0 else (y * 0.9 if step == 1 else lib.tanh(y))
    return [y.sum()]


def _scalar_forward(x):
    saved, y = [], x
    for i in range(CHAIN):
        step = i % 3
        if step == 0:
            y = y + np.float32(0.5)
        elif step == 1:
            y = y * np.float32(0.9)
        else:
            y = np.tanh(y)
            saved.append(y)  # tanh' = 1 - tanh^2: its output is what backward needs
    return saved, y


def _scalar_backward(saved):
    outputs, y = saved
    outputs, grad = list(outputs), np.ones_like(y)
    for i in reversed(range(CHAIN)):
        step = i % 3
        if step == 1:
            grad = grad * np.float32(0.9)
        elif step == 2:
            out = outputs.pop()
            grad = grad * (1 - out * out)
    return [grad]


def _tensor_inputs(rng):
    # w in [0.5, 0.95): y -> (y + w) * w - w shrinks towards -w, so no overflow in 2000 ops
    x = rng.standard_normal(16).astype(np.float32)
    return [x, rng.uniform(0.5, 0.95, 16).astype(np.float32)]


def _tensor_graph(lib, x, w):
    """y + w, y * w, y - w in turn: two tensors of the same shape (16,), both needing grad."""
    y = x
    for i in range(CHAIN):
        step = i % 3
        y = y + w if step == 0 else (y * w if step == 1 else y - w)
    return [y.sum()]


def _tensor_forward(x, w):
    saved, y = [], x
    for i in range(CHAIN):
        step = i % 3
        if step == 0:
            y = y + w
        elif step == 1:
            saved.append(y)  # d(y * w)/dw = y: the input is what backward needs
            y = y * w
        else:
            y = y - w
    return saved, w


def _tensor_backward(saved):
    inputs, w = saved
    inputs, grad, grad_w = list(inputs), np.ones_like(w), np.zeros_like(w)
    for i in reversed(range(CHAIN)):
        step = i % 3
        if step == 0:
            grad_w += grad
        elif step == 1:
            grad_w += grad * inputs.pop()
            grad = grad * w
        else:
            grad_w -= grad
    return [grad, grad_w]


def _broadcast_inputs(rng):
    x = rng.standard_normal((4, 4)).astype(np.float32)
    return [x, rng.uniform(0.5, 0.95, 4).astype(np.float32)]


def _broadcast_graph(lib, x, b):
    """y + b, y * b, y - b in turn, y (4, 4) and b (4,): b is broadcast over y's rows, so
    backward sums b's gradient over them (the "undo broadcasting" step)."""
    y = x
    for i in range(CHAIN):
        step = i % 3
        y = y + b if step == 0 else (y * b if step == 1 else y - b)
    return [y.sum()]


def _broadcast_forward(x, b):
    return _tensor_forward(x, b)  # NumPy broadcasts the same way


def _broadcast_backward(saved):
    inputs, b = saved
    inputs, grad, grad_b = list(inputs), np.ones((4, 4), np.float32), np.zeros_like(b)
    for i in reversed(range(CHAIN)):
        step = i % 3
        if step == 0:
            grad_b += grad.sum(axis=0)
        elif step == 1:
            grad_b += (grad * inputs.pop()).sum(axis=0)
            grad = grad * b
        else:
            grad_b -= grad.sum(axis=0)
    return [grad, grad_b]


def _unary_inputs(rng):
    return [rng.standard_normal(16).astype(np.float32)]


def _unary_graph(lib, x):
    """tanh, exp, sigmoid in turn (the values stay between 0.3 and 3)."""
    y = x
    for i in range(CHAIN):
        step = i % 3
        y = lib.tanh(y) if step == 0 else (lib.exp(y) if step == 1 else lib.sigmoid(y))
    return [y.sum()]


def _unary_forward(x):
    outputs, y = [], x
    for i in range(CHAIN):
        step = i % 3
        if step == 0:
            y = np.tanh(y)
        elif step == 1:
            y = np.exp(y)
        else:
            y = 1 / (1 + np.exp(-y))
        outputs.append(y)  # each derivative is a function of the op's output
    return outputs


def _unary_backward(outputs):
    grad = np.ones_like(outputs[-1])
    for i in reversed(range(CHAIN)):
        out, step = outputs[i], i % 3
        if step == 0:
            grad = grad * (1 - out * out)
        elif step == 1:
            grad = grad * out
        else:
            grad = grad * (out * (1 - out))
    return [grad]


def _reduction_inputs(rng):
    return [rng.standard_normal((4, 4)).astype(np.float32)]


def _reduction_graph(lib, x):
    """x.sum(), x.mean(dim=0), x.max() in turn, CHAIN of them from one (4, 4) leaf; backward
    starts from all of them at once (lib.autograd.backward) and adds CHAIN gradients into x."""
    outputs = []
    for i in range(CHAIN):
        step = i % 3
        outputs.append(x.sum() if step == 0 else (x.mean(dim=0) if step == 1 else x.max()))
    return outputs


def _reduction_forward(x):
    outputs = []
    for i in range(CHAIN):
        step = i % 3
        outputs.append(x.sum() if step == 0 else (x.mean(axis=0) if step == 1 else x.max()))
    return x, outputs


def _reduction_backward(saved):
    x, outputs = saved
    grad = np.zeros_like(x)
    for i in range(CHAIN):
        step = i % 3
        if step == 0:
            grad += 1
        elif step == 1:
            grad += np.full(4, 0.25, np.float32)  # a (4,) gradient, spread over the rows
        else:
            grad += (x == outputs[i]) / np.float32(np.count_nonzero(x == outputs[i]))
    return [grad]


OP_KINDS = [
    # (what the row says, inputs, graph, numpy forward, numpy backward)
    ("tensor with a number, and tanh (16 numbers)", _scalar_inputs, _scalar_graph,
     _scalar_forward, _scalar_backward),
    ("tensor with tensor, same shape (16,)", _tensor_inputs, _tensor_graph,
     _tensor_forward, _tensor_backward),
    ("broadcasting (4, 4) with (4,)", _broadcast_inputs, _broadcast_graph,
     _broadcast_forward, _broadcast_backward),
    ("unary: tanh, exp, sigmoid (16 numbers)", _unary_inputs, _unary_graph,
     _unary_forward, _unary_backward),
    ("reductions: sum, mean(dim=0), max of (4, 4)", _reduction_inputs, _reduction_graph,
     _reduction_forward, _reduction_backward),
]  # fmt: skip


def op_overhead(table, repeats):
    """Two rows per kind of op: microseconds per op, forward and backward."""
    torch = torch_or_none()
    reference = "pytorch" if torch is not None else "numpy floor"
    rng = np.random.default_rng(0)
    for name, inputs, graph, numpy_forward, numpy_backward in OP_KINDS:
        arrays = inputs(rng)
        forward, backward = {}, {}
        for label, lib in (("minitensor", mt), ("pytorch", torch)):
            if lib is not None:
                # each graph takes milliseconds: the best of many, as one run on a shared
                # machine can take twice as long
                forward[label], backward[label] = _time_graph(lib, graph, arrays, 4 * repeats)
        saved = numpy_forward(*arrays)
        forward["numpy floor"] = best_time(partial(numpy_forward, *arrays), repeats)
        backward["numpy floor"] = best_time(partial(numpy_backward, saved), repeats)
        for times, direction, goal in ((forward, "forward", "<= 1.0x pytorch"),
                                       (backward, "backward", "<= 0.7x pytorch")):  # fmt: skip
            per_op = {label: seconds / CHAIN * 1e6 for label, seconds in times.items()}
            table.add(f"op overhead, {name}: {direction}, per op", per_op, "us", reference, goal)


def _time_graph(lib, graph, arrays, repeats):
    """(forward seconds, backward seconds) for one graph of CHAIN ops, best of `repeats`."""

    def build():
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        outputs = graph(lib, *leaves)
        return outputs, [lib.ones_like(out) for out in outputs]

    return best_time(build, repeats), _backward_only(lib, build, repeats)


def _backward_only(lib, build, repeats):
    """Time backward alone: build a fresh graph (untimed) before each timed run."""
    import time

    best = float("inf")
    for _ in range(repeats + 1):
        outputs, seeds = build()
        start = time.perf_counter()
        lib.autograd.backward(outputs, seeds)
        best = min(best, time.perf_counter() - start)
    return best


# ----------------------------------------------------------------------------- deep chain


def deep_chain(table, repeats, length=50_000):
    def run(lib):
        x = lib.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(length):
            y = y * 1.0
        y.backward()
        return x.grad

    results = {"minitensor": best_time(lambda: run(mt), max(1, repeats // 2), warmup=0)}
    torch = torch_or_none()
    if torch is not None:
        results["pytorch"] = best_time(lambda: run(torch), max(1, repeats // 2), warmup=0)
    table.add(
        f"deep chain: {length:,} scalar ops + backward",
        results,
        "s",
        "pytorch" if torch is not None else "minitensor",
        "<= 0.5x pytorch",
    )


# ----------------------------------------------------------------------------- matmul


def matmul(table, repeats, n=1024):
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((n, n)).astype(np.float32)
    b_np = rng.standard_normal((n, n)).astype(np.float32)

    def numpy_floor():
        out = a_np @ b_np
        grad = np.ones_like(out)
        return grad @ b_np.T, a_np.T @ grad

    def minitensor():
        a = mt.tensor(a_np, requires_grad=True)
        b = mt.tensor(b_np, requires_grad=True)
        (a @ b).sum().backward()

    results = {
        "numpy floor": best_time(numpy_floor, repeats),
        "minitensor": best_time(minitensor, repeats),
    }
    torch = torch_or_none()
    if torch is not None:

        def pytorch():
            a = torch.tensor(a_np, requires_grad=True)
            b = torch.tensor(b_np, requires_grad=True)
            (a @ b).sum().backward()

        results["pytorch"] = best_time(pytorch, repeats)
    table.add(
        f"matmul {n}x{n} float32, forward + backward", results, "s", "numpy floor", "<= 1.05x numpy"
    )


# ----------------------------------------------------------------------------- memory


def graph_memory(table, nodes=100_000):
    """Bytes per node while a graph is alive, and how many nodes outlive their output.

    The second number is counted with weak references rather than bytes: Python keeps freed
    small tuples on free lists, which a byte count would report as "left over" although
    nothing references them. A reference cycle in the graph would leave nodes alive until
    the garbage collector runs, and the count would show it.
    """
    import weakref

    x = mt.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        y = x
        for _ in range(nodes):
            y = y * 1.0
        alive = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        watchers = []
        node = y.grad_fn
        while node is not None and not isinstance(node, mt.autograd.AccumulateGrad):
            watchers.append(weakref.ref(node))
            node = node._next[0]
        del node, y
        survivors = sum(w() is not None for w in watchers)
    finally:
        gc.enable()
    table.rows.append(
        (
            "graph memory: bytes per node, 100k-node graph alive",
            "minitensor",
            f"{alive / nodes:.0f}",
            "bytes",
            "",
            "<= 300",
        )
    )
    table.rows.append(
        (
            "graph memory: nodes alive after dropping the output (no gc)",
            "minitensor",
            f"{survivors}",
            "nodes",
            "",
            "0",
        )
    )


def run(quick=False):
    table = Table("Core engine (CPU)")
    repeats = 2 if quick else 5
    op_overhead(table, repeats)
    deep_chain(table, repeats, length=5_000 if quick else 50_000)
    matmul(table, repeats, n=256 if quick else 1024)
    graph_memory(table, nodes=10_000 if quick else 100_000)
    return table
