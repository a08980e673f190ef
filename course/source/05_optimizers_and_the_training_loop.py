# %% [markdown]
# # Lesson 5: Optimizers and the training loop
#
# In lesson 4 we wrote the update by hand: `backward()`, then `p -= lr * p.grad` under
# `no_grad()`, then clear the gradient. `torch.optim` packs those moves into an object, and
# the source blog post ends with the loop everybody writes with it. This lesson runs that
# loop, takes it apart line by line, and looks inside the optimizer.
#
# **Goals.** After this lesson you can
#
# - run the post's training loop (`nn.Linear`, `nn.MSELoss`, `optim.Adam`, a `DataLoader`)
#   and say what each of its five lines does;
# - tell which orders of `zero_grad`, forward, loss, `backward` and `step` work, and why the
#   others train nothing;
# - recognise what forgetting `zero_grad()` does: no error, just a worse model;
# - read an optimizer's `param_groups` and `state`, give layers their own learning rates,
#   and change the learning rate over time with a scheduler;
# - watch a training run with a live loss curve.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minitensor as mt

nn, optim = mt.nn, mt.optim  # the post writes: import torch.nn as nn, torch.optim as optim
DataLoader, TensorDataset = mt.utils.data.DataLoader, mt.utils.data.TensorDataset

# %% [markdown]
# ## The data
#
# A regression problem the size of the post's model: 64 samples with 10 inputs and 2
# targets each, made from a hidden linear map plus a little noise. The numbers come from
# NumPy's seeded generator, so they are the same every run, and the same in PyTorch
# (minitensor's and PyTorch's own random generators give different numbers for one seed).

# %% check-output
rng = np.random.default_rng(0)
X = mt.tensor(rng.normal(size=(64, 10)), dtype=mt.float32)
true_weight = mt.tensor(rng.normal(size=(2, 10)), dtype=mt.float32)
true_bias = mt.tensor([0.5, -1.0])
noise = mt.tensor(rng.normal(scale=0.1, size=(64, 2)), dtype=mt.float32)
Y = X @ true_weight.T + true_bias + noise
print("X:", X.shape, "  Y:", Y.shape)

# %% [markdown]
# A `DataLoader` cuts a dataset into mini-batches. `TensorDataset(X, Y)` pairs row `i` of
# `X` with row `i` of `Y`; with `shuffle=True` every epoch (every `for` over the loader)
# visits the rows in a new random order, drawn from the generator we give it.

# %% check-output
dataset = TensorDataset(X, Y)
data_loader = DataLoader(
    dataset, batch_size=16, shuffle=True, generator=mt.Generator().manual_seed(0)
)
print(len(dataset), "samples in", len(data_loader), "batches")
for inputs, targets in data_loader:
    print("  a batch:", inputs.shape, targets.shape)

# %% [markdown]
# ## The post's training loop
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “使用主要包括三个步骤:计算梯度、执行参数更新和清除梯度。” (Using it takes three main steps: computing the gradients, updating the parameters and clearing the gradients.)
#
# Here it is, as the post writes it (the comments translated). The only additions:
# `mt.manual_seed(0)` so that the random initial weights are the same every run, and a
# `print`.

# %%
mt.manual_seed(0)
model = nn.Linear(10, 2)  # an example model
criterion = nn.MSELoss()  # the loss function
optimizer = optim.Adam(model.parameters(), lr=0.001)  # create the optimizer

for inputs, targets in data_loader:
    optimizer.zero_grad()  # clear the old gradients
    outputs = model(inputs)  # forward pass
    loss = criterion(outputs, targets)  # compute the loss
    loss.backward()  # backward pass: compute the current gradients
    optimizer.step()  # update the parameters from the gradients
    print(f"loss {loss.item():.4f}")

