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
from lessons.build import instructor_path, learner_path, lesson_names, stale
from lessons.checks import CheckFailed, NotDone, attempt, fail, recorded_ops
from lessons.execute import read_notebook, run_notebook
from lessons.learner import MarkerError, blank_source, learner_version
from lessons.percent import SourceError, read_cells

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
    assert stale(name) == [], "run `make lessons` (python -m lessons.build) and commit"


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


# A typical wrong answer for every exercise, and what its check must say about it.
WRONG_ANSWERS = {
    "01_tensors": {
        "ex1": ("def predicted_shape():\n    return (3, 1)",
                ["you predicted (3, 1)", "Hint: line the shapes up from the right"]),
        "ex2": ("def standardize(x):\n"
                "    return (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True)",
                ["each *row* of your result has mean 0", "Hint: reduce over the rows, dim=0"]),
        "ex3": ("def as_numpy(t):\n    t.requires_grad = False\n    return t.numpy()",
                ["switched off requires_grad", "Hint: t.detach()"]),
    },
    "02_graph_and_backward": {
        "ex1": ("def predicted_grad():\n    return 2.0",
                ["you predicted 2; a.grad is 4", "Hint: db/da = 2 and dc/db = 2"]),
        "ex2": ("def topological_order(root):\n"
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
        "ex3": ("def vjp(f, x, v):\n    x = x.detach().requires_grad_()\n"
                "    f(x).sum().backward()\n    return x.grad",
                ["You returned onesᵀ J", "Hint: call f(x).backward(gradient=v)"]),
    },
    "03_gradients_in_practice": {
        "ex1": ("def mean_loss(w, batches):\n    total = 0.0\n    for x, y in batches:\n"
                "        loss = ((w * x - y) ** 2).mean()\n        loss.backward()\n"
                "        total += loss\n    return total / len(batches)",
                ["keeps every batch's graph alive", "Hint: add loss.item()"]),
        "ex2": ("def accumulate_gradient(w, x, y, micro_batches):\n    w.grad = None\n"
                "    size = len(x) // micro_batches\n"
                "    for start in range(0, len(x), size):\n"
                "        ((w * x[start:start + size] - y[start:start + size]) ** 2)"
                ".mean().backward()",
                ["4 times too big", "Hint: divide each micro-batch loss"]),
        "ex3": ("def validation_loss(w, x, y):\n    return ((w * x - y) ** 2).mean().item()",
                ["recorded 4 graph node(s)", "Hint: compute the loss inside `with mt.no_grad():`"]),
    },
    "04_gradient_descent_by_hand": {
        "ex1": ("def sgd_step(params, lr):\n    for p in params:\n        p = p - lr * p.grad",
                ["the caller's w and b are unchanged", "Hint: `p = p - lr * p.grad`"]),
        "ex2": ("def fit_parabola(x, y, steps, lr):\n    p = mt.zeros(3, requires_grad=True)\n"
                "    for _ in range(steps):\n"
                "        ((p[0] + p[1] * x + p[2] * x**2 - y) ** 2).mean().backward()\n"
                "        with mt.no_grad():\n            p -= lr * p.grad\n    return p",
                ["never cleared", "Hint: set p.grad = None"]),
        "ex3": ("def largest_stable_lr():\n    return 2.0",
                ["along p₁ (λ = 1)", "Hint: the direction with the largest curvature"]),
    },
    "05_optimizers_and_the_training_loop": {
        "ex1": ("def train_epoch(model, optimizer, criterion, loader):\n    losses = []\n"
                "    for inputs, targets in loader:\n        outputs = model(inputs)\n"
                "        loss = criterion(outputs, targets)\n        loss.backward()\n"
                "        optimizer.zero_grad()\n        optimizer.step()\n"
                "        losses.append(loss.item())\n    return losses",
                ["step() found no gradient at all", "Hint: step() uses the .grad"]),
        "ex2": ("def make_optimizer(model):\n"
                "    return optim.SGD(model.parameters(), lr=0.01, momentum=0.9)",
                ["moved model.bias by 0.01", "Hint: options a group names itself override"]),
        "ex3": ("def predict_lrs():\n    return [0.2, 0.02, 0.02, 0.002, 0.002, 0.0002]",
                ["each drop comes one epoch early", "Hint: epochs 0 and 1 both use"]),
    },
    "06_sgd_momentum_adam": {
        "ex1": ("def largest_stable_lr_with_momentum():\n    return 0.2",
                ["2 / λ_max is the limit without momentum", "Hint: with momentum β"]),
        "ex2": ("def uncorrected_ratio(t, beta1=0.9, beta2=0.999):\n"
                "    return (1 - beta1**t) / (1 - beta2**t)",
                ["v appears under a square root", "Hint: the step divides by √v"]),
        "ex3": ("def train_fixed(params, make_optimizer, loss_fn, epochs, steps_per_epoch):\n"
                "    for _ in range(epochs):\n        optimizer = make_optimizer(params)\n"
                "        for _ in range(steps_per_epoch):\n"
                "            optimizer.zero_grad()\n            loss_fn().backward()\n"
                "            optimizer.step()",
                ["made 4 optimizers for 4 epochs", "Hint: call make_optimizer(params) once"]),
    },
    "07_gpu_with_cupy": {
        # Without a GPU the check runs this on minitensor's stand-in GPU (array_api_strict).
        "ex1": ("def fit(model, X, Y, device, steps):\n    model.to(device)\n"
                "    optimizer = optim.SGD(model.parameters(), lr=0.1)\n    losses = []\n"
                "    for _ in range(steps):\n        optimizer.zero_grad()\n"
                "        loss = nn.MSELoss()(model(X), Y)\n        loss.backward()\n"
                "        optimizer.step()\n        losses.append(loss.item())\n"
                "    return losses",
                ["Expected all tensors to be on the same device", "Hint: the model"]),
        "ex2": ("def agree(a, b):\n    return bool((a == b).all())",
                ["differ only by float32 rounding", "Hint: == demands identical bits"]),
    },
    "08_build_your_own": {
        "ex1": ("class SiLU(mt.autograd.Function):\n    @staticmethod\n"
                "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
                "        return x * mt.sigmoid(x)\n\n    @staticmethod\n"
                "    def backward(ctx, grad_output):\n        (x,) = ctx.saved_tensors\n"
                "        s = mt.sigmoid(x)\n        return s * (1 + x * (1 - s))",
                ["it ignores grad_output", "Hint: backward receives d(loss)/d(out)"]),
        "ex2": ("class Square(mt.autograd.Function):\n    @staticmethod\n"
                "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
                "        return x * x\n\n    @staticmethod\n"
                "    def backward(ctx, grad_output):\n        (x,) = ctx.saved_tensors\n"
                "        return grad_output * x",
                ["backward gave x.grad", "Hint: check the local derivative"]),
        "ex3": ("class Momentum(mt.optim.Optimizer):\n"
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
    },
}  # fmt: skip


def test_every_exercise_of_every_lesson_has_a_wrong_answer_fixture():
    for name in LESSONS:
        learner = read_notebook(learner_path(name))
        exercises = {c.metadata["lesson"]["exercise"] for c in learner.cells if role(c)}
        assert exercises == set(WRONG_ANSWERS[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRONG_ANSWERS))
def test_wrong_answers_get_the_specific_message_and_a_hint(name, tmp_path):
    notebook = read_notebook(learner_path(name))
    wrong = WRONG_ANSWERS[name]
    for cell in notebook.cells:
        if role(cell) == "solution":
            cell.source = wrong[cell.metadata["lesson"]["exercise"]][0]
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
        for phrase in wrong[exercise][1]:
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
