"""The lessons as an nbgrader course (course/nbgrader_export.py), run through nbgrader itself.

The export is checked as data (every exercise's solution and check cell carries nbgrader's
metadata), then for real on lesson 1: `nbgrader generate_assignment` makes the student
version, two students submit it, and `nbgrader autograde` grades them. Their answers are
those of the grading fixtures (tests/fixtures/submissions/): alice solved everything; bob
got ex1 wrong, ex2 right except on the hidden test (which nbgrader must put back), and did
not do ex3. Skipped, with the reason, where nbgrader is not installed.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.build import lesson_names
from course.learner import BEGIN_HIDDEN, BEGIN_SOLUTION
from course.nbgrader_export import POINTS_PER_EXERCISE, export, source_notebook
from course.official import exercise_cell

pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -e '.[teach]')")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
LESSON = "01_tensors"
EXERCISES = ("ex1", "ex2", "ex3")


def nbgrader(course, *args):
    """Run an nbgrader command in `course`, with this Python's tools (alembic) on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    finished = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return finished.stdout + finished.stderr


def answers_of(fixture):
    """{exercise: the student's answer cell source} of a grading fixture."""
    notebook = nbformat.read(fixture, as_version=4)
    found = {}
    for cell in notebook.cells:
        exercise, role = exercise_cell(cell)
        if role == "solution":
            found[exercise] = cell.source
    return found


def submit(course, student, answers):
    """The released notebook with `answers` typed in, where nbgrader collects it."""
    released = nbformat.read(course / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    for cell in released.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        exercise = grade_id.removesuffix("-solution")
        if grade_id.endswith("-solution") and exercise in answers:
            cell.source = answers[exercise]
    folder = course / "submitted" / student / LESSON
    folder.mkdir(parents=True)
    nbformat.write(released, folder / f"{LESSON}.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(course folder, gradebook): lesson 1 exported, released, submitted twice, autograded."""
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("nbgrader-course")
    export(course, [LESSON])
    nbgrader(course, "generate_assignment", LESSON)
    submit(course, "alice", answers_of(FIXTURES / "alice" / f"{LESSON}.ipynb"))
    submit(course, "bob", answers_of(FIXTURES / "bob" / f"{LESSON}.ipynb"))
    nbgrader(course, "autograde", LESSON, "--create")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        yield course, gradebook


# ----------------------------------------------------------------------------- the export


@pytest.mark.parametrize("name", lesson_names())
def test_every_exercise_has_an_answer_cell_and_a_graded_check_cell(name):
    notebook = source_notebook(name)
    roles = {}
    for cell in notebook.cells:
        meta = cell.metadata["nbgrader"]
        exercise, role = exercise_cell(cell)
        if role == "solution":
            assert meta["solution"] and not meta["grade"] and not meta["locked"]
            assert BEGIN_SOLUTION in cell.source
        elif role == "check":
            assert meta["grade"] and meta["locked"] and meta["points"] == POINTS_PER_EXERCISE
            assert "from course.checks" in cell.source  # the lesson's own checks
        else:
            assert meta["locked"] and not meta["grade"] and not meta["solution"]
        if role:
            assert meta["grade_id"] == f"{exercise}-{role}"
            roles.setdefault(exercise, []).append(role)
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert roles and all(found == ["solution", "check"] for found in roles.values())


def test_the_export_writes_the_config_and_one_source_assignment_per_lesson(tmp_path):
    written = export(tmp_path, ["01_tensors", "02_graph_and_backward"])
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "source/01_tensors/01_tensors.ipynb",
        "source/02_graph_and_backward/02_graph_and_backward.ipynb",
    ]
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert 'c.CourseDirectory.course_id = "minitensor"' in config
    compile(config, "nbgrader_config.py", "exec")


# ----------------------------------------------------------------------------- nbgrader


def test_generate_assignment_blanks_solutions_and_removes_hidden_tests(graded):
    course, _ = graded
    released = (course / "release" / LESSON / f"{LESSON}.ipynb").read_text()
    assert BEGIN_SOLUTION not in released and BEGIN_HIDDEN not in released
    assert "check_ex2_differentiable" not in released  # lesson 1's hidden test
    assert "raise NotImplementedError()" in released
    assert "check_ex1(predicted_shape)" in released  # the visible checks stay


def test_autograde_gives_the_correct_submission_every_point(graded):
    _, gradebook = graded
    notebook = gradebook.find_submission_notebook(LESSON, LESSON, "alice")
    assert notebook.max_score == len(EXERCISES) * POINTS_PER_EXERCISE
    assert notebook.score == notebook.max_score


def test_autograde_fails_each_wrong_exercise_including_a_hidden_test(graded):
    _, gradebook = graded
    scores = {
        exercise: gradebook.find_grade(f"{exercise}-check", LESSON, LESSON, "bob").score
        for exercise in EXERCISES
    }
    # ex1 wrong; ex2 passes the visible check and fails only the hidden one; ex3 not done
    assert scores == {"ex1": 0, "ex2": 0, "ex3": 0}


def test_the_autograded_notebook_shows_the_checks_message(graded):
    course, _ = graded
    autograded = course / "autograded" / "bob" / LESSON / f"{LESSON}.ipynb"
    errors = [
        output
        for cell in nbformat.read(autograded, as_version=4).cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    messages = [f"{e.ename}: {e.evalue}" for e in errors]
    assert any(m.startswith("CheckFailed: ex1: you predicted (3, 1)") for m in messages), messages
    assert any(m.startswith("NotDone: ex3: not done yet") for m in messages), messages
