"""Benchmarks: minitensor side by side with plain NumPy and (when installed) PyTorch.

Run all with `make bench` (or `python -m benchmarks`); `python -m benchmarks core --quick`
runs one suite at small sizes. Results are ratios; targets are goals, never test asserts.
"""
