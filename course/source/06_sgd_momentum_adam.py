# %% [markdown]
# # Lesson 6: SGD vs Momentum vs Adam
#
# The post's loop uses `optim.Adam`, and lesson 4 wrote plain gradient descent by hand.
# Between them sits momentum. This lesson races the three, then opens each one up: what
# momentum's velocity is and why there are three ways to write it, which learning rates and
# momentums work (a map of all of them), why Adam divides by a square root and corrects a
# bias, what Nesterov, RMSprop and Adagrad change, why Adam's learning rate means something
# else than SGD's, how `Adam(weight_decay=...)` differs from `AdamW`, and what is lost when
# the optimizer is re-created.
#
# **Goals.** After this lesson you can
#
# - compare optimizers on a 2-D surface, fairly (each at its best settings), and explain
#   what you see;
# - say how far a momentum step goes (about $\mathrm{lr} / (1 - \beta)$ times the gradient)
#   and convert between the three ways of writing momentum;
# - read the map of (lr, β) and tell when β is too large;
# - explain, with numbers, what Adam's bias correction corrects;
# - say what Nesterov, RMSprop and Adagrad each change;
# - predict what scaling the loss does to SGD and to Adam;
# - choose between `Adam(weight_decay=...)` and `AdamW`;
# - keep an optimizer's state alive across epochs.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minitensor as mt

optim = mt.optim

# %% [markdown]
# ## The race
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “每一个优化器都继承自 torch.optim.Optimizer,并实现特定的优化策略。” (Every optimizer inherits from `torch.optim.Optimizer` and implements a particular optimization strategy.)
#
# Lesson 4's ill-conditioned bowl, $f(x, y) = \tfrac12 (x^2 + 10 y^2)$: ten times steeper
# along $y$ than along $x$. Its Hessian has the eigenvalues $\mu = 1$ and $L = 10$ (the
# curvatures along $x$ and $y$). A race is only fair when each optimizer runs at its own
# best settings, and on a bowl the eigenvalues give them:
#
# - plain gradient descent: $\mathrm{lr} = 2 / (L + \mu) = 0.18$, which shrinks both
#   directions by the same factor $(L - \mu)/(L + \mu) = 0.82$ per step;
# - momentum (Polyak's "heavy ball"): $\mathrm{lr} = 4 / (\sqrt{L} + \sqrt{\mu})^2 = 0.23$
#   and $\beta = \left(\frac{\sqrt{L} - \sqrt{\mu}}{\sqrt{L} + \sqrt{\mu}}\right)^2 = 0.27$,
#   which shrink the error by $\sqrt{\beta} = 0.52$ per step.
#
# The race starts with those (Adam with `lr=0.3`; the **best settings** button also tunes
# Adam's lr, by trying 41 of them). Drag the step slider (or press Play) to watch them
# move; change the learning rates, momentum and betas; switch to the Rosenbrock valley or
# the saddle. The settings panel says where each number came from.

# %% minitensor-only
# minitensor only: the optimizer race is one of this project's widgets
from widgets import race

race("quadratic", optimizers=("SGD", "Momentum", "Adam"), steps=100)

# %% [markdown]
# The widget runs the real `optim` classes. So can we, in a few lines: the loop is the
# post's loop, with the bowl as the "model".


# %%
def bowl(p):
    return 0.5 * (p[0] ** 2 + 10 * p[1] ** 2)


