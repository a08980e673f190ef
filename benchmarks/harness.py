"""Timing, machine description and the ratio table shared by every benchmark.

Each workload is timed for every implementation in the same process, best of several
repeats (the minimum is the least disturbed by other processes), and reported as a ratio
to the reference implementation named in the row.
"""

import os
import platform
import time


def best_time(function, repeats=5, warmup=1):
    """The fastest of `repeats` runs of function(), in seconds, after `warmup` runs."""
    for _ in range(warmup):
        function()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def torch_or_none():
    """PyTorch when installed (a comparison column), else None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count() or 1)
    return torch


def machine_description():
    """What the numbers were measured on: CPU, Python, NumPy and its BLAS, threads."""
    import numpy as np

    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}",
        f"python {platform.python_version()}, numpy {np.__version__}",
    ]
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            lines.append(
                f"blas: {pool.get('internal_api')} {pool.get('version')} "
                f"({pool.get('architecture')}), {pool.get('num_threads')} threads"
            )
    except ImportError:
        lines.append("blas: (install threadpoolctl to report it)")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if name in os.environ:
            lines.append(f"{name}={os.environ[name]}")
    torch = torch_or_none()
    lines.append(f"torch {torch.__version__}" if torch else "torch: not installed")
    return lines


class Table:
    """Rows of (workload, implementation, value, unit, ratio to the row's reference)."""

    def __init__(self, title):
        self.title = title
        self.rows = []

    def add(self, workload, results, unit, reference, goal="", goal_for="minitensor"):
        """results: {implementation name: value or None}; ratio = value / results[reference].

        The goal is shown on the row of `goal_for` (minitensor's, unless said otherwise).
        """
        base = results.get(reference)
        for name, value in results.items():
            if value is None:
                continue
            ratio = f"{value / base:.2f}x" if base else ""
            self.rows.append(
                (workload, name, f"{value:.4g}", unit, ratio, goal if name == goal_for else "")
            )

    def add_minitensor(self, workload, function, repeats, unit="s", goal=""):
        """A row timing minitensor alone (no other implementation to compare with).

        unit "s" or "ms": best_time is in seconds, so "ms" multiplies it by 1000.
        """
        seconds = best_time(function, repeats)
        value = seconds * 1e3 if unit == "ms" else seconds
        self.add(workload, {"minitensor": value}, unit, "minitensor", goal=goal)

    def markdown(self):
        header = "| workload | implementation | value | unit | ratio | goal |"
        lines = [f"### {self.title}", "", header, "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)
