#!/usr/bin/env bash
# GPU check for minitensor: on a machine with an NVIDIA GPU and CuPy (CUDA 12 or 13),
#   1. report the GPU, CuPy and the Python packages found;
#   2. run every device-parametrized test (pytest -m devices) with "cuda" = the real GPU;
#   3. check that gradients, optimizer trajectories and a training run on the GPU match the
#      CPU within float32 tolerance (tests/test_gpu_matches_cpu.py, marked gpu);
#   4. benchmark GPU against CPU (benchmarks/gpu_bench.py) and print a summary.
# All of it takes a few minutes at most.
#
#   make gpu-check                 or   bash benchmarks/gpu_check.sh [--cpu-ok] [--small]
#
#   --cpu-ok   without a usable GPU, run what can run (device tests on the CPU stand-in, the
#              benchmark's CPU half) and exit 0. Without it, no GPU means exit status 1.
#   --small    small benchmark sizes (checks the script itself in seconds).
#
# The Python used: $PYTHON if set, else the first of .venv/bin/python, python3 that can
# import cupy, else the first that exists. Extra pure-Python packages (pytest, hypothesis,
# array-api-compat) can be put in build/gpu-deps, which is added to PYTHONPATH:
#   python -m pip install --target build/gpu-deps pytest hypothesis array-api-compat
set -uo pipefail
cd "$(dirname "$0")/.."

cpu_ok=0
bench_args=()
for arg in "$@"; do
    case "$arg" in
        --cpu-ok) cpu_ok=1 ;;
        --small) bench_args+=(--small) ;;
        *) echo "unknown option: $arg (expected --cpu-ok, --small)" >&2; exit 2 ;;
    esac
done

if [ -d build/gpu-deps ]; then
    export PYTHONPATH="$PWD/build/gpu-deps${PYTHONPATH:+:$PYTHONPATH}"
fi

if [ -z "${PYTHON:-}" ]; then
    for candidate in .venv/bin/python python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import cupy" 2>/dev/null; then
            PYTHON="$candidate"
            break
        fi
    done
fi
if [ -z "${PYTHON:-}" ]; then
    for candidate in .venv/bin/python python3 python; do
        if command -v "$candidate" >/dev/null 2>&1; then
            PYTHON="$candidate"
            break
        fi
    done
fi
if [ -z "${PYTHON:-}" ]; then
    echo "gpu-check: no Python found (set PYTHON=/path/to/python)" >&2
    exit 1
fi

echo "== 1/4 environment"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L || echo "nvidia-smi: not found"
echo "python: $PYTHON ($("$PYTHON" -c 'import sys; print(sys.version.split()[0])'))"
"$PYTHON" - <<'EOF'
import importlib

for name in ("numpy", "cupy", "array_api_compat", "pytest", "hypothesis", "torch"):
    try:
        module = importlib.import_module(name)
        print(f"  {name:17} {getattr(module, '__version__', '?')}")
    except Exception as error:  # a broken CuPy raises more than ImportError
        print(f"  {name:17} MISSING ({type(error).__name__}: {error})")
EOF
gpu_reason=$("$PYTHON" -c "import minitensor as mt; print(mt.cuda.unavailable_reason() or '')" 2>&1)
if [ -z "$gpu_reason" ]; then
    echo "GPU: $("$PYTHON" -c 'import minitensor as mt; print(mt.cuda.get_device_name())')"
else
    echo "GPU: NOT USABLE. $gpu_reason"
    if [ "$cpu_ok" -eq 0 ]; then
        echo "gpu-check: no GPU, nothing checked (use --cpu-ok to run the CPU parts anyway)"
        exit 1
    fi
fi

declare -A status
run_step() {
    local name="$1"
    shift
    echo
    echo "== $name"
    echo "\$ $*"
    if "$@"; then status[$name]=passed; else status[$name]="FAILED (exit $?)"; fi
}

# The files with tests that take the `device` / `cuda_device` fixtures; pytest -m devices
# keeps only those tests (conftest.py marks them). Naming the files keeps collection away
# from the notebook and browser tests, whose packages a GPU machine may not have.
mapfile -t device_files < <("$PYTHON" - <<'EOF'
import ast
import pathlib

for path in sorted(pathlib.Path("tests").glob("test_*.py")):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            if {arg.arg for arg in node.args.args} & {"device", "cuda_device"}:
                print(path)
                break
EOF
)
# A test file that cannot be imported here (say, widget tests without ipywidgets) shows as
# an error in the output and fails this step, while the other files still run.
run_step "2/4 device tests" "$PYTHON" -m pytest "${device_files[@]}" -m devices -q \
    -p no:cacheprovider --continue-on-collection-errors
run_step "3/4 GPU matches CPU" "$PYTHON" -m pytest tests/test_gpu_matches_cpu.py -q -rs \
    -p no:cacheprovider
run_step "4/4 benchmark" "$PYTHON" -m benchmarks.gpu_bench ${bench_args[@]+"${bench_args[@]}"}

echo
echo "== gpu-check summary"
failed=0
for name in "2/4 device tests" "3/4 GPU matches CPU" "4/4 benchmark"; do
    echo "  $name: ${status[$name]}"
    [ "${status[$name]}" = passed ] || failed=1
done
if [ -n "$gpu_reason" ]; then
    echo "  NO GPU was used: 'cuda' tests ran on the CPU stand-in, GPU tests and rows skipped."
fi
exit "$failed"