# %% [markdown]
# That was one *epoch*: one pass over the data, four batches, four steps. The loss hardly
# moved, because Adam with `lr=0.001` moves each weight by about 0.001 per step (lesson 6
# shows why). Training means many epochs.
#
# From here on every model starts from the same fixed weights instead of random ones, and
# the loader for experiments does not shuffle: then the numbers printed below are the same
# on every machine, and in PyTorch.


# %%
def make_model():
    """nn.Linear(10, 2), started from fixed weights instead of random ones."""
    model = nn.Linear(10, 2)
    with mt.no_grad():
        model.weight.copy_(mt.linspace(-0.3, 0.3, 20).reshape(2, 10))
        model.bias.zero_()
    return model


ordered_loader = DataLoader(dataset, batch_size=16)  # no shuffling: the same 4 batches


def train(optimizer_class, lr, epochs):
    """The post's loop, repeated for `epochs` epochs; returns the mean loss of each epoch."""
    model = make_model()
    criterion = nn.MSELoss()
    optimizer = optimizer_class(model.parameters(), lr=lr)
    epoch_losses = []
    for _ in range(epochs):
        total = 0.0
        for inputs, targets in ordered_loader:
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            total += loss.item()  # .item(): a number, not a graph (lesson 3)
        epoch_losses.append(total / len(ordered_loader))
    return epoch_losses


# %% check-output
curves = {}
for lr in [0.001, 0.01, 0.1]:
    curves[lr] = train(optim.Adam, lr, epochs=100)
    print(
        f"Adam lr={lr:<5}: mean loss in epoch 1, 10, 100:",
        [round(curves[lr][e], 3) for e in (0, 9, 99)],
    )

# %%
plt.figure(figsize=(6, 3))
for lr, losses in curves.items():
    plt.plot(range(1, 101), losses, label=f"Adam, lr={lr}")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("mean loss")
plt.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
plt.show()

# %% [markdown]
# ## What each line does
#
# One step of the loop, with a look at one weight and its gradient after every line:

# %% check-output
model = make_model()
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.001)
inputs, targets = X[:16], Y[:16]


def show(moment):
    grad = model.weight.grad
    grad_text = "None" if grad is None else f"{grad[0, 0].item():.4f}"
    print(f"{moment:22} weight[0, 0] = {model.weight[0, 0].item():.4f}, grad = {grad_text}")


show("at the start")
optimizer.zero_grad()
show("after zero_grad()")
outputs = model(inputs)
print("  outputs:", outputs.shape, " recorded in a graph:", outputs.grad_fn is not None)
loss = criterion(outputs, targets)
print(f"  loss = {loss.item():.4f}")
loss.backward()
show("after backward()")
optimizer.step()
show("after step()")

# %% [markdown]
# - `zero_grad()` forgets the gradients of the previous step (here there were none yet);
# - the forward pass and the loss build a fresh graph (lesson 2), ending in the loss;
# - `backward()` fills `.grad` of every parameter, and changes no weight;
# - `step()` changes the weights, in place and unrecorded, and leaves `.grad` alone.
#
# `step()` is lesson 4's update with a bigger formula: Adam's first step moves every weight
# by exactly `lr` against the sign of its gradient (here from -0.3 to -0.301).
#
# ## The order of the five lines
#
# Does the order matter? Here is the loop with the calls in a given order. Three orders are
# tried: the post's; `zero_grad()` moved to the end; and `zero_grad()` moved between
# `backward()` and `step()`.


# %%
def train_in_order(order, epochs=30, lr=0.05):
    """Train with the five calls in `order`; return the mean loss of each epoch."""
    model = make_model()
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    epoch_losses = []
    for _ in range(epochs):
        total = 0.0
        for inputs, targets in ordered_loader:
            for call in order:
                if call == "zero_grad":
                    optimizer.zero_grad()
                elif call == "forward":
                    outputs = model(inputs)
                elif call == "loss":
                    loss = criterion(outputs, targets)
                elif call == "backward":
                    loss.backward()
                elif call == "step":
                    optimizer.step()
            total += loss.item()
        epoch_losses.append(total / len(ordered_loader))
    return epoch_losses


