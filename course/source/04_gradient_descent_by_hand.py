# %% [markdown]
# # Lesson 4: Gradient descent by hand
#
# Before an optimizer does it for us (lesson 5), we train a model with nothing but
# `backward()` and four lines of update code. Each line has a trap, and you will fall into
# each one on purpose.
#
# **Goals.** After this lesson you can
#
# - fit a line to data with gradient descent written by hand;
# - explain why the update runs under `with no_grad():` and in place;
# - recognise what `w = w - lr * w.grad` does wrong;
# - predict the learning rate beyond which gradient descent diverges, $2 / \lambda_{\max}$.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minitensor as mt

# %% [markdown]
# ## The data
#
# Twenty points near the line `y = 3x + 2`. The "noise" is a fixed wiggle rather than
# random numbers, so that PyTorch and minitensor give exactly the same results.

# %%
x = mt.linspace(-1, 1, 20)
y = 3 * x + 2 + 0.3 * mt.sin(9 * x)

plt.figure(figsize=(5, 3))
plt.scatter(x.numpy(), y.numpy())
plt.xlabel("x")
plt.ylabel("y")
plt.show()

# %% [markdown]
# ## One step, by hand
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “使用主要包括三个步骤:计算梯度、执行参数更新和清除梯度。”
# > (Using it comes down to three steps: computing the gradients, updating the parameters and
# > clearing the gradients.)
#
# The model is `pred = w * x + b` with two parameters, and the loss is the mean squared
# error. One step of gradient descent is: forward, backward, move each parameter a little
# against its gradient, clear the gradients.

# %% check-output
w = mt.tensor(0.0, requires_grad=True)
b = mt.tensor(0.0, requires_grad=True)
lr = 0.1

loss = ((w * x + b - y) ** 2).mean()  # forward
loss.backward()  # backward: fills w.grad and b.grad
print(f"loss {loss.item():.4f}   w.grad {w.grad.item():.4f}   b.grad {b.grad.item():.4f}")

with mt.no_grad():  # update, not recorded
    w -= lr * w.grad
    b -= lr * b.grad
w.grad = None  # clear, for the next step
b.grad = None
print(f"after one step: w = {w.item():.4f}, b = {b.item():.4f}")

# %% [markdown]
# The gradient is no mystery: for $L = \operatorname{mean}\big((w x + b - y)^2\big)$ the
# chain rule gives $\partial L / \partial w = \operatorname{mean}\big(2 (w x + b - y)\, x\big)$
# and $\partial L / \partial b = \operatorname{mean}\big(2 (w x + b - y)\big)$. At $w = b = 0$:

# %% check-output
residual = 0 * x + 0 - y
print(
    f"dL/dw = {(2 * residual * x).mean().item():.4f}   dL/db = {(2 * residual).mean().item():.4f}"
)

# %% [markdown]
# ## The training loop
#
# Repeat the step. Every iteration is the same four moves.


