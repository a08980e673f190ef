"""Grade a folder of submitted lesson notebooks: `python -m course.grade SUBMISSIONS`.

    python -m course.grade submissions/ --out gradebook.csv [--jobs N] [--feedback DIR]
    make grade SUBMISSIONS=submissions/

A submission is hostile code. For each one (in parallel, `--jobs`, default: the CPUs):

1. The file is checked (a regular notebook file, not a link or a FIFO, under the size cap)
   and read here; only the newest copy per student and lesson is graded.
2. The answer cells (under `# YOUR CODE HERE`) are reduced to their definitions and
   scanned for code that reaches for the grading machinery (course/answers.py).
   Its language is the notebook's `metadata.lesson.language` ("zh" for the notebooks of
   lessons/zh/; missing, or anything but "en" and "zh", is English). It reaches the checks
   as the sandbox's MINITENSOR_LANG, so a Chinese submission's messages and hints are in
   Chinese; the official check cells are the same in both languages.
3. In a sandbox of its own (course/sandbox.py: bubblewrap, no network, nothing of the
   teacher's visible, resource and time limits), a fresh isolated interpreter imports the
   official checks *before* any student code, then, per exercise, in a child process of its
   own, defines the answers and calls that exercise's checks, hidden tests included
   (course/verdict.py). Verdicts come back as JSON lines; only the lesson's exercise ids
   are accepted, one verdict each; anything missing is a fail, never a pass.
4. With `--feedback DIR`, the whole notebook also runs, in a second sandbox, with the
   official visible checks put back (no hidden tests), and is saved for the student with
   the verdicts on top. That run decides nothing.

Rows (student, lesson, exercise, passed, message, flags, notes, file) are appended to the
CSV as each submission finishes; `--resume` keeps the finished ones of an earlier run and
grades the rest. A readable summary (.md) is written next to the CSV.

Without a working bubblewrap the grader refuses, saying why and what to install, unless the
teacher passes `--no-sandbox` (then submissions run with the teacher's permissions, and the
summary says so).
"""

import argparse
import copy
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat

from course.build import lesson_names
from widgets.common.language import Catalogue

from . import answers as answer_cells
from . import gradebook, submissions
from .gradebook import NOT_GRADED, Row
from .locale import CHECKS_CATALOGUE
from .official import Lesson, LessonError, exercise_cell
from .sandbox import Limits, Sandbox, SandboxUnavailable, check_available

HERE = Path(__file__).resolve().parent
VERDICT = HERE / "verdict.py"
FEEDBACK_RUN = HERE / "feedback_run.py"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")
LANGUAGES = ("en", "zh")
# What a student reads in their row and feedback notebook is in their notebook's language;
# what only the teacher acts on ("not graded: ...", "needs review: ...") stays English.
CATALOGUE = Catalogue(CHECKS_CATALOGUE)


