# %% [markdown]
# # Lesson 3: Gradients in practice
#
# Lesson 2 showed how `backward()` computes gradients. This lesson is about living with
# them in a training loop: where they pile up, how to clear them, how to compute something
# *without* autograd watching, and the mistakes that raise no error at all.
#
# **Goals.** After this lesson you can
#
# - explain why `.grad` accumulates, use that on purpose, and clear it three ways;
# - choose between `.data`, `detach()` and `with no_grad():`, and say what each risks;
# - log a loss without keeping its graph alive (`.item()`);
# - fix "Trying to backward through the graph a second time" the right way;
# - get `.grad` on an intermediate tensor (`retain_grad()`);
# - tell `model.eval()` from `no_grad()`.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have.

# %%
import matplotlib.pyplot as plt

import minitensor as mt

# %% [markdown]
# ## Gradients accumulate
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “梯度累积:在默认情况下,梯度会在每次反向传播中累积,需要手动清零。”
# > (Gradient accumulation: by default, gradients accumulate over backward passes and must be zeroed
# > by hand.)
#
# `backward()` does not *set* `.grad`, it *adds* to it. Run a fresh forward pass and a
# backward pass three times, and watch `w.grad` grow:

# %% check-output
w = mt.tensor(2.0, requires_grad=True)
for call in range(1, 4):
    loss = 3 * w  # a fresh forward pass each time
    loss.backward()
    print(f"after backward call {call}: w.grad = {w.grad.item()}")

# %% [markdown]
# Why would anyone want that? Because a sum of gradients is a gradient of a sum. A batch
# too large for memory can be split into micro-batches: backward each one (scaled, so that
# the pieces add up to the mean over the whole batch), and `.grad` ends up holding the
# gradient of the whole batch.

# %% check-output
x = mt.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
y = mt.tensor([2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8, 16.1])
w = mt.tensor(1.0, requires_grad=True)

((w * x - y) ** 2).mean().backward()  # one batch of 8
print(f"one batch of 8:        w.grad = {w.grad.item():.4f}")

w.grad = None
for start in range(0, 8, 2):  # four micro-batches of 2
    xb, yb = x[start : start + 2], y[start : start + 2]
    (((w * xb - yb) ** 2).mean() / 4).backward()
print(f"4 micro-batches of 2:  w.grad = {w.grad.item():.4f}")

# %% [markdown]
# ## Forgetting to zero raises no error
#
# The flip side: if you forget to clear `.grad` between training steps, every step uses the
# sum of *all* gradients so far. Nothing complains. Here is gradient descent on
# $\mathrm{loss} = (w - 3)^2$, once clearing the gradient every step and once forgetting to:


