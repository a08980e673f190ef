# %% [markdown]
# # Lesson 7: The GPU, with CuPy
#
# The source post's first sentence: a Tensor is a multi-dimensional array "that can do
# efficient numerical computation on a GPU". In PyTorch that is one argument,
# `device="cuda"`. minitensor does the same with CuPy, a NumPy look-alike whose arrays live
# on an NVIDIA GPU. This lesson moves lesson 5's training loop to the GPU, times it
# honestly, and compares the results the right way.
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “Tensor(张量):在 PyTorch 中,Tensor 是一种多维数组, 可以在 GPU 上进行高效的数值计算。” (Tensor: in PyTorch, a Tensor is a multi-dimensional array that can do efficient numerical computation on a GPU.)
#
# **Goals.** After this lesson you can
#
# - write code that runs on the GPU when there is one and on the CPU otherwise;
# - put tensors and models on a device, and say which operations need them on the same one;
# - time GPU code (warm up, then `synchronize()` before reading the clock);
# - compare results from two devices with a tolerance, and say why `==` is the wrong test.
#
# **No GPU?** Then every cell still runs, on the CPU, and says so. (Most laptops, and the
# machines that test these lessons, have none.) A minitensor-only section shows the
# device rules on a stand-in GPU, so you can see them anyway.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have.

# %%
import time
from functools import partial

import numpy as np

import minitensor as mt

nn, optim = mt.nn, mt.optim

# %% [markdown]
# ## Is there a GPU?
#
# The line every device-aware script starts with:

# %%
device = "cuda" if mt.cuda.is_available() else "cpu"
print("computing on:", device)
if device == "cuda":
    print("GPU:", mt.cuda.get_device_name())

# %% [markdown]
# `is_available()` is False when there is no NVIDIA GPU, or no driver, or no CuPy.
# minitensor can say which:

# %% minitensor-only
# minitensor only: why there is no GPU (PyTorch has no such function)
if mt.cuda.is_available():
    print("a GPU is available:", mt.cuda.get_device_name())
else:
    print(mt.cuda.unavailable_reason())

# %% [markdown]
# How does minitensor compute on a GPU at all? Every op is written against an *array
# namespace* `xp`, which is NumPy for CPU tensors and CuPy for GPU tensors: the same code,
# `xp.exp(x)`, runs on either. Here is the whole exponential, forward and backward:

# %% minitensor-only
# minitensor only: the source of one op, right here in the notebook
import inspect

from minitensor.ops import elementwise

print(inspect.getsource(elementwise.Exp))

# %% [markdown]
# So the GPU computes the same formulas. What changes is where the numbers live, how fast
# big operations are, and (a little) the rounding: the rest of this lesson.
#
# ## Tensors live on a device
#
# A tensor is made on a device (`device=` argument), or copied to one with `.to(device)`.
# Results stay on their inputs' device. A model's `.to(device)` moves its parameters:

# %%
x = mt.tensor([1.0, 2.0, 3.0], device=device)
y = (x * 2).exp()
print("x on", x.device, "| y on", y.device)

model = nn.Linear(3, 1).to(device)
print("the model's weight on", model.weight.device)
print("output:", model(x).shape, "on", model(x).device)

# %% [markdown]
# Three rules:
#
# 1. All tensors in one operation must be on the same device. A CPU tensor meeting a GPU
#    tensor raises `Expected all tensors to be on the same device`: move one first.
# 2. NumPy and matplotlib need the numbers on the CPU: `t.cpu().numpy()`, not `t.numpy()`.
# 3. Moving data costs time. `.cpu()`, `.item()`, `.tolist()` and `print(t)` copy from the
#    GPU, and must wait until the GPU has finished computing it.
#
# With a GPU, this cell shows rules 1 and 2 break:


# %%
def break_the_rules():
    """Mix devices, then ask NumPy for GPU numbers; then do both right."""
    on_gpu = mt.tensor([1.0, 2.0], device="cuda")
    on_cpu = mt.tensor([1.0, 2.0])
    print("on_gpu lives on", on_gpu.device)
    try:
        on_gpu + on_cpu
    except RuntimeError as error:
        print("RuntimeError:", error)
    try:
        on_gpu.numpy()
    except TypeError as error:
        print("TypeError:", error)
    print("fixed:", (on_gpu + on_cpu.to("cuda")).cpu().numpy())


if device == "cuda":
    break_the_rules()
else:
    print("No GPU here, so nothing can be on two devices. The stand-in below shows it.")

# %% [markdown]
# ### No GPU? A stand-in
#
# minitensor's tests check the GPU code on machines without a GPU by putting a *stand-in*
# behind `device="cuda"`: arrays from the `array_api_strict` package, kept on a pretend
# second device. Like CuPy's, they refuse to mix with CPU arrays and refuse to turn into
# NumPy arrays, so the device rules bite exactly as on a real GPU. (It is not faster: it
# computes on the CPU.)