# %% check-output
orders = {
    "the post's order": ["zero_grad", "forward", "loss", "backward", "step"],
    "zero_grad last": ["forward", "loss", "backward", "step", "zero_grad"],
    "zero_grad before step": ["forward", "loss", "backward", "zero_grad", "step"],
}
for name, order in orders.items():
    losses = train_in_order(order)
    print(f"{name:22} mean loss in epoch 1, 5, 30:", [round(losses[e], 4) for e in (0, 4, 29)])

# %% [markdown]
# The first two are the same loop: `zero_grad()` at the end of one step is `zero_grad()` at
# the start of the next. The third trains nothing: `zero_grad()` throws the fresh gradient
# away (it sets `.grad` to `None`), so `step()` finds no gradient and skips every
# parameter. No error, no warning: the loss just stays where it was.
#
# The rule: `backward()` must come after the loss and before `step()`, and `zero_grad()`
# anywhere except between `backward()` and `step()`. Exercise 1 asks you to put the five
# lines in order.
#
# ## Forgetting `zero_grad()`
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “梯度累积:在默认情况下,梯度会在每次反向传播中累积,需要手动清零。” (By default, gradients accumulate over backward passes and must be zeroed by hand.)
#
# Leave it out and, as in lesson 3, `backward()` *adds* every new gradient to the old ones:
# each step follows the sum of all gradients so far. Again nothing complains:

# %% check-output
with_zeroing = train_in_order(["zero_grad", "forward", "loss", "backward", "step"])
without_zeroing = train_in_order(["forward", "loss", "backward", "step"])
for epoch in [1, 3, 5, 10, 30]:
    print(
        f"epoch {epoch:2}: with zero_grad {with_zeroing[epoch - 1]:.4f}, "
        f"without {without_zeroing[epoch - 1]:.4f}"
    )

# %%
plt.figure(figsize=(6, 3))
plt.plot(range(1, 31), with_zeroing, label="zero_grad() every step")
plt.plot(range(1, 31), without_zeroing, label="zero_grad() forgotten")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("mean loss")
plt.legend()
plt.show()

# %% [markdown]
# Without zeroing, the first epochs even look fine, which is why the bug survives: the summed
# gradient still points roughly downhill at first. Then it keeps pushing in directions that
# stopped being right long ago, and the loss climbs.
#
# Accumulating *on purpose* is a tool, though. A batch too large for memory can be cut into
# micro-batches: zero once, `backward()` each micro-batch's loss divided by their number
# (so the pieces add up to the mean over the whole batch), then one `step()`. The optimizer
# cannot tell the difference:

# %% check-output
criterion = nn.MSELoss()

big = make_model()  # one step on the whole batch of 64
big_optimizer = optim.Adam(big.parameters(), lr=0.01)
big_optimizer.zero_grad()
criterion(big(X), Y).backward()
big_optimizer.step()

small = make_model()  # one step from 4 micro-batches of 16
small_optimizer = optim.Adam(small.parameters(), lr=0.01)
small_optimizer.zero_grad()
for inputs, targets in ordered_loader:
    (criterion(small(inputs), targets) / 4).backward()  # .grad collects the sum
small_optimizer.step()

print("same weights after the step:", mt.allclose(big.weight, small.weight, atol=1e-6))
print("same bias after the step:   ", mt.allclose(big.bias, small.bias, atol=1e-6))

# %% [markdown]
# ## Inside the optimizer: `param_groups` and `state`
#
# An optimizer holds two things. `param_groups` is a list of groups, each a dict with the
# parameters (the model's very tensors, not copies) and the options for them:

# %% check-output
model = make_model()
optimizer = optim.Adam(model.parameters(), lr=0.01)
group = optimizer.param_groups[0]
print("groups:", len(optimizer.param_groups))
print("params:", [tuple(p.shape) for p in group["params"]])
print("the model's own tensor:", group["params"][0] is model.weight)
print({key: group[key] for key in ["lr", "betas", "eps", "weight_decay", "amsgrad"]})

