# %% [markdown]
# # Lesson 2: The computation graph and backward
#
# The source blog post puts it in two sentences: PyTorch records the operations on tensors
# as a directed acyclic graph, the *computation graph*; `loss.backward()` then computes the
# gradient of the loss with respect to every leaf of that graph. This lesson makes both
# sentences visible.
#
# **Goals.** After this lesson you can
#
# - tell leaves from intermediate tensors, and read `grad_fn` and `next_functions`;
# - draw a graph with `show_graph` and walk backward through it with `step_backward`;
# - predict a gradient when a value is used more than once;
# - explain why backward must visit the nodes in topological order;
# - call `backward()` on a non-scalar output with `gradient=`, a vector-Jacobian product.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have (here: the two widgets, and minitensor's graph nodes).

# %%
import numpy as np

import minitensor as mt

# %% minitensor-only
# minitensor only: the widgets
from widgets import show_graph, step_backward

# %% [markdown]
# ## The graph is recorded as you compute
#
# A small model: one input `x`, two parameters `w` and `b`, a prediction `y` and a squared
# error `loss`. Only the parameters ask for gradients.

# %% check-output
x = mt.tensor(2.0)
w = mt.tensor(3.0, requires_grad=True)
b = mt.tensor(1.0, requires_grad=True)
y = w * x + b
loss = (y - 5) ** 2

for name, t in [("x", x), ("w", w), ("b", b), ("y", y), ("loss", loss)]:
    grad_fn = t.grad_fn.name() if t.grad_fn is not None else None
    print(
        f"{name:4}  is_leaf={t.is_leaf!s:5}  requires_grad={t.requires_grad!s:5}  grad_fn={grad_fn}"
    )

# %% [markdown]
# - **Leaves** are the tensors you made yourself (`x`, `w`, `b`). They have no `grad_fn`.
# - Every result of an operation on a tensor that requires grad is an **intermediate**
#   tensor: it requires grad too, and its `grad_fn` is the graph node that made it, named
#   after the operation (`MulBackward0` for `*`, `PowBackward0` for `**`, ...).
#
# Each node knows the nodes of its inputs, in `next_functions`. Following them from
# `loss.grad_fn` walks the whole graph. `AccumulateGrad` is the node at a leaf that requires
# grad: it is where a gradient ends up in `.grad`. `None` marks an input that needs no
# gradient (`x`, and the constant `5`).


# %% check-output
def print_graph(node, depth=0):
    print("    " * depth + (node.name() if node is not None else "None"))
    if node is not None:
        for next_node, _ in node.next_functions:
            print_graph(next_node, depth + 1)


print_graph(loss.grad_fn)

# %% [markdown]
# ## Drawing it
#
# `show_graph` draws the same graph, forwards, the way the values flowed: leaves at the top,
# the loss at the bottom. Before `backward()` every `grad` is `None`: not zero, simply not
# computed yet.

# %% minitensor-only
# minitensor only: the live graph
show_graph(loss)

# %% [markdown]
# ## `backward()`
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “反向传播:调用 loss.backward(),PyTorch 会自动计算损失对所有叶子节点的梯度。”
# > (Backpropagation: call loss.backward(), and PyTorch automatically computes the gradient of the loss
# > with respect to every leaf node.)
#
# `loss.backward()` walks the graph from the loss back to the leaves, applying the chain
# rule at every node, and stores $\partial\,\mathrm{loss} / \partial\,\mathrm{leaf}$ in each
# leaf's `.grad`:

# %% check-output
loss.backward()
print("w.grad =", w.grad, " b.grad =", b.grad, " x.grad =", x.grad)

# %% [markdown]
# By hand: $y = w x + b = 7$, so $\partial\,\mathrm{loss} / \partial y = 2 (y - 5) = 4$. Then
# $\partial\,\mathrm{loss} / \partial w = 4 \cdot x = 8$ and
# $\partial\,\mathrm{loss} / \partial b = 4 \cdot 1 = 4$. `x` did not ask for a
# gradient, so it got none.
#
# After backward the graph has done its job: the values it saved for the chain rule (here
# `x`, which the multiplication saved for `w`'s gradient) are freed. Draw it again:

# %% minitensor-only
# minitensor only: the same graph after backward
show_graph(loss)

# %% [markdown]
# ## Stepping through backward
#
# `step_backward` runs the real backward pass one node at a time. At each step it shows the
# gradient that arrived at the node (upstream), the node's local derivative, and their
# product, the chain rule with numbers. Nothing is written into `.grad` until you press
# Apply. The graph above has been used up, so we build it again:

# %% minitensor-only
# minitensor only: Next / Prev / Play / Reset
w.grad, b.grad = None, None
y = w * x + b
loss = (y - 5) ** 2
step_backward(loss)

# %% [markdown]
# The widget walks the same steps that `backward()` takes. You can also list them in
# plain text:

# %% minitensor-only check-output
# minitensor only: the engine's steps, one line each
for step in mt.autograd.backward_steps(loss, retain_graph=True, accumulate=False):
    sent = [None if g is None else float(g) for g in step.grad_inputs]
    print(f"{step.node.name():15} received {float(step.grad_output):4}  sends {sent}")

# %% [markdown]
# ## A value used twice gets the sum of both gradients
#
# In `y = a * a` the tensor `a` feeds the multiplication twice. The multiplication sends a
# gradient to each of its inputs, `a` and `a`, and both arrive at the same leaf, where they
# **add up**: $dy/da = a + a = 2a$.

# %% check-output
a = mt.tensor(3.0, requires_grad=True)
y = a * a
y.backward()
print("a.grad =", a.grad, " (2a =", 2 * a.item(), ")")

# %% [markdown]
# In the stepper, the second contribution shows `+=` where it lands on a node that already
# received one:

# %% minitensor-only
# minitensor only
a = mt.tensor(3.0, requires_grad=True)
y = a * a
step_backward(y)

# %% [markdown]
# ## Why backward needs a topological order
#
# Backward looks like a simple recursion: start at the loss, compute each input's gradient,
# recurse into each input. Let us write that and try it. The graph nodes are minitensor's,
# so these cells are minitensor only: `node.backward(grad)` computes the gradients a node
# sends to its inputs (one array, or a tuple of them when the node has several inputs).
#
# First attempt: send every gradient on as soon as it is computed. It counts how many
# times it visits a node.


# %% minitensor-only
# minitensor only: backward as a plain recursion
def sent_gradients(node, grad):
    """The gradients a node sends to its inputs: one per entry of node.next_functions."""
    grads = node.backward(grad)
    return grads if isinstance(grads, tuple) else (grads,)


def recursive_backward(loss):
    leaf_grads, visits = {}, [0]

    def visit(node, grad):
        visits[0] += 1
        if node.name() == "AccumulateGrad":  # a leaf: add into its gradient
            leaf = node.variable
            leaf_grads[leaf] = leaf_grads.get(leaf, 0) + grad
            return
        for (next_node, _), next_grad in zip(node.next_functions, sent_gradients(node, grad)):
            if next_node is not None:
                visit(next_node, next_grad)

    visit(loss.grad_fn, np.float32(1.0))
    return leaf_grads, visits[0]


# %% [markdown]
# Ten doublings, `t = t + t`, make a graph of only eleven nodes whose gradient is
# $2^{10} = 1024$. Each node feeds the next one twice, so the number of *paths* through the
# graph doubles at every level:

# %% minitensor-only check-output
# minitensor only
a = mt.tensor(1.0, requires_grad=True)
t = a
for _ in range(10):
    t = t + t
leaf_grads, visits = recursive_backward(t)
print("gradient:", leaf_grads[a], " node visits:", visits)

# %% [markdown]
# The number is right, but 2047 visits for 11 nodes: the recursion walks every path
# separately, and the number of paths grows exponentially. The obvious repair is to run
# each node only once, when it is first reached, with the gradient that has arrived so far:


# %% minitensor-only
# minitensor only: run every node once, depth first
def once_backward(loss):
    arrived = {loss.grad_fn: np.float32(1.0)}  # gradient that has arrived at each node
    done, leaf_grads = set(), {}

    def run(node):
        done.add(node)
        if node.name() == "AccumulateGrad":
            leaf_grads[node.variable] = arrived[node]
            return
        for (next_node, _), next_grad in zip(
            node.next_functions, sent_gradients(node, arrived[node])
        ):
            if next_node is not None:
                arrived[next_node] = arrived.get(next_node, 0) + next_grad
                if next_node not in done:
                    run(next_node)

    run(loss.grad_fn)
    return leaf_grads


# %% minitensor-only check-output
# minitensor only
a = mt.tensor(1.0, requires_grad=True)
t = a
for _ in range(10):
    t = t + t
print("run once, depth first:", once_backward(t)[a])
t.backward()
print("minitensor's backward:", a.grad)

# %% [markdown]
# Fast now, and wrong. The first time the recursion reaches a node, only *one* of the node's
# two contributions has arrived; the node runs with half its gradient, and the second half
# arrives after it has already run. A node may only run once *everything that uses it* has
# sent its contribution. An order with that property is a **topological order**.
#
# The real engine finds it by counting, for every node, how many edges point at it; a node
# runs when all of them have delivered. It uses a loop and a queue instead of recursion, so
# a deep graph is no problem, while the recursion above runs out of Python stack:

# %% minitensor-only
# minitensor only
a = mt.tensor(1.0, requires_grad=True)
t = a
for _ in range(5000):
    t = t * 1.0
try:
    recursive_backward(t)
except RecursionError as error:
    print("recursive_backward: RecursionError:", error)
t.backward()
print("minitensor's backward on 5000 nodes: a.grad =", a.grad)

# %% [markdown]
# ## Non-scalar outputs and `gradient=`
#
# `backward()` without arguments works only for a single number. For a vector output `y`
# there is no single "gradient of `y`": there is a *Jacobian* matrix $J$, one row per output
# and one column per input, $J_{ij} = \partial y_i / \partial x_j$.

# %%
x = mt.tensor([1.0, 2.0], requires_grad=True)
y = mt.stack([x[0] * x[1], x[0] + 3 * x[1]])
try:
    y.backward()
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# Here $y_0 = x_0 x_1$ and $y_1 = x_0 + 3 x_1$, so at $x = (1, 2)$ (rows in brackets, as
# NumPy writes them)
#
# $$J = [\,[x_1, x_0], [1, 3]\,] = [\,[2, 1], [1, 3]\,].$$
#
# `y.backward(gradient=v)` computes the **vector-Jacobian product** $v^\top J$: a weighted sum
# of the rows of $J$, the gradient of the scalar $v \cdot y$. Backward never builds $J$ itself,
# which is why it is cheap.

# %% check-output
J = mt.tensor([[2.0, 1.0], [1.0, 3.0]])
v = mt.tensor([1.0, 2.0])
print("v @ J by hand:          ", v @ J)

y.backward(gradient=v)
print("y.backward(gradient=v): ", x.grad)

# %% [markdown]
# With `v` all ones, the weighted sum is the plain sum: `y.backward(mt.ones_like(y))` is the
# same as `y.sum().backward()`.

# %% check-output
x.grad = None
y = mt.stack([x[0] * x[1], x[0] + 3 * x[1]])
y.backward(mt.ones_like(y))
print("y.backward(ones):   ", x.grad)

x.grad = None
y = mt.stack([x[0] * x[1], x[0] + 3 * x[1]])
y.sum().backward()
print("y.sum().backward(): ", x.grad)