# %%
def descend(zero_grad, steps=30, lr=0.1):
    w = mt.tensor(0.0, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = (w - 3) ** 2
        losses.append(loss.item())
        loss.backward()
        with mt.no_grad():
            w -= lr * w.grad
        if zero_grad:
            w.grad = None
    return losses


with_zeroing, without_zeroing = descend(True), descend(False)
plt.figure(figsize=(6, 3))
plt.plot(with_zeroing, label="grad cleared every step")
plt.plot(without_zeroing, label="grad never cleared")
plt.xlabel("step")
plt.ylabel("loss")
# above the axes: inside them the swinging curve runs through the legend
plt.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
plt.show()

# %% check-output
print(f"loss after 30 steps, cleared:     {with_zeroing[-1]:.6f}")
print(f"loss after 30 steps, not cleared: {without_zeroing[-1]:.6f}")

# %% [markdown]
# Without clearing, the summed gradient keeps pushing `w` past the minimum: the loss swings
# up and down instead of settling. In a real model the damage is less visible, training is
# just worse, which is why this bug survives so long.
#
# ## Only the parameters persist
#
# Which tensors need clearing? Only the ones that live across iterations: the parameters.
# Every forward pass builds a brand-new graph, with new intermediate tensors and new
# `grad_fn` nodes, so there is nothing old in them to clear:

# %% check-output
w = mt.tensor(2.0, requires_grad=True)
nodes = []
for _ in range(2):
    y = w * 3
    loss = y**2
    nodes.append(loss.grad_fn)
    loss.backward()
print("same loss.grad_fn in both iterations?", nodes[0] is nodes[1])
print("w.grad after two iterations:", w.grad)

# %% [markdown]
# ## Three ways to clear a gradient
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “w.grad.data.zero_():将梯度清零。”
# > (`w.grad.data.zero_()`: sets the gradient to zero.)
#
# The source blog post clears a gradient with `w.grad.data.zero_()`. That works, but the
# `.data` is a leftover from old PyTorch versions: a gradient is itself a tensor that does
# not require grad, so nothing tracks it and there is nothing for `.data` to get around.

# %% check-output
w = mt.tensor([1.0, 2.0], requires_grad=True)
(w * w).sum().backward()
grad_tensor = w.grad
print("w.grad:", w.grad, " requires_grad:", w.grad.requires_grad)

w.grad.data.zero_()  # the blog post's spelling: works
print("after w.grad.data.zero_():", w.grad)

(w * w).sum().backward()
w.grad.zero_()  # the same, without the detour
print("after w.grad.zero_():     ", w.grad, " same tensor:", w.grad is grad_tensor)

(w * w).sum().backward()
w.grad = None  # what optimizer.zero_grad() does by default
print("after w.grad = None:      ", w.grad)
(w * w).sum().backward()
print("next backward:            ", w.grad, " same tensor:", w.grad is grad_tensor)

# %% [markdown]
# - `w.grad.zero_()` overwrites the numbers in place: the gradient tensor stays allocated.
# - `w.grad = None` drops it: memory is freed, and the next `backward()` *assigns* a fresh
#   gradient instead of adding to zeros. That is why `optimizer.zero_grad()` sets gradients
#   to `None` by default (`set_to_none=True`). The price: code that reads `w.grad` before
#   the next backward finds `None`.
#
# > **Recap: gradients pile up.** `backward()` adds into the `.grad` of leaves; nothing
# > raises when you forget to clear it. Only the parameters live across iterations, so
# > only their `.grad` needs clearing: `w.grad = None` (or `w.grad.zero_()`) once per step.
#
# ## `.data`, `detach()` and `no_grad`: three different tools
#
# All three give you numbers without autograd watching, so they look interchangeable. They
# are not. The experiment: `y = x.exp()` *saves its output* for backward (the derivative of
# $\exp$ is $\exp$), and then we change `y` in place through each tool. The right gradient of
# `y.sum()` is $\exp(x)$.


# %% check-output
def experiment(tool):
    x = mt.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y = x.exp()
    if tool == ".data":
        y.data.mul_(0.5)  # change y through the untracked alias
    elif tool == "detach()":
        y.detach().mul_(0.5)  # change y through a detached view
    elif tool == "no_grad":
        with mt.no_grad():
            z = y * 0.5  # a new tensor, made without recording
        print(f"  no_grad: z.requires_grad={z.requires_grad}, z.grad_fn={z.grad_fn}")
    try:
        y.sum().backward()
        return f"x.grad = {x.grad}"
    except RuntimeError as error:
        return f"RuntimeError: {str(error)[:88]}..."


print("right answer: exp(x) =", mt.tensor([0.0, 1.0, 2.0]).exp())
for tool in [".data", "detach()", "no_grad"]:
    print(f"{tool:9}", experiment(tool))

# %% [markdown]
# | tool | what you get | an in-place change to it ... |
# |---|---|---|
# | `y.data` | the same numbers, untracked, with a *new* version counter | goes unnoticed: backward silently uses the changed numbers, the gradient is **wrong** (half of it, above) |
# | `y.detach()` | the same numbers, untracked, sharing `y`'s version counter | is caught: backward raises, because a value it saved has changed |
# | `with no_grad():` | new results that record no graph (`grad_fn` is `None`) | nothing to change: `y` was left alone, the gradient is right |
#
# So: use `with no_grad():` to compute something autograd must not record (an update, an
# evaluation), `detach()` to take a value out of the graph, and `.data` not at all. The
# blog post says the same: `.data` "can cause gradient problems in newer versions; use
# `with torch.no_grad():`".
#
# ## `.item()` and graphs kept alive
#
# `total_loss += loss` looks harmless. But `loss` is a tensor with a `grad_fn`, so `total`
# becomes a tensor whose graph reaches back to *every* loss added to it: each iteration's
# graph stays alive. A graph-size meter makes it visible:


# %%
def graph_size(t):
    """How many autograd nodes can be reached from t (0 for a plain number or a leaf)."""
    if not isinstance(t, mt.Tensor) or t.grad_fn is None:
        return 0
    seen, stack = set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(next_node for next_node, _ in node.next_functions)
    return len(seen)


# %% check-output
w = mt.tensor([1.0, -1.0], requires_grad=True)
x = mt.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])

