"""Grading benchmarks (issue: grading you can trust): a class graded in parallel, and what
the sandbox costs.

- 30 students x 2 lessons (60 notebooks: a third solved, a third blank, a third wrong)
  graded by `python -m course.grade` at --jobs 1 and --jobs 2, as a teacher runs it: the
  verdicts alone, and with --feedback (each notebook also run whole, in a second sandbox).
  Goal: at least 1.8x faster with 2 jobs on 2 cores.
- The sandbox's overhead per notebook: one submission's verdict run in bubblewrap against
  the same run without it (--no-sandbox), best of several. Goal: under 0.5 s.

Needs bubblewrap (Debian: apt-get install bubblewrap); without it the suite says so and
times only the unsandboxed run.
"""

import contextlib
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course import grade
from course.build import instructor_path, learner_path
from course.execute import read_notebook
from course.learner import answered_version
from course.sandbox import Limits, Sandbox, SandboxUnavailable, check_available

from .harness import Table, best_time

LESSONS = ("01_tensors", "02_graph_and_backward")


def _notebook(lesson, kind):
    """The learner notebook, solved ('solved'), as handed out ('blank') or wrong ('wrong')."""
    notebook = read_notebook(learner_path(lesson))
    if kind == "blank":
        return notebook
    notebook = answered_version(notebook, read_notebook(instructor_path(lesson)))
    if kind == "wrong":  # a returned value off by a little: the check must look
        for cell in notebook.cells:
            if cell.metadata.get("lesson", {}).get("role") == "solution":
                cell.source = cell.source.replace("return ", "return 0.5 * ", 1)
    return notebook


def make_class(folder, students):
    kinds = ("solved", "blank", "wrong")
    for index in range(students):
        for lesson in LESSONS:
            path = Path(folder) / f"student{index:02d}" / f"{lesson}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(_notebook(lesson, kinds[index % 3]), str(path))


def _grade(folder, jobs, *extra):
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        code = grade.main([str(folder), "--out", f"{out}/book.csv", "--jobs", str(jobs), *extra])
        seconds = time.perf_counter() - start
    assert code == 0
    return seconds


def _verdict_seconds(sandbox, submission):
    grader = grade.Grader(sandbox)
    return best_time(lambda: grader.grade(submission), repeats=5)


def run(quick=False):
    students = 6 if quick else 30
    table = Table("Grading: a class in parallel, and the sandbox's cost")
    try:
        check_available()
        sandboxed, extra = True, []
    except SandboxUnavailable as error:
        print(f"(no sandbox here: {str(error).splitlines()[0]}; timing --no-sandbox)")
        sandboxed, extra = False, ["--no-sandbox"]
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "class"
        make_class(folder, students)
        notebooks = students * len(LESSONS)
        for mode, flags in (("verdicts", []), ("verdicts + feedback run", ["--feedback"])):
            if flags:
                flags = [*flags, str(Path(root) / "feedback")]
            results = {f"--jobs {j}": _grade(folder, j, *extra, *flags) for j in (1, 2)}
            table.add(
                f"{students} students x {len(LESSONS)} lessons ({notebooks} notebooks), {mode}",
                results, "s", "--jobs 1", goal="<= 0.56x (1.8x faster)", goal_for="--jobs 2",
            )  # fmt: skip
        if sandboxed:
            from course.submissions import find

            (submission, *_), _ = find(folder, list(LESSONS))
            inside = _verdict_seconds(Sandbox(Limits()), submission)
            outside = _verdict_seconds(Sandbox(Limits(), enabled=False), submission)
            table.add(
                "one notebook's verdicts (import checks, 3 exercises)",
                {"no sandbox": outside, "bubblewrap": inside}, "s", "no sandbox",
            )  # fmt: skip
            table.add(
                "sandbox overhead per notebook", {"bubblewrap": inside - outside}, "s",
                "bubblewrap", goal="< 0.5 s", goal_for="bubblewrap",
            )  # fmt: skip
        shutil.rmtree(folder)
    return table


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv).markdown())