def descend(optimizer_class, steps=100, start=(-4.5, 1.5), scale=1.0, **options):
    """Minimise scale * bowl from `start` with optimizer_class(**options); return the path,
    one row (x, y) per step."""
    p = mt.tensor(start, requires_grad=True)
    optimizer = optimizer_class([p], **options)
    path = [p.tolist()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = scale * bowl(p)
        loss.backward()
        optimizer.step()
        path.append(p.tolist())
    return np.array(path)


def bowl_value(point):
    x, y = point
    return 0.5 * (x**2 + 10 * y**2)


# %% check-output
mu, L = 1.0, 10.0  # the bowl's eigenvalues (curvatures)
best_sgd_lr = 2 / (L + mu)
best_lr = 4 / (L**0.5 + mu**0.5) ** 2
best_beta = ((L**0.5 - mu**0.5) / (L**0.5 + mu**0.5)) ** 2
paths = {
    f"SGD(lr={best_sgd_lr:.3f})": descend(optim.SGD, lr=best_sgd_lr),
    f"SGD(lr={best_lr:.3f}, momentum={best_beta:.3f})": descend(
        optim.SGD, lr=best_lr, momentum=best_beta
    ),
    "SGD(lr=0.03, momentum=0.9)": descend(optim.SGD, lr=0.03, momentum=0.9),
    "Adam(lr=0.3)": descend(optim.Adam, lr=0.3),
}
for name, path in paths.items():
    print(f"{name:33} loss after 10, 30, 60 steps:",
          [f"{bowl_value(path[t]):.2g}" for t in (10, 30, 60)])  # fmt: skip

# %% [markdown]
# At their best settings momentum wins clearly: after 30 steps its loss is over a hundred
# million times smaller than plain SGD's. Each step shrinks its error by 0.52 instead of 0.82, so it
# needs about a third of the steps (22 instead of 69 for a millionfold). That is what
# momentum is for: on an ill-conditioned problem, plain gradient descent must keep its lr
# small for the steep direction and then crawls along the flat one; momentum's velocity
# builds up speed along the flat direction.
#
# But only at good settings. The popular `momentum=0.9` with `lr=0.03` is *slower* than
# plain SGD here: too much momentum (more on that below). So read any optimizer comparison,
# the widget's included, with its settings next to it, and ask whether each contestant got
# its best ones. A surface with a long curved valley (Rosenbrock) or a saddle tells yet
# another story.
#
# ## Momentum: a velocity that remembers
#
# PyTorch's momentum keeps a buffer $v$ (`state['momentum_buffer']`) and steps along it:
#
# $$v \leftarrow \beta v + g, \qquad p \leftarrow p - \mathrm{lr} \cdot v.$$
#
# Under a constant gradient $g$, $v$ grows to $g + \beta g + \beta^2 g + \dots = g / (1 - \beta)$.
# So with $\beta = 0.9$ a step ends up ten times longer than plain SGD's with the same
# `lr`. Watch the step length on $f(p) = 2p$, whose gradient is always 2:

# %% check-output
p = mt.tensor(0.0, requires_grad=True)
optimizer = optim.SGD([p], lr=0.1, momentum=0.9)
before = p.item()
for step in range(1, 51):
    optimizer.zero_grad()
    (2 * p).backward()
    optimizer.step()
    if step in (1, 2, 3, 10, 50):
        print(f"step {step:2}: moved {before - p.item():.4f}  (plain SGD: 0.2; the limit: 2.0)")
    before = p.item()
print("momentum_buffer:", optimizer.state[p]["momentum_buffer"])

# %% [markdown]
# The effective learning rate is about $\mathrm{lr} / (1 - \beta)$. So `lr` and β must be
# chosen together: `lr=0.03` with β = 0.9 still walks 0.3 times the gradient per step, more
# than plain SGD's best `lr`.
#
# ### Three ways to write momentum
#
# Papers, courses and libraries write momentum three ways:
#
# | convention | velocity | step |
# |---|---|---|
# | PyTorch's `SGD(momentum=β)` | $v \leftarrow \beta v + g$ | $p \leftarrow p - \mathrm{lr} \cdot v$ |
# | moving average (many courses, e.g. Andrew Ng's) | $v \leftarrow \beta v + (1 - \beta) g$ | $p \leftarrow p - \mathrm{lr} \cdot v$ |
# | lr inside the velocity (Sutskever et al. 2013; Keras/TensorFlow's `SGD` keeps `velocity = momentum * velocity - lr * g`, the same with the sign flipped) | $v \leftarrow \beta v + \mathrm{lr} \cdot g$ | $p \leftarrow p - v$ |
#
# They are the same algorithm with differently scaled letters. The moving average's $v$ is
# $(1 - \beta)$ times PyTorch's, so it needs $\mathrm{lr} / (1 - \beta)$ to take the same
# steps; the third keeps `lr` inside $v$. Written out by hand next to PyTorch's class:


# %%
def momentum_by_hand(convention, lr, beta, steps=100, start=(-4.5, 1.5)):
    p = mt.tensor(start, requires_grad=True)
    v = mt.zeros(2)
    path = [p.tolist()]
    for _ in range(steps):
        p.grad = None
        bowl(p).backward()
        with mt.no_grad():
            if convention == "moving average":
                v = beta * v + (1 - beta) * p.grad
                p -= lr * v
            elif convention == "lr inside":
                v = beta * v + lr * p.grad
                p -= v
        path.append(p.tolist())
    return np.array(path)


# %% check-output
lr, beta = 0.03, 0.9
pytorch_path = descend(optim.SGD, lr=lr, momentum=beta)
average_path = momentum_by_hand("moving average", lr / (1 - beta), beta)
inside_path = momentum_by_hand("lr inside", lr, beta)
print("moving average with lr / (1 - β) follows PyTorch's path:",
      np.allclose(average_path, pytorch_path, atol=1e-5))  # fmt: skip
print("lr inside the velocity follows PyTorch's path:          ",
      np.allclose(inside_path, pytorch_path, atol=1e-5))  # fmt: skip
unscaled = momentum_by_hand("moving average", lr, beta)
print(f"moving average with the same lr: after 100 steps at ({unscaled[-1][0]:.3f}, "
      f"{unscaled[-1][1]:.3f}), PyTorch at ({pytorch_path[-1][0]:.3f}, "
      f"{pytorch_path[-1][1]:.3f})")  # fmt: skip

# %% [markdown]
# So when you copy hyperparameters from a paper, check its convention: `momentum=0.9, lr=0.1`
# in a moving-average text is `lr=0.01` in PyTorch. (The third form differs from PyTorch's
# only when the learning rate changes during training: PyTorch applies a new `lr` to the
# whole velocity at once.) The race widget overlays the three:

# %% minitensor-only
# minitensor only: the three conventions in the race widget, lr rescaled to match
race("quadratic", compare="momentum", lr={"Momentum": 0.03}, momentum=0.9, steps=100)

# %% [markdown]
# ### Too much momentum
#
# Is more momentum always better? Along the flat direction $x$ a larger β builds up more
# speed, but the velocity also carries $p$ past the minimum, and with β close to 1 it
# swings back and forth for a long time (each swing only shrinks by about $\sqrt{\beta}$):

# %% check-output
for beta in [0.0, 0.5, 0.9, 0.99]:
    path = descend(optim.SGD, lr=0.02, momentum=beta, steps=200)
    distances = [f"{np.hypot(*path[t]):.2g}" for t in (50, 100, 200)]
    print(f"β = {beta:<4}: distance to the minimum after 50, 100, 200 steps: {distances}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=True, layout="constrained")
grid_x, grid_y = np.meshgrid(np.linspace(-5, 5, 200), np.linspace(-2, 2, 200))
for ax, beta in zip(axes, [0.5, 0.9, 0.99]):
    path = descend(optim.SGD, lr=0.02, momentum=beta, steps=200)
    ax.contour(grid_x, grid_y, 0.5 * (grid_x**2 + 10 * grid_y**2), levels=15, alpha=0.5)
    ax.plot(path[:, 0], path[:, 1], ".-", markersize=2, color="C3")
    ax.set_title(f"momentum β = {beta}")
    ax.set_xlabel("x")
axes[0].set_ylabel("y")
fig.suptitle("SGD(lr=0.02, momentum=β) on ½(x² + 10y²), 200 steps")
plt.show()

# %% [markdown]
# β = 0 (plain SGD at this small lr) is still far away after 200 steps; β = 0.9 arrives; β =
# 0.99 overshoots again and again. β also changes which learning rates are stable at all:
# gradient descent diverges past $\mathrm{lr} = 2 / \lambda_{\max}$ (lesson 4), momentum
# past $\mathrm{lr} = 2 (1 + \beta) / \lambda_{\max}$ (exercise 1).
#
# ### The map of every (lr, β)
#
# Which pairs are good? The map below runs the real `optim.SGD` for 280 pairs, 100 steps
# each, and colours each cell by its *rate*: how much the distance to the minimum shrinks
# per step (dark is fast; 0.5 halves it every step; grey diverges). The dashed line is
# $\mathrm{lr} = 2 (1 + \beta) / \lambda_{\max}$; the star is Polyak's best pair from the race.
# Click any cell: the race under the map runs momentum with that cell's lr and β against
# plain SGD at its best. (The idea follows distill.pub's "Why Momentum Really Works", which
# draws the same map from the formulas; here every cell is a run.)

# %% minitensor-only
# minitensor only: the momentum map widget
from widgets import momentum_map

momentum_map()

# %% [markdown]
# Read the map column by column. For each lr, the best β is in the middle: too little
# momentum and the flat direction crawls, too much and every direction swings, and near the
# top no lr does better than $\sqrt{\beta}$ per step. The fast cells also sit right next to
# the dashed line: the best settings are close to the edge of divergence, which is why
# tuning them by hand is delicate. (Exercise 6 asks you to read one column.)
#
# > **Recap: momentum.** PyTorch's $v \leftarrow \beta v + g$ walks about
# > $\mathrm{lr} / (1 - \beta)$ times the gradient; other conventions rescale `lr`, so
# > check which one a paper uses. Momentum beats plain SGD on an ill-conditioned problem
# > *at good settings*: β and lr go together, too much β swings for a long time, and
# > momentum diverges past $\mathrm{lr} = 2 (1 + \beta) / \lambda_{\max}$.
#
# ## Adam: a step size for every coordinate
#
# Adam keeps two running averages per parameter (lesson 5 printed them):
#
# $$m \leftarrow \beta_1 m + (1 - \beta_1)\, g \quad (\texttt{exp\_avg}), \qquad
# v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2 \quad (\texttt{exp\_avg\_sq}),$$
#
# and steps by $\mathrm{lr} \cdot \hat m / (\sqrt{\hat v} + \varepsilon)$, where
# $\hat m = m / (1 - \beta_1^t)$ and $\hat v = v / (1 - \beta_2^t)$ are the *bias-corrected*
# averages at step $t$. Dividing by $\sqrt{\hat v}$ (about the size of the gradient) makes
# the step about `lr` in every coordinate, whether the gradient there is large or small.
# That is why Adam crossed the bowl as fast along $x$ as along $y$.
#
# ### What bias correction corrects
#
# $m$ and $v$ start at zero, so early on they are too small. A common guess is that the
# correction makes Adam's small first steps bigger. It does the opposite. Follow a real Adam
# on a constant gradient `g = 0.5`, reading its state after each step:

# %% check-output
p = mt.tensor(0.0, requires_grad=True)
optimizer = optim.Adam([p], lr=0.1)  # betas=(0.9, 0.999)
beta1, beta2 = optimizer.param_groups[0]["betas"]
history = {"m": [], "v": [], "m_hat": [], "v_hat": [], "ratio": []}
print(" step      m      m̂         v      v̂    uncorrected / corrected step")
for t in range(1, 1001):
    optimizer.zero_grad()
    (0.5 * p).backward()  # gradient 0.5, every step
    optimizer.step()
    m = optimizer.state[p]["exp_avg"].item()
    v = optimizer.state[p]["exp_avg_sq"].item()
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    ratio = (m / v**0.5) / (m_hat / v_hat**0.5)
    for key, value in zip(history, [m, v, m_hat, v_hat, ratio]):
        history[key].append(value)
    if t in (1, 2, 5, 10, 12, 15, 50, 100, 1000):
        print(f"{t:5} {m:7.4f} {m_hat:6.4f} {v:9.6f} {v_hat:6.4f}    {ratio:.2f}x")

# %% [markdown]
# Without correction the update would be $\mathrm{lr} \cdot m / \sqrt{v}$. At step 1 that is
# $\mathrm{lr} \cdot 0.1\, g / \sqrt{0.001\, g^2} = 3.16 \cdot \mathrm{lr}$: about 3 times
# too *large*, because $v$ is shrunk more than $m$ (0.001 against 0.1) and sits under a
# square root. The ratio $(1 - \beta_1^t) / \sqrt{1 - \beta_2^t}$ keeps growing to about 6.5
# around steps 10-15, because $m$ catches up within about 10 steps while $v$ needs about
# 1000. With correction, $\hat m$ and $\hat v$ are right from the first step.

# %%
steps = np.arange(1, 1001)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
left.plot(steps, history["m"], label="$m$ (exp_avg)")
left.plot(steps, history["m_hat"], "--", label=r"$\hat m = m / (1 - \beta_1^t)$")
left.plot(steps, np.sqrt(history["v"]), label=r"$\sqrt{v}$ (exp_avg_sq)")
left.plot(
    steps, np.sqrt(history["v_hat"]), ":", label=r"$\sqrt{\hat v} = \sqrt{v / (1 - \beta_2^t)}$"
)
left.set_xscale("log")
left.set_xlabel("step t")
left.set_title("Adam's averages under a constant gradient 0.5")
left.set_ylim(0, 0.78)
left.legend(loc="upper left", ncol=2, fontsize=9)
right.plot(steps, history["ratio"])
right.axhline(1, color="gray", lw=0.8)
right.set_xscale("log")
right.set_ylim(0, 7)
right.set_xlabel("step t")
right.set_ylabel("uncorrected / corrected step")
right.set_title("how much too large the uncorrected step is")
plt.show()

# %% [markdown]
# With correction, Adam's very first step is exactly `lr` against the sign of each
# coordinate's gradient, whatever the gradient's size (up to $\varepsilon$):

# %% check-output
p = mt.zeros(3, requires_grad=True)
optimizer = optim.Adam([p], lr=0.1)
(p * mt.tensor([0.01, 1.0, -100.0])).sum().backward()  # gradients 0.01, 1 and -100
optimizer.step()
print("after one step:", [round(value, 4) for value in p.tolist()])

# %% minitensor-only
# minitensor only: Adam with and without bias correction in the race widget
race("quadratic", compare="bias_correction", steps=100)

# %% [markdown]
# ## Nesterov, RMSprop and Adagrad: what each changes
#
# The race has three more buttons. Each changes one thing about an optimizer you know.
#
# **Nesterov** (`SGD(momentum=β, nesterov=True)`) steps along the gradient *plus* the
# updated velocity, instead of along the velocity alone:
#
# $$v \leftarrow \beta v + g, \qquad p \leftarrow p - \mathrm{lr}\,(g + \beta v).$$
#
# In effect it looks one step ahead: when the velocity is about to carry $p$ past the
# minimum, the gradient there already points back, and the step brakes earlier. The same
# too-much-momentum run as above, `lr=0.03` and β = 0.9, with and without it:

# %% check-output
for nesterov in [False, True]:
    path = descend(optim.SGD, lr=0.03, momentum=0.9, nesterov=nesterov)
    distances = [f"{np.hypot(*path[t]):.2g}" for t in (25, 50, 100)]
    print(f"nesterov={nesterov!s:5}: overshoots x = 0 by up to {path[:, 0].max():.2f}; "
          f"distance after 25, 50, 100 steps: {distances}")  # fmt: skip
path = descend(optim.SGD, lr=0.15, momentum=0.9, nesterov=True, steps=50)
print(f"nesterov=True, lr=0.15: distance after 50 steps {np.hypot(*path[-1]):.3g}")
print(
    f"its limit 2(1 + β)/((1 + 2β) λ_max) = {2 * 1.9 / (2.8 * 10):.3f}; heavy ball's "
    f"2(1 + β)/λ_max = {2 * 1.9 / 10:.2f}"
)

# %% [markdown]
# Less overshoot, so three times closer after 100 steps. The price: the extra
# $\mathrm{lr} \cdot \beta v$ makes each step longer, so Nesterov's largest stable `lr` is
# $(1 + 2\beta)$ times smaller than the heavy ball's; at `lr=0.15` it diverges where plain
# momentum converges.
#
# **RMSprop** (`optim.RMSprop`) is the square-root half of Adam on its own: a running
# average of $g^2$ with `alpha` (0.99) in the role of $\beta_2$, no $m$, and no bias
# correction:
#
# $$s \leftarrow \alpha s + (1 - \alpha)\, g^2, \qquad
# p \leftarrow p - \mathrm{lr}\, g / (\sqrt{s} + \varepsilon).$$
#
# Without the correction its first steps are large: $s$ starts at $0.01\, g^2$, so step 1
# moves $\mathrm{lr} / \sqrt{0.01} = 10\,\mathrm{lr}$. Under a constant gradient:


# %% check-output
def step_lengths(optimizer_class, at, gradient=0.5, **options):
    """How far each listed step moves a parameter whose gradient is always `gradient`."""
    p = mt.tensor(0.0, requires_grad=True)
    optimizer = optimizer_class([p], **options)
    lengths, before = {}, 0.0
    for t in range(1, max(at) + 1):
        optimizer.zero_grad()
        (gradient * p).backward()
        optimizer.step()
        if t in at:
            lengths[t] = round(before - p.item(), 4)
        before = p.item()
    return lengths


print(
    "RMSprop(lr=0.01), step t moves:", step_lengths(optim.RMSprop, (1, 2, 10, 100, 1000), lr=0.01)
)
print("Adam(lr=0.01),    step t moves:", step_lengths(optim.Adam, (1, 2, 10, 100, 1000), lr=0.01))

# %% [markdown]
# Ten times `lr` at first, shrinking to `lr` over a few hundred steps as $s$ fills up;
# Adam moves exactly `lr` from the start (its $\hat v$ is corrected, and its $\hat m$ too).
# So Adam is RMSprop plus momentum on the gradient ($m$) plus bias correction.
#
# **Adagrad** (`optim.Adagrad`) divides by the square root of the *sum* of all squared
# gradients so far, not of an average:
#
# $$s \leftarrow s + g^2, \qquad p \leftarrow p - \mathrm{lr}\, g / (\sqrt{s} + \varepsilon).$$
#
# The sum never forgets, so every step is smaller than the last: under a constant gradient
# step $t$ moves $\mathrm{lr} / \sqrt{t}$, a learning-rate decay built in.

# %% check-output
print("Adagrad(lr=0.1), step t moves:", step_lengths(optim.Adagrad, (1, 4, 25, 100), lr=0.1))

# %% [markdown]
# 0.1, 0.05, 0.02, 0.01: $\mathrm{lr}/\sqrt{t}$. That suits features that appear rarely
# (their sum stays small, their steps large), and is why Adagrad was made for sparse data;
# on a long run it can slow down before it arrives, which is what RMSprop's forgetting
# average fixed. The three in the race against momentum (Nesterov's `lr` is the best one
# for the race's β; RMSprop's and Adagrad's are defaults that show something: press
# **best settings** to tune them by a sweep):

# %% minitensor-only
# minitensor only: Nesterov, RMSprop and Adagrad in the race widget
race("quadratic", optimizers=("Momentum", "Nesterov", "RMSprop", "Adagrad"), steps=100)

# %% [markdown]
# ## Adam's learning rate is not SGD's
#
# SGD's step is $\mathrm{lr} \cdot g$: scale the loss by 1000 and every gradient, and every
# step, is 1000 times larger. Adam's step is $\mathrm{lr} \cdot \hat m / \sqrt{\hat v}$, and
# the 1000 cancels. Run both on the bowl and on 1000 times the bowl:

# %% check-output
for scale in [1, 1000]:
    for name, optimizer_class, lr in [("SGD", optim.SGD, 0.15), ("Adam", optim.Adam, 0.3)]:
        path = descend(optimizer_class, steps=5, scale=scale, lr=lr)
        print(f"loss x {scale:<4} {name}(lr={lr}): after 1 step at ({path[1][0]:.4g}, {path[1][1]:.4g}), "
              f"after 5 at ({path[5][0]:.4g}, {path[5][1]:.4g})")  # fmt: skip

# %% [markdown]
# SGD's path explodes (its `lr` had to be below $2 / \lambda_{\max}$, and scaling the loss
# scales $\lambda_{\max}$); Adam's does not change at all. So an `lr` that works for Adam says little about
# one for SGD, and the other way round. Adam's `lr` is roughly "how far each parameter may
# move per step"; SGD's is "how far per unit of gradient".
#
# ## `Adam(weight_decay=...)` is not `AdamW`
#
# Weight decay pulls every parameter towards zero a little each step. `Adam(weight_decay=wd)`
# does it the way it is done for SGD, by adding the L2 penalty's gradient
# $\mathrm{wd} \cdot p$ to $g$. But then Adam divides it by $\sqrt{\hat v}$ like the rest of
# the gradient. `AdamW` decouples it: $p \leftarrow p \cdot (1 - \mathrm{lr} \cdot \mathrm{wd})$
# every step, and the gradient is left alone.
#
# The difference shows on two parameters that both start at 1: a *busy* one, whose loss
# gradient is large (it flips between +10 and -10, so on average it pulls nowhere), and a
# *silent* one, whose loss gradient is zero.


# %% check-output
def decay_experiment(make_optimizer, steps=200):
    p = mt.tensor([1.0, 1.0], requires_grad=True)  # p[0] busy, p[1] silent
    optimizer = make_optimizer([p])
    for step in range(steps):
        optimizer.zero_grad()
        sign = 1.0 if step % 2 == 0 else -1.0
        loss = sign * 10 * p[0] + 0 * p[1]  # gradient ±10 for p[0], 0 for p[1]
        loss.backward()
        optimizer.step()
    return p.tolist()


for name, make in [
    ("Adam, no decay", lambda params: optim.Adam(params, lr=0.01)),
    ("Adam(weight_decay=0.1)", lambda params: optim.Adam(params, lr=0.01, weight_decay=0.1)),
    ("AdamW(weight_decay=0.1)", lambda params: optim.AdamW(params, lr=0.01, weight_decay=0.1)),
]:
    busy, silent = decay_experiment(make)
    print(f"{name:24} after 200 steps: busy {busy:.3f}, silent {silent:.3f}")
print(f"(1 - lr · wd) ** 200 = {(1 - 0.01 * 0.1) ** 200:.3f}")

# %% [markdown]
# - With `Adam(weight_decay=0.1)` the decay depends on the gradients. The silent
#   parameter's only gradient is $\mathrm{wd} \cdot p$, which Adam normalises into steps of
#   about `lr`: it races to 0. The busy parameter's $\sqrt{\hat v}$ is about 10, so its
#   decay is divided by 10: it hardly moves from where Adam without decay left it.
# - With `AdamW` both shrink by the same factor, $(1 - \mathrm{lr} \cdot \mathrm{wd})$ per
#   step, whatever their gradients.
#
# In a network this means `Adam(weight_decay=...)` regularises the parameters with large
# gradients least, which is rarely what you want; AdamW does what "weight decay" promises.
# (For plain SGD the two are the same thing.) Note `AdamW`'s default `weight_decay=0.01`,
# where `Adam`'s is 0.

# %% minitensor-only
# minitensor only: Adam, Adam with L2 and AdamW in the race widget
race("quadratic", compare="weight_decay", steps=100)

# %% [markdown]
# > **Recap: Adam.** Adam steps about `lr` per coordinate, whatever the gradient's size:
# > bias correction makes its early steps *smaller* than they would be (never larger), and
# > scaling the loss changes nothing, so its `lr` cannot be compared with SGD's.
# > `Adam(weight_decay)` divides the decay by $\sqrt{\hat v}$; `AdamW` shrinks every
# > parameter by the same factor. RMSprop is Adam without $m$ and without correction;
# > Adagrad's steps shrink for ever.
#
# %% [markdown]
# ## Re-creating the optimizer throws its memory away
#
# Momentum's velocity and Adam's `m`, `v` and step counter live in `optimizer.state`. A
# loop that builds a new optimizer every epoch (easy to do when the optimizer is made in a
# helper function) starts each epoch from empty state: momentum loses its speed, Adam
# restarts with its first-step rule of `lr` per parameter. Lesson 5's regression problem,
# trained with the optimizer made once or made anew every epoch:

# %%
rng = np.random.default_rng(0)
X = mt.tensor(rng.normal(size=(64, 10)), dtype=mt.float32)
true_weight = mt.tensor(rng.normal(size=(2, 10)), dtype=mt.float32)
noise = mt.tensor(rng.normal(scale=0.1, size=(64, 2)), dtype=mt.float32)
Y = X @ true_weight.T + mt.tensor([0.5, -1.0]) + noise
criterion = mt.nn.MSELoss()


def make_model():
    """nn.Linear(10, 2) from fixed weights (as in lesson 5)."""
    model = mt.nn.Linear(10, 2)
    with mt.no_grad():
        model.weight.copy_(mt.linspace(-0.3, 0.3, 20).reshape(2, 10))
        model.bias.zero_()
    return model


def train(make_optimizer, recreate_each_epoch, epochs=60):
    """Mean loss per epoch; 4 batches of 16 per epoch."""
    model = make_model()
    optimizer = make_optimizer(model.parameters())
    epoch_losses = []
    for _ in range(epochs):
        if recreate_each_epoch:
            optimizer = make_optimizer(model.parameters())  # the bug: state starts empty
        total = 0.0
        for start in range(0, 64, 16):
            optimizer.zero_grad()
            loss = criterion(model(X[start : start + 16]), Y[start : start + 16])
            loss.backward()
            optimizer.step()
            total += loss.item()
        epoch_losses.append(total / 4)
    return epoch_losses


# %%
makers = {
    "Adam(lr=0.05)": lambda params: optim.Adam(params, lr=0.05),
    "SGD(lr=0.01, momentum=0.9)": lambda params: optim.SGD(params, lr=0.01, momentum=0.9),
}
runs = {}
for name, make in makers.items():
    for recreate in [False, True]:
        runs[name, recreate] = losses = train(make, recreate)
        label = "new every epoch" if recreate else "made once      "
        print(f"{name:27} {label}: mean loss in epoch 10, 30, 60:",
              [f"{losses[e - 1]:.3g}" for e in (10, 30, 60)])  # fmt: skip

# %% [markdown]
# (Re-creating Adam near the minimum is chaotic: its first step after each restart follows
# the *sign* of tiny gradients, so the last digits of the "new every epoch" losses depend on
# rounding, and PyTorch prints slightly different ones. The comparison does not change:)

# %% check-output
adam_once, adam_new = runs["Adam(lr=0.05)", False], runs["Adam(lr=0.05)", True]
momentum_once = runs["SGD(lr=0.01, momentum=0.9)", False]
momentum_new = runs["SGD(lr=0.01, momentum=0.9)", True]
print("Adam made anew: loss in epochs 41-60 over twice as high:",
      min(adam_new[40:]) > 2 * max(adam_once[40:]))  # fmt: skip
print("momentum made anew: loss in epoch 10 over 10 times as high:",
      momentum_new[9] > 10 * momentum_once[9])  # fmt: skip

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
for ax, name in zip(axes, makers):
    for recreate in [False, True]:
        label = "optimizer made anew every epoch" if recreate else "optimizer made once"
        ax.plot(range(1, 61), runs[name, recreate], label=label)
    ax.set_yscale("log")
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.legend()
axes[0].set_ylabel("mean loss")
plt.show()

# %% [markdown]
# Adam stalls at a loss three or four times higher: every epoch starts with steps of the
# full `lr` in every weight, which the settled averages would have made much smaller.
# Momentum crawls: for several steps after each restart the velocity is far below its full
# size, so the effective learning rate is closer to `lr` than to `lr / (1 - β)`. Make the
# optimizer once, before the loop; if you must make a new one (say, to change which
# parameters train), carry the state over with `optimizer.state_dict()` and
# `load_state_dict()`.
#
# > **Recap: state.** Momentum's velocity and Adam's averages and step counter are part of
# > training. Make the optimizer once; to resume, save and load its `state_dict()`.
#
# ## Read the source
#
# - `minitensor/optim/sgd.py`, class `SGD`: the docstring sets the three momentum
#   conventions side by side; `_update` keeps `state['momentum_buffer']`.
# - `minitensor/optim/adam.py`, class `Adam`: the bias corrections `bias_correction1` and
#   `bias_correction2`, and `_weight_decay` (L2 in the gradient).
# - `minitensor/optim/adamw.py`, class `AdamW`: the same class with one method changed,
#   `_weight_decay`, which shrinks `p` itself.
# - `minitensor/optim/rmsprop.py` and `adagrad.py`: `square_avg` and `sum`, the two ways
#   of remembering $g^2$.
# - `widgets/optimizer_race/teaching_optimizers.py`: the moving-average and lr-inside
#   momentum, and Adam without bias correction, that the race widget compares with
#   PyTorch's classes.
# - `widgets/optimizer_race/tuning.py`: the best settings from the eigenvalues, and the
#   sweep for the others; `widgets/momentum_rates/model.py`: how the map runs 280 pairs
#   with one `optim.SGD`.
#
# ## Summary
#
# The eight traps on one screen:
#
# | trap | what actually happens | what to do |
# |---|---|---|
# | "plain SGD is as good as momentum" | only against momentum at poor settings; at its best, momentum needs a third of the steps on the bowl | compare optimizers each at its best settings, with the settings shown |
# | "there is one momentum formula" | PyTorch's $v \leftarrow \beta v + g$ steps about $\mathrm{lr}/(1-\beta)$ times $g$; the moving average needs $\mathrm{lr}/(1-\beta)$ for the same path | check a paper's convention before copying its `lr` |
# | "more momentum is always faster" | past the best β every direction swings; β = 0.9 can be slower than no momentum | read the (lr, β) map; tune β with `lr` |
# | "a bigger `lr` is just faster" | momentum diverges past $\mathrm{lr} = 2(1+\beta)/\lambda_{\max}$, Nesterov already past $2(1+\beta)/((1+2\beta)\lambda_{\max})$ | stay left of the dashed line |
# | "bias correction makes Adam's first steps bigger" | it makes them smaller: uncorrected is 3.2x at step 1, 6.5x at steps 10-15 | trust the corrected first step: exactly `lr` per coordinate |
# | "Adam's `lr` means SGD's" | scaling the loss scales SGD's steps and leaves Adam's alone | tune each optimizer's `lr` on its own |
# | "`Adam(weight_decay)` is AdamW" | Adam divides the decay by $\sqrt{\hat v}$: busy parameters hardly decay | `AdamW` (or `Adam(decoupled_weight_decay=True)`) |
# | "re-creating the optimizer is harmless" | velocity and averages restart: momentum crawls, Adam stalls | make it once; carry `state_dict()` over |
#
# ## Exercises
#
# ### Exercise 1 (predict, then run)
#
# "Too much momentum" and the summary give the largest stable learning rate for a given
# β. Turn it around: on our bowl $\tfrac12(x^2 + 10y^2)$, someone wants `lr = 0.35`, which
# plain SGD cannot take ($0.35 > 2 / \lambda_{\max} = 0.2$). What is the *smallest* momentum
# β for which `SGD(lr=0.35, momentum=β)` still converges? Return it.


# %% ex1 solution
def smallest_stable_momentum():
    ### BEGIN SOLUTION
    return 0.35 * 10 / 2 - 1
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson06 import check_ex1

check_ex1(smallest_stable_momentum)

# %% [markdown]
# Now run it, just below and just above your answer:

# %% check-output
for beta in [0.70, 0.80]:
    end = descend(optim.SGD, lr=0.35, momentum=beta, steps=100)[-1]
    print(f"β {beta}: after 100 steps at ({end[0]:.3g}, {end[1]:.3g})")

# %% [markdown]
# ### Exercise 2 (implement it)
#
# The table above followed Adam under a *constant* gradient. Real gradients change. Write
# `adam_updates(grads, lr, beta1=0.9, beta2=0.999, eps=1e-8)`: for a single parameter that
# receives the gradients `grads` (a list of floats) one step after the other, return the
# list of how far Adam moves it at each step (`p_before - p_after`), with bias correction,
# following the formulas of "Adam: a step size for every coordinate". The check compares
# your numbers with a real `optim.Adam` on gradients that grow, shrink and flip sign.


# %% ex2 solution
def adam_updates(grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    ### BEGIN SOLUTION
    m = v = 0.0
    moves = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        moves.append(lr * m_hat / (v_hat**0.5 + eps))
    return moves
    ### END SOLUTION


# %% ex2 check
from course.checks.lesson06 import check_ex2

check_ex2(adam_updates)

# %% [markdown]
# ### Exercise 3 (fix the bug)
#
# This training function makes a new optimizer every epoch:


# %%
def train_buggy(params, make_optimizer, loss_fn, epochs, steps_per_epoch):
    for _ in range(epochs):
        optimizer = make_optimizer(params)
        for _ in range(steps_per_epoch):
            optimizer.zero_grad()
            loss_fn().backward()
            optimizer.step()


# %% [markdown]
# Write `train_fixed(params, make_optimizer, loss_fn, epochs, steps_per_epoch)`: the same
# training, with the optimizer's state kept across all epochs. `params` is a list of
# tensors, `make_optimizer(params)` returns an optimizer, and `loss_fn()` computes the loss.


# %% ex3 solution
def train_fixed(params, make_optimizer, loss_fn, epochs, steps_per_epoch):
    ### BEGIN SOLUTION
    optimizer = make_optimizer(params)
    for _ in range(epochs):
        for _ in range(steps_per_epoch):
            optimizer.zero_grad()
            loss_fn().backward()
            optimizer.step()
    ### END SOLUTION


# %% ex3 check
from course.checks.lesson06 import check_ex3

check_ex3(train_fixed)


# %% [markdown]
# ### Exercise 4 (predict, then run)
#
# One parameter `p` starts at 0; the loss is $1000 \cdot (p - 1)^2$. After *one* step of
# `SGD(lr=0.01)`, where is `p`? And after one step of `Adam(lr=0.01)` instead? Return the
# two values `(sgd_p, adam_p)`.


# %% ex4 solution
def predict_first_steps():
    ### BEGIN SOLUTION
    return (20.0, 0.01)
    ### END SOLUTION


# %% ex4 check
from course.checks.lesson06 import check_ex4

check_ex4(predict_first_steps)

# %% [markdown]
# ### Exercise 5 (predict, then run)
#
# Two more parameters, both starting at 1.0, trained for 100 steps with `lr=0.01` and
# `weight_decay=0.1`: `silent`, whose loss gradient is zero (the loss contains
# `0 * silent`), and `absent`, which is in the optimizer but not in the loss at all, so its
# `.grad` stays `None`. Predict their values after 100 steps of `Adam(weight_decay=0.1)`
# and of `AdamW(weight_decay=0.1)`. Return
# `{"Adam": (silent, absent), "AdamW": (silent, absent)}`; for Adam's `silent` a rough
# estimate is enough (within 0.25), the others are exact to two decimals.


# %% ex5 solution
def predict_decay():
    ### BEGIN SOLUTION
    return {"Adam": (0.2, 1.0), "AdamW": ((1 - 0.01 * 0.1) ** 100, 1.0)}
    ### END SOLUTION


# %% ex5 check
from course.checks.lesson06 import check_ex5

check_ex5(predict_decay)

# %% [markdown]
# Now run it. An optimizer skips every parameter whose `.grad` is `None`, decay included:
# a frozen or unused parameter is left alone by both. (PyTorch 2.x also spells AdamW as
# `Adam(..., decoupled_weight_decay=True)`; minitensor has the same flag.)

# %% check-output
for name, make in [("Adam", optim.Adam), ("AdamW", optim.AdamW)]:
    silent = mt.tensor(1.0, requires_grad=True)
    absent = mt.tensor(1.0, requires_grad=True)
    optimizer = make([silent, absent], lr=0.01, weight_decay=0.1)
    for _ in range(100):
        optimizer.zero_grad()
        (0 * silent).backward()
        optimizer.step()
    print(f"{name:6} silent {silent.item():.3f}, absent {absent.item():.3f}, "
          f"absent.grad {absent.grad}")  # fmt: skip

# %% [markdown]
# ### Exercise 6 (predict, then run)
#
# On the bowl, from $(-4.5, 1.5)$, with `lr = 0.1`: which momentum among 0, 0.3, 0.6, 0.9
# and 0.99 brings `SGD(lr=0.1, momentum=β)` closest to the minimum in 100 steps? Read it
# off the map (the column at `lr = 0.1`) or reason it out, then return that β.


# %% ex6 solution
def best_momentum():
    ### BEGIN SOLUTION
    return 0.6
    ### END SOLUTION


# %% ex6 check
from course.checks.lesson06 import check_ex6

check_ex6(best_momentum)

# %% [markdown]
# Now run it:

# %% check-output
for beta in [0.0, 0.3, 0.6, 0.9, 0.99]:
    end = descend(optim.SGD, lr=0.1, momentum=beta, steps=100)[-1]
    print(f"β = {beta:<4}: distance to the minimum after 100 steps {np.hypot(*end):.2g}")