# %% [markdown]
# (PyTorch's groups have a few more keys, such as `foreach` and `fused`, which choose between
# faster implementations of the same formulas.)
#
# `state` is what the algorithm remembers between steps, one dict per parameter. It is
# empty until the first step; then Adam keeps a step counter and two running averages,
# `exp_avg` (of the gradient) and `exp_avg_sq` (of its square):

# %% check-output
print("state before any step:", dict(optimizer.state))
optimizer.zero_grad()
criterion(model(X), Y).backward()
optimizer.step()

state = optimizer.state[model.weight]
print("keys:", sorted(state))
print("step:", state["step"])
print("exp_avg is 0.1 * grad:      ", mt.allclose(state["exp_avg"], 0.1 * model.weight.grad))
print(
    "exp_avg_sq is 0.001 * grad²:",
    mt.allclose(state["exp_avg_sq"], 0.001 * model.weight.grad**2),
)

# %% [markdown]
# After one step the averages are $(1 - \beta_1)\, g = 0.1\, g$ and
# $(1 - \beta_2)\, g^2 = 0.001\, g^2$, with the default `betas=(0.9, 0.999)`, where $g$ is
# the gradient. Lesson 6 follows them over many steps. That memory belongs
# to the optimizer object: build a new optimizer and it starts from nothing again (lesson 6
# shows what that costs).
#
# Groups are how parts of a model get their own options. Pass a list of dicts instead of
# `model.parameters()`; options a group leaves out come from the keyword arguments:

# %% check-output
model = make_model()
optimizer = optim.SGD(
    [{"params": [model.weight]}, {"params": [model.bias], "lr": 0.1}], lr=0.01, momentum=0.9
)
for i, group in enumerate(optimizer.param_groups):
    print(
        f"group {i}: {len(group['params'])} tensor(s), lr={group['lr']}, "
        f"momentum={group['momentum']}"
    )

# %% [markdown]
# The learning rate is read from the group at every step, so changing it is one assignment:
# `for group in optimizer.param_groups: group["lr"] = 0.001`. That is all a learning-rate
# scheduler does.
#
# ## Learning-rate schedulers
#
# A large learning rate makes fast progress early; a small one settles better at the end.
# A scheduler changes `group["lr"]` for you. Call `scheduler.step()` once per epoch, *after*
# that epoch's `optimizer.step()` calls (PyTorch warns if the first one comes earlier).

# %% check-output
model = make_model()
optimizer = optim.SGD(model.parameters(), lr=0.1)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
used = []
for _ in range(8):
    used.append(optimizer.param_groups[0]["lr"])
    for inputs, targets in ordered_loader:
        optimizer.zero_grad()
        criterion(model(inputs), targets).backward()
        optimizer.step()
    scheduler.step()  # once per epoch, after the epoch's steps
print("lr used in epochs 0-7:", used)

# %% [markdown]
# `StepLR(step_size=3, gamma=0.5)` halves the rate every 3 epochs. Three common schedules,
# over 30 epochs:

# %%
schedules = {
    "StepLR(step_size=10, gamma=0.3)": lambda opt: optim.lr_scheduler.StepLR(opt, 10, 0.3),
    "ExponentialLR(gamma=0.9)": lambda opt: optim.lr_scheduler.ExponentialLR(opt, 0.9),
    "CosineAnnealingLR(T_max=30)": lambda opt: optim.lr_scheduler.CosineAnnealingLR(opt, 30),
}
plt.figure(figsize=(6, 3))
for name, make_scheduler in schedules.items():
    optimizer = optim.SGD(make_model().parameters(), lr=0.1)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(30):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # (no gradients here: this only advances the schedule)
        scheduler.step()
    plt.plot(lrs, label=name)
plt.xlabel("epoch")
plt.ylabel("lr")
plt.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
plt.show()

