"""GPU benchmark: the same minitensor code on the CPU (NumPy) and on a GPU (CuPy).

    python -m benchmarks.gpu_bench            full sizes (a few minutes at most)
    python -m benchmarks.gpu_bench --small    tiny sizes: checks the script in seconds
    python -m benchmarks.gpu_bench --standin  run the "cuda" half on the array_api_strict
                                              stand-in (no GPU needed; its times mean nothing)

Workloads (full sizes):
1. training an MLP 1024-4096-4096-10 (ReLU) with Adam(1e-3) and cross-entropy on one
   random batch of 512, 50 steps (after one warm-up step);
2. one 8192 x 8192 float32 matrix product (best of 3).

Each runs with minitensor on "cpu" and on "cuda", and with PyTorch on the same GPU when
PyTorch with CUDA is installed. GPU clocks are read only after `synchronize()` (a GPU call
returns before the GPU has finished). Without a usable GPU, the GPU rows are skipped with
the reason, and the CPU rows still run. `GPU_BENCH_SMALL=1` is the same as `--small`.

The losses of the two devices are printed too: same formulas, so they agree to float32
rounding (not bit for bit: the GPU adds in another order).
"""

import argparse
import os
import platform
import sys
import time

import numpy as np

import minitensor as mt
from minitensor import backend

FULL = {"sizes": (1024, 4096, 4096, 10), "batch": 512, "steps": 50, "matmul": 8192}
SMALL = {"sizes": (64, 256, 256, 10), "batch": 64, "steps": 5, "matmul": 512}
# Stop a slow CPU early and scale up, so the whole run stays within a few minutes.
CPU_BUDGET_SECONDS = 120


class Clock:
    """Seconds of wall time; `stop()` waits for the device first (GPUs work asynchronously)."""

    def __init__(self, synchronize):
        self.synchronize = synchronize

    def __enter__(self):
        self.synchronize()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.synchronize()
        self.seconds = time.perf_counter() - self.start


# ----------------------------------------------------------------------------- workloads
# One piece of code for both libraries: minitensor's API is PyTorch's, so `lib` is either
# `minitensor` or `torch`.


def synchronizer(lib, device):
    return lib.cuda.synchronize if device == "cuda" else (lambda: None)


def training(lib, device, sizes, batch, steps, budget=None):
    """(seconds for `steps` steps, steps actually timed, last loss) on `device`."""
    lib.manual_seed(0)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [lib.nn.Linear(n_in, n_out), lib.nn.ReLU()]
    model = lib.nn.Sequential(*layers[:-1]).to(device)
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, sizes[0]), dtype=np.float32), device=device)
    y = lib.tensor(rng.integers(0, sizes[-1], batch), device=device)

    def step():
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    step()  # warm-up: CuPy compiles its kernels on first use
    done = 0
    with Clock(synchronizer(lib, device)) as clock:
        while done < steps:
            loss = step()
            done += 1
            if budget and time.perf_counter() - clock.start > budget:
                break
    return clock.seconds * steps / done, done, loss.item()


def matmul(lib, device, n):
    """Seconds for one n x n float32 matrix product, best of 3."""
    rng = np.random.default_rng(1)
    a = lib.tensor(rng.standard_normal((n, n), dtype=np.float32), device=device)
    b = lib.tensor(rng.standard_normal((n, n), dtype=np.float32), device=device)
    a @ b  # warm-up (cuBLAS handle, kernels)
    best = float("inf")
    for _ in range(3):
        with Clock(synchronizer(lib, device)) as clock:
            a @ b
        best = min(best, clock.seconds)
    return best


def torch_cuda_or_reason():
    """(torch, None) when PyTorch can use the GPU, else (None, why not)."""
    try:
        import torch
    except ImportError:
        return None, "PyTorch is not installed"
    if not torch.cuda.is_available():
        return None, f"PyTorch {torch.__version__} is installed but cannot use CUDA"
    return torch, None


