"""The lesson notebooks and their exercise machinery.

- The committed notebooks are current: the instructor versions have the cells their
  sources describe and are executed; the learner versions are exactly what the builder
  makes from them. (nbval, run by `make test` over lessons/solutions/, re-executes the
  instructor versions and compares the `check-output` cells.)
- In a blank learner notebook every check cell fails with "exN: not done yet ..." and no
  other cell fails.
- With a typical wrong answer in each exercise, the check names the mistake and shows a
  hint, without a traceback.
- The pieces: the percent-format reader, the learner blanking, the check helpers.
"""

import nbformat
import pytest

import minitensor as mt
from course.build import instructor_path, learner_path, lesson_names, stale
from course.checks import CheckFailed, NotDone, attempt, fail, recorded_ops
from course.execute import read_notebook, run_notebook
from course.learner import MarkerError, blank_source, learner_version
from course.percent import SourceError, read_cells

LESSONS = lesson_names()
WRITTEN_HERE = ["01_tensors", "02_graph_and_backward", "03_gradients_in_practice",
                "04_gradient_descent_by_hand"]  # fmt: skip


def role(cell):
    return cell.metadata.get("lesson", {}).get("role")


# --------------------------------------------------------------------------- committed files


def test_lessons_one_to_four_exist():
    assert set(WRITTEN_HERE) <= set(LESSONS)


@pytest.mark.parametrize("name", LESSONS)
def test_committed_notebooks_are_current(name):
    assert stale(name) == [], "run `make lessons` (python -m course.build) and commit"


@pytest.mark.parametrize("name", LESSONS)
def test_learner_version_has_no_solutions_hidden_tests_or_outputs(name):
    text = learner_path(name).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
        assert marker not in text
    learner = read_notebook(learner_path(name))
    assert all(not c.get("outputs") for c in learner.cells if c.cell_type == "code")
    solutions = [c for c in learner.cells if role(c) == "solution"]
    assert 2 <= len(solutions) <= 6
    assert all("raise NotImplementedError()" in c.source for c in solutions)


@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_has_goals_source_pointers_summary_and_exercises(name):
    markdown = "\n".join(
        c.source for c in read_notebook(instructor_path(name)).cells if c.cell_type == "markdown"
    )
    for heading in ("**Goals.**", "## Read the source", "## Summary", "## Exercises"):
        assert heading in markdown
    assert "import torch as mt" in markdown, "the lesson must say it runs on PyTorch"


# --------------------------------------------------------------------------- running learners


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_blank_learner_version_fails_only_in_check_cells_saying_not_done(name, tmp_path):
    notebook = read_notebook(learner_path(name))
    outcomes, problem = run_notebook(notebook, tmp_path)
    assert problem is None
    for outcome in outcomes:
        cell = notebook.cells[outcome.index]
        if role(cell) == "check":
            exercise = cell.metadata["lesson"]["exercise"]
            assert outcome.status == "error", f"{cell.id} passed on a blank notebook"
            assert outcome.ename == "NotDone"
            assert outcome.evalue == (
                f"{exercise}: not done yet, replace the line under # YOUR CODE HERE"
            )
            error = next(o for o in cell.outputs if o.output_type == "error")
            assert error.traceback == [outcome.evalue], "the learner sees only the message"
        else:
            assert not outcome.failed, f"{cell.id}: {outcome.ename}: {outcome.evalue}"