# %% [markdown]
# Does it help? With a large learning rate, Adam gets near the minimum fast and then keeps
# hopping around it. The best weights are known here (least squares, as in lesson 4), so we
# can measure how far from them each run ends:

# %%
design = np.concatenate([X.numpy(), np.ones((64, 1), dtype=np.float32)], axis=1)
solution, *_ = np.linalg.lstsq(design, Y.numpy(), rcond=None)
best_weight, best_bias = mt.tensor(solution[:10].T), mt.tensor(solution[10])


def distance_to_best(model):
    with mt.no_grad():
        squared = ((model.weight - best_weight) ** 2).sum() + ((model.bias - best_bias) ** 2).sum()
    return squared.sqrt().item()


def train_with_schedule(make_scheduler, epochs=40, lr=0.3):
    model = make_model()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    distances = []
    for _ in range(epochs):
        for inputs, targets in ordered_loader:
            optimizer.zero_grad()
            criterion(model(inputs), targets).backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
        distances.append(distance_to_best(model))
    return distances


# %% check-output
constant = train_with_schedule(None)
cosine = train_with_schedule(lambda opt: optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40))
print(f"distance to the best weights after 40 epochs, constant lr 0.3: {constant[-1]:.2g}")
print(f"distance to the best weights after 40 epochs, cosine from 0.3: {cosine[-1]:.2g}")

# %%
plt.figure(figsize=(6, 3))
plt.plot(range(1, 41), constant, label="Adam, constant lr = 0.3")
plt.plot(range(1, 41), cosine, label="Adam, CosineAnnealingLR from 0.3")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("distance to the best weights")
plt.legend(loc="lower left")
plt.show()

# %% [markdown]
# The constant rate stops improving after about 25 epochs; the shrinking rate keeps
# getting closer.

# %% [markdown]
# ## Watching a run: the training monitor
#
# Printing losses gets unreadable fast. `TrainingMonitor` draws the loss curve live while
# the loop runs (one `monitor.update(loss)` per step) and keeps the final picture in the
# notebook. Here is the post's loop with the shuffling loader, for 60 epochs. Try a larger
# `lr`, or `optim.SGD`, and run it again.

# %% minitensor-only
# minitensor only: the monitor is one of this project's widgets
from widgets import TrainingMonitor

epochs = 60
model = make_model()
optimizer = optim.Adam(model.parameters(), lr=0.05)
monitor = TrainingMonitor(total=epochs * len(data_loader), title="Adam, lr = 0.05")
for _ in range(epochs):
    for inputs, targets in data_loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        monitor.update(loss)  # takes the tensor and calls .item() itself
monitor.finish()

# %% [markdown]
# The curve is jagged because every step sees a different batch, and batches differ.
#
# ## The whole recipe
#
# Real training also keeps some data aside to measure how well the model does on samples it
# never trained on. `random_split` splits a dataset; evaluation switches the model to
# evaluation behaviour with `model.eval()` and stops the recording with `no_grad()` (lesson
# 3 showed that those are two different things).

# %%
train_set, validation_set = mt.utils.data.random_split(
    dataset, [48, 16], generator=mt.Generator().manual_seed(0)
)
train_loader = DataLoader(
    train_set, batch_size=16, shuffle=True, generator=mt.Generator().manual_seed(1)
)
validation_loader = DataLoader(validation_set, batch_size=16)


def evaluate(model, loader):
    model.eval()  # layers such as dropout switch to evaluation behaviour
    with mt.no_grad():  # and nothing is recorded
        total = sum(criterion(model(inputs), targets).item() for inputs, targets in loader)
    model.train()
    return total / len(loader)


model = make_model()
optimizer = optim.Adam(model.parameters(), lr=0.05)
for epoch in range(1, 41):
    for inputs, targets in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch}: validation loss {evaluate(model, validation_loader):.4f}")

