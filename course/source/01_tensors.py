# %% [markdown]
# # Lesson 1: Tensors
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “Tensor(张量):在 PyTorch 中,Tensor 是一种多维数组, 可以在 GPU 上进行高效的数值计算。”
# > (Tensor: in PyTorch, a Tensor is a multi-dimensional array that can do efficient numerical computation on a GPU.)
#
# A tensor is a multi-dimensional array of numbers that can live on a GPU and that can
# remember how it was computed, so that gradients can be computed for it later. This lesson
# is about the array part; lesson 2 is about the remembering.
#
# **Goals.** After this lesson you can
#
# - create tensors and read their `shape`, `dtype` and `device`;
# - say what the attributes `data`, `grad` and `requires_grad` hold;
# - leave the tensor world with `.item()`, `.tolist()` and `.numpy()`;
# - predict the shape of a broadcast result and index a tensor.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have (a widget, minitensor's own source code, an exercise check).
#
# **How to work.** Run the cells from top to bottom (Shift+Enter). The exercises are at the
# end; each is followed by a check cell that tells you what is right or wrong.

# %%
import numpy as np

import minitensor as mt

# %% [markdown]
# ## Creating a tensor
#
# `mt.tensor` copies data from a (nested) list. Three attributes describe every tensor:
# its `shape` (the size of each dimension), its `dtype` (the type of the numbers) and its
# `device` (where the numbers are stored).

# %% check-output
x = mt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(x)
print("shape: ", x.shape, " ndim:", x.ndim)
print("dtype: ", x.dtype)
print("device:", x.device)

# %% [markdown]
# The dtype is inferred from the data the way PyTorch does it: Python integers give
# `int64`, Python floats give `float32` (not `float64`, NumPy's default), and a NumPy array
# keeps its own dtype. Pass `dtype=` to choose, or convert with `.to(...)`.

# %% check-output
print(mt.tensor([1, 2]).dtype)
print(mt.tensor([1.0, 2.0]).dtype)
print(mt.tensor([True, False]).dtype)
print(mt.from_numpy(np.array([1.0, 2.0])).dtype)
print(mt.tensor([1, 2], dtype=mt.float32))
print(x.to(mt.float64).dtype)

# %% [markdown]
# The usual factories make tensors of a given shape without a list:

# %% check-output
print(mt.zeros(2, 3))
print(mt.ones(4))
print(mt.full((2, 2), 7.0))
print(mt.arange(5))
print(mt.linspace(0, 1, 5))
print(mt.eye(2))

# %% [markdown]
# Random tensors come from a generator. Seed it with `mt.manual_seed` to get the same
# numbers every run. (minitensor's generator is NumPy's, so its random numbers differ from
# PyTorch's, even with the same seed; that is why the lessons use fixed numbers wherever
# the exact values matter.)

# %%
mt.manual_seed(0)
print(mt.rand(2, 3))
mt.manual_seed(0)
print(mt.rand(2, 3))

# %% [markdown]
# ## `requires_grad`, `grad` and `data`
#
# Besides its numbers a tensor carries what autograd needs:
#
# - `requires_grad`: should gradients be computed for this tensor? `False` by default;
# - `grad`: the gradient, once `backward()` has computed one; `None` before that;
# - `data`: the same numbers, seen as a tensor that autograd does not track.
#
# You set `requires_grad=True` when you create a tensor (or later, with
# `t.requires_grad = True` or `t.requires_grad_()`) for the tensors you want gradients for:
# the parameters of a model.

# %% check-output
t = mt.tensor([1.0, 2.0])
print("requires_grad:", t.requires_grad, " grad:", t.grad)
w = mt.tensor([1.0, 2.0], requires_grad=True)
print(w)
print("requires_grad:", w.requires_grad, " grad:", w.grad)
t.requires_grad_()
print("after requires_grad_():", t.requires_grad)

# %% [markdown]
# `w.grad` is still `None`: nothing has been differentiated yet. It gets a value from
# `backward()` (lesson 2). Only floating-point tensors can require gradients (PyTorch also
# allows complex ones; minitensor has no complex dtype), because a gradient is a rate of
# change and integers cannot change by a little:

# %%
try:
    mt.tensor([1, 2], requires_grad=True)
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# `w.data` holds the same numbers as `w` but does not require gradients. It is an alias,
# not a copy: change one and the other changes too. Lesson 3 shows why changing numbers
# behind autograd's back is dangerous, and what to use instead.

# %% check-output
alias = w.data
print(alias, alias.requires_grad)
alias[0] = 10.0
print(w)

# %% [markdown]
# ## Leaving the tensor world: `.item()`, `.tolist()`, `.numpy()`
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “用途:用于打印、记录损失值或中间结果。”
# > (What `.item()` is for: printing, and logging loss values or intermediate results.)
#
# To print, log or plot a number, take it out of the tensor. `.item()` turns a one-element
# tensor into a Python number; it refuses a tensor with more elements.

# %% check-output
total = x.sum()
print(total, "->", total.item(), type(total.item()).__name__)
try:
    x.item()
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# `.tolist()` gives nested Python lists. `.numpy()` gives a NumPy array that *shares
# memory* with the tensor (no copy), so a change to one shows in the other:

# %% check-output
print(x.tolist())
v = mt.tensor([1.0, 2.0, 3.0])
a = v.numpy()
a[0] = 100.0
print(v)

# %% [markdown]
# A tensor that requires gradients refuses `.numpy()`, because NumPy would let you change
# the numbers without autograd noticing. `detach()` first makes a tensor with the same
# numbers that is cut off from gradient tracking:

# %%
try:
    w.numpy()
except RuntimeError as error:
    print("RuntimeError:", error)