# ----------------------------------------------------------------------------- report


def describe_machine(gpu_reason):
    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPU cores"
    ]
    if gpu_reason is None:
        cupy = sys.modules.get("cupy")
        version = getattr(cupy, "__version__", "?") if cupy else "stand-in"
        lines.append(f"GPU: {mt.cuda.get_device_name()} (CuPy {version})")
    else:
        lines.append(f"GPU: none usable. {gpu_reason}")
    return lines


def run(small=False, standin=False):
    sizes = SMALL if small else FULL
    started = time.perf_counter()
    if standin:
        backend.use_cuda_backend(backend.ArrayApiStrictBackend())
    gpu_reason = mt.cuda.unavailable_reason()
    torch, torch_reason = torch_cuda_or_reason()
    print("\n".join(describe_machine(gpu_reason)), flush=True)
    mlp = "MLP " + "-".join(map(str, sizes["sizes"]))
    training_name = f"{mlp}, Adam, batch {sizes['batch']}, {sizes['steps']} steps"
    matmul_name = f"matmul {sizes['matmul']}x{sizes['matmul']} float32"
    standin_note = " (stand-in)" if standin else ""
    rows, losses = [], {}

    print(f"\n{training_name}", flush=True)
    shape = (sizes["sizes"], sizes["batch"], sizes["steps"])
    seconds, done, losses["minitensor cpu"] = training(mt, "cpu", *shape, CPU_BUDGET_SECONDS)
    note = "" if done == sizes["steps"] else f" (timed {done} steps, scaled)"
    rows.append((training_name, "minitensor cpu", seconds, note))
    if gpu_reason is None:
        seconds, _, losses["minitensor cuda"] = training(mt, "cuda", *shape)
        rows.append((training_name, "minitensor cuda", seconds, standin_note))
    if torch is not None:
        seconds, _, losses["torch cuda"] = training(torch, "cuda", *shape)
        rows.append((training_name, "torch cuda", seconds, ""))

    print(matmul_name, flush=True)
    rows.append((matmul_name, "minitensor cpu", matmul(mt, "cpu", sizes["matmul"]), ""))
    if gpu_reason is None:
        seconds = matmul(mt, "cuda", sizes["matmul"])
        rows.append((matmul_name, "minitensor cuda", seconds, standin_note))
    if torch is not None:
        rows.append((matmul_name, "torch cuda", matmul(torch, "cuda", sizes["matmul"]), ""))

    print("\n" + summary(rows, losses, gpu_reason, torch_reason, standin))
    print(f"\ntotal wall time {time.perf_counter() - started:.1f} s")
    return rows


def summary(rows, losses, gpu_reason, torch_reason, standin):
    lines = [
        "## GPU benchmark summary",
        "",
        "| workload | implementation | seconds | speedup over minitensor cpu |",
        "|---|---|---|---|",
    ]
    cpu_seconds = {workload: s for workload, name, s, _ in rows if name == "minitensor cpu"}
    for workload, name, seconds, note in rows:
        speedup = cpu_seconds[workload] / seconds
        lines.append(f"| {workload} | {name}{note} | {seconds:.4g} | {speedup:.1f}x |")
    lines.append("")
    lines.append("last training loss: " + ", ".join(f"{k} {v:.6f}" for k, v in losses.items()))
    if gpu_reason is not None:
        lines.append(f"SKIPPED minitensor cuda: no usable GPU. {gpu_reason}")
    if standin:
        lines.append("NOTE: 'cuda' was the array_api_strict stand-in: its times mean nothing.")
    if torch_reason is not None:
        lines.append(f"SKIPPED torch cuda: {torch_reason}.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--standin", action="store_true", help="'cuda' = the test stand-in")
    args = parser.parse_args(argv)
    run(small=args.small or os.environ.get("GPU_BENCH_SMALL") == "1", standin=args.standin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