# Three typical wrong answers for every exercise, and what its check must say about each.
# No wrong answer may pass, under minitensor or under torch (tests/test_lesson_answers.py);
# the first of each list is also run in the learner notebook and through the grader.
WRONG_ANSWERS = {
    "01_tensors": {
        "ex1": [
            ("def predicted_shape():\n    return (3, 1)",
             ["you predicted (3, 1)", "Hint: line the shapes up from the right"]),
            ("def predicted_shape():\n    return (4, 3)", ["you predicted (4, 3)", "Hint:"]),
            ("def predicted_shape():\n    return (3,)", ["you predicted (3,)", "Hint:"]),
        ],
        "ex2": [
            ("def standardize(x):\n"
             "    return (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True)",
             ["each *row* of your result has mean 0", "Hint: reduce over the rows, dim=0"]),
            ("def standardize(x):\n    return x - x.mean(dim=0, keepdim=True)",
             ["column standard deviations", "Hint:"]),
            ("def standardize(x):\n    a = x.detach().numpy()\n"
             "    return mt.tensor((a - a.mean(0)) / a.std(0, ddof=1))",
             ["cut off from the graph", "Hint:"]),
        ],
        "ex3": [
            ("def as_numpy(t):\n    t.requires_grad = False\n    return t.numpy()",
             ["switched off requires_grad", "Hint: t.detach()"]),
            ("def as_numpy(t):\n    return t.numpy()", ["raised RuntimeError", "Hint:"]),
            ("def as_numpy(t):\n    return t.detach()", ["return a NumPy array", "Hint:"]),
        ],
    },
    "02_graph_and_backward": {
        "ex1": [
            ("def predicted_grad():\n    return 4.0",
             ["you predicted 4; a.grad is 5", "Hint: c also uses a directly"]),
            ("def predicted_grad():\n    return 1.0", ["you predicted 1; a.grad is 5", "Hint:"]),
            ("def predicted_grad():\n    return 3.0", ["you predicted 3; a.grad is 5", "Hint:"]),
        ],
        "ex2": [
            ("def topological_order(root):\n"
             "    order, stack, seen = [], [root], {root}\n"
             "    while stack:\n"
             "        node = stack.pop()\n"
             "        order.append(node)\n"
             "        for n, _ in node.next_functions:\n"
             "            if n is not None and n not in seen:\n"
             "                seen.add(n)\n"
             "                stack.append(n)\n"
             "    return order",
             ["which sends it a gradient", "Hint: first count, for every node"]),
            ("def topological_order(root):\n"
             "    order, seen = [], set()\n"
             "    def visit(node):\n"
             "        if node is None or node in seen:\n"
             "            return\n"
             "        seen.add(node)\n"
             "        for n, _ in node.next_functions:\n"
             "            visit(n)\n"
             "        order.append(node)\n"
             "    visit(root)\n"
             "    return order[::-1]",
             ["RecursionError", "Hint: a chain of 5000 nodes"]),
            ("def topological_order(root):\n"
             "    order, queue = [], [root]\n"
             "    while queue:\n"
             "        node = queue.pop(0)\n"
             "        if node not in order:\n"
             "            order.append(node)\n"
             "        queue += [n for n, _ in node.next_functions if n is not None]\n"
             "    return order",
             ["which sends it a gradient", "Hint:"]),
        ],
        "ex3": [
            ("def vjp(f, x, v):\n    x = x.detach().requires_grad_()\n"
             "    f(x).sum().backward()\n    return x.grad",
             ["You returned onesᵀ J", "Hint: call f(x).backward(gradient=v)"]),
            ("def vjp(f, x, v):\n    x.requires_grad_()\n"
             "    f(x).backward(gradient=v)\n    return x.grad",
             ["switched on requires_grad on the caller's x", "Hint:"]),
            ("def vjp(f, x, v):\n    return f(x) * v", ["vjp() returned [2.0, 14.0]", "Hint:"]),
        ],
    },
    "03_gradients_in_practice": {
        "ex1": [
            ("def mean_loss(w, batches):\n    total = 0.0\n    for x, y in batches:\n"
             "        loss = ((w * x - y) ** 2).mean()\n        loss.backward()\n"
             "        total += loss\n    return total / len(batches)",
             ["keeps every batch's graph alive", "Hint: add loss.item()"]),
            ("def mean_loss(w, batches):\n    total = 0.0\n    for x, y in batches:\n"
             "        loss = ((w * x - y) ** 2).mean()\n        loss.backward()\n"
             "        total += loss\n    return float(total) / len(batches)",
             ["graphs of all 4 batches stayed alive", "Hint: converting at the end"]),
            ("def mean_loss(w, batches):\n    losses = []\n    for x, y in batches:\n"
             "        loss = ((w * x - y) ** 2).mean()\n        loss.backward()\n"
             "        losses.append(loss)\n"
             "    return sum(l.item() for l in losses) / len(losses)",
             ["graphs of all 4 batches stayed alive", "Hint:"]),
        ],
        "ex2": [
            ("def accumulate_gradient(w, x, y, micro_batches):\n    w.grad = None\n"
             "    size = len(x) // micro_batches\n"
             "    for start in range(0, len(x), size):\n"
             "        ((w * x[start:start + size] - y[start:start + size]) ** 2)"
             ".mean().backward()",
             ["4 times too big", "Hint: divide each micro-batch loss"]),
            ("def accumulate_gradient(w, x, y, micro_batches):\n    w.grad = None\n"
             "    for _ in range(micro_batches):\n"
             "        (((w * x - y) ** 2).mean() / micro_batches).backward()",
             ["the rows of x each backward pass used", "Hint: slice x and y"]),
            ("def accumulate_gradient(w, x, y, micro_batches):\n"
             "    size = len(x) // micro_batches\n"
             "    for start in range(0, len(x), size):\n"
             "        xb, yb = x[start:start + size], y[start:start + size]\n"
             "        (((w * xb - yb) ** 2).mean() / micro_batches).backward()",
             ["still contains the 5.0", "Hint: clear w.grad first"]),
        ],
        "ex3": [
            ("def validation_loss(model, x, y):\n    model.eval()\n"
             "    loss = ((model(x) - y) ** 2).mean().item()\n    model.train()\n"
             "    return loss",
             ["graph node(s); evaluating should record none",
              "Hint: model.eval() changes how layers behave"]),
            ("def validation_loss(model, x, y):\n    with mt.no_grad():\n"
             "        return ((model(x) - y) ** 2).mean().item()",
             ["dropout was still zeroing", "Hint: no_grad() stops the recording"]),
            ("def validation_loss(model, x, y):\n    model.eval()\n    with mt.no_grad():\n"
             "        return ((model(x) - y) ** 2).mean().item()",
             ["came back in eval mode", "Hint: remember the mode first"]),
        ],
        "ex4": [
            ("def predict_grads():\n    return (72.0, 24.0, None)",
             ["h.grad did not accumulate", "Hint: each iteration runs `h = w * 3` again"]),
            ("def predict_grads():\n    return (36.0, 12.0, None)",
             ["w.grad holds both iterations' gradients", "Hint: w is the same leaf"]),
            ("def predict_grads():\n    return (72.0, 12.0, 1.0)",
             ["loss is not a leaf", "Hint: only leaves"]),
        ],
        "ex5": [
            ("def train(w, x, y, steps, lr):\n    losses = []\n    pred = w * x\n"
             "    for _ in range(steps):\n        loss = ((pred - y) ** 2).mean()\n"
             "        loss.backward(retain_graph=True)\n        with mt.no_grad():\n"
             "            w -= lr * w.grad\n        w.grad = None\n"
             "        losses.append(loss.item())\n    return losses",
             ["every step backed through the graph of the first w",
              "Hint: the prediction must be recomputed"]),
            ("def train(w, x, y, steps, lr):\n    losses = []\n"
             "    for _ in range(steps):\n        loss = ((w * x - y) ** 2).mean()\n"
             "        loss.backward()\n        with mt.no_grad():\n"
             "            w -= lr * w.grad\n        losses.append(loss.item())\n"
             "    return losses",
             ["never cleared", "Hint: backward() adds into w.grad"]),
            ("def train(w, x, y, steps, lr):\n    losses = []\n"
             "    for _ in range(steps):\n        loss = ((w * x - y) ** 2).mean()\n"
             "        loss.backward()\n        with mt.no_grad():\n"
             "            w -= lr * w.grad\n        w.grad = None\n"
             "        losses.append(loss)\n    return losses",
             ["the losses you return are tensors", "Hint: append loss.item()"]),
        ],
        "ex6": [
            ("def predict_tools():\n"
             "    return {'.data': [2.0, 4.0], 'detach()': [2.0, 4.0], 'no_grad': [2.0, 4.0]}",
             ["for .data you predicted [2.0, 4.0]", "Hint: backward computes 2x"]),
            ("def predict_tools():\n"
             "    return {'.data': 'error', 'detach()': 'error', 'no_grad': 'error'}",
             ["own version counter", "Hint:"]),
            ("def predict_tools():\n"
             "    return {'.data': [20.0, 40.0], 'detach()': 'error', 'no_grad': [20.0, 40.0]}",
             ["for no_grad you predicted", "no_grad stops the recording of new ops",
              "Hint:"]),
        ],
    },
    "04_gradient_descent_by_hand": {
        "ex1": [
            ("def sgd_step(params, lr):\n    for p in params:\n        p = p - lr * p.grad",
             ["the caller's w and b are unchanged", "Hint: `p = p - lr * p.grad`"]),
            ("def sgd_step(params, lr):\n    for p in params:\n"
             "        p.data -= lr * p.grad\n        p.grad = None",
             ["version counter", "Hint:"]),
            ("def sgd_step(params, lr):\n    with mt.no_grad():\n        for p in params:\n"
             "            p -= lr * p.grad",
             ["still holds", "Hint: clear each gradient"]),
        ],
        "ex2": [
            ("def fit_parabola(x, y, steps, lr):\n    p = mt.zeros(3, requires_grad=True)\n"
             "    for _ in range(steps):\n"
             "        ((p[0] + p[1] * x + p[2] * x**2 - y) ** 2).mean().backward()\n"
             "        with mt.no_grad():\n            p -= lr * p.grad\n    return p",
             ["never cleared", "Hint: set p.grad = None"]),
            ("def fit_parabola(x, y, steps, lr):\n    p = mt.zeros(3, requires_grad=True)\n"
             "    for _ in range(steps):\n"
             "        ((p[0] + p[1] * x + p[2] * x**2 - y) ** 2).mean().backward()\n"
             "        p = p - lr * p.grad\n    return p",
             ["raised", "Hint:"]),
            ("def fit_parabola(x, y, steps, lr):\n    p = mt.zeros(3, requires_grad=True)\n"
             "    for _ in range(steps):\n"
             "        ((p[0] + p[1] * x + p[2] * x**2 - y) ** 2).mean().backward()\n"
             "        p -= lr * p.grad\n        p.grad = None\n    return p",
             ["leaf Variable", "Hint:"]),
        ],
        "ex3": [
            ("def largest_stable_lr():\n    return 2.0",
             ["along p₁ (λ = 1)", "Hint: the direction with the largest curvature"]),
            ("def largest_stable_lr():\n    return 0.25", ["at lr = 1/λ = 0.25", "Hint:"]),
            ("def largest_stable_lr():\n    return 0.4",
             ["2 / (λ_max + λ_min)", "Hint:"]),
        ],
    },
    "05_optimizers_and_the_training_loop": {
        "ex1": [
            ("def train_epoch(model, optimizer, criterion, loader):\n    losses = []\n"
             "    for inputs, targets in loader:\n        outputs = model(inputs)\n"
             "        loss = criterion(outputs, targets)\n        loss.backward()\n"
             "        optimizer.zero_grad()\n        optimizer.step()\n"
             "        losses.append(loss.item())\n    return losses",
             ["step() found no gradient at all", "Hint: step() uses the .grad"]),
            ("def train_epoch(model, optimizer, criterion, loader):\n    losses = []\n"
             "    for inputs, targets in loader:\n        outputs = model(inputs)\n"
             "        loss = criterion(outputs, targets)\n        loss.backward()\n"
             "        optimizer.step()\n        losses.append(loss.item())\n    return losses",
             ["they were never cleared", "Hint: backward() adds into .grad"]),
            ("def train_epoch(model, optimizer, criterion, loader):\n    losses = []\n"
             "    for inputs, targets in loader:\n        optimizer.zero_grad()\n"
             "        loss = criterion(model(inputs), targets)\n        loss.backward()\n"
             "        optimizer.step()\n        losses.append(loss)\n    return losses",
             ["the losses you return are tensors", "Hint: append loss.item()"]),
        ],
        "ex2": [
            ("def make_optimizer(model):\n"
             "    return optim.SGD(model.parameters(), lr=0.01, momentum=0.9)",
             ["moved model.bias by 0.01", "Hint: options a group names itself override"]),
            ("def make_optimizer(model):\n"
             "    return optim.SGD([{'params': [model.weight], 'lr': 0.1},\n"
             "                      {'params': [model.bias]}], lr=0.01, momentum=0.9)",
             ["the other way round", "Hint:"]),
            ("def make_optimizer(model):\n"
             "    return optim.SGD([{'params': [model.weight]},\n"
             "                      {'params': [model.bias], 'lr': 0.1}], lr=0.01)",
             ["1.9 times as far", "Hint: pass momentum=0.9"]),
        ],
        "ex3": [
            ("def predict_lrs():\n    return [0.2, 0.02, 0.02, 0.002, 0.002, 0.0002]",
             ["each drop comes one epoch early", "Hint: epochs 0 and 1 both use"]),
            ("def predict_lrs():\n    return [0.2, 0.02, 0.002, 0.0002, 2e-05, 2e-06]",
             ["the rate drops every epoch", "Hint: step_size=2"]),
            ("def predict_lrs():\n    return [0.2, 0.2, 0.1, 0.1, 0.05, 0.05]",
             ["you predicted", "Hint: StepLR multiplies the rate by gamma"]),
        ],
    },
    "06_sgd_momentum_adam": {
        "ex1": [
            ("def smallest_stable_momentum():\n    return 0.25",
             ["you answered 0.25", "Hint:"]),
            ("def smallest_stable_momentum():\n    return 0.9",
             ["you answered 0.9", "Hint:"]),
            ("def smallest_stable_momentum():\n    return 0.0",
             ["without momentum", "Hint:"]),
        ],
        "ex2": [
            ("def adam_updates(grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n"
             "    m = v = 0.0\n    moves = []\n    for g in grads:\n"
             "        m = beta1 * m + (1 - beta1) * g\n"
             "        v = beta2 * v + (1 - beta2) * g * g\n"
             "        moves.append(lr * m / (v ** 0.5 + eps))\n    return moves",
             ["without bias correction", "Hint:"]),
            ("def adam_updates(grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n"
             "    m = v = 0.0\n    moves = []\n"
             "    for t, g in enumerate(grads, start=1):\n"
             "        m = beta1 * m + (1 - beta1) * g\n"
             "        v = beta2 * v + (1 - beta2) * g * g\n"
             "        m_hat = m / (1 - beta1 ** t)\n"
             "        moves.append(lr * m_hat / (v ** 0.5 + eps))\n    return moves",
             ["only m is corrected", "Hint:"]),
            ("def adam_updates(grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n"
             "    m = v = 0.0\n    moves = []\n"
             "    for t, g in enumerate(grads, start=1):\n"
             "        m = beta1 * m + (1 - beta1) * g\n"
             "        v = beta2 * v + (1 - beta2) * g * g\n"
             "        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)\n"
             "        moves.append(lr * m_hat / (v_hat + eps))\n    return moves",
             ["square root", "Hint:"]),
        ],
        "ex3": [
            ("def train_fixed(params, make_optimizer, loss_fn, epochs, steps_per_epoch):\n"
             "    for _ in range(epochs):\n        optimizer = make_optimizer(params)\n"
             "        for _ in range(steps_per_epoch):\n"
             "            optimizer.zero_grad()\n            loss_fn().backward()\n"
             "            optimizer.step()",
             ["made 4 optimizers for 4 epochs", "Hint: call make_optimizer(params) once"]),
            ("def train_fixed(params, make_optimizer, loss_fn, epochs, steps_per_epoch):\n"
             "    optimizer = make_optimizer(params)\n"
             "    for _ in range(steps_per_epoch):\n"
             "        optimizer.zero_grad()\n        loss_fn().backward()\n"
             "        optimizer.step()",
             ["the optimizer took 5 steps", "Hint: keep both loops"]),
            ("def train_fixed(params, make_optimizer, loss_fn, epochs, steps_per_epoch):\n"
             "    optimizer = make_optimizer(params)\n"
             "    for _ in range(epochs):\n        for _ in range(steps_per_epoch):\n"
             "            loss_fn().backward()\n            optimizer.step()",
             ["after training, params[0] is", "Hint: each step: optimizer.zero_grad()"]),
        ],
        "ex4": [
            ("def predict_first_steps():\n    return (0.02, 0.01)",
             ["SGD's step is lr times the gradient", "Hint:"]),
            ("def predict_first_steps():\n    return (20.0, 20.0)",
             ["Adam's first step is lr", "Hint:"]),
            ("def predict_first_steps():\n    return (20.0, 10.0)",
             ["Adam's first step is lr", "Hint:"]),
        ],
        "ex5": [
            ("def predict_decay():\n"
             "    return {'Adam': (0.905, 1.0), 'AdamW': (0.905, 1.0)}",
             ["under Adam's L2", "Hint:"]),
            ("def predict_decay():\n"
             "    return {'Adam': (0.2, 0.2), 'AdamW': (0.905, 0.905)}",
             ["whose .grad is None", "Hint:"]),
            ("def predict_decay():\n"
             "    return {'Adam': (0.2, 1.0), 'AdamW': (0.99, 1.0)}",
             ["(1 - lr · wd)", "Hint:"]),
        ],
        "ex6": [
            ("def best_momentum():\n    return 0.99",
             ["each swing only √β = 0.995", "Hint: more momentum is not always faster"]),
            ("def best_momentum():\n    return 0.9",
             ["you answered β = 0.9", "Hint: more momentum is not always faster"]),
            ("def best_momentum():\n    return 0.0",
             ["plain SGD shrinks the error by max |1 - lr λ| = 0.9",
              "Hint: momentum lets the slow direction x build up speed"]),
            ("def best_momentum():\n    return 0.3",
             ["another β ends closer", "Hint: run the five settings"]),
            ("def best_momentum():\n    return [0.6]",
             ["return one of 0, 0.3, 0.6, 0.9, 0.99", "Hint: return the β itself"]),
        ],
    },
    "07_gpu_with_cupy": {
        # Without a GPU the check runs these on minitensor's stand-in GPU (array_api_strict).
        "ex1": [
            ("def fit(model, X, Y, device, steps):\n    model.to(device)\n"
             "    optimizer = optim.SGD(model.parameters(), lr=0.1)\n    losses = []\n"
             "    for _ in range(steps):\n        optimizer.zero_grad()\n"
             "        loss = nn.MSELoss()(model(X), Y)\n        loss.backward()\n"
             "        optimizer.step()\n        losses.append(loss.item())\n"
             "    return losses",
             ["Expected all tensors to be on the same device", "Hint: the model"]),
            ("def fit(model, X, Y, device, steps):\n    X, Y = X.to(device), Y.to(device)\n"
             "    optimizer = optim.SGD(model.parameters(), lr=0.1)\n    losses = []\n"
             "    for _ in range(steps):\n        optimizer.zero_grad()\n"
             "        loss = nn.MSELoss()(model(X), Y)\n        loss.backward()\n"
             "        optimizer.step()\n        losses.append(loss.item())\n"
             "    return losses",
             ["same device", "Hint: the model"]),
            ("def fit(model, X, Y, device, steps):\n    model.to(device)\n"
             "    X, Y = X.to(device), Y.to(device)\n"
             "    optimizer = optim.SGD(model.parameters(), lr=0.1)\n    losses = []\n"
             "    for _ in range(steps):\n        optimizer.zero_grad()\n"
             "        loss = nn.MSELoss()(model(X), Y)\n        loss.backward()\n"
             "        optimizer.step()\n        losses.append(loss)\n"
             "    return losses",
             ["the losses you return are tensors", "Hint: append loss.item()"]),
        ],
        "ex2": [
            ("def agree(a, b):\n    return bool((a == b).all())",
             ["differ only by float32 rounding", "Hint: == demands identical bits"]),
            ("def agree(a, b):\n    return mt.allclose(a.cpu(), b.cpu(), atol=0.1)",
             ["really differ", "Hint: use a tolerance that fits"]),
            ("def agree(a, b):\n    return mt.allclose(a, b, rtol=1e-4, atol=1e-6)",
             ["same device", "Hint: compare on one device"]),
        ],
    },
    "08_build_your_own": {
        "ex1": [
            ("class SiLU(mt.autograd.Function):\n    @staticmethod\n"
             "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
             "        return x * mt.sigmoid(x)\n\n    @staticmethod\n"
             "    def backward(ctx, grad_output):\n        (x,) = ctx.saved_tensors\n"
             "        s = mt.sigmoid(x)\n        return s * (1 + x * (1 - s))",
             ["it ignores grad_output", "Hint: backward receives d(loss)/d(out)"]),
            ("class SiLU(mt.autograd.Function):\n    @staticmethod\n"
             "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
             "        return x * mt.sigmoid(x)\n\n    @staticmethod\n"
             "    def backward(ctx, grad_output):\n        (x,) = ctx.saved_tensors\n"
             "        return grad_output * mt.sigmoid(x)",
             ["the derivative there is", "Hint: check the local derivative"]),
            ("class SiLU(mt.autograd.Function):\n    @staticmethod\n"
             "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
             "        return mt.sigmoid(x)\n\n    @staticmethod\n"
             "    def backward(ctx, grad_output):\n        (x,) = ctx.saved_tensors\n"
             "        s = mt.sigmoid(x)\n        return grad_output * s * (1 + x * (1 - s))",
             ["SiLU.apply(", "Hint:"]),
        ],
        "ex2": [
            ("class Square(mt.autograd.Function):\n    @staticmethod\n"
             "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
             "        return x * x\n\n    @staticmethod\n"
             "    def backward(ctx, grad_output):\n        (x,) = ctx.saved_tensors\n"
             "        return grad_output * x",
             ["backward gave x.grad", "Hint: check the local derivative"]),
            ("class Square(mt.autograd.Function):\n    @staticmethod\n"
             "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
             "        return x * x\n\n    @staticmethod\n"
             "    def backward(ctx, grad_output):\n        (x,) = ctx.saved_tensors\n"
             "        return 2 * x",
             ["it ignores grad_output", "Hint:"]),
            ("class Square(mt.autograd.Function):\n    @staticmethod\n"
             "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
             "        return x * x\n\n    @staticmethod\n"
             "    def backward(ctx, grad_output):\n        return grad_output * 2",
             ["backward gave x.grad", "Hint:"]),
        ],
        "ex3": [
            ("class Momentum(mt.optim.Optimizer):\n"
             "    def __init__(self, params, lr=0.01, momentum=0.9):\n"
             "        super().__init__(params, dict(lr=lr, momentum=momentum))\n\n"
             "    @mt.no_grad()\n    def step(self):\n"
             "        for group in self.param_groups:\n"
             "            for p in group['params']:\n"
             "                if p.grad is None:\n                    continue\n"
             "                state = self.state[p]\n"
             "                v = state.get('momentum_buffer', mt.zeros_like(p))\n"
             "                m = group['momentum']\n"
             "                state['momentum_buffer'] = m * v + (1 - m) * p.grad\n"
             "                p -= group['lr'] * state['momentum_buffer']",
             ["another convention", "Hint: PyTorch adds the gradient itself"]),
            ("class Momentum(mt.optim.Optimizer):\n"
             "    def __init__(self, params, lr=0.01, momentum=0.9):\n"
             "        super().__init__(params, dict(lr=lr, momentum=momentum))\n\n"
             "    @mt.no_grad()\n    def step(self):\n"
             "        for group in self.param_groups:\n"
             "            for p in group['params']:\n"
             "                if p.grad is None:\n                    continue\n"
             "                p -= group['lr'] * p.grad",
             ["this is plain SGD", "Hint:"]),
            ("class Momentum(mt.optim.Optimizer):\n"
             "    def __init__(self, params, lr=0.01, momentum=0.9):\n"
             "        super().__init__(params, dict(lr=lr, momentum=momentum))\n\n"
             "    @mt.no_grad()\n    def step(self):\n"
             "        lr, mu = self.defaults['lr'], self.defaults['momentum']\n"
             "        for group in self.param_groups:\n"
             "            for p in group['params']:\n"
             "                if p.grad is None:\n                    continue\n"
             "                state = self.state[p]\n"
             "                if 'momentum_buffer' in state:\n"
             "                    v = state['momentum_buffer']\n"
             "                    state['momentum_buffer'] = mu * v + p.grad\n"
             "                else:\n"
             "                    state['momentum_buffer'] = p.grad.clone()\n"
             "                p -= lr * state['momentum_buffer']",
             ["default lr and momentum", "Hint: read group['lr']"]),
        ],
    },
    "09_digits_end_to_end": {
        "ex1": [("def accuracy(model, loader):\n    correct = 0\n    with mt.no_grad():\n"
                "        for images, labels in loader:\n"
                "            correct += (model(images).argmax(dim=1) == labels).sum().item()\n"
                "    return correct / len(loader.dataset)",
                ["ran the model in training mode", "Hint: call model.eval()"]),
                ("def accuracy(model, loader):\n    was_training = model.training\n"
                "    model.eval()\n    correct = 0\n    for images, labels in loader:\n"
                "        correct += (model(images).argmax(dim=1) == labels).sum().item()\n"
                "    model.train(was_training)\n    return correct / len(loader.dataset)",
                ["graph node(s); evaluating should record none",
                 "Hint: run the forward passes inside `with mt.no_grad():`"]),
                ("def accuracy(model, loader):\n    model.eval()\n    correct = 0\n"
                "    with mt.no_grad():\n        for images, labels in loader:\n"
                "            correct += (model(images).argmax(dim=1) == labels).sum().item()\n"
                "    model.train()\n    return correct / len(loader.dataset)",
                ["was in evaluation mode before accuracy() and is in training mode after",
                 "Hint: remember `was_training = model.training`"]),
                ("def accuracy(model, loader):\n    was_training = model.training\n"
                "    model.eval()\n    scores = []\n    with mt.no_grad():\n"
                "        for images, labels in loader:\n"
                "            right = (model(images).argmax(dim=1) == labels).float()\n"
                "            scores.append(right.mean().item())\n"
                "    model.train(was_training)\n    return sum(scores) / len(scores)",
                ["the mean of the batches' accuracies", "Hint: add up the correct predictions"])],
        "ex2": [("def resume(path, model, optimizer):\n    checkpoint = mt.load(path)\n"
                "    model.load_state_dict(checkpoint['model'])\n"
                "    return checkpoint['epoch'] + 1",
                ["the optimizer's state is empty",
                 "Hint: optimizer.load_state_dict(checkpoint['optimizer'])"]),
                ("def resume(path, model, optimizer):\n    checkpoint = mt.load(path)\n"
                "    model.load_state_dict(checkpoint['model'])\n"
                "    optimizer.load_state_dict(checkpoint['optimizer'])\n"
                "    return checkpoint['epoch']",
                ["the epoch stored in the checkpoint; that epoch had finished",
                 "Hint: return checkpoint['epoch'] + 1"]),
                ("def resume(path, model, optimizer):\n    checkpoint = mt.load(path)\n"
                "    model.load_state_dict(checkpoint['model'])\n"
                "    optimizer.load_state_dict(checkpoint['optimizer'])",
                ["resume() returned None", "Hint: end resume() with a return statement"]),
                ("def resume(path, model, optimizer):\n    checkpoint = mt.load(path)\n"
                "    model.load_state_dict(checkpoint)\n"
                "    optimizer.load_state_dict(checkpoint['optimizer'])\n"
                "    return checkpoint['epoch'] + 1",
                ["resume() raised RuntimeError", "Missing key(s)",
                 "Hint: the checkpoint is a dict of three entries"])],
        "ex3": [("def fine_tune(model, loader, epochs):\n"
                "    model.features.requires_grad_(False)\n"
                "    optimizer = optim.Adam(model.parameters(), lr=0.01)\n"
                "    for _ in range(epochs):\n        for images, labels in loader:\n"
                "            optimizer.zero_grad()\n"
                "            nn.CrossEntropyLoss()(model(images), labels).backward()\n"
                "            optimizer.step()\n    return optimizer",
                ["the optimizer holds model.features.weight",
                 "Hint: pass only the trainable parameters"]),
                ("def fine_tune(model, loader, epochs):\n"
                "    model.features.requires_grad = False\n"
                "    optimizer = optim.Adam(model.classifier.parameters(), lr=0.01)\n"
                "    for _ in range(epochs):\n        for images, labels in loader:\n"
                "            optimizer.zero_grad()\n"
                "            nn.CrossEntropyLoss()(model(images), labels).backward()\n"
                "            optimizer.step()\n    return optimizer",
                ["freezes nothing", "Hint: call the method: model.features.requires_grad_(False)"]),
                ("def fine_tune(model, loader, epochs):\n"
                "    model.features.requires_grad_(False)\n"
                "    optimizer = optim.Adam(model.classifier.parameters(), lr=0.01)\n"
                "    for _ in range(epochs):\n        for images, labels in loader:\n"
                "            nn.CrossEntropyLoss()(model(images), labels).backward()\n"
                "            optimizer.step()\n    return optimizer",
                ["a run that never calls zero_grad()", "Hint: call optimizer.zero_grad() once"]),
                ("def fine_tune(model, loader, epochs):\n"
                "    model.features.requires_grad_(False)\n"
                "    optimizer = optim.Adam(model.classifier.parameters(), lr=0.01)\n"
                "    for _ in range(epochs):\n        for images, labels in loader:\n"
                "            optimizer.zero_grad()\n"
                "            nn.CrossEntropyLoss()(model(images), labels).backward()\n"
                "            optimizer.step()",
                ["fine_tune() returned None; return the optimizer",
                 "Hint: end fine_tune() with `return optimizer`"])],
        "ex4": [("class FixedClassifier(nn.Module):\n    def __init__(self, hidden=32):\n"
                "        super().__init__()\n        self.features = nn.Linear(64, hidden)\n"
                "        self.classifier = nn.Linear(hidden, 10)\n\n    def forward(self, x):\n"
                "        return mt.softmax(self.classifier(mt.relu(self.features(x))), dim=1)",
                ["returns probabilities (every row sums to 1)", "Hint: drop the softmax"]),
                ("class FixedClassifier(nn.Module):\n    def __init__(self, hidden=32):\n"
                "        super().__init__()\n        self.features = nn.Linear(64, hidden)\n"
                "        self.classifier = nn.Linear(hidden, 10)\n\n    def forward(self, x):\n"
                "        return mt.log_softmax(self.classifier(mt.relu(self.features(x))), dim=1)",
                ["returns log-probabilities (log_softmax", "Hint: drop the log_softmax too"]),
                ("class FixedClassifier(nn.Module):\n    def __init__(self, hidden=32):\n"
                "        super().__init__()\n        self.features = nn.Linear(64, hidden)\n"
                "        self.classifier = nn.Linear(hidden, 10)\n\n    def forward(self, x):\n"
                "        return mt.log(mt.softmax(\n"
                "            self.classifier(mt.relu(self.features(x))), dim=1))",
                ["returns log(softmax(...))", "-inf (log 0)", "Hint: drop both"]),
                ("class FixedClassifier(nn.Module):\n    def __init__(self, hidden=32):\n"
                "        super().__init__()\n        self.features = nn.Linear(64, hidden)\n"
                "        self.classifier = nn.Linear(hidden, 10)\n\n    def forward(self, x):\n"
                "        return self.classifier(mt.relu(self.features(x))).argmax(dim=1)",
                ["returned shape (6,)", "Hint: return the 10 scores"]),
                ("class FixedClassifier(nn.Module):\n    def __init__(self, hidden=32):\n"
                "        super().__init__()\n        self.features = nn.Linear(64, hidden)\n"
                "        self.classifier = nn.Linear(hidden, 10)\n\n    def forward(self, x):\n"
                "        return self.classifier(mt.relu(self.features(x))).detach()",
                ["without a graph", "Hint: return the classifier's output as it is"])],
    },
}  # fmt: skip