total_tensor, total_float = 0.0, 0.0
for step in range(1, 6):
    loss = ((x @ w) ** 2).mean()
    loss.backward()
    total_tensor += loss  # keeps loss's graph alive
    total_float += loss.item()  # just a number
    print(
        f"step {step}: graph_size(total_tensor) = {graph_size(total_tensor):2}, "
        f"graph_size(total_float) = {graph_size(total_float)}"
    )

# %% [markdown]
# After 1,000 steps of a real model that is 1,000 graphs in memory. Use `.item()` (or
# `loss.detach()`) for anything you only want to log, plot or print.
#
# > **Recap: numbers without autograd.** `with no_grad():` records nothing; `detach()`
# > takes a value out of the graph but keeps the version check; `.data` escapes the check
# > and can silently corrupt a gradient. For logging, `.item()` gives a plain number and
# > lets each iteration's graph go.
#
# ## Backward through the graph a second time
#
# After `backward()` the values a graph saved for it are freed, to save memory. A second
# `backward()` through the same graph therefore fails:

# %%
w = mt.tensor(2.0, requires_grad=True)
loss = w * w
loss.backward()
try:
    loss.backward()
except RuntimeError as error:
    print("RuntimeError:", error)

# %% minitensor-only
# minitensor only: look at what MulBackward0 saved, before and after backward
loss = w * w
print("before backward:", loss.grad_fn.saved_tensors)
loss.backward()
print("after backward: ", loss.grad_fn.saved_tensors)

# %% [markdown]
# The error message suggests `retain_graph=True`. That is almost never the fix. The usual
# cause is a forward pass computed *once*, outside the training loop, so that every
# iteration backs through the same old graph:

# %%
x = mt.tensor([1.0, 2.0, 3.0])
y = mt.tensor([2.0, 4.0, 6.0])


def train(forward_inside_loop, steps=4, lr=0.05):
    w = mt.tensor(1.0, requires_grad=True)
    pred = w * x  # the forward pass, computed once
    for step in range(steps):
        if forward_inside_loop:
            pred = w * x  # recomputed with the current w
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        with mt.no_grad():
            w -= lr * w.grad
        w.grad = None
        print(f"  step {step}: loss {loss.item():.4f}, w {w.item():.4f}")


for inside in [False, True]:
    print("forward pass inside the loop:" if inside else "forward pass computed once:")
    try:
        train(inside)
    except RuntimeError as error:
        print("  RuntimeError:", str(error)[:70], "...")

# %% [markdown]
# Recomputing the forward pass inside the loop is the fix. Keeping the old graph with
# `retain_graph=True` would silence the error but not the bug: `pred` was computed from the
# first `w` and does not follow it when `w` changes, so the loss would never move.

# %% check-output
w = mt.tensor(1.0, requires_grad=True)
pred = w * x
with mt.no_grad():
    w -= 0.5  # an update
print("w:", w.item(), " pred:", pred.tolist(), " w * x:", (w * x).tolist())

# %% [markdown]
# `retain_graph=True` is for the rare case where two backward passes really must go
# through one graph, for example two losses that share a computation. Even then, one
# backward of their sum does the same work once:

# %% check-output
w = mt.tensor(0.5, requires_grad=True)
shared = (w * x).tanh()
shared.sum().backward(retain_graph=True)  # keep the shared part for the next call
(shared**2).sum().backward()
print("two backward calls:       w.grad =", round(w.grad.item(), 4))

w.grad = None
shared = (w * x).tanh()
(shared.sum() + (shared**2).sum()).backward()
print("one backward of the sum:  w.grad =", round(w.grad.item(), 4))

# %% [markdown]
# ## `.grad` on intermediate tensors: `retain_grad()`
#
# Only leaves keep their gradient. An intermediate tensor's gradient passes through during
# backward and is thrown away; reading it gives `None` and a warning:

# %%
x = mt.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
loss = (h**2).sum()
loss.backward()
print("x.grad:", x.grad)
print("h.grad:", h.grad)

# %% [markdown]
# Ask for it before backward with `retain_grad()`:

# %% check-output
x = mt.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
h.retain_grad()
loss = (h**2).sum()
loss.backward()
print("h.grad:", h.grad, " (d loss / d h = 2h)")
print("x.grad:", x.grad, " (= 3 * h.grad)")

# %% [markdown]
# ## `model.eval()` is not `no_grad()`
#
# `model.eval()` switches layers such as dropout to their evaluation behaviour. It does not
# stop autograd: the output still has a graph. `with no_grad():` stops the recording.

# %% check-output
mt.manual_seed(0)
model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.Dropout(p=0.5))
x = mt.ones(2, 3)

model.train()
print("train(): zeros from dropout:", (model(x) == 0).any().item())
model.eval()
out = model(x)
print("eval():  zeros from dropout:", (out == 0).any().item())
print("eval():  graph recorded:    ", out.requires_grad, out.grad_fn is not None)
with mt.no_grad():
    out = model(x)
print("no_grad: graph recorded:    ", out.requires_grad, out.grad_fn is not None)

# %% [markdown]
# For evaluation use both: `model.eval()` for the right behaviour, `no_grad()` to save the
# memory and time of a graph you will never use.
#
# > **Recap: the graph's lifetime.** A graph lives for one backward pass: its saved values
# > are freed, so recompute the forward pass instead of reaching for `retain_graph=True`.
# > Intermediate tensors pass their gradient on and keep none unless they call
# > `retain_grad()`. `eval()` changes layers; only `no_grad()` stops the recording.
#
# ## Other frameworks do it differently
#
# PyTorch's `.grad` accumulates. Other libraries *return* gradients instead, so nothing
# piles up: JAX's `jax.grad(f)(w)` and TensorFlow's `tape.gradient(loss, w)`. PyTorch has
# that style too, `mt.autograd.grad`, which returns the gradient and leaves `.grad` alone:

# %% check-output
w = mt.tensor(2.0, requires_grad=True)
for call in range(1, 3):
    (g,) = mt.autograd.grad(3 * w, w)
    print(f"call {call}: returned", g, " w.grad =", w.grad)

# %% [markdown]
# Non-scalar outputs differ too: PyTorch asks for `gradient=` (lesson 2), JAX's `grad`
# refuses them, and TensorFlow's `tape.gradient` silently differentiates their *sum*,
# which in PyTorch is `y.sum().backward()`. Knowing which style a piece of code assumes
# saves a lot of confusion when reading it.
#
# ## Read the source
#
# - `minitensor/tensor.py`, `Tensor._accumulate_grad`: the `+=` into `.grad`.
# - `minitensor/tensor.py`, class `Tensor`: the property `data` (a fresh version counter)
#   next to `detach` (the shared one), and `retain_grad`.
# - `minitensor/autograd/node.py`, `Node._check_saved`: the version check and the "second
#   time" error; `Node._release` frees the saved values.
# - `minitensor/autograd/grad_mode.py`: `no_grad` is a switch that `Op.apply` reads.
# - `minitensor/nn/dropout.py`: what `eval()` changes.
#
# ## Summary
#
# The nine traps on one screen:
#
# | trap | what you see | what to do |
# |---|---|---|
# | `.grad` accumulates | `w.grad` doubles on a second `backward()` | clear once per step; accumulate on purpose for micro-batches (scale each loss) |
# | forgetting to clear | no error, a worse loss curve | `w.grad = None` or `w.grad.zero_()` (no `.data` needed) |
# | zeroing intermediates | nothing to zero: new tensors every pass | clear only the parameters |
# | `.data` | a silently wrong gradient | `with no_grad():` or `detach()` |
# | `detach()` then in-place | backward raises (version check) | change a copy, or change after `backward()` |
# | `total += loss` | memory grows every iteration | `total += loss.item()` |
# | "backward a second time" | `RuntimeError` | recompute the forward pass; `retain_graph=True` rarely |
# | `.grad` of an intermediate | `None` and a warning | `retain_grad()` before `backward()` |
# | `model.eval()` | the graph is still recorded | `eval()` for layers, `no_grad()` for autograd: both |
#
# ## Exercises
#
# ### Exercise 1 (fix the bug)
#
# This function backs through each batch (so that `w.grad` collects the gradients) and
# returns the mean loss for logging. Its return value keeps every batch's graph alive:

# %%
batches = [
    (mt.tensor([1.0, 2.0]), mt.tensor([2.0, 4.5])),
    (mt.tensor([3.0, 4.0]), mt.tensor([5.5, 8.0])),
    (mt.tensor([5.0, 6.0]), mt.tensor([10.5, 11.0])),
]


def mean_loss_buggy(w, batches):
    total = 0.0
    for x, y in batches:
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        total += loss
    return total / len(batches)


result = mean_loss_buggy(mt.tensor(1.5, requires_grad=True), batches)
print(result, " graph size:", graph_size(result))

# %% [markdown]
# Write `mean_loss(w, batches)`: the same, but it returns a Python `float` and keeps no
# graph alive. It must still call `backward()` for every batch.


# %% ex1 solution
def mean_loss(w, batches):
    ### BEGIN SOLUTION
    total = 0.0
    for x, y in batches:
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        total += loss.item()
    return total / len(batches)
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson03 import check_ex1

check_ex1(mean_loss)

# %% [markdown]
# ### Exercise 2 (implement it)
#
# Write `accumulate_gradient(w, x, y, micro_batches)`: leave in `w.grad` the gradient of
# the mean squared error `((w * x - y) ** 2).mean()` over the whole batch, computed with one
# `backward()` call per micro-batch (split `x` and `y` into `micro_batches` equal slices).
# `w.grad` may hold an old gradient when your function is called.


# %% ex2 solution
def accumulate_gradient(w, x, y, micro_batches):
    ### BEGIN SOLUTION
    w.grad = None
    size = len(x) // micro_batches
    for start in range(0, len(x), size):
        xb, yb = x[start : start + size], y[start : start + size]
        (((w * xb - yb) ** 2).mean() / micro_batches).backward()
    ### END SOLUTION


# %% ex2 check
from course.checks.lesson03 import check_ex2

check_ex2(accumulate_gradient)
### BEGIN HIDDEN TESTS
check_ex2(accumulate_gradient, micro_batches=2, size=6)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3 (implement it)
#
# Write `validation_loss(model, x, y)`: the mean squared error `((model(x) - y) ** 2).mean()`
# as a Python `float`, the way it is computed in the middle of training: with dropout
# switched off, *without recording a graph*, without touching any `.grad`, and leaving
# the model in the mode (training or eval) it was in.


# %% ex3 solution
def validation_loss(model, x, y):
    ### BEGIN SOLUTION
    was_training = model.training
    model.eval()
    with mt.no_grad():
        loss = ((model(x) - y) ** 2).mean().item()
    model.train(was_training)
    return loss
    ### END SOLUTION


# %% ex3 check
from course.checks.lesson03 import check_ex3

check_ex3(validation_loss)

# %% [markdown]
# ### Exercise 4 (predict, then run)
#
# A training loop that never clears anything, with `retain_grad()` on an intermediate:
#
# ```python
# w = mt.tensor(2.0, requires_grad=True)
# for _ in range(2):
#     h = w * 3
#     h.retain_grad()
#     loss = h**2
#     loss.backward()
# ```
#
# After the loop, what are `w.grad`, `h.grad` and `loss.grad`? Return the three as
# numbers, or `None` where there is no gradient. Work it out before running anything.


