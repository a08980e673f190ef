"""Every exercise check, called the way the grader calls it, on right and wrong answers.

- Every solution passes its checks (hidden tests included), with minitensor and with
  torch: a learner who follows along with `import torch as mt` is graded the same way.
- Every wrong-answer fixture of tests/test_lessons.py fails its check, under both
  libraries, with the message and hint the fixture names; failing it again shows a second,
  bigger hint.

The checks are called in this process, on the definitions of the answer, with the
lesson's prelude (its imports) as the grader does (course/verdict.py), which is fast
enough to try every fixture. tests/test_lessons.py runs the first fixture of each exercise
in the learner notebook, tests/test_grading.py through the sandboxed grader.
"""

import ast
import importlib
import warnings

import pytest
from test_lessons import WRONG_ANSWERS

import course.checks
from course.build import instructor_path, lesson_names
from course.checks import CheckFailed
from course.execute import read_notebook
from course.official import Lesson, exercise_cell

LIBRARIES = ["minitensor", "torch"]
# Phrases of minitensor's own error messages, which torch words differently.
MINITENSOR_WORDING = {"Expected all tensors to be on the same device"}
# Wrong answers that only a second device exposes: minitensor has its stand-in GPU on
# every machine, torch needs a real one.
NEEDS_A_DEVICE = {("07_gpu_with_cupy", "ex1", 0), ("07_gpu_with_cupy", "ex1", 1),
                  ("07_gpu_with_cupy", "ex2", 2)}  # fmt: skip


def _lesson(name, cache={}):  # noqa: B006 (a cache shared by the tests of this module)
    if name not in cache:
        cache[name] = Lesson(name)
    return cache[name]


def namespace(name, library):
    """The lesson's prelude run with `library` as `mt` (lines that cannot run are skipped:
    minitensor internals under torch, notebook variables)."""
    if library == "torch":
        pytest.importorskip("torch")
    space = {}
    for line in _lesson(name).prelude.splitlines():
        if library == "torch":
            line = line.replace("import minitensor as mt", "import torch as mt")
            if "minitensor" in line:
                continue
        try:
            exec(line, space)
        except Exception:  # a prelude alias of a notebook variable, e.g. `t = a`
            continue
    return space


def define(source, space):
    """Run the definitions of an answer, as the grader does."""
    exec(compile(ast.parse(source), "<answer>", "exec"), space)


def call_checks(name, exercise, space):
    """Call the exercise's check calls, hidden tests included; the first failure raises."""
    calls = next(e["calls"] for e in _lesson(name).exercises if e["id"] == exercise)
    for call in calls:
        check = getattr(importlib.import_module(call["module"]), call["function"])
        args = [space[v] if kind == "name" else v for kind, v in call["args"]]
        kwargs = {k: space[v] if kind == "name" else v for k, (kind, v) in call["kwargs"].items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(*args, **kwargs)


def solutions(name):
    notebook = read_notebook(instructor_path(name))
    found = {}
    for cell in notebook.cells:
        exercise, role = exercise_cell(cell)
        if role == "solution":
            found[exercise] = cell.source
    return found


SOLVED = [(name, ex) for name in lesson_names() for ex in solutions(name)]
WRONG = [
    (name, exercise, index)
    for name in sorted(WRONG_ANSWERS)
    for exercise, fixtures in WRONG_ANSWERS[name].items()
    for index in range(len(fixtures))
]


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("name, exercise", SOLVED)
def test_the_solution_passes_its_checks(name, exercise, library, capsys):
    space = namespace(name, library)
    define(solutions(name)[exercise], space)
    call_checks(name, exercise, space)
    assert f"✔ {exercise} passed" in capsys.readouterr().out


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("name, exercise, index", WRONG)
def test_a_wrong_answer_fails_with_its_message_and_two_hint_tiers(name, exercise, index, library):
    source, phrases = WRONG_ANSWERS[name][exercise][index]
    if library == "torch" and (name, exercise, index) in NEEDS_A_DEVICE:
        torch = pytest.importorskip("torch")
        if not torch.cuda.is_available():
            pytest.skip("only a second device shows this mistake; torch has no GPU here")
    messages = []
    for _ in range(2):
        course.checks._failures.clear() if not messages else None
        space = namespace(name, library)
        define(source, space)
        with pytest.raises(CheckFailed) as failure:
            call_checks(name, exercise, space)
        messages.append(str(failure.value))
    first, second = messages
    assert first.startswith(f"{exercise}: ")
    for phrase in phrases:
        if library == "torch" and phrase in MINITENSOR_WORDING:
            continue
        assert phrase in first, first
    assert "Hint: " in first, first
    assert "Bigger hint: " in second, f"the second failure shows no bigger hint:\n{second}"