def test_every_exercise_of_every_lesson_has_three_wrong_answer_fixtures():
    for name in LESSONS:
        learner = read_notebook(learner_path(name))
        exercises = {c.metadata["lesson"]["exercise"] for c in learner.cells if role(c)}
        assert exercises == set(WRONG_ANSWERS[name])
        for exercise, fixtures in WRONG_ANSWERS[name].items():
            assert len(fixtures) >= 3, f"{name} {exercise}"
            assert len({source for source, _ in fixtures}) == len(fixtures)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRONG_ANSWERS))
def test_wrong_answers_get_the_specific_message_and_a_hint(name, tmp_path):
    notebook = read_notebook(learner_path(name))
    wrong = WRONG_ANSWERS[name]
    for cell in notebook.cells:
        if role(cell) == "solution":
            cell.source = wrong[cell.metadata["lesson"]["exercise"]][0][0]
    outcomes, problem = run_notebook(notebook, tmp_path)
    assert problem is None
    checked = set()
    for outcome in outcomes:
        cell = notebook.cells[outcome.index]
        if role(cell) != "check":
            assert not outcome.failed, f"{cell.id}: {outcome.ename}: {outcome.evalue}"
            continue
        exercise = cell.metadata["lesson"]["exercise"]
        assert outcome.ename == "CheckFailed", f"{exercise}: {outcome.ename}: {outcome.evalue}"
        assert outcome.evalue.startswith(f"{exercise}: ")
        for phrase in wrong[exercise][0][1]:
            assert phrase in outcome.evalue, f"{exercise}: {outcome.evalue!r}"
        checked.add(exercise)
    assert checked == set(wrong)