# %% minitensor-only
# minitensor only: the device rules on a stand-in GPU (skipped when a real GPU is present)
from minitensor import backend


def stand_in_gpu():
    """A stand-in CUDA backend, or None (a real GPU is present, or array_api_strict is not
    installed: `pip install array-api-strict`)."""
    if mt.cuda.is_available():
        return None
    try:
        return backend.ArrayApiStrictBackend()
    except ImportError:
        return None


stand_in = stand_in_gpu()
if stand_in is None:
    print("skipped: a real GPU is here, or array_api_strict is not installed")
else:
    previous = backend.use_cuda_backend(stand_in)  # "cuda" now means the stand-in
    try:
        print("device='cuda' is now:", mt.cuda.get_device_name())
        break_the_rules()
    finally:
        backend.use_cuda_backend(previous)  # back to the real thing
print("device='cuda' available now:", mt.cuda.is_available())

# %% [markdown]
# ## The training loop on a device
#
# Lesson 5's loop needs two additions: the model goes to the device once, and every batch
# goes to the device as it comes out of the loader. Written with a `device` argument, the
# same function trains anywhere:

# %%
rng = np.random.default_rng(0)
X = mt.tensor(rng.normal(size=(256, 10)), dtype=mt.float32)
true_weight = mt.tensor(rng.normal(size=(2, 10)), dtype=mt.float32)
noise = mt.tensor(rng.normal(scale=0.1, size=(256, 2)), dtype=mt.float32)
Y = X @ true_weight.T + mt.tensor([0.5, -1.0]) + noise
data_loader = mt.utils.data.DataLoader(mt.utils.data.TensorDataset(X, Y), batch_size=32)


def make_model():
    """nn.Linear(10, 2) from fixed weights, as in lessons 5 and 6."""
    model = nn.Linear(10, 2)
    with mt.no_grad():
        model.weight.copy_(mt.linspace(-0.3, 0.3, 20).reshape(2, 10))
        model.bias.zero_()
    return model


def train(device, epochs=20):
    model = make_model().to(device)  # 1. the parameters move, in place
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.05)  # after .to(): the same tensors
    for _ in range(epochs):
        for inputs, targets in data_loader:
            inputs, targets = inputs.to(device), targets.to(device)  # 2. each batch moves
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
    return model


# %%
cpu_model = train("cpu")
device_model = train(device)
print(f"trained on cpu and on {device}")
difference = (cpu_model.weight - device_model.weight.cpu()).abs().max().item()
print("largest difference between the two weight matrices:", difference)

# %% [markdown]
# On a GPU the difference is usually not zero: tiny, in the last digits of float32, but not
# zero. (On a CPU-only machine both runs were on the CPU, so it is exactly 0.) The right
# test is `allclose`: equal within a tolerance.

# %% check-output
print("weights agree (allclose):",
      mt.allclose(cpu_model.weight, device_model.weight.cpu(), rtol=1e-4, atol=1e-6))  # fmt: skip
print("biases agree (allclose): ",
      mt.allclose(cpu_model.bias, device_model.bias.cpu(), rtol=1e-4, atol=1e-6))  # fmt: skip

# %% [markdown]
# ## Same formulas, different rounding
#
# Why would the GPU give different numbers for the same formulas? Because floating-point
# addition is not associative: the order of a sum changes its rounding. `float32` keeps
# about 7 significant digits, so $10^8 + 1$ is already $10^8$:

# %% check-output
big, one = mt.tensor(1e8), mt.tensor(1.0)
print("(big + one) - big =", ((big + one) - big).item())
print("(big - big) + one =", ((big - big) + one).item())

# %% [markdown]
# A GPU adds the thousands of products in a matrix multiplication in a different order
# than a CPU does (in parallel, in blocks), and a CPU library picks its order by the size
# of the problem. Here is one matrix product, summed two ways on the same device:

# %%
A = mt.tensor(rng.normal(size=(64, 500)), dtype=mt.float32, device=device)
B = mt.tensor(rng.normal(size=(500, 64)), dtype=mt.float32, device=device)
by_matmul = A @ B
by_elementwise_sum = (A[:, :, None] * B[None, :, :]).sum(dim=1)
print("largest difference:", (by_matmul - by_elementwise_sum).abs().max().item())

# %% check-output
print("equal (==, every element):", bool((by_matmul == by_elementwise_sum).all()))
print("allclose:", mt.allclose(by_matmul, by_elementwise_sum, rtol=1e-4, atol=1e-4))

