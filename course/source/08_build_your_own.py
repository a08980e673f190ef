# %% [markdown]
# # Lesson 8: Build your own op and optimizer
#
# Everything so far used ops and optimizers that someone else wrote. Both are open for
# extension, with the same API in PyTorch and in minitensor: an op is a
# `mt.autograd.Function` with a `forward` and a `backward`, an optimizer is a subclass of
# `mt.optim.Optimizer` with a `step`. This lesson writes one of each, and checks them the
# way the library's authors check theirs: the op against finite differences
# (`gradcheck`), the optimizer against the library's own trajectory.
#
# **Goals.** After this lesson you can
#
# - read an op's forward and backward in minitensor's source, and write your own as a
#   `Function` with `ctx.save_for_backward` and `ctx.saved_tensors`;
# - verify a backward with `gradcheck`, in float64, and read its report;
# - recognise the classic backward bugs: a wrong local derivative, and a forgotten
#   `grad_output`;
# - write an optimizer over `param_groups` and `state`, and test it against `optim.SGD`.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have.

# %%
import inspect

import numpy as np

import minitensor as mt

nn, optim = mt.nn, mt.optim

# %% [markdown]
# ## Read the source: how `*` is differentiated
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “反向传播:调用 loss.backward(),PyTorch 会自动计算损失对所有叶子节点的梯度。” (Backpropagation: call `loss.backward()`, and PyTorch automatically computes the gradients of the loss with respect to all leaf nodes.)
#
# Every op in minitensor is one small class in `minitensor/ops/`. Here is multiplication:

# %% minitensor-only
# minitensor only: the source of Mul, right here in the notebook
from minitensor.ops import elementwise

print(inspect.getsource(elementwise.Mul))

# %% [markdown]
# Three things to see:
#
# - the docstring gives the forward formula and each input's local derivative:
#   $\partial\,\mathrm{out} / \partial a = b$, $\partial\,\mathrm{out} / \partial b = a$;
# - `forward` works on raw arrays and *saves* what backward will need: `b` if `a` needs a
#   gradient, `a` if `b` does (`needs_input_grad`, exactly as in a `Function` below);
# - `backward` receives `grad`, the gradient of the final loss with respect to `out`, and
#   returns one gradient per input: the chain rule, `grad * b` and `grad * a` (for the
#   inputs that need one). `Op.apply` sums a gradient back to its input's shape when the
#   input was broadcast.
#
# ## The same op as a `Function`
#
# `mt.autograd.Function` is the public way to add an op. `forward(ctx, ...)` computes the
# result and saves what backward needs with `ctx.save_for_backward`; `backward(ctx,
# grad_output)` reads it back from `ctx.saved_tensors` and returns one gradient per input.
# Both work on tensors, and neither is recorded: autograd treats the whole `Function` as
# one node. It is used through `.apply`:


# %%
class MyMul(mt.autograd.Function):
    """out = a * b.   d out/d a = b,  d out/d b = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * b, grad_output * a


# %% check-output
a = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = mt.tensor([4.0, 5.0, 6.0], requires_grad=True)
out = MyMul.apply(a, b)
print("out:", out, " grad_fn:", out.grad_fn.name())
(out * out).sum().backward()
print("a.grad:", a.grad, " b.grad:", b.grad)

a2 = a.detach().clone().requires_grad_()
b2 = b.detach().clone().requires_grad_()
((a2 * b2) ** 2).sum().backward()
print("the same as the built-in *:", mt.equal(a.grad, a2.grad) and mt.equal(b.grad, b2.grad))

# %% [markdown]
# `backward` got `grad_output`, $2 \cdot \mathrm{out}$, from the square above it, and passed on
# `grad_output * b`: that is the chain rule, and the reason `backward` must always multiply
# by `grad_output`.
#
# If `a` is broadcast (shape `(3,)` against `b` of shape `(2, 3)`), `grad_output * b` has
# shape `(2, 3)` but `a.grad` must have shape `(3,)`. Autograd sums it down for you, for
# a `Function` as for the built-in `Mul` (`Op.input_gradients`), as PyTorch does:

# %% check-output
a = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = mt.tensor([[4.0, 5.0, 6.0], [1.0, 1.0, 1.0]])
MyMul.apply(a, b).sum().backward()
print("a.grad:", a.grad, "(summed over the 2 rows of b)")

# %% [markdown]
# ## Is the backward right? `gradcheck`
#
# A backward can be wrong and still produce numbers of the right shape: nothing crashes.
# `gradcheck` compares it with *finite differences*: nudge each input element by
# $\pm\varepsilon$, and see how much each output moves,
#
# $$\frac{\partial\,\mathrm{out}}{\partial x} \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2 \varepsilon}.$$
#
# This needs float64: with float32's 7 digits, nudges of $\varepsilon = 10^{-6}$ drown in
# rounding.

# %% check-output
a = mt.tensor([1.0, -2.0, 0.5], dtype=mt.float64, requires_grad=True)
b = mt.tensor([3.0, 0.25, -1.0], dtype=mt.float64, requires_grad=True)
print("MyMul passes gradcheck:", mt.autograd.gradcheck(MyMul.apply, (a, b)))


# %% [markdown]
# Now a backward with a bug: the two gradients swapped, a classic slip. `gradcheck`
# catches it and says where:


# %%
class SwappedMul(MyMul):
    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * a, grad_output * b  # the bug: a and b swapped


# %% check-output
print("SwappedMul passes gradcheck:",
      mt.autograd.gradcheck(SwappedMul.apply, (a, b), raise_exception=False))  # fmt: skip

# %%
try:
    mt.autograd.gradcheck(SwappedMul.apply, (a, b))
except RuntimeError as error:
    print(type(error).__name__, error)

# %% [markdown]
# The report names the output, input and element where the two disagree most, with both
# numbers: finite differences measured `b` there
# ($\partial\,\mathrm{out}_1 / \partial a_1 = b_1 = 0.25$), the buggy backward said
# $a_1 = -2$. (PyTorch prints the whole Jacobian matrices instead; the idea is
# the same.)
#
# ## Build your own optimizer
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “每一个优化器都继承自 torch.optim.Optimizer,并实现特定的优化策略。” (Every optimizer inherits from `torch.optim.Optimizer` and implements its own optimization strategy.)
#
# An optimizer is a subclass of `mt.optim.Optimizer`. The base class builds the data model
# you met in lesson 5 from your arguments (`param_groups`, with your defaults filled in,
# and an empty `state`), and gives you `zero_grad()`. You write `step()`: for every
# parameter that has a gradient, change it in place, without recording. Plain gradient
# descent:


# %%
class MySGD(mt.optim.Optimizer):
    """p = p - lr * grad, for every parameter that has a gradient."""

    def __init__(self, params, lr=0.01):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, dict(lr=lr))

    @mt.no_grad()  # the update must not be recorded (lesson 4)
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p -= group["lr"] * p.grad  # in place: p stays the model's leaf


# %% [markdown]
# Is it right? Train the same model from the same start with ours and with `optim.SGD`, and
# compare the whole trajectory, step by step, not only the end point:

# %%
X = mt.tensor(np.random.default_rng(0).normal(size=(32, 3)), dtype=mt.float32)
Y = X @ mt.tensor([[1.0], [-2.0], [0.5]]) + 0.3


def make_model():
    """nn.Linear(3, 1) from fixed weights."""
    model = nn.Linear(3, 1)
    with mt.no_grad():
        model.weight.copy_(mt.tensor([[0.1, 0.2, -0.1]]))
        model.bias.zero_()
    return model


def trajectory(optimizer_class, steps=20, **options):
    """The weights after every step: one row per step."""
    model = make_model()
    optimizer = optimizer_class(model.parameters(), **options)
    criterion = nn.MSELoss()
    rows = []
    for _ in range(steps):
        optimizer.zero_grad()
        criterion(model(X), Y).backward()
        optimizer.step()
        rows.append(model.weight.detach().reshape(-1).tolist() + model.bias.tolist())
    return np.array(rows)


# %% check-output
ours, library = trajectory(MySGD, lr=0.1), trajectory(optim.SGD, lr=0.1)
print("same trajectory as optim.SGD:", np.allclose(ours, library, atol=1e-6))
print("and it moved:", not np.allclose(ours[0], ours[-1]))

# %% [markdown]
# (The second line matters: an optimizer that does nothing has a perfectly stable
# trajectory. A test should check that something happened, too.)
#
# `optim.SGD` does more: momentum, weight decay, Nesterov, `maximize`. Its momentum keeps a
# buffer per parameter in `self.state[p]["momentum_buffer"]`: that is exercise 3. Here is
# how minitensor writes it (PyTorch's own `torch/optim/sgd.py` is the same formulas,
# spread over faster code paths):

# %% minitensor-only
# minitensor only: the update of optim.SGD
from minitensor.optim import sgd

print(inspect.getsource(sgd.SGD._update))

# %% [markdown]
# minitensor's base class also offers a shortcut: write `_update(self, p, grad, group)`
# for one parameter, and the base class's `step()` loops over the groups for you. PyTorch's
# base class has no such hook, so the code in this lesson writes `step()`, which works on
# both.
#
# ## Read the source
#
# - `minitensor/ops/elementwise.py`, class `Mul` (and `Exp`, `Div`, ...): each op's forward
#   and backward side by side; `minitensor/autograd/node.py`, `Op.input_gradients` and
#   `unbroadcast`: undoing broadcasting, for every op.
# - `minitensor/autograd/custom_function.py`, classes `Function` and `CustomNode`: how
#   `.apply` turns your class into a graph node like any built-in op.
# - `minitensor/autograd/gradcheck.py`, function `gradcheck`: finite differences against
#   backward, one output element at a time.
# - `minitensor/optim/optimizer.py`, class `Optimizer`, and `minitensor/optim/sgd.py`, class
#   `SGD`.
#
# ## Summary
#
# - An op is a forward that saves what it needs and a backward that returns one gradient
#   per input: `grad_output` times the local derivative.
# - `mt.autograd.Function`: `ctx.save_for_backward(...)` in forward, `ctx.saved_tensors` in
#   backward, used as `MyOp.apply(...)`.
# - `gradcheck(fn, inputs)` on float64 inputs compares backward with finite differences and
#   names the element where they disagree.
# - An optimizer subclasses `Optimizer`, keeps its options in `param_groups` and its memory
#   in `state[p]`, and updates in place under `no_grad()`. Test it against a trusted
#   implementation's whole trajectory.
#
# ## Exercises
#
# ### Exercise 1 (implement it)
#
# SiLU (also called swish) is $\operatorname{silu}(x) = x\, \sigma(x)$, where
# $\sigma(x) = 1 / (1 + e^{-x})$ is the sigmoid. Its derivative is
# $\sigma(x)\, \big(1 + x\, (1 - \sigma(x))\big)$. Write it as a `Function`:
# `forward` computes `x * mt.sigmoid(x)` and saves what backward needs; `backward` returns
# `grad_output` times the derivative.


# %% ex1 solution
class SiLU(mt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ### BEGIN SOLUTION
        ctx.save_for_backward(x)
        return x * mt.sigmoid(x)
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        (x,) = ctx.saved_tensors
        s = mt.sigmoid(x)
        return grad_output * s * (1 + x * (1 - s))
        ### END SOLUTION


# %% ex1 check
from course.checks.lesson08 import check_ex1

check_ex1(SiLU)

# %% [markdown]
# ### Exercise 2 (fix the bug)
#
# This `Square` has a bug that a quick test misses:


# %%
class SquareBuggy(mt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x


x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
SquareBuggy.apply(x).sum().backward()
print("x.grad:", x.grad, " (2x: looks right)")

# %% [markdown]
# Predict what goes wrong for `(3 * SquareBuggy.apply(x)).sum()`, or for `gradcheck`, then
# try it. Write `Square`, fixed.


# %% ex2 solution
class Square(mt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        (x,) = ctx.saved_tensors
        return grad_output * 2 * x
        ### END SOLUTION


# %% ex2 check
from course.checks.lesson08 import check_ex2

check_ex2(Square)

# %% [markdown]
# ### Exercise 3 (implement it)
#
# Write `Momentum`, an optimizer with PyTorch's momentum: for each parameter `p` with a
# gradient `g`, keep a buffer `v` in `self.state[p]["momentum_buffer"]`; on the first step
# $v \leftarrow g$ (a copy), afterwards $v \leftarrow \mathrm{momentum} \cdot v + g$; then
# $p \leftarrow p - \mathrm{lr} \cdot v$. Read `lr`
# and `momentum` from each parameter's group, so that groups can differ. The check
# compares your trajectory with `optim.SGD(momentum=...)`.


# %% ex3 solution
class Momentum(mt.optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @mt.no_grad()
    def step(self):
        ### BEGIN SOLUTION
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = p.grad.clone()
                else:
                    state["momentum_buffer"].mul_(group["momentum"]).add_(p.grad)
                p -= group["lr"] * state["momentum_buffer"]
        ### END SOLUTION


# %% ex3 check
from course.checks.lesson08 import check_ex3

check_ex3(Momentum)