# --------------------------------------------------------------------------- learner blanking


def test_solution_is_replaced_by_the_stub_at_its_indentation():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n"
    assert blank_source(source) == (
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    )


def test_hidden_tests_are_removed_with_their_markers():
    source = "check(f)\n### BEGIN HIDDEN TESTS\nsecret(f)\n### END HIDDEN TESTS\n"
    assert blank_source(source) == "check(f)"


def test_markdown_solution_becomes_your_answer_here():
    source = "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert blank_source(source, "markdown") == "Why?\nYOUR ANSWER HERE"


@pytest.mark.parametrize(
    "source, problem",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "without '### END SOLUTION'"),
        ("x = 1\n### END SOLUTION\n", "without '### BEGIN SOLUTION'"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ],
)
def test_unpaired_markers_are_an_error_naming_the_cell(source, problem):
    with pytest.raises(MarkerError, match=problem) as error:
        blank_source(source, where="cell 7 (ex1-solution)")
    assert "cell 7 (ex1-solution)" in str(error.value)


def test_learner_version_keeps_ids_and_metadata_and_drops_outputs():
    notebook = nbformat.v4.new_notebook(cells=read_cells(SOURCE))
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="4\n")]
    notebook.cells[1].execution_count = 1
    learner = learner_version(notebook)
    assert [c.id for c in learner.cells] == [c.id for c in notebook.cells]
    assert learner.cells[2].metadata == notebook.cells[2].metadata
    assert learner.cells[1].outputs == [] and learner.cells[1].execution_count is None
    assert notebook.cells[1].outputs, "the instructor notebook itself is not changed"