# %% [markdown]
# ## Read the source
#
# - `minitensor/autograd/node.py`, class `Node`: what a `grad_fn` is; `next_functions`
#   links the graph; class `AccumulateGrad`: the node at a leaf.
#   `minitensor/autograd/function.py`, `Op.apply`: where an op records its node.
# - `minitensor/autograd/engine.py`, `backward_steps`: the dependency counting and the loop
#   that replaces recursion; the docstring explains the order.
# - `minitensor/ops/elementwise.py`, class `Mul`: one op's forward and backward side by
#   side, with its derivative in the docstring.
# - `minitensor/tensor_functions/autograd.py`, `_roots`: the "only for scalar outputs" check and
#   `gradient=`.
#
# ## Summary
#
# - Operations on tensors that require grad record a graph; each result's `grad_fn` is its
#   node, and `next_functions` leads to the inputs' nodes, down to `AccumulateGrad` at
#   the leaves.
# - `backward()` applies the chain rule from the output back and stores gradients in the
#   leaves' `.grad`.
# - A value used several times receives the *sum* of the gradients from all its uses.
# - A node may run only when every contribution has arrived: backward runs in topological
#   order (and without recursion, so depth is no problem).
# - For a non-scalar `y`, `y.backward(gradient=v)` computes $v^\top J$;
#   `y.backward(mt.ones_like(y))` equals `y.sum().backward()`.
#
# ## Exercises
#
# ### Exercise 1 (predict, then run)
#
# ```python
# a = mt.tensor(2.0, requires_grad=True)
# b = a * a
# c = b + a
# c.backward()
# ```
#
# What is `a.grad`? Count every path from `c` back to `a`, decide before running anything,
# and return the number.


# %% ex1 solution
def predicted_grad():
    ### BEGIN SOLUTION
    return 5.0
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson02 import check_ex1

check_ex1(predicted_grad)

# %% [markdown]
# Now run it, and step through it:

# %%
a = mt.tensor(2.0, requires_grad=True)
b = a * a
c = b + a
c.backward()
print("a.grad =", a.grad)

# %% minitensor-only
# minitensor only
a = mt.tensor(2.0, requires_grad=True)
b = a * a
c = b + a
step_backward(c)

# %% [markdown]
# ### Exercise 2 (implement it)
#
# Write `topological_order(root)`: all graph nodes reachable from the node `root` (through
# `next_functions`, skipping `None`), each exactly once, in an order where every node comes
# *after* all the nodes that send it a gradient. Use loops, not recursion, so that a graph
# of thousands of nodes works. The backward pass below then runs your order.


# %% ex2 solution
def topological_order(root):
    ### BEGIN SOLUTION
    users = {}  # node -> how many edges point at it
    stack, seen = [root], {root}
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            users[next_node] = users.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            users[next_node] -= 1
            if users[next_node] == 0:
                ready.append(next_node)
    return order
    ### END SOLUTION


# %% minitensor-only
# minitensor only: backward in your order
def ordered_backward(loss):
    arrived = {loss.grad_fn: np.float32(1.0)}
    leaf_grads = {}
    for node in topological_order(loss.grad_fn):
        grad = arrived.pop(node)
        if node.name() == "AccumulateGrad":
            leaf_grads[node.variable] = grad
            continue
        for (next_node, _), next_grad in zip(node.next_functions, sent_gradients(node, grad)):
            if next_node is not None:
                arrived[next_node] = arrived.get(next_node, 0) + next_grad
    return leaf_grads


# %% ex2 check
from course.checks.lesson02 import check_ex2

check_ex2(topological_order)
### BEGIN HIDDEN TESTS
from course.checks.lesson02 import check_ex2_deep

check_ex2_deep(topological_order)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3 (implement it)
#
# Write `vjp(f, x, v)`: the vector-Jacobian product $v^\top J$ of the function `f` (tensor in,
# 1-D tensor out) at the point `x`, computed with `backward(gradient=...)`. `x` is a plain
# tensor that does not require grad; leave it that way. Return a tensor shaped like `x`.


# %% ex3 solution
def vjp(f, x, v):
    ### BEGIN SOLUTION
    x = x.detach().requires_grad_()
    f(x).backward(gradient=v)
    return x.grad
    ### END SOLUTION


# %% ex3 check
from course.checks.lesson02 import check_ex3

check_ex3(vjp)
