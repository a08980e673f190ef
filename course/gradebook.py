"""The gradebook: rows written as soon as a submission is graded, read back by --resume.

One row per (submission, exercise). The CSV is appended to, one submission's rows at a
time, flushed and synced to disk, so killing the grader loses no finished row; at the end
it is rewritten sorted (atomically), so `--jobs 2` gives the same file as `--jobs 1`.

Every cell is escaped on the way out. File and exception names come from students: a CSV
cell starting with = + - @ (or a tab or carriage return) would be a formula to a spreadsheet
program, so it gets a leading apostrophe; Markdown cells have their pipes escaped and their
line breaks and HTML brackets neutralised.
"""

import csv
import os
from dataclasses import astuple, dataclass, fields
from pathlib import Path

# A row whose message starts with this was not graded because of the grader, not the
# student (the sandbox was killed from outside): --resume grades that submission again.
NOT_GRADED = "not graded:"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    student: str
    lesson: str
    exercise: str
    passed: bool
    message: str
    flags: str = ""  # "needs review: ..." when the answer reaches for the grading machinery
    notes: str = ""  # statements of the answer cells that were not run, and why
    file: str = ""  # the submission, relative to the submissions folder


FIELDS = [f.name for f in fields(Row)]


def csv_cell(value):
    """One line, and never a spreadsheet formula."""
    text = " ".join(str(value).splitlines())
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def markdown_cell(value):
    text = " ".join(str(value).splitlines())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _csv_row(row):
    return [csv_cell(value) for value in astuple(row)]


class Writer:
    """Appends each submission's rows to the CSV as soon as they are known."""

    def __init__(self, path, fresh):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fresh or not self.path.exists():
            self._write_all([])

    def _write_all(self, rows):
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(FIELDS)
            writer.writerows(_csv_row(row) for row in rows)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)

    def append(self, rows):
        with open(self.path, "a", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows(_csv_row(row) for row in rows)
            file.flush()
            os.fsync(file.fileno())

    def finish(self, rows):
        """Rewrite the whole gradebook, sorted, in one step."""
        self._write_all(sorted(rows, key=sort_key))


def sort_key(row):
    return (row.student, row.lesson, row.file, row.exercise)


def read(path, exercises_of):
    """The finished rows of an earlier run: a submission's rows count only when complete.

    `exercises_of(lesson)` gives a lesson's exercise ids (None for an unknown lesson).
    """
    with open(path, newline="", encoding="utf-8") as file:
        records = list(csv.DictReader(file))
    groups = {}
    for record in records:
        if set(FIELDS) - set(record):
            continue  # an older gradebook layout: grade again
        row = Row(**{name: record[name] for name in FIELDS})
        row.passed = record["passed"] == "True"
        groups.setdefault(row.file, []).append(row)
    done = []
    for group in groups.values():
        if any(row.message.startswith(NOT_GRADED) for row in group):
            continue
        expected = exercises_of(group[0].lesson)
        if expected is not None and sorted(r.exercise for r in group) != sorted(expected):
            continue
        done += group
    return done


def summary(rows, superseded=(), header=()):
    """A readable Markdown summary: scores, exercises, what needs review, what was left out."""
    lines = ["# Gradebook summary", "", *header]
    lines += ["", "| student | lesson | passed | not passed |", "|---|---|---|---|"]
    groups = {}
    for row in sorted(rows, key=sort_key):
        groups.setdefault((row.student, row.lesson), []).append(row)
    for (student, lesson), group in groups.items():
        score = sum(row.passed for row in group)
        missing = ", ".join(
            f"{row.exercise} ({row.message[:60]})" for row in group if not row.passed
        )
        cells = [student, lesson, f"{score}/{len(group)}", missing]
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    lines += ["", "| lesson | exercise | passed |", "|---|---|---|"]
    exercises = {}
    for row in rows:
        exercises.setdefault((row.lesson, row.exercise), []).append(row.passed)
    for (lesson, exercise), results in sorted(exercises.items()):
        cells = [lesson, exercise, f"{sum(results)}/{len(results)}"]
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    flagged = [row for row in sorted(rows, key=sort_key) if row.flags]
    if flagged:
        lines += ["", "## Needs review", "", "| student | lesson | exercise | passed | why |"]
        lines.append("|---|---|---|---|---|")
        for row in flagged:
            cells = [row.student, row.lesson, row.exercise, row.passed, row.flags]
            lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    if superseded:
        lines += ["", "## Not graded: older copies of a graded lesson", ""]
        lines += [f"- {markdown_cell(s)}" for s in sorted(superseded)]
    return "\n".join(lines) + "\n"