# --------------------------------------------------------------------------- percent format

SOURCE = """\
# %% [markdown]
# # Title
#
# Text.

# %% check-output
print(2 + 2)

# %% ex1 solution
def f():
    ### BEGIN SOLUTION
    return 1
    ### END SOLUTION

# %% ex1 check minitensor-only
check(f)
"""


def test_percent_source_becomes_cells_with_stable_ids_tags_and_roles():
    cells = read_cells(SOURCE)
    assert [c.cell_type for c in cells] == ["markdown", "code", "code", "code"]
    assert cells[0].source == "# Title\n\nText."
    assert [c.id for c in cells] == ["cell-01", "cell-02", "ex1-solution", "ex1-check"]
    assert cells[1].metadata["tags"] == ["nbval-check-output"]
    assert cells[3].metadata == {
        "tags": ["minitensor-only"],
        "lesson": {"exercise": "ex1", "role": "check"},
    }


@pytest.mark.parametrize(
    "source, problem",
    [
        ("# %% checkoutput\nx = 1\n", "unknown word 'checkoutput'"),
        ("x = 1\n# %%\ny = 2\n", "code before the first"),
        ("# %% ex1 check\ncheck(f)\n", r"needs one solution cell followed by one check"),
        ("# %% ex1 solution\ndef f():\n    return 1\n# %% ex1 check\ncheck(f)\n",
         "has no '### BEGIN SOLUTION'"),
        ("# %% ex1\nx = 1\n", "needs both"),
        ("# %% [markdown]\nnot a comment\n", "must start with '# '"),
    ],
)  # fmt: skip
def test_percent_source_mistakes_are_reported_with_the_line(source, problem):
    with pytest.raises(SourceError, match=problem):
        read_cells(source, "lesson.py")