print(w.detach().numpy())

# %% [markdown]
# ## Broadcasting
#
# An operation on two tensors of different shapes *broadcasts*: the shapes are lined up
# from the right, and a dimension of size 1 (or a missing one) is stretched to match the
# other. A column of 3 plus a row of 4 gives a $3 \times 4$ table:

# %% check-output
column = mt.tensor([[1.0], [2.0], [3.0]])
row = mt.tensor([10.0, 20.0, 30.0, 40.0])
print(column.shape, "+", row.shape, "->", (column + row).shape)
print(column + row)

# %% [markdown]
# Sizes that are neither equal nor 1 cannot be stretched. The error names the sizes and the
# dimension (counted from the left of the *result*):

# %%
try:
    mt.ones(2, 3) + mt.ones(2)
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# Reductions such as `sum` and `mean` take a `dim` to reduce over; `keepdim=True` keeps
# that dimension with size 1, so the result still broadcasts against the original:

# %% check-output
print(x.mean(dim=0), x.mean(dim=0).shape)
print(x.mean(dim=1, keepdim=True), x.mean(dim=1, keepdim=True).shape)
print(x - x.mean(dim=1, keepdim=True))

# %% [markdown]
# ## Indexing
#
# Indexing works as in NumPy: integers pick, slices cut, negative numbers count from the
# end, a tensor of integers picks several rows, a boolean tensor picks the elements where
# it is `True`.

# %% check-output
m = mt.arange(12).reshape(3, 4)
print(m)
print(m[0], m[:, 1], m[-1, -1])
print(m[1:, ::2])
print(m[mt.tensor([0, 2])])
print(m[m > 5])

# %% [markdown]
# Basic indexing (integers and slices) gives a *view*: the same memory, so writing to the
# view writes to the original.

# %% check-output
first_row = m[0]
first_row[0] = 99
print(m)

# %% [markdown]
# ## Devices
#
# `device` says where the numbers live: `cpu`, or `cuda` for an NVIDIA GPU (lesson 7).
# Operations need all their tensors on the same device.

# %%
print(x.device, mt.cuda.is_available())
if mt.cuda.is_available():
    print(x.to("cuda").device)

# %% [markdown]
# ## Read the source
#
# - `minitensor/tensor.py`, class `Tensor`: the docstring at the top lists what a tensor
#   holds; see the properties `requires_grad`, `grad` and `data`, and the methods `item`,
#   `numpy` and `detach`.
# - `minitensor/creation.py`: `tensor`, `zeros`, `arange`, ... and the seeded `Generator`.
# - `minitensor/dtypes.py`: the dtypes and `result_type`, PyTorch's type promotion.
# - `minitensor/tensor_functions/promotion.py`, `_broadcast_check`: where a shape mismatch is
#   reported.

# %% minitensor-only
# minitensor only: the source of a method, right here in the notebook
import inspect

print(inspect.getsource(mt.Tensor.item))

# %% [markdown]
# ## Summary
#
# - A tensor has numbers with a `shape`, a `dtype` and a `device`. Python floats become
#   `float32`.
# - `requires_grad` (default `False`) asks for gradients; `grad` is `None` until
#   `backward()` fills it; `data` is an untracked alias of the same numbers.
# - `.item()` gives a Python number (one element only), `.tolist()` lists, `.numpy()` a
#   NumPy array sharing memory (use `.detach().numpy()` when gradients are tracked).
# - Broadcasting lines shapes up from the right and stretches sizes of 1; `keepdim=True`
#   keeps reduced dimensions so results broadcast back.
# - Basic indexing returns views that share memory.
#
# ## Exercises
#
# Write your code where it says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`
# line), run the cell, then run the check cell below it.
#
# ### Exercise 1 (predict, then run)
#
# What is the shape of `mt.ones(3, 1) + mt.ones(4)`? Decide *before* running anything, and
# return your answer as a tuple, such as `(2, 5)`.


# %% ex1 solution
def predicted_shape():
    ### BEGIN SOLUTION
    return (3, 4)
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson01 import check_ex1

check_ex1(predicted_shape)

# %% [markdown]
# Now run it:

# %%
print((mt.ones(3, 1) + mt.ones(4)).shape)

# %% [markdown]
# ### Exercise 2 (implement it)
#
# Write `standardize(x)` for a 2-D tensor `x` whose rows are samples and whose columns are
# features: subtract each column's mean and divide by each column's standard deviation
# (`std`), so that every column of the result has mean 0 and standard deviation 1. Use
# tensor operations only, so that the result stays differentiable, and do not change `x`.


# %% ex2 solution
def standardize(x):
    ### BEGIN SOLUTION
    return (x - x.mean(dim=0, keepdim=True)) / x.std(dim=0, keepdim=True)
    ### END SOLUTION


# %% ex2 check
from course.checks.lesson01 import check_ex2

check_ex2(standardize)
### BEGIN HIDDEN TESTS
from course.checks.lesson01 import check_ex2_differentiable

check_ex2_differentiable(standardize)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3 (fix the bug)
#
# This helper, meant for plotting, fails on the tensors we care most about:


# %%
def as_numpy_buggy(t):
    return t.numpy()


try:
    as_numpy_buggy(mt.tensor([1.0, 2.0], requires_grad=True))
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# Write a fixed `as_numpy(t)` that returns a NumPy array with the numbers of any CPU
# tensor, whether it requires gradients or not, without changing `t` in any way (after the
# call, `t` must still require gradients if it did before).


# %% ex3 solution
def as_numpy(t):
    ### BEGIN SOLUTION
    return t.detach().numpy()
    ### END SOLUTION


# %% ex3 check
from course.checks.lesson01 import check_ex3

check_ex3(as_numpy)