# %% ex4 solution
def predict_grads():
    ### BEGIN SOLUTION
    return (72.0, 12.0, None)
    ### END SOLUTION


# %% ex4 check
from course.checks.lesson03 import check_ex4

check_ex4(predict_grads)

# %% [markdown]
# Now run it:

# %%
w = mt.tensor(2.0, requires_grad=True)
for _ in range(2):
    h = w * 3
    h.retain_grad()
    loss = h**2
    loss.backward()
print("w.grad:", w.grad, " h.grad:", h.grad, " loss.grad:", loss.grad)

# %% [markdown]
# ### Exercise 5 (fix the bug)
#
# Someone met "Trying to backward through the graph a second time" and added
# `retain_graph=True`. The error is gone; the training is not fixed:


# %% check-output
def train_buggy(w, x, y, steps, lr):
    losses = []
    pred = w * x
    for _ in range(steps):
        loss = ((pred - y) ** 2).mean()
        loss.backward(retain_graph=True)
        with mt.no_grad():
            w -= lr * w.grad
        w.grad = None
        losses.append(loss.item())
    return losses


x, y = mt.tensor([1.0, 2.0, 3.0]), mt.tensor([2.5, 4.5, 7.0])
losses = train_buggy(mt.tensor(1.0, requires_grad=True), x, y, steps=4, lr=0.05)
print([round(v, 4) for v in losses])

# %% [markdown]
# Write `train(w, x, y, steps, lr)`: the same gradient descent on
# `((w * x - y) ** 2).mean()`, returning the list of losses (Python floats), that really
# trains `w`.


# %% ex5 solution
def train(w, x, y, steps, lr):
    ### BEGIN SOLUTION
    losses = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        with mt.no_grad():
            w -= lr * w.grad
        w.grad = None
        losses.append(loss.item())
    return losses
    ### END SOLUTION


# %% ex5 check
from course.checks.lesson03 import check_ex5

check_ex5(train)
### BEGIN HIDDEN TESTS
check_ex5(train, steps=8, lr=0.02)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (predict, then run)
#
# The experiment of "three different tools" changed the *output* of `exp`. This time the
# tensor a graph saved is the *leaf itself*: `y = x ** 2` saves `x` (its derivative is
# $2x$), and then `x` is multiplied by 10 in place through each tool:
#
# ```python
# def experiment(tool):
#     x = mt.tensor([1.0, 2.0], requires_grad=True)
#     y = x**2
#     if tool == ".data":
#         x.data.mul_(10)
#     elif tool == "detach()":
#         x.detach().mul_(10)
#     elif tool == "no_grad":
#         with mt.no_grad():
#             x.mul_(10)
#     y.sum().backward()
#     return x.grad
# ```
#
# For each tool, does `backward()` raise, or what is `x.grad`? Return a dict with the keys
# `".data"`, `"detach()"` and `"no_grad"`, each value a list such as `[1.0, 2.0]` or the
# string `"error"`.


# %% ex6 solution
def predict_tools():
    ### BEGIN SOLUTION
    return {".data": [20.0, 40.0], "detach()": "error", "no_grad": "error"}
    ### END SOLUTION


# %% ex6 check
from course.checks.lesson03 import check_ex6

check_ex6(predict_tools)

# %% [markdown]
# Now run it. `no_grad` is how every optimizer updates a parameter in place; the version
# counter is what lets autograd catch a graph that still needed the old value.

# %%
for tool in [".data", "detach()", "no_grad"]:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = x**2
    if tool == ".data":
        x.data.mul_(10)
    elif tool == "detach()":
        x.detach().mul_(10)
    else:
        with mt.no_grad():
            x.mul_(10)
    try:
        y.sum().backward()
        print(f"{tool:9} x.grad = {x.grad}")
    except RuntimeError as error:
        print(f"{tool:9} RuntimeError: {str(error)[:60]}...")