# --------------------------------------------------------------------------- check helpers


def test_a_blank_stub_means_not_done():
    def stub():
        raise NotImplementedError()

    with pytest.raises(NotDone, match="ex9: not done yet, replace the line under # YOUR CODE"):
        attempt("ex9", stub)


def test_a_not_implemented_error_with_a_message_is_reported_not_taken_for_a_stub():
    def uses_something_unsupported():
        raise NotImplementedError("create_graph=True is not supported")

    with pytest.raises(CheckFailed) as error:
        attempt("ex9", uses_something_unsupported)
    assert not isinstance(error.value, NotDone)
    assert "raised NotImplementedError: create_graph=True" in str(error.value)


def test_an_exception_from_the_learners_code_becomes_a_message_with_the_matching_hint():
    def update():
        w = mt.tensor(1.0, requires_grad=True)
        w -= 1.0

    with pytest.raises(CheckFailed) as error:
        attempt("ex8", update, errors={"leaf Variable": "use no_grad", "other": "no"})
    text = str(error.value)
    assert text.startswith("ex8: update() raised RuntimeError: a leaf Variable")
    assert text.endswith("Hint: use no_grad")


def test_hints_are_revealed_one_more_per_failure():
    messages = []
    for _ in range(3):
        with pytest.raises(CheckFailed) as error:
            fail("ex-tiers", "wrong", "small hint", "bigger hint")
        messages.append(str(error.value))
    assert messages[0] == "ex-tiers: wrong\nHint: small hint"
    assert messages[1] == "ex-tiers: wrong\nHint: small hint\nBigger hint: bigger hint"
    assert messages[2] == messages[1]


def test_check_failures_render_as_their_message_only():
    error = CheckFailed("ex1", "w.grad is 4.0; expected 8.0", ["gradients accumulate"])
    assert error._render_traceback_() == [
        "ex1: w.grad is 4.0; expected 8.0",
        "Hint: gradients accumulate",
    ]


def test_recorded_ops_counts_graph_nodes_and_sees_none_under_no_grad():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    with recorded_ops() as recorded:
        (w * 2).sum()
    assert recorded.count == 2
    with recorded_ops() as recorded, mt.no_grad():
        (w * 2).sum()
    assert recorded.count == 0