# %% [markdown]
# ## Read the source
#
# - `minitensor/optim/optimizer.py`, class `Optimizer`: `param_groups`, `state`,
#   `zero_grad` (sets `.grad` to `None`) and `step`, which runs the update under
#   `no_grad()` for every parameter that has a gradient and skips the others.
# - `minitensor/optim/adam.py`, class `Adam`: the algorithm in its docstring, the update in
#   `_update`.
# - `minitensor/optim/lr_scheduler.py`, class `StepLR`: a scheduler only writes
#   `group["lr"]`.
# - `minitensor/utils/data.py`, class `DataLoader`: how a shuffled epoch is cut into
#   batches.
# - `minitensor/nn/loss.py`, class `MSELoss`, and `minitensor/nn/linear.py`, class `Linear`.
#
# ## Summary
#
# - The loop: `zero_grad()`, forward, loss, `backward()`, `step()`, for every batch of
#   every epoch. `backward()` fills `.grad`, `step()` changes the parameters.
# - `zero_grad()` may go first or last, never between `backward()` and `step()`: there it
#   discards the gradient and nothing trains, silently.
# - Forgetting `zero_grad()` sums the gradients of all steps; no error, a worse model.
#   Summing on purpose over micro-batches (losses divided by their number) gives the big
#   batch's step.
# - `optimizer.param_groups` holds the parameters with their options (`lr`, ...);
#   `optimizer.state[p]` holds what the algorithm remembers about `p`.
# - A scheduler changes `group["lr"]` once per epoch; call it after `optimizer.step()`.
#
# ## Exercises
#
# ### Exercise 1 (put it in order)
#
# Here are the five lines of a training step, shuffled:
#
# ```python
# loss.backward()
# optimizer.step()
# outputs = model(inputs)
# optimizer.zero_grad()
# loss = criterion(outputs, targets)
# ```
#
# Write `train_epoch(model, optimizer, criterion, loader)`: one epoch, one step per batch of
# `loader`, with the lines in an order that trains. Return the list of the batches' losses
# as Python floats. The check watches what your loop does at every `step()`.


# %% ex1 solution
def train_epoch(model, optimizer, criterion, loader):
    ### BEGIN SOLUTION
    losses = []
    for inputs, targets in loader:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson05 import check_ex1

check_ex1(train_epoch)

# %% [markdown]
# ### Exercise 2 (implement it)
#
# The last layer of a network often needs a larger learning rate than the rest. Write
# `make_optimizer(model)` for a model with parameters `model.weight` and `model.bias`: an
# `optim.SGD` with `momentum=0.9` in which the weight learns with `lr=0.01` and the bias
# with `lr=0.1`.


# %% ex2 solution
def make_optimizer(model):
    ### BEGIN SOLUTION
    return optim.SGD(
        [{"params": [model.weight]}, {"params": [model.bias], "lr": 0.1}], lr=0.01, momentum=0.9
    )
    ### END SOLUTION


# %% ex2 check
from course.checks.lesson05 import check_ex2

check_ex2(make_optimizer)

# %% [markdown]
# ### Exercise 3 (predict, then run)
#
# An optimizer starts with `lr=0.2` and gets `StepLR(optimizer, step_size=2, gamma=0.1)`,
# and the loop calls `scheduler.step()` once at the end of every epoch. Which learning rate
# does the optimizer use in each of the epochs 0 to 5? Work it out, then return the six
# numbers as a list.


# %% ex3 solution
def predict_lrs():
    ### BEGIN SOLUTION
    return [0.2, 0.2, 0.02, 0.02, 0.002, 0.002]
    ### END SOLUTION


# %% ex3 check
from course.checks.lesson05 import check_ex3

check_ex3(predict_lrs)

# %% [markdown]
# Now run it:

# %% check-output
optimizer = optim.SGD(make_model().parameters(), lr=0.2)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
for epoch in range(6):
    print(f"epoch {epoch}: lr {optimizer.param_groups[0]['lr']:.4g}")
    optimizer.step()
    scheduler.step()
