"""The grading command on a folder of submissions (tests/fixtures/submissions/).

The fixtures are lesson 1 as five students handed it in (see regenerate.py there): solved,
partly wrong, tampered with, corrupt, and solved with an endless loop in an extra cell.
"""

import csv
from pathlib import Path

import pytest

from lessons.execute import read_notebook
from lessons.grade import (
    exercise_cell,
    lesson_from_name,
    main,
    official_checks,
    student_of,
    with_official_checks,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "submissions"
NOT_DONE = "not done yet, replace the line under # YOUR CODE HERE"

# (student, exercise, passed, a phrase the message must contain)
EXPECTED = [
    ("alice", "ex1", True, "passed"),
    ("alice", "ex2", True, "passed"),
    ("alice", "ex3", True, "passed"),
    ("bob", "ex1", False, "you predicted (3, 1); mt.ones(3, 1) + mt.ones(4) has shape (3, 4)"),
    ("bob", "ex2", False, "the result is cut off from the graph"),  # only the hidden test
    ("bob", "ex3", False, f"ex3: {NOT_DONE}"),
    ("carol", "ex1", False, f"ex1: {NOT_DONE}"),  # check cell edited to print "passed"
    ("carol", "ex2", False, f"ex2: {NOT_DONE}"),  # check cell deleted
    ("carol", "ex3", False, f"ex3: {NOT_DONE}"),  # check cell's metadata and id changed
    ("dave", "ex1", False, "could not read the notebook: it is not valid notebook JSON"),
    ("dave", "ex2", False, "could not read the notebook"),
    ("dave", "ex3", False, "could not read the notebook"),
    ("erin", "ex1", True, "passed"),  # after an endless loop that was interrupted
    ("erin", "ex2", True, "passed"),
    ("erin", "ex3", True, "passed"),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Run the command once: (gradebook rows, summary text, feedback folder)."""
    out = tmp_path_factory.mktemp("grading")
    code = main(
        [str(FIXTURES), "--out", str(out / "gradebook.csv"), "--timeout", "4",
         "--feedback", str(out / "feedback")]
    )  # fmt: skip
    assert code == 0
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return rows, (out / "gradebook.md").read_text(encoding="utf-8"), out / "feedback"


@pytest.mark.slow
def test_gradebook_has_one_row_per_student_and_exercise_with_the_reason(graded):
    rows, _, _ = graded
    assert list(rows[0]) == ["student", "lesson", "exercise", "passed", "message"]
    assert {row["lesson"] for row in rows} == {"01_tensors"}
    got = [(row["student"], row["exercise"], row["passed"] == "True") for row in rows]
    assert got == [(student, exercise, passed) for student, exercise, passed, _ in EXPECTED]
    for row, (_, _, _, phrase) in zip(rows, EXPECTED):
        assert phrase in row["message"], (row, phrase)


@pytest.mark.slow
def test_wrong_answers_carry_the_hint_into_the_gradebook(graded):
    rows, _, _ = graded
    bob_ex1 = next(r for r in rows if (r["student"], r["exercise"]) == ("bob", "ex1"))
    assert "Hint: line the shapes up from the right" in bob_ex1["message"]
    assert "\n" not in bob_ex1["message"], "one line per row"


@pytest.mark.slow
def test_summary_scores_each_student_and_each_exercise(graded):
    _, summary, _ = graded
    assert "| alice | 01_tensors | 3/3 |  |" in summary
    assert "| bob | 01_tensors | 0/3 | ex1 (ex1: you predicted (3, 1)" in summary
    assert "| 01_tensors | ex1 | 2/5 |" in summary


@pytest.mark.slow
def test_feedback_notebooks_hold_the_official_checks_with_their_outputs(graded):
    _, _, feedback = graded
    carol = read_notebook(feedback / "carol" / "01_tensors.ipynb")
    checks = [c for c in carol.cells if c.metadata.get("graded")]
    assert [exercise_cell(c)[0] for c in checks] == ["ex1", "ex2", "ex3"]
    assert all(c.outputs and c.outputs[0].output_type == "error" for c in checks)
    assert not (feedback / "dave").exists(), "an unreadable file has nothing to show"


def test_tampered_checks_are_replaced_and_deleted_ones_put_back_after_their_solution():
    carol = read_notebook(FIXTURES / "carol" / "01_tensors.ipynb")
    official = official_checks("01_tensors")
    graded = with_official_checks(carol, official)
    roles = [exercise_cell(c) for c in graded.cells]
    for exercise, check in official.items():
        index = roles.index((exercise, "check"))
        assert graded.cells[index].source == check.source
        assert roles.count((exercise, "check")) == 1
        assert roles[index - 1] == (exercise, "solution") or exercise == "ex1"
    assert "HIDDEN TESTS" in graded.cells[roles.index(("ex2", "check"))].source
    assert not any('print("✔ ex1 passed")' == c.source for c in graded.cells)
    # ex2's deleted check came back; ex3's came back too, next to carol's renamed cell
    assert len(graded.cells) == len(carol.cells) + 2
    assert any(c.source == "pass  # the check was here" for c in graded.cells)


def test_a_duplicated_check_cell_runs_once():
    alice = read_notebook(FIXTURES / "alice" / "01_tensors.ipynb")
    index = next(i for i, c in enumerate(alice.cells) if exercise_cell(c) == ("ex1", "check"))
    alice.cells.insert(index, alice.cells[index].copy())
    graded = with_official_checks(alice, official_checks("01_tensors"))
    assert [exercise_cell(c) for c in graded.cells].count(("ex1", "check")) == 1


@pytest.mark.parametrize(
    "filename, lesson",
    [
        ("01_tensors.ipynb", "01_tensors"),
        ("erin_01_tensors.ipynb", "01_tensors"),
        ("erin-lesson-02.ipynb", "02_graph_and_backward"),
        ("homework.ipynb", None),
    ],
)
def test_the_lesson_is_read_from_the_file_name(filename, lesson):
    names = ["01_tensors", "02_graph_and_backward", "03_gradients_in_practice"]
    assert lesson_from_name(filename, names) == lesson


def test_the_student_is_the_folder_or_the_file_name_without_the_lesson(tmp_path):
    assert student_of(tmp_path / "alice" / "x" / "01_tensors.ipynb", tmp_path, "01_tensors") == (
        "alice"
    )
    assert student_of(tmp_path / "erin_01_tensors.ipynb", tmp_path, "01_tensors") == "erin"
    assert student_of(tmp_path / "homework.ipynb", tmp_path, None) == "homework"


def test_a_notebook_of_no_known_lesson_gets_a_row_saying_so(tmp_path, capsys):
    (tmp_path / "homework.ipynb").write_text('{"cells": []', encoding="utf-8")
    assert main([str(tmp_path), "--out", str(tmp_path / "book.csv")]) == 0
    with open(tmp_path / "book.csv", newline="", encoding="utf-8") as file:
        (row,) = list(csv.DictReader(file))
    assert (row["student"], row["lesson"], row["passed"]) == ("homework", "?", "False")
    assert "could not read the notebook" in row["message"]
