"""Core engine benchmarks (issue: core): op overhead, a deep chain, matmul, graph memory.

Each workload runs three ways in one process: minitensor, a hand-written NumPy version
with a manual backward (the practical floor: the same arithmetic, no graph), and PyTorch
on the CPU when installed. Ratios are to PyTorch for overhead, to NumPy for matmul.
"""

import gc
import tracemalloc

import numpy as np

import minitensor as mt

from .harness import Table, best_time, torch_or_none

CHAIN, WIDTH = 2000, 16


# ----------------------------------------------------------------------------- op overhead


def _chain_forward(lib, x):
    """add, mul, tanh in turn: the same chain for minitensor and torch."""
    y = x
    for i in range(CHAIN):
        step = i % 3
        y = y + 0.5 if step == 0 else (y * 0.9 if step == 1 else lib.tanh(y))
    return y.sum()


def _numpy_chain(x):
    """Forward keeping what backward needs, then the manual backward: the floor."""
    saved = []
    y = x
    for i in range(CHAIN):
        step = i % 3
        if step == 0:
            y = y + np.float32(0.5)
        elif step == 1:
            y = y * np.float32(0.9)
        else:
            y = np.tanh(y)
            saved.append(y)
    grad = np.ones_like(y)
    for i in reversed(range(CHAIN)):
        step = i % 3
        if step == 1:
            grad = grad * np.float32(0.9)
        elif step == 2:
            out = saved.pop()
            grad = grad * (1 - out * out)
    return grad


def op_overhead(table, repeats):
    data = np.random.default_rng(0).standard_normal(WIDTH).astype(np.float32)
    results_fwd, results_bwd = {}, {}

    def mt_forward():
        x = mt.tensor(data, requires_grad=True)
        return _chain_forward(mt, x)

    results_fwd["minitensor"] = best_time(mt_forward, repeats) / CHAIN * 1e6
    results_bwd["minitensor"] = _backward_only(mt_forward, repeats) / CHAIN * 1e6

    def np_forward_only():
        y = data
        for i in range(CHAIN):
            step = i % 3
            y = (
                y + np.float32(0.5)
                if step == 0
                else (y * np.float32(0.9) if step == 1 else np.tanh(y))
            )
        return y

    results_fwd["numpy floor"] = best_time(np_forward_only, repeats) / CHAIN * 1e6
    whole = best_time(lambda: _numpy_chain(data), repeats) / CHAIN * 1e6
    results_bwd["numpy floor"] = max(whole - results_fwd["numpy floor"], 0.0)

    torch = torch_or_none()
    if torch is not None:

        def torch_forward():
            x = torch.tensor(data, requires_grad=True)
            return _chain_forward(torch, x)

        results_fwd["pytorch"] = best_time(torch_forward, repeats) / CHAIN * 1e6
        results_bwd["pytorch"] = _backward_only(torch_forward, repeats) / CHAIN * 1e6
    reference = "pytorch" if torch is not None else "numpy floor"
    table.add("op overhead: forward, per op", results_fwd, "us", reference, "<= 1.0x pytorch")
    table.add("op overhead: backward, per op", results_bwd, "us", reference, "<= 1.0x pytorch")


def _backward_only(make_loss, repeats):
    """Time backward alone: build a fresh graph before each timed run."""
    import time

    best = float("inf")
    for _ in range(repeats + 1):
        loss = make_loss()
        start = time.perf_counter()
        loss.backward()
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
            "<= 400",
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