class Grader:
    """Grades submissions one at a time (thread-safe: one Grader serves all workers)."""

    def __init__(self, sandbox, cell_timeout=60, notebook_timeout=300, feedback=None):
        self.sandbox = sandbox
        self.cell_timeout = cell_timeout
        self.notebook_timeout = notebook_timeout
        self.feedback = Path(feedback) if feedback else None
        self.names = lesson_names()
        self._lessons, self._lock = {}, threading.Lock()

    def lesson(self, name):
        with self._lock:
            if name not in self._lessons:
                self._lessons[name] = Lesson(name)
            return self._lessons[name]

    def exercises_of(self, name):
        return self.lesson(name).exercise_ids if name in self.names else None

    # ----------------------------------------------------------------- one submission

    def grade(self, submission):
        """The rows for one submission. Never raises."""
        lesson = submission.lesson
        try:
            if submission.problem:
                raise submissions.Refused(submission.problem)
            notebook = submissions.read(submission.path)
            named = notebook.get("metadata", {}).get("lesson", {})
            if isinstance(named, dict) and named.get("name") in self.names:
                lesson = named["name"]
        except submissions.Refused as refused:
            return self._failed(submission, lesson, f"could not read the notebook: {refused}")
        if lesson is None:
            _ = CATALOGUE.in_language(notebook_language(notebook))
            known = ", ".join(self.names)
            name = Path(submission.relative).name
            why = _(
                "{name}: which lesson is this? Name it after one of {known}", name=name, known=known
            )
            return self._failed(submission, None, why)
        try:
            return self._grade_notebook(notebook, self.lesson(lesson), submission)
        except Exception as error:  # a grader bug must not stop the class: say so in the row
            why = f"{NOT_GRADED} the grader failed: {type(error).__name__}: {error}"
            return self._failed(submission, lesson, why)

    def _failed(self, submission, lesson, message):
        rows = []
        for exercise in self.exercises_of(lesson) or ["-"]:
            rows.append(
                Row(submission.student, lesson or "?", exercise, False, message,
                    file=submission.relative)
            )  # fmt: skip
        return rows

    def _grade_notebook(self, notebook, lesson, submission):
        cells = _answer_cells(notebook)
        selected = answer_cells.select([(f"{ex} cell", source) for ex, source in cells])
        markers = [ex for ex, source in cells if any(m in source for m in SOLUTION_MARKERS)]
        job = {
            "exercises": lesson.exercises,
            "prelude": lesson.prelude,
            "answers": selected.code,
            "timeout": self.cell_timeout,
        }
        result = self.sandbox.run(
            [sys.executable, "-I", str(VERDICT)],
            stdin=json.dumps(job).encode("utf-8"),
            wall_seconds=self.notebook_timeout,
            extra=_language_variables(notebook),
        )
        verdicts = _verdicts(result.stdout, lesson.exercise_ids)
        rows = []
        for exercise in lesson.exercise_ids:
            label = f"{exercise} cell"
            flags = [f for f in selected.flags if f.startswith(label + ",")]
            if exercise in markers:
                flags.append(f"{label}: holds the instructor's solution markers (a copy?)")
            notes = [n for n in selected.dropped if n.startswith(label)]
            verdict = verdicts.get(exercise)
            if verdict is None:
                passed, message = False, _no_verdict(result, self.notebook_timeout, notebook)
            else:
                passed, message = verdict["passed"], verdict["message"]
                notes += [f"not defined: {n}" for n in verdict["notes"]]
            rows.append(
                Row(submission.student, lesson.name, exercise, passed, message,
                    "needs review: " + "; ".join(flags) if flags else "",
                    "; ".join(notes), submission.relative)
            )  # fmt: skip
        if self.feedback is not None:
            self._write_feedback(notebook, lesson, submission, rows)
        return rows

    # ----------------------------------------------------------------- feedback

    def _write_feedback(self, notebook, lesson, submission, rows):
        _ = CATALOGUE.in_language(notebook_language(notebook))
        runnable = with_visible_checks(notebook, lesson)
        request = {"notebook": runnable, "timeout": self.cell_timeout}
        result = self.sandbox.run(
            [sys.executable, "-I", str(FEEDBACK_RUN)],
            stdin=json.dumps(request).encode("utf-8"),
            wall_seconds=self.notebook_timeout,
            extra=_language_variables(notebook),
        )
        try:
            answer = json.loads(result.stdout)
            executed = nbformat.from_dict(answer["notebook"])
            nbformat.validate(executed)
            problem = answer["problem"] and _(
                "**The run stopped early:** {problem}", problem=answer["problem"]
            )
        except Exception:  # killed, timed out, or it wrote something else: show the input
            executed, problem = runnable, _run_problem(result, self, _)
        if problem:
            executed.cells.insert(0, nbformat.v4.new_markdown_cell(str(problem)))
        executed.cells.insert(0, nbformat.v4.new_markdown_cell(_verdict_table(rows, _)))
        target = self.feedback / _safe_name(submission.student) / f"{lesson.name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, str(target))