# %% [markdown]
# The same maths, two orders of summation, differences in the last digits. So never test
# GPU results (or any two float computations) with `==`; use `allclose` with a tolerance
# that fits `float32`, such as `rtol=1e-4, atol=1e-6` for numbers around 1.
#
# ## Timing GPU code
#
# GPU calls are *asynchronous*: `A @ B` queues the work on the GPU and returns at once. A
# clock read right after it measures the queueing, not the work. Two rules: run once
# before timing (the first call pays one-off costs: starting CUDA, compiling kernels,
# allocating memory), and call `mt.cuda.synchronize()` (wait until the GPU is done)
# before reading the clock.


# %%
def seconds_per_call(fn, device, repeats=5):
    """The average run time of fn(), measured the way GPU code must be measured."""
    fn()  # warm-up
    if device == "cuda":
        mt.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    if device == "cuda":
        mt.cuda.synchronize()  # wait for the queued work before reading the clock
    return (time.perf_counter() - start) / repeats


for size in [64, 512, 1024]:
    line = f"{size}x{size} matmul:"
    for where in sorted({"cpu", device}):
        M = mt.ones(size, size, device=where)
        line += f"  {where} {1000 * seconds_per_call(partial(mt.matmul, M, M), where):8.3f} ms"
    print(line)

# %% [markdown]
# With a GPU, the big products are many times faster there, and the small one is not:
# launching work on a GPU costs a few microseconds per operation, and a $64 \times 64$ product is
# over before that matters. The same holds for whole training loops:

# %%
for where in sorted({"cpu", device}):
    seconds = seconds_per_call(partial(train, where), where, repeats=1)
    print(f"20 epochs of the small model on {where}: {seconds:.2f} s")

# %% [markdown]
# Our `Linear(10, 2)` does tiny operations, so its time is all overhead (Python, and
# kernel launches on the GPU): the GPU does not help it, and may well be slower. GPUs pay
# off when each operation has a lot of work: big batches, wide layers, long sequences.
#
# ## Read the source
#
# - `minitensor/backend/`: the only package that imports NumPy or CuPy. `NumpyBackend` and
#   `CupyBackend` (the array namespace `xp`, copies to and from the host), `device`, and
#   `cuda_unavailable_reason`; `ArrayApiStrictBackend` (standin.py) is the stand-in.
# - `minitensor/cuda.py`: `is_available`, `synchronize`, `get_device_name`.
# - `minitensor/ops/elementwise.py`, class `Exp` (and every other op): written with
#   `self.xp`, so one implementation serves both devices.
# - `minitensor/nn/module.py`, `Module.to`: moves the parameters in place, which is why
#   an optimizer made before `.to(device)` still holds the right tensors.
#
# ## Summary
#
# - `device = "cuda" if mt.cuda.is_available() else "cpu"`, then `.to(device)` for the
#   model (once) and for the data (every batch, or the whole dataset once).
# - Every tensor in an operation must be on the same device; NumPy needs `.cpu()` first;
#   `.item()`, `.cpu()` and `print` copy from the GPU and wait for it.
# - The GPU computes the same formulas, with different rounding, because it sums in a
#   different order: compare with `allclose`, never `==`.
# - Time GPU code after a warm-up, with `synchronize()` before reading the clock. Small
#   operations are not faster on a GPU.
#
# ## Exercises
#
# ### Exercise 1 (implement it)
#
# Write `fit(model, X, Y, device, steps)`: move `model`, `X` and `Y` to `device`, then take
# `steps` full-batch steps of `optim.SGD(model.parameters(), lr=0.1)` on `nn.MSELoss()`.
# Return the loss of every step as a list of Python floats. The check runs your function
# on the CPU and on a GPU (a real one, or the stand-in).


# %% ex1 solution
def fit(model, X, Y, device, steps):
    ### BEGIN SOLUTION
    model.to(device)
    X, Y = X.to(device), Y.to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(X), Y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson07 import check_ex1

check_ex1(fit)

# %% [markdown]
# ### Exercise 2 (fix the bug)
#
# This function should say whether two results agree, for example the same model trained
# on the CPU and on the GPU:


# %%
def agree_buggy(a, b):
    return bool((a == b).all())


print(agree_buggy(by_matmul, by_elementwise_sum))

# %% [markdown]
# It says `False` for results that differ only by rounding. Write `agree(a, b)`: `True`
# when two float32 tensors of the same shape agree up to float32 rounding (use
# `rtol=1e-4, atol=1e-6`), `False` when they really differ. `a` and `b` may be on
# different devices.


# %% ex2 solution
def agree(a, b):
    ### BEGIN SOLUTION
    return mt.allclose(a.cpu(), b.cpu(), rtol=1e-4, atol=1e-6)
    ### END SOLUTION


# %% ex2 check
from course.checks.lesson07 import check_ex2

check_ex2(agree)
