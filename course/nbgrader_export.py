"""Write the lessons as an nbgrader course: `make nbgrader COURSE=dir`
(or `python -m course.nbgrader_export dir [01 02 ...]`).

    dir/
      nbgrader_config.py          course id, the stub for blanked solutions, a cell timeout
      source/01_tensors/01_tensors.ipynb     one assignment per lesson (nbgrader's "source")
      source/02_graph_and_backward/...
      README.md                   the nbgrader commands, in order

Then, from `dir`, nbgrader's own workflow applies unchanged:

    nbgrader generate_assignment 01_tensors      release/01_tensors/: what students get
    nbgrader collect / autograde 01_tensors      grades the submitted/<student>/01_tensors/
    nbgrader generate_feedback 01_tensors

What changes from lessons/solutions/NN_topic.ipynb is only cell metadata, because the
lessons already use nbgrader's spelling for what students must not see (`### BEGIN
SOLUTION` / `### END SOLUTION`, `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS`, see
course/learner.py). Each cell gets the `nbgrader` metadata that nbgrader reads:

    exercise solution cell   solution: true   grade_id exN-solution   (the student's answer)
    exercise check cell      grade: true, locked, points 1, grade_id exN-check: an
                             autograder test cell: it calls the same course.checks
                             functions as in the lesson, and fails by raising, with the
                             check's message ("ex2: ... Hint: ...") in the feedback
    every other cell         locked (read-only): autograde puts the original back

Outputs are cleared. The checks are imported from the installed package (`course.checks`),
so install minitensor where nbgrader runs the notebooks (`pip install -e .` in this
repository, or the JupyterHub setup in deploy/jupyterhub/). This project's own grader
(course/grade.py, `make grade`) is the alternative with a sandbox: nbgrader runs each
submission with the grader's permissions.

Read next: official.py (how the grader reads the same check cells).
"""

import argparse
import sys
from pathlib import Path

import nbformat

from course.build import instructor_path, lesson_names
from course.execute import read_notebook

from .official import exercise_cell

SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata schema
POINTS_PER_EXERCISE = 1
COURSE_ID = "minitensor"

CONFIG = f'''"""nbgrader's settings for the minitensor lessons (from course/nbgrader_export.py)."""

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.course_id = "{COURSE_ID}"
# What a blanked solution becomes: the same stub as the lessons' own learner notebooks.
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Seconds per cell when autograde runs a submission (a lesson cell takes well under 10).
c.ExecutePreprocessor.timeout = 120
'''

README = """# minitensor lessons as an nbgrader course

Made by `make nbgrader COURSE=<this folder>` from the lesson notebooks. Run every command
from this folder, with minitensor installed where the notebooks run (`pip install -e
<repository>`), so that the check cells can import `course.checks`, and with that
environment's tools on PATH (`source <repository>/.venv/bin/activate`: nbgrader runs
`alembic`).

    nbgrader generate_assignment 01_tensors     # release/01_tensors/: the student version
    # students work on it and submit (nbgrader's exchange, or copy each file to
    # submitted/<student>/01_tensors/01_tensors.ipynb)
    nbgrader autograde 01_tensors               # runs the hidden tests as well
    nbgrader generate_feedback 01_tensors       # feedback/<student>/01_tensors/
    nbgrader export                             # grades.csv

Each exercise is worth {points} point(s): its check cell is an autograder test cell that
passes when the check raises nothing.
"""


def nbgrader_metadata(cell):
    """The `nbgrader` metadata for one lesson cell (see the module docstring)."""
    exercise, role = exercise_cell(cell)
    meta = {"schema_version": SCHEMA_VERSION, "grade": False, "solution": False}
    if role == "solution":
        meta.update(solution=True, locked=False, grade_id=f"{exercise}-solution")
    elif role == "check":
        meta.update(grade=True, locked=True, points=POINTS_PER_EXERCISE,
                    grade_id=f"{exercise}-check")  # fmt: skip
    else:
        meta.update(locked=True, grade_id=f"locked-{cell.id}")
    return meta


def source_notebook(name):
    """Lesson `name`'s instructor notebook as an nbgrader source notebook (a new object)."""
    notebook = read_notebook(instructor_path(name))
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata["nbgrader"] = nbgrader_metadata(cell)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(notebook)
    return notebook


def export(course, names):
    """Write the course folder for lessons `names`; return the notebooks written."""
    course = Path(course)
    written = []
    for name in names:
        folder = course / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.ipynb"
        nbformat.write(source_notebook(name), path)
        written.append(path)
    (course / "nbgrader_config.py").write_text(CONFIG)
    (course / "README.md").write_text(README.format(points=POINTS_PER_EXERCISE))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", type=Path, help="the nbgrader course folder to write")
    parser.add_argument("lessons", nargs="*", help="lesson prefixes, e.g. 01 02 (default: all)")
    args = parser.parse_args(argv)
    names = lesson_names(args.lessons)
    if not names:
        parser.error(f"no lesson matches {args.lessons}")
    for path in export(args.course, names):
        print(path)
    print(f"nbgrader course in {args.course}: cd there and run "
          f"`nbgrader generate_assignment {names[0]}` (see its README.md)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