def notebook_language(notebook):
    """ "zh" or "en": the notebook's `metadata.lesson.language`, trusted only when it is one of
    those two exact strings (the submission wrote it: anything else is English)."""
    metadata = notebook.get("metadata")
    lesson = metadata.get("lesson") if isinstance(metadata, dict) else None
    language = lesson.get("language") if isinstance(lesson, dict) else None
    return language if isinstance(language, str) and language in LANGUAGES else "en"


def _language_variables(notebook):
    """The sandbox's MINITENSOR_LANG, which the checks read (widgets/common/language.py)."""
    return {"MINITENSOR_LANG": notebook_language(notebook)}


def _answer_cells(notebook):
    """[(exercise, source)] of the cells marked as an exercise's solution, in order."""
    cells = []
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        exercise, role = exercise_cell(cell)
        if role == "solution":
            cells.append((exercise, submissions.cell_source(cell)))
    return cells


def _verdicts(stdout, exercise_ids):
    """The first well-formed verdict line for each known exercise id; all else ignored."""
    verdicts = {}
    for line in stdout.decode("utf-8", "replace").splitlines():
        try:
            verdict = json.loads(line)
        except ValueError:
            continue
        if not isinstance(verdict, dict):
            continue
        exercise = verdict.get("exercise")
        if exercise in exercise_ids and exercise not in verdicts:
            verdicts[exercise] = {
                "passed": verdict.get("passed") is True,
                "message": str(verdict.get("message", ""))[:2000],
                "notes": [str(n)[:300] for n in verdict.get("notes", [])][:20]
                if isinstance(verdict.get("notes"), list)
                else [],
            }
    return verdicts


def _no_verdict(result, notebook_timeout, notebook):
    _ = CATALOGUE.in_language(notebook_language(notebook))
    if result.timed_out:
        return _(
            "timed out: grading this notebook took more than {seconds} s",
            seconds=notebook_timeout,
        )
    if result.returncode < 0:  # bwrap itself was killed: not the student's doing
        signal_number = -result.returncode
        return f"{NOT_GRADED} the sandbox was killed (signal {signal_number}); use --resume"
    # The verdict process points its standard error at /dev/null before any student code
    # runs, so what is there is the grader's own trouble (a broken install, say).
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    said = f": {lines[-1][:300]}" if lines else ""
    return _(
        "no verdict: the check process ended early (exit code {code}){said}",
        code=result.returncode,
        said=said,
    )


def _run_problem(result, grader, _):
    """Why the feedback notebook has no outputs; `_` speaks the student's language."""
    if result.timed_out:
        return _(
            "**The run was stopped after {seconds} s.** Outputs are not shown.",
            seconds=grader.notebook_timeout,
        )
    return _("**The notebook could not be run to the end.** Outputs are not shown.")


