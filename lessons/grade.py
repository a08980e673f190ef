"""Grade a folder of submitted lesson notebooks: `python -m lessons.grade SUBMISSIONS`.

    python -m lessons.grade submissions/ --out gradebook.csv
    make grade SUBMISSIONS=submissions/

Where the submissions are: every `.ipynb` under the folder. The student is the name of the
first sub-folder (`submissions/alice/02_graph_and_backward.ipynb`), or, for a file directly
in the folder, its name without the lesson (`alice_02_graph_and_backward.ipynb` -> alice).
The lesson comes from the notebook's metadata, else from the file name.

What happens to each submission:

1. The official check cells, hidden tests included, are taken from the instructor notebook
   (lessons/solutions/NN_topic.ipynb). In the submission, every check cell (found by its
   metadata, else by its id) is replaced by the official one; a check cell that was deleted
   or whose metadata was changed is inserted again after the exercise's solution cell. So
   editing or deleting a check cell gains nothing.
2. The notebook runs in a fresh kernel, each cell with a time limit (--timeout): an endless
   loop or a widget waiting for a click is interrupted and the run goes on.
3. Each official check cell gives one gradebook row: passed, or the check's message (what
   was wrong), or why it did not run (a timeout, a crash, a missing function).

A notebook that cannot be read, or a kernel that dies, gives rows with the reason; one bad
file never stops the run. Results: a CSV (student, lesson, exercise, passed, message), a
readable summary printed and saved next to it (.md), and, with --feedback DIR, every
executed notebook for the students to read.

Submissions run as ordinary Python code with the grader's permissions: grade untrusted
work inside a container or a throwaway account.
"""

import argparse
import copy
import csv
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .build import instructor_path, lesson_names
from .execute import read_notebook, run_notebook

FIELDS = ("student", "lesson", "exercise", "passed", "message")


@dataclass
class Row:
    student: str
    lesson: str
    exercise: str
    passed: bool
    message: str


# ----------------------------------------------------------------------- finding things