# %% check-output
def fit(x, y, steps, lr):
    w = mt.tensor(0.0, requires_grad=True)
    b = mt.tensor(0.0, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        with mt.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        losses.append(loss.item())
    return w, b, losses


w, b, losses = fit(x, y, steps=100, lr=0.1)
for step in [0, 10, 30, 99]:
    print(f"step {step:3}: loss {losses[step]:.4f}")
print(f"w = {w.item():.4f}, b = {b.item():.4f}")

# %% [markdown]
# Least squares has a closed form; gradient descent has walked to the same line:

# %% check-output
design = np.stack([x.numpy(), np.ones(20, dtype=np.float32)], axis=1)
(w_best, b_best), *_ = np.linalg.lstsq(design, y.numpy(), rcond=None)
print(f"least squares: w = {w_best:.4f}, b = {b_best:.4f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3))
left.plot(losses)
left.set_xlabel("step")
left.set_ylabel("loss")
left.set_yscale("log")
right.scatter(x.numpy(), y.numpy())
with mt.no_grad():
    right.plot(x.numpy(), (w * x + b).numpy(), color="C1", label="fitted line")
right.legend()
plt.show()

# %% [markdown]
# ## Why the update must not be recorded
#
# Drop the `with no_grad():` and the update fails at once:

# %%
w = mt.tensor(0.0, requires_grad=True)
((w * x - y) ** 2).mean().backward()
try:
    w -= 0.1 * w.grad
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# Autograd records every operation on a tensor that requires grad. Recording the update
# would make `w` the *result* of a subtraction: no longer a leaf, and the next backward pass
# would run back through every update ever made. An in-place change to a leaf that
# requires grad is refused for exactly that reason. The update is not part of the model; it
# is something we do *to* the model, so it runs with recording switched off.
#
# ## `w = w - lr * w.grad` is not the same
#
# Without the in-place `-=`, the line runs without error, which is worse: it builds a *new*
# tensor, computed from the old `w`, and rebinds the name `w` to it.

# %% check-output
w = mt.tensor(0.0, requires_grad=True)
print(f"before: is_leaf={w.is_leaf}, grad_fn={w.grad_fn}")
((w * x - y) ** 2).mean().backward()
w = w - 0.1 * w.grad
print(f"after:  is_leaf={w.is_leaf}, grad_fn={w.grad_fn.name()}")

# %% [markdown]
# The new `w` is an intermediate result, and intermediate tensors get no `.grad` (lesson
# 3). The next step finds `w.grad` is `None`:

# %%
((w * x - y) ** 2).mean().backward()
print("w.grad:", w.grad)
try:
    w = w - 0.1 * w.grad
except TypeError as error:
    print("TypeError:", error)

# %% [markdown]
# ## A learning rate too large
#
# Is a bigger learning rate just faster? Take the simplest bowl,
# $f(p) = \tfrac12 (p_0^2 + 10\, p_1^2)$, whose curvatures along the two axes are
# $\lambda = 1$ and $\lambda = 10$. Its gradient is $(p_0, 10\, p_1)$, so one step
# multiplies each coordinate by a fixed factor:
#
# $$p_0 \leftarrow (1 - \mathrm{lr} \cdot 1)\, p_0, \qquad p_1 \leftarrow (1 - \mathrm{lr} \cdot 10)\, p_1.$$
#
# A coordinate shrinks only while $\lvert 1 - \mathrm{lr}\,\lambda \rvert < 1$, that is
# $\mathrm{lr} < 2 / \lambda$. The steepest direction decides: gradient descent converges
# only for $\mathrm{lr} < 2 / \lambda_{\max} = 0.2$.


# %%
def descend_bowl(lr, steps=40):
    p = mt.tensor([-4.5, 1.5], requires_grad=True)
    path = [p.tolist()]
    for _ in range(steps):
        loss = 0.5 * (p[0] ** 2 + 10 * p[1] ** 2)
        loss.backward()
        with mt.no_grad():
            p -= lr * p.grad
        p.grad = None
        path.append(p.tolist())
    return np.array(path)


# %% check-output
for lr in [0.05, 0.15, 0.19, 0.21]:
    end = descend_bowl(lr)[-1]
    factors = [round(1 - lr * curvature, 2) for curvature in (1, 10)]
    print(f"lr {lr:4}: factors {factors}, after 40 steps p = ({end[0]:.3g}, {end[1]:.3g})")

# %%
grid_x, grid_y = np.meshgrid(np.linspace(-5, 5, 200), np.linspace(-3, 3, 200))
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=True, layout="constrained")
for ax, lr in zip(axes, [0.05, 0.19, 0.21]):
    path = descend_bowl(lr, steps=25)
    ax.contour(grid_x, grid_y, 0.5 * (grid_x**2 + 10 * grid_y**2), levels=15, alpha=0.5)
    ax.plot(path[:, 0], path[:, 1], "o-", markersize=3, color="C3")
    ax.set_xlim(-5, 5)
    ax.set_ylim(-3, 3)
    side = "below" if lr < 0.2 else "above"
    ax.set_title(rf"lr = {lr}: {side} $2/\lambda_{{\max}} = 0.2$")
    ax.set_xlabel("$p_0$")
axes[0].set_ylabel("$p_1$")
fig.suptitle(r"25 steps of gradient descent on $\frac{1}{2}(p_0^2 + 10 p_1^2)$")
plt.show()

# %% [markdown]
# Just below the threshold $p_1$ flips sign every step but shrinks; just above it, it flips
# and grows. The same holds for any loss near a minimum, with $\lambda_{\max}$ the largest
# eigenvalue of the Hessian (the matrix of second derivatives). For our line fit the Hessian
# of the mean squared error is the 2 x 2 matrix $\frac{2}{N}\,[\,[\sum x^2, \sum x],
# [\sum x, N]\,]$ (rows in brackets, as NumPy writes them):

# %% check-output
n = len(x)
hessian = 2 / n * np.array([[(x**2).sum().item(), x.sum().item()], [x.sum().item(), n]])
lambda_max = np.linalg.eigvalsh(hessian).max()
print(f"λ_max = {lambda_max:.4f}, so the threshold is 2 / λ_max = {2 / lambda_max:.4f}")
for factor in [0.95, 1.05]:
    *_, losses = fit(x, y, steps=200, lr=factor * 2 / lambda_max)
    print(f"lr = {factor} x threshold: loss after 200 steps {losses[-1]:.4g}")

# %% [markdown]
# Momentum moves the threshold to $2 (1 + \beta) / \lambda_{\max}$, and Adam rescales each direction
# by itself: lesson 6 races them on this same bowl.
#
# ## Try it: the optimizer race
#
# The race widget runs the real `mt.optim.SGD` on the same bowl, $\tfrac12 (x^2 + 10 y^2)$. Drag
# the SGD learning rate across 0.2 and watch the path start to zigzag outwards; the Play
# button and the step slider replay the run.

# %% minitensor-only
# minitensor only: the optimizer race widget
from widgets import race

race("quadratic", optimizers=("SGD",), lr={"SGD": 0.19}, steps=40)

# %% [markdown]
# ## Read the source
#
# - `minitensor/tensor_functions/inplace.py`, `_inplace`: where an in-place op on a leaf that
#   requires grad is refused, and where the version counter is bumped (`_write`).
# - `minitensor/autograd/grad_mode.py`: `no_grad`, a switch read by `Op.apply` in
#   `minitensor/autograd/function.py`.
# - `minitensor/optim/sgd.py`, class `SGD`: the same update, `p -= lr * p.grad` under
#   `no_grad`, plus options; lesson 5 uses it.
#
# ## Summary
#
# - A training step is: forward, `backward()`, update each parameter under `no_grad()`,
#   clear the gradients.
# - The update runs in place (`-=`) under `no_grad()`: in place so the parameter stays the
#   same leaf tensor, unrecorded so the graph does not swallow the update.
# - `w = w - lr * w.grad` rebinds `w` to a non-leaf result: its `.grad` is `None` next time.
# - Gradient descent converges only for $\mathrm{lr} < 2 / \lambda_{\max}$, where $\lambda_{\max}$ is the largest
#   curvature; past it, the loss grows instead of shrinking.
#
# ## Exercises
#
# ### Exercise 1 (implement it)
#
# Write `sgd_step(params, lr)`: for each tensor `p` in the list `params`, move `p` against
# its gradient by `lr * p.grad`, in place, without recording the update, then clear `p.grad`.


# %% ex1 solution
def sgd_step(params, lr):
    ### BEGIN SOLUTION
    with mt.no_grad():
        for p in params:
            p -= lr * p.grad
    for p in params:
        p.grad = None
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson04 import check_ex1

check_ex1(sgd_step)

# %% [markdown]
# ### Exercise 2 (fix the bug)
#
# This function fits a parabola $y \approx p_0 + p_1 x + p_2 x^2$, with the three coefficients in
# one tensor `p`. It stops at the second step:


# %%
def fit_parabola_buggy(x, y, steps, lr):
    p = mt.zeros(3, requires_grad=True)
    for _ in range(steps):
        pred = p[0] + p[1] * x + p[2] * x**2
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        p = p - lr * p.grad
    return p


try:
    fit_parabola_buggy(x, y, steps=100, lr=0.1)
except TypeError as error:
    print("TypeError:", error)

# %% [markdown]
# Write `fit_parabola(x, y, steps, lr)`: the same training, fixed. It returns `p`, a leaf
# tensor that requires grad, after `steps` steps of gradient descent from `p = 0`.


# %% ex2 solution
def fit_parabola(x, y, steps, lr):
    ### BEGIN SOLUTION
    p = mt.zeros(3, requires_grad=True)
    for _ in range(steps):
        pred = p[0] + p[1] * x + p[2] * x**2
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        with mt.no_grad():
            p -= lr * p.grad
        p.grad = None
    return p
    ### END SOLUTION


# %% ex2 check
from course.checks.lesson04 import check_ex2

check_ex2(fit_parabola)

# %% [markdown]
# ### Exercise 3 (predict, then run)
#
# Gradient descent on $f(p) = \tfrac12 (4 p_0^2 + p_1^2)$. What is the largest learning rate for
# which it still converges? Work it out, then return it.


# %% ex3 solution
def largest_stable_lr():
    ### BEGIN SOLUTION
    return 0.5
    ### END SOLUTION


# %% ex3 check
from course.checks.lesson04 import check_ex3

check_ex3(largest_stable_lr)

# %% [markdown]
# Now run it, just below and just above your answer:

# %%
for lr in [0.49, 0.51]:
    p = mt.tensor([1.0, 1.0], requires_grad=True)
    for _ in range(100):
        (0.5 * (4 * p[0] ** 2 + p[1] ** 2)).backward()
        with mt.no_grad():
            p -= lr * p.grad
        p.grad = None
    print(f"lr {lr}: after 100 steps p = ({p[0].item():.3g}, {p[1].item():.3g})")