def _verdict_table(rows, _):
    header = _("| exercise | passed | message |")
    lines = [_("## Your grade"), "", header, "|---|---|---|"]
    for row in rows:
        cells = [row.exercise, _("yes") if row.passed else _("no"), row.message]
        lines.append("| " + " | ".join(gradebook.markdown_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _safe_name(name):
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "student"


def with_visible_checks(notebook, lesson):
    """The student's cells with each official visible check cell put back exactly once.

    Student check cells are replaced (editing them gains nothing); a deleted one goes back
    after its exercise's solution cell. Hidden tests are not in these cells.
    """
    notebook = nbformat.from_dict(copy.deepcopy(notebook))
    cells, placed = [], set()
    for cell in notebook.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        exercise, role = exercise_cell(cell)
        if role == "check":
            if exercise in lesson.check_cells and exercise not in placed:
                cells.append(copy.deepcopy(lesson.check_cells[exercise]))
                placed.add(exercise)
            continue  # a student's own or extra check cell is dropped
        cells.append(cell)
    for exercise in lesson.exercise_ids:
        if exercise in placed:
            continue
        position = len(cells)
        for index, cell in enumerate(cells):
            if exercise_cell(cell) == (exercise, "solution"):
                position = index + 1
        cells.insert(position, copy.deepcopy(lesson.check_cells[exercise]))
    notebook.cells = cells
    return notebook


# --------------------------------------------------------------------- the command


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m course.grade", description="Grade a folder of lesson notebooks."
    )
    parser.add_argument("submissions", help="folder of submitted .ipynb files")
    parser.add_argument("--out", default="gradebook.csv", help="the CSV to write")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="submissions at once (default: CPUs)"
    )
    parser.add_argument("--timeout", type=int, default=60, help="seconds per check or cell (60)")
    parser.add_argument(
        "--notebook-timeout", type=int, default=300, help="seconds for a whole notebook (300)"
    )
    parser.add_argument(
        "--memory-mb", type=int, default=Limits.memory_mb, help="memory per sandboxed process"
    )
    parser.add_argument("--feedback", help="also run each notebook and save it in this folder")
    parser.add_argument(
        "--resume", action="store_true", help="keep the finished rows of --out, grade the rest"
    )
    parser.add_argument(
        "--no-sandbox", action="store_true", help="no bubblewrap: only for code you trust"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    if not Path(args.submissions).is_dir():
        parser.error(f"{args.submissions} is not a folder")
    return parser, args


def main(argv=None):
    parser, args = _parse(argv)
    if not args.no_sandbox:
        try:
            check_available()
        except SandboxUnavailable as error:
            print(f"Refusing to grade: {error}", file=sys.stderr)
            return 2
    sandbox = Sandbox(Limits(memory_mb=args.memory_mb), enabled=not args.no_sandbox)
    grader = Grader(sandbox, args.timeout, args.notebook_timeout, args.feedback)
    try:
        todo, superseded = submissions.find(args.submissions, grader.names)
        for name in {s.lesson for s in todo if s.lesson}:
            grader.lesson(name)  # a broken lesson stops the run before any grading
    except LessonError as error:
        parser.error(str(error))
    if not todo:
        parser.error(f"no .ipynb files under {args.submissions}")

    out = Path(args.out)
    done = gradebook.read(out, grader.exercises_of) if args.resume and out.exists() else []
    writer = gradebook.Writer(out, fresh=True)
    writer.append(done)
    finished = {row.file for row in done}
    todo = [s for s in todo if gradebook.csv_cell(s.relative) not in finished]
    if args.resume:
        print(f"resuming: {len(finished)} submissions already graded, {len(todo)} to go")

    rows = list(done)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(_timed, grader.grade, s): s for s in todo}
        for count, future in enumerate(as_completed(futures), 1):
            submission = futures[future]
            file_rows, seconds = future.result()
            writer.append(file_rows)
            rows += file_rows
            score = sum(row.passed for row in file_rows)
            flagged = " (needs review)" if any(row.flags for row in file_rows) else ""
            print(
                f"[{count}/{len(todo)}] {submission.relative}: {score}/{len(file_rows)} "
                f"passed{flagged} ({seconds:.1f} s)",
                flush=True,
            )
    writer.finish(rows)
    header = _summary_header(args, sandbox)
    text = gradebook.summary(rows, [s.relative for s in superseded], header)
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def _summary_header(args, sandbox):
    if args.no_sandbox:
        return [
            "**Graded WITHOUT a sandbox (--no-sandbox)**: student code ran with the "
            "grader's permissions. Only do this for code you trust."
        ]
    limits = sandbox.limits
    return [
        f"Graded in bubblewrap sandboxes: {limits.memory_mb} MB per process, "
        f"processes: {sandbox.process_limit}, files up to {limits.file_mb} MB, "
        f"{args.timeout} s per check, {args.notebook_timeout} s per notebook."
    ]


if __name__ == "__main__":
    sys.exit(main())