def find_submissions(folder):
    """Every notebook under `folder`, sorted, skipping Jupyter's checkpoint copies."""
    return sorted(
        path for path in Path(folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts
    )


def lesson_from_name(filename, names):
    """The lesson whose name (or number) appears in a file name, else None."""
    for name in sorted(names, key=len, reverse=True):
        if name in filename:
            return name
    match = re.search(r"(?<!\d)(\d\d)(?!\d)", filename)
    if match:
        numbered = [name for name in names if name.startswith(match.group(1) + "_")]
        if len(numbered) == 1:
            return numbered[0]
    return None


def student_of(path, folder, lesson):
    """The student's name: the first sub-folder, else the file name without the lesson."""
    relative = Path(path).relative_to(folder)
    if len(relative.parts) > 1:
        return relative.parts[0]
    stem = relative.stem
    if lesson:
        stem = stem.replace(lesson, "")
    return stem.strip(" _-.") or relative.stem


def exercise_cell(cell):
    """(exercise, role) of a lesson's exercise cell, from its metadata, else its id."""
    meta = cell.get("metadata", {}).get("lesson", {})
    if isinstance(meta, dict) and meta.get("exercise") and meta.get("role"):
        return meta["exercise"], meta["role"]
    match = re.fullmatch(r"(ex\d+)-(solution|check)", str(cell.get("id", "")))
    return (match.group(1), match.group(2)) if match else (None, None)


def official_checks(lesson):
    """{exercise: check cell} from the instructor notebook, in the lesson's order."""
    checks = {}
    for cell in read_notebook(instructor_path(lesson)).cells:
        exercise, role = exercise_cell(cell)
        if role == "check":
            checks[exercise] = cell
    return checks


# ----------------------------------------------------------------------- the graded notebook


def _fresh_check(official):
    cell = copy.deepcopy(official)
    cell.outputs = []
    cell.execution_count = None
    cell.metadata["graded"] = True  # ours, not the student's: the rows are read from these
    return cell


def with_official_checks(submission, checks):
    """A copy of the submission whose check cells are the official ones, each exactly once."""
    notebook = copy.deepcopy(submission)
    cells, placed = [], set()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        exercise, role = exercise_cell(cell)
        if role == "check" and exercise in checks:
            if exercise not in placed:  # a duplicated check cell runs once
                cells.append(_fresh_check(checks[exercise]))
                placed.add(exercise)
            continue
        cells.append(cell)
    for exercise, official in checks.items():
        if exercise in placed:
            continue
        # deleted (or its metadata changed): back after the exercise's solution cell
        position = len(cells)
        for index, cell in enumerate(cells):
            if exercise_cell(cell) == (exercise, "solution"):
                position = index + 1
        cells.insert(position, _fresh_check(official))
    notebook.cells = cells
    return notebook


# ----------------------------------------------------------------------- running and reading


def _message(outcome, problem):
    if outcome.status == "timeout":
        return f"timed out: {outcome.evalue} (an endless loop, or waiting for input?)"
    if outcome.status == "not run":
        return f"not run: {problem or 'the notebook stopped before this cell'}"
    if outcome.ename == "DeadKernelError":
        return f"not run: {outcome.evalue}"
    if outcome.ename in ("CheckFailed", "NotDone"):
        return outcome.evalue
    if outcome.ename == "NameError":
        return (
            f"{outcome.evalue}: the check needs it (was the exercise cell deleted or renamed, "
            "or did it fail to run?)"
        )
    return f"{outcome.ename}: {outcome.evalue}"


def _why(error):
    """A one-line reason for an unreadable notebook (nbformat's messages quote the file)."""
    if type(error).__name__ == "NotJSONError":
        return "it is not valid notebook JSON (cut off, or not a notebook at all?)"
    first_line = (str(error).splitlines() or [""])[0]
    return f"{type(error).__name__}: {first_line[:160]}"


def grade_notebook(submission, lesson, student, workdir, timeout):
    """Run one readable submission; return (rows, executed notebook)."""
    checks = official_checks(lesson)
    notebook = with_official_checks(submission, checks)
    outcomes, problem = run_notebook(notebook, workdir, cell_timeout=timeout)
    by_index = {outcome.index: outcome for outcome in outcomes}
    rows = []
    for index, cell in enumerate(notebook.cells):
        if not cell.metadata.get("graded"):
            continue
        exercise, _ = exercise_cell(cell)
        outcome = by_index[index]
        passed = outcome.status == "ok"
        message = "passed" if passed else " ".join(_message(outcome, problem).split("\n"))
        rows.append(Row(student, lesson, exercise, passed, message))
    return rows, notebook


def failed_rows(student, lesson, reason):
    """Rows for a submission that could not be graded: one per exercise if the lesson is known."""
    if lesson is None:
        return [Row(student, "?", "-", False, reason)]
    return [Row(student, lesson, ex, False, reason) for ex in official_checks(lesson)]


def grade_file(path, folder, timeout=60, feedback=None):
    """The gradebook rows for one submitted file. Never raises."""
    names = lesson_names()
    lesson = lesson_from_name(Path(path).name, names)
    student = student_of(path, folder, lesson)
    try:
        submission = read_notebook(path)
        if not isinstance(submission.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as error:
        return failed_rows(student, lesson, f"could not read the notebook: {_why(error)}")
    named = submission.metadata.get("lesson", {})
    if isinstance(named, dict) and named.get("name") in names:
        lesson = named["name"]
        student = student_of(path, folder, lesson)
    if lesson is None:
        return failed_rows(
            student,
            None,
            f"{Path(path).name}: which lesson is this? Name it after one of {', '.join(names)}",
        )
    try:
        rows, executed = grade_notebook(submission, lesson, student, Path(path).parent, timeout)
    except Exception as error:  # a notebook structure the runner cannot cope with
        return failed_rows(student, lesson, f"could not run: {type(error).__name__}: {error}")
    if feedback is not None:
        target = Path(feedback) / student / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, str(target))
    return rows


# ----------------------------------------------------------------------- reporting


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(FIELDS)
        for row in rows:
            writer.writerow([row.student, row.lesson, row.exercise, row.passed, row.message])


def summary(rows):
    """A readable Markdown summary: a line per student and lesson, then per exercise."""
    lines = [
        "# Gradebook summary",
        "",
        "| student | lesson | passed | not passed |",
        "|---|---|---|---|",
    ]
    groups = {}
    for row in rows:
        groups.setdefault((row.student, row.lesson), []).append(row)
    for (student, lesson), group in sorted(groups.items()):
        score = sum(row.passed for row in group)
        missing = ", ".join(
            f"{row.exercise} ({row.message.splitlines()[0][:60]})"
            for row in group
            if not row.passed
        )
        lines.append(f"| {student} | {lesson} | {score}/{len(group)} | {missing} |")
    lines += ["", "| lesson | exercise | passed |", "|---|---|---|"]
    exercises = {}
    for row in rows:
        exercises.setdefault((row.lesson, row.exercise), []).append(row.passed)
    for (lesson, exercise), results in sorted(exercises.items()):
        lines.append(f"| {lesson} | {exercise} | {sum(results)}/{len(results)} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lessons.grade", description="Grade a folder of lesson notebooks."
    )
    parser.add_argument("submissions", help="folder of submitted .ipynb files")
    parser.add_argument("--out", default="gradebook.csv", help="the CSV to write")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell (60)")
    parser.add_argument("--feedback", help="also save every executed notebook in this folder")
    args = parser.parse_args(argv)
    folder = Path(args.submissions)
    if not folder.is_dir():
        parser.error(f"{folder} is not a folder")
    paths = find_submissions(folder)
    if not paths:
        parser.error(f"no .ipynb files under {folder}")
    rows = []
    for path in paths:
        start = time.perf_counter()
        file_rows = grade_file(path, folder, timeout=args.timeout, feedback=args.feedback)
        score = sum(row.passed for row in file_rows)
        print(
            f"{path.relative_to(folder)}: {score}/{len(file_rows)} passed "
            f"({time.perf_counter() - start:.1f} s)"
        )
        rows.extend(file_rows)
    write_csv(rows, args.out)
    text = summary(rows)
    Path(args.out).with_suffix(".md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"wrote {args.out} and {Path(args.out).with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
