"""Shared pieces of the grading tests: notebooks as students hand them in, and running the
grader on a class folder."""

import csv
import hashlib
import shutil
from pathlib import Path

import nbformat
import pytest

from course import grade
from course.build import instructor_path, learner_path
from course.execute import read_notebook
from course.learner import answered_version
from course.sandbox import SandboxUnavailable, check_available

LESSON = "01_tensors"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOT_DONE = "not done yet, replace the line under # YOUR CODE HERE"


def sandbox_or_skip():
    try:
        check_available()
    except SandboxUnavailable as error:
        pytest.skip(f"no working bubblewrap here: {str(error).splitlines()[0]}")


def blank(lesson=LESSON):
    """The learner notebook as a student receives it."""
    return read_notebook(learner_path(lesson))


def solved(lesson=LESSON):
    """The learner notebook with every answer typed in (the instructor's, markers removed)."""
    return answered_version(blank(lesson), read_notebook(instructor_path(lesson)))


def answer_cell(notebook, exercise):
    return next(c for c in notebook.cells if c.get("id") == f"{exercise}-solution")


def write(notebook, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def honest_class(folder):
    """alice (all solved) and bob (partly wrong, from the committed fixtures)."""
    write(solved(), folder / "alice" / f"{LESSON}.ipynb")
    shutil.copy(FIXTURES / "submissions" / "bob" / f"{LESSON}.ipynb", folder / "bob.ipynb")
    (folder / "bob.ipynb").rename(folder / f"bob_{LESSON}.ipynb")


def run_grader(folder, out, *extra):
    """Run `python -m course.grade` in-process; return (exit code, rows as dicts)."""
    code = grade.main([str(folder), "--out", str(out), *extra])
    rows = []
    if Path(out).exists():
        with open(out, newline="", encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
    return code, rows


def rows_of(rows, student):
    return [row for row in rows if row["student"] == student]


def digest(folder):
    """{relative path: sha256} of every regular file under folder."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts
    }
