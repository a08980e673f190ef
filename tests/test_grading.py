"""The grading command (course/grade.py) on classes of submissions.

- The committed fixtures (tests/fixtures/submissions/): solved, partly wrong, check cells
  tampered with, corrupt, an endless loop in an extra cell.
- Every lesson: the solved learner notebook gets full marks from the grader, and every
  wrong-answer fixture of tests/test_lessons.py is failed with the check's own message.
- Hygiene: one submission per student and lesson, escaping, feedback without hidden tests,
  killing a sandbox or the grader loses no finished row, --resume completes the gradebook,
  --jobs 2 writes the same gradebook as --jobs 1, the refusal without bubblewrap.
- The pieces: which answer statements run (course/answers.py), the official check calls
  (course/official.py), the release folder (course/release.py).

The attacks are in tests/test_grading_attacks.py.
"""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import (
    FIXTURES,
    LESSON,
    NOT_DONE,
    answer_cell,
    blank,
    honest_class,
    rows_of,
    run_grader,
    sandbox_or_skip,
    solved,
    write,
)
from test_lessons import WRONG_ANSWERS

from course import answers, grade, gradebook, sandbox
from course.build import lesson_names
from course.grade import notebook_language
from course.official import Lesson, LessonError, check_calls
from course.release import CHINESE, copy_chinese_edition, without_functions, write_release
from course.submissions import find, lesson_from_name, student_of

PROJECT = Path(__file__).resolve().parent.parent
SUBMISSIONS = FIXTURES / "submissions"

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
    ("erin", "ex1", True, "passed"),  # the endless loop is in a cell grading never runs
    ("erin", "ex2", True, "passed"),
    ("erin", "ex3", True, "passed"),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The fixtures graded with feedback: (rows, summary text, feedback folder)."""
    sandbox_or_skip()
    out = tmp_path_factory.mktemp("grading")
    code, rows = run_grader(
        SUBMISSIONS, out / "gradebook.csv", "--timeout", "4", "--notebook-timeout", "60",
        "--feedback", str(out / "feedback"),
    )  # fmt: skip
    assert code == 0
    return rows, (out / "gradebook.md").read_text(encoding="utf-8"), out / "feedback"


@pytest.mark.slow
def test_gradebook_has_one_row_per_student_and_exercise_with_the_reason(graded):
    rows, _, _ = graded
    assert list(rows[0]) == gradebook.FIELDS
    assert {row["lesson"] for row in rows} == {LESSON}
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
    assert "Graded in bubblewrap sandboxes" in summary


@pytest.mark.slow
def test_feedback_has_the_visible_checks_and_the_grade_but_no_hidden_tests(graded):
    _, _, feedback = graded
    lesson = Lesson(LESSON)
    hidden = {c["function"] for e in lesson.exercises for c in e["calls"]} - {
        "check_ex1", "check_ex2", "check_ex3"
    }  # fmt: skip
    assert hidden, "lesson 1 has a hidden test"
    for student in ("alice", "bob", "carol", "erin"):
        notebook = nbformat.read(feedback / student / f"{LESSON}.ipynb", 4)
        text = "\n".join(cell.source for cell in notebook.cells)
        assert "HIDDEN" not in text and not any(name in text for name in hidden)
        assert notebook.cells[0].source.startswith("## Your grade")
        checks = [c for c in notebook.cells if c.metadata.get("lesson", {}).get("role") == "check"]
        assert [c.source for c in checks] == [c.source for c in lesson.check_cells.values()]
    carol = nbformat.read(feedback / "carol" / f"{LESSON}.ipynb", 4)
    carol_checks = [c for c in carol.cells if c.metadata.get("lesson", {}).get("role") == "check"]
    assert all(c.outputs and c.outputs[0].output_type == "error" for c in carol_checks)
    assert not (feedback / "dave").exists(), "an unreadable file has nothing to show"


# ------------------------------------------------------------------------- every lesson


@pytest.mark.slow
def test_every_lesson_solved_gets_full_marks_and_every_wrong_answer_fails(tmp_path):
    sandbox_or_skip()
    folder = tmp_path / "class"
    for name in lesson_names():
        write(solved(name), folder / "solver" / f"{name}.ipynb")
        notebook = blank(name)
        for cell in notebook.cells:
            meta = cell.metadata.get("lesson", {})
            if meta.get("role") == "solution":
                cell.source = WRONG_ANSWERS[name][meta["exercise"]][0][0]
        write(notebook, folder / "wrong" / f"{name}.ipynb")
    _, rows = run_grader(folder, tmp_path / "book.csv", "--timeout", "30")
    for row in rows_of(rows, "solver"):
        assert row["passed"] == "True", row
    for row in rows_of(rows, "wrong"):
        assert row["passed"] == "False", row
        for phrase in WRONG_ANSWERS[row["lesson"]][row["exercise"]][0][1]:
            assert phrase in row["message"], row
    assert len(rows_of(rows, "solver")) == sum(len(Lesson(n).exercises) for n in lesson_names())


# ------------------------------------------------------------------------- languages


def _with_answers(language=None):
    """Lesson 1 with ex1 wrong (the shape (3, 1)), ex2 solved, ex3 left blank."""
    notebook = solved()
    answer_cell(notebook, "ex1").source = "def predicted_shape():\n    return (3, 1)"
    answer_cell(notebook, "ex3").source = answer_cell(blank(), "ex3").source
    if language is not None:
        notebook.metadata.setdefault("lesson", {})["language"] = language
    return notebook


@pytest.mark.slow
def test_a_chinese_submission_gets_chinese_messages_and_an_english_one_english(tmp_path):
    sandbox_or_skip()
    folder = tmp_path / "class"
    write(_with_answers("zh"), folder / "wang" / f"{LESSON}.ipynb")
    write(_with_answers(), folder / "li" / f"{LESSON}.ipynb")
    write(_with_answers("fr"), folder / "ana" / f"{LESSON}.ipynb")  # not a course language
    feedback = tmp_path / "feedback"
    code, rows = run_grader(
        folder, tmp_path / "book.csv", "--timeout", "20", "--feedback", str(feedback)
    )
    assert code == 0
    messages = {(row["student"], row["exercise"]): row["message"] for row in rows}
    assert messages["wang", "ex1"].startswith(
        "练习 1：你预测的是 (3, 1)；mt.ones(3, 1) + mt.ones(4) 的形状是 (3, 4) "
        "提示：把两个形状从右边对齐"
    )
    assert messages["wang", "ex2"].startswith("✔ 练习 2 通过：")
    assert messages["wang", "ex3"] == "练习 3：还没有完成，请替换 # YOUR CODE HERE 下面的那一行"
    for student in ("li", "ana"):
        assert messages[student, "ex1"].startswith(
            "ex1: you predicted (3, 1); mt.ones(3, 1) + mt.ones(4) has shape (3, 4) "
            "Hint: line the shapes up from the right"
        )
        assert messages[student, "ex2"].startswith("✔ ex2 passed: ")
        assert messages[student, "ex3"] == f"ex3: {NOT_DONE}"
    assert "练习 1：你预测的是 (3, 1)" in (tmp_path / "book.md").read_text(encoding="utf-8")
    # The feedback run speaks the submission's language too.
    for student, phrase in (("wang", "练习 1：你预测的是 (3, 1)"), ("li", "ex1: you predicted")):
        notebook = nbformat.read(feedback / student / f"{LESSON}.ipynb", 4)
        errors = [o.get("evalue", "") for c in notebook.cells for o in c.get("outputs", [])]
        if any("No module named 'minitensor'" in e for e in errors):
            pytest.skip(
                "the sandboxed kernel cannot import this checkout (the virtual environment's "
                "editable install points at another one); the verdicts above were checked"
            )
        assert any(phrase in e for e in errors), student
        table = notebook.cells[0].source  # the grade table the student reads first
        assert table.startswith("## 你的成绩" if student == "wang" else "## Your grade"), table


def test_what_the_grader_itself_tells_a_student_speaks_their_language():
    timed_out = sandbox.Result(-9, b"", b"", True, 30.0)
    chinese = {"metadata": {"lesson": {"language": "zh"}}}
    assert grade._no_verdict(timed_out, 30, chinese) == "超时：批改这个笔记本用了超过 30 秒"
    assert grade._no_verdict(timed_out, 30, {}).startswith("timed out: grading this notebook")
    crashed = sandbox.Result(1, b"", b"ImportError: numpy\n", False, 1.0)
    assert grade._no_verdict(crashed, 30, chinese) == (
        "没有结果：检查进程提前结束（退出码 1）: ImportError: numpy"
    )
    row = gradebook.Row("wang", LESSON, "ex1", True, "✔")
    table = grade._verdict_table([row], grade.CATALOGUE.in_language("zh"))
    assert table.splitlines()[:3] == ["## 你的成绩", "", "| 练习 | 通过 | 信息 |"]
    assert "| ex1 | 是 | ✔ |" in table


class _RecordingSandbox:
    """Stands in for Sandbox: records what each run was given, returns nothing."""

    def __init__(self):
        self.runs = []

    def run(self, argv, stdin=b"", wall_seconds=600, extra=None):
        self.runs.append((Path(argv[-1]).name, extra))
        return sandbox.Result(0, b"", b"", False, 0.0)


@pytest.mark.parametrize("language, expected", [("zh", "zh"), (None, "en"), ("xx", "en")])
def test_the_verdict_and_the_feedback_run_get_the_notebooks_language(tmp_path, language, expected):
    write(_with_answers(language), tmp_path / "class" / "wang" / f"{LESSON}.ipynb")
    recorder = _RecordingSandbox()
    grader = grade.Grader(recorder, feedback=tmp_path / "feedback")
    (submission,), _ = find(tmp_path / "class", grader.names)
    grader.grade(submission)
    assert recorder.runs == [
        ("verdict.py", {"MINITENSOR_LANG": expected}),
        ("feedback_run.py", {"MINITENSOR_LANG": expected}),
    ]


@pytest.mark.parametrize(
    "metadata, language",
    [
        ({"lesson": {"language": "zh"}}, "zh"),
        ({"lesson": {"language": "en"}}, "en"),
        ({"lesson": {"name": LESSON}}, "en"),
        ({}, "en"),
        ({"lesson": {"language": "ZH"}}, "en"),
        ({"lesson": {"language": "zh; rm -rf /"}}, "en"),
        ({"lesson": {"language": ["zh"]}}, "en"),
        ({"lesson": "zh"}, "en"),
        ("zh", "en"),
    ],
)
def test_the_language_is_the_notebooks_metadata_when_it_is_en_or_zh(metadata, language):
    assert notebook_language({"metadata": metadata, "cells": []}) == language


# ------------------------------------------------------------------------- hygiene


def test_only_the_newest_copy_of_a_lesson_is_graded_and_the_others_listed(tmp_path):
    sandbox_or_skip()
    write(blank(), tmp_path / "class" / f"alice_{LESSON}.ipynb")
    newer = write(solved(), tmp_path / "class" / "alice" / f"{LESSON}.ipynb")
    os.utime(tmp_path / "class" / f"alice_{LESSON}.ipynb", (1, 1))
    os.utime(newer, (2_000_000_000, 2_000_000_000))
    _, rows = run_grader(tmp_path / "class", tmp_path / "book.csv")
    assert [row["passed"] for row in rows] == ["True"] * 3
    assert {row["file"] for row in rows} == {f"alice/{LESSON}.ipynb"}
    summary = (tmp_path / "book.md").read_text(encoding="utf-8")
    assert "## Not graded: older copies" in summary and f"alice_{LESSON}.ipynb" in summary


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("two\nlines", "two lines"),
        ("plain", "plain"),
    ],
)
def test_csv_cells_are_never_formulas_and_always_one_line(value, cell):
    assert gradebook.csv_cell(value) == cell


def test_markdown_cells_escape_pipes_html_and_line_breaks():
    assert gradebook.markdown_cell("a|b\nc <script>") == "a\\|b c &lt;script&gt;"


def test_student_names_that_look_like_formulas_are_escaped_in_both_files(tmp_path):
    sandbox_or_skip()
    write(blank(), tmp_path / "class" / "=cmd|' calc'!A0" / f"{LESSON}.ipynb")
    run_grader(tmp_path / "class", tmp_path / "book.csv")
    with open(tmp_path / "book.csv", newline="", encoding="utf-8") as file:
        (first, *_) = list(csv.DictReader(file))
    assert first["student"] == "'=cmd|' calc'!A0"
    summary = (tmp_path / "book.md").read_text(encoding="utf-8")
    assert "| '=cmd\\|' calc'!A0 | 01_tensors | 0/3 |" in summary or (
        "| =cmd\\|' calc'!A0 | 01_tensors | 0/3 |" in summary
    )


def _slow_class(folder, count):
    """`count` students whose ex1 answer takes about a second: time to kill things."""
    for index in range(count):
        notebook = solved()
        answer_cell(
            notebook, "ex1"
        ).source = "def predicted_shape():\n    import time\n    time.sleep(1.0)\n    return (3, 4)"
        write(notebook, folder / f"student{index:02d}" / f"{LESSON}.ipynb")


def _grader_process(folder, out, *extra):
    command = [sys.executable, "-m", "course.grade", str(folder), "--out", str(out), *extra]
    return subprocess.Popen(
        command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait_for_rows(path, rows, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) > rows:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never got {rows} rows")


@pytest.mark.slow
def test_killing_a_sandbox_or_the_grader_loses_no_row_and_resume_completes(tmp_path):
    sandbox_or_skip()
    folder = tmp_path / "class"
    _slow_class(folder, 4)
    out = tmp_path / "book.csv"
    grader = _grader_process(folder, out, "--jobs", "1")
    _wait_for_rows(out, 3)  # the first submission is in
    # kill the sandbox of the submission being graded now (bwrap, a child of the grader)
    sandboxes = subprocess.run(
        ["pgrep", "-P", str(grader.pid)], capture_output=True, text=True
    ).stdout.split()
    for pid in sandboxes:
        os.killpg(int(pid), signal.SIGKILL)
    _wait_for_rows(out, 6)
    grader.send_signal(signal.SIGKILL)  # and then the grader itself
    grader.wait()
    before = out.read_text(encoding="utf-8").splitlines()
    assert len(before) >= 7  # header + two submissions
    assert any(gradebook.NOT_GRADED in line for line in before), "the killed one says so"
    graded_rows = [line for line in before[1:] if gradebook.NOT_GRADED not in line]
    assert all(",True," in line for line in graded_rows[:3])

    resumed = _grader_process(folder, out, "--jobs", "1", "--resume")
    output, _ = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, output
    assert "resuming:" in output
    with open(out, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 12 and all(row["passed"] == "True" for row in rows), rows
    for line in graded_rows:  # every finished row survived, word for word
        assert line in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_two_jobs_write_the_same_gradebook_as_one(tmp_path):
    sandbox_or_skip()
    folder = tmp_path / "class"
    honest_class(folder)
    write(blank(), folder / "carl" / f"{LESSON}.ipynb")
    one = run_grader(folder, tmp_path / "one.csv", "--jobs", "1")
    two = run_grader(folder, tmp_path / "two.csv", "--jobs", "2")
    assert one[0] == two[0] == 0
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_without_bubblewrap_the_grader_refuses_and_says_what_to_install(
    tmp_path, monkeypatch, capsys
):
    write(blank(), tmp_path / "class" / "amy" / f"{LESSON}.ipynb")
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    code, rows = run_grader(tmp_path / "class", tmp_path / "book.csv")
    assert code == 2 and rows == []
    error = capsys.readouterr().err
    assert "Refusing to grade" in error and "apt-get install bubblewrap" in error
    assert "--no-sandbox" in error


def test_no_sandbox_grades_all_the_same_and_says_so(tmp_path, monkeypatch):
    write(solved(), tmp_path / "class" / "amy" / f"{LESSON}.ipynb")
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    code, rows = run_grader(tmp_path / "class", tmp_path / "book.csv", "--no-sandbox")
    assert code == 0 and [row["passed"] for row in rows] == ["True"] * 3
    assert "WITHOUT a sandbox" in (tmp_path / "book.md").read_text(encoding="utf-8")


def test_a_broken_sandbox_is_refused_with_its_reason(monkeypatch):
    def failing_run(self, argv, stdin=b"", wall_seconds=600):
        return sandbox.Result(1, b"", b"bwrap: No permissions to creating new namespace", False, 0)

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(sandbox.Sandbox, "run", failing_run)
    with pytest.raises(sandbox.SandboxUnavailable, match="No permissions") as error:
        sandbox.check_available()
    assert "unprivileged user namespaces" in str(error.value)


def test_a_killed_sandbox_is_not_the_students_fault_and_is_graded_again_on_resume(tmp_path):
    rows = [
        gradebook.Row("a", LESSON, "ex1", True, "passed", file="a.ipynb"),
        gradebook.Row("b", LESSON, "ex1", False, f"{gradebook.NOT_GRADED} killed", file="b.ipynb"),
        gradebook.Row("c", LESSON, "ex1", False, "ex1: wrong", file="c.ipynb"),
    ]
    writer = gradebook.Writer(tmp_path / "book.csv", fresh=True)
    writer.append(rows)
    done = gradebook.read(tmp_path / "book.csv", lambda lesson: ["ex1"])
    assert [row.student for row in done] == ["a", "c"]


def test_an_incomplete_group_of_rows_is_graded_again_on_resume(tmp_path):
    writer = gradebook.Writer(tmp_path / "book.csv", fresh=True)
    writer.append([gradebook.Row("a", LESSON, "ex1", True, "passed", file="a.ipynb")])
    assert gradebook.read(tmp_path / "book.csv", lambda lesson: ["ex1", "ex2"]) == []


# ------------------------------------------------------------------------- finding files


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
    assert student_of(tmp_path / "alice" / "x" / "01_tensors.ipynb", tmp_path, LESSON) == "alice"
    assert student_of(tmp_path / "erin_01_tensors.ipynb", tmp_path, LESSON) == "erin"
    assert student_of(tmp_path / "homework.ipynb", tmp_path, None) == "homework"


def test_a_notebook_of_no_known_lesson_gets_a_row_saying_so(tmp_path):
    sandbox_or_skip()
    (tmp_path / "homework.ipynb").write_text('{"cells": []', encoding="utf-8")
    assert run_grader(tmp_path, tmp_path / "book.csv")[0] == 0
    with open(tmp_path / "book.csv", newline="", encoding="utf-8") as file:
        (row,) = list(csv.DictReader(file))
    assert (row["student"], row["lesson"], row["passed"]) == ("homework", "?", "False")
    assert "could not read the notebook" in row["message"]


def test_links_fifos_and_folders_named_like_notebooks_are_found_and_refused(tmp_path):
    write(blank(), tmp_path / "real" / f"{LESSON}.ipynb")
    (tmp_path / "link").mkdir()
    (tmp_path / "link" / f"{LESSON}.ipynb").symlink_to(tmp_path / "real" / f"{LESSON}.ipynb")
    (tmp_path / "pipe").mkdir()
    os.mkfifo(tmp_path / "pipe" / f"{LESSON}.ipynb")
    (tmp_path / "dir" / f"{LESSON}.ipynb").mkdir(parents=True)
    graded, _ = find(tmp_path, [LESSON])
    problems = {s.student: s.problem for s in graded}
    assert problems["real"] is None
    assert "symbolic link" in problems["link"]
    assert "not a regular file" in problems["pipe"] and "not a regular file" in problems["dir"]


# ------------------------------------------------------------------------- the pieces


def test_only_definitions_imports_and_constants_of_an_answer_cell_run():
    source = (
        "import numpy as np\n"
        "LR = 0.1 * 2\n"
        "SHAPE: tuple = (3, 4)\n"
        "print('hello')\n"
        "mt.x = 1\n"
        "data = np.zeros(3)\n"
        "def f(x: int = 2, y=np.pi) -> int:\n    return x\n"
        "class Model(mt.nn.Module):\n    scale = 2\n    def forward(self, x):\n        return x\n"
        "for i in range(3):\n    pass\n"
    )
    selected = answers.select([("ex1 cell", source)])
    assert "print" not in selected.code and "mt.x" not in selected.code
    assert "np.zeros" not in selected.code and "for i" not in selected.code
    assert "def f(x=2, y=np.pi)" in selected.code, "annotations are dropped, defaults kept"
    assert "class Model(mt.nn.Module)" in selected.code and "LR = 0.1 * 2" in selected.code
    assert [d.split(":")[0] for d in selected.dropped] == [
        "ex1 cell, line 4", "ex1 cell, line 5", "ex1 cell, line 6", "ex1 cell, line 13",
    ]  # fmt: skip
    assert selected.flags == ["ex1 cell, line 5: changes the module mt: `mt.x = 1`"]


@pytest.mark.parametrize(
    "source, why",
    [
        ("@evil\ndef f():\n    pass", "decorator"),
        ("def f(x=g()):\n    pass", "default value"),
        ("class A(make_base()):\n    pass", "base class"),
        ("class A(metaclass=M):\n    pass", "metaclass"),
        ("class A:\n    x = f()\n", "its body"),
        ("class A:\n    def __init_subclass__(cls):\n        pass", "__init_subclass__"),
        ("@dataclass\nclass A:\n    x: int = 0", "class decorator"),
        ("from . import x", "relative import"),
        ("x = 2 ** 10 ** 10", "only imports"),
    ],
)
def test_definitions_that_would_run_code_are_dropped_with_the_reason(source, why):
    selected = answers.select([("ex1 cell", source)])
    assert selected.code.strip() in ("# ex1 cell", "")
    assert why in selected.dropped[0]


@pytest.mark.parametrize(
    "source, what",
    [
        ("def f():\n    import course.checks", "the checks and grading package"),
        ("def f():\n    import sys\n    return sys.modules", "sys.modules"),
        ("def f():\n    return get_ipython()", "IPython"),
        ("def f():\n    return ().__class__.__bases__", "__class__"),
        ("def f():\n    return getattr(f, 'x' + 'y')", "getattr"),
        ("def f():\n    return open('/etc/passwd').read()", "files"),
        ("def f():\n    import ctypes", "ctypes"),
        ("def f():\n    from subprocess import run", "processes"),
        ("def f():\n    __builtins__['len'] = None", "builtins"),
        ("def f():\n    global LR", "global"),
        ("def f():\n    np.allclose = lambda *a, **k: True", "the module np"),
        ("import json\ndef f():\n    json.dumps = str", "the module json"),
        ("def f(x):\n    del mt.Tensor.item", "the module mt"),
        ("def f(x):\n    type(x).item = lambda self: 0", "did not name"),
    ],
)
def test_the_scan_flags_code_that_reaches_for_the_grading_machinery(source, what):
    selected = answers.select([("ex1 cell", source)])
    assert any(what in flag for flag in selected.flags), selected.flags
    assert selected.flags[0].startswith("ex1 cell, line ")


def test_ordinary_answers_are_not_flagged():
    honest = solved()
    cells = [(c.id, c.source) for c in honest.cells if c.get("id", "").endswith("-solution")]
    assert answers.select(cells).flags == []
    for name in lesson_names():
        notebook = solved(name)
        cells = [(c.id, c.source) for c in notebook.cells if c.id.endswith("-solution")]
        assert answers.select(cells).flags == [], name


def test_every_lesson_check_cell_reads_as_check_calls():
    for name in lesson_names():
        lesson = Lesson(name)
        assert lesson.exercise_ids == [f"ex{i}" for i in range(1, len(lesson.exercises) + 1)]
        assert "import minitensor as mt" in lesson.prelude, name


def test_a_check_cell_that_does_more_than_call_checks_is_a_lesson_error():
    calls = check_calls(
        "from course.checks.lesson03 import check_ex2\n\ncheck_ex2(f, micro_batches=2, size=6)",
        "cell",
    )
    assert calls == [
        {
            "module": "course.checks.lesson03",
            "function": "check_ex2",
            "args": [["name", "f"]],
            "kwargs": {"micro_batches": ["constant", 2], "size": ["constant", 6]},
        }
    ]
    with pytest.raises(LessonError, match="line 2 does something else"):
        check_calls("from course.checks.lesson01 import check_ex1\nprint('hi')", "cell")


def test_the_release_holds_learner_notebooks_and_checks_but_no_solutions(tmp_path):
    target = write_release(tmp_path / "release")
    assert not (target / "lessons" / "solutions").exists()
    assert not (target / "lessons" / "source").exists()
    assert sorted(p.name for p in (target / "course").iterdir()) == [
        "__init__.py", "checks", "locale"
    ]  # fmt: skip
    assert not (target / "tests").exists()
    for name in lesson_names():
        notebook = (target / "lessons" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in notebook and "HIDDEN" not in notebook
    hidden = {c["function"] for e in Lesson(LESSON).exercises for c in e["calls"]}
    checks = (target / "course" / "checks" / "lesson01.py").read_text(encoding="utf-8")
    assert "def check_ex1(" in checks
    assert "def check_ex2_differentiable(" not in checks and "check_ex2_differentiable" in hidden
    catalogue = (target / "course" / "locale" / "zh" / "checks.po").read_text(encoding="utf-8")
    assert 'msgid "the sum has shape {actual}: (3, 1) and (4,) broadcast to (3, 4)"' in catalogue
    assert "on a 2 x 4 tensor" not in catalogue, "a hidden test's message was shipped"
    probe = subprocess.run(
        [sys.executable, "-I", "-c", "import sys; sys.path.insert(0, '.');"
         "import course.checks.lesson01, course.checks.lesson08; import minitensor"],
        cwd=target, capture_output=True, text=True,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr


def test_the_release_ships_the_chinese_edition_once_it_is_built(tmp_path):
    target = write_release(tmp_path / "release")
    built = [name for name in lesson_names() if (CHINESE / f"{name}.ipynb").is_file()]
    shipped = target / "lessons" / "zh"
    assert shipped.is_dir() == bool(built)
    assert ("lessons/zh/" in (target / "README.md").read_text(encoding="utf-8")) == bool(built)
    for name in built:
        notebook = (shipped / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in notebook and "HIDDEN" not in notebook
    if built:
        assert (shipped / "README.md").is_file()


def test_the_chinese_edition_ships_its_learner_files_and_nothing_else(tmp_path):
    source, lessons = tmp_path / "zh", tmp_path / "release" / "lessons"
    source.mkdir()
    lessons.mkdir(parents=True)
    (source / "README.md").write_text("[English](../README.md) | 中文\n", encoding="utf-8")
    assert not copy_chinese_edition(source, lessons)  # an index alone: links to nothing yet
    assert not (lessons / "zh").exists()
    first = lesson_names()[0]
    for name in (f"{first}.ipynb", "00_widgets_demo.ipynb", "scratch.ipynb", "notes.txt"):
        (source / name).write_text("{}", encoding="utf-8")
    (source / "solutions").mkdir()
    (source / "solutions" / f"{first}.ipynb").write_text("{}", encoding="utf-8")
    assert copy_chinese_edition(source, lessons)
    shipped = sorted(path.name for path in (lessons / "zh").iterdir())
    assert shipped == sorted(["README.md", "00_widgets_demo.ipynb", f"{first}.ipynb"])


def test_without_functions_cuts_a_function_and_its_decorator():
    source = "import x\n\n@deco\ndef a():\n    return 1\n\n\ndef b():\n    return 2\n"
    assert without_functions(source, {"a"}) == "import x\n\n\n\ndef b():\n    return 2\n"


@pytest.mark.parametrize(
    "source",
    [
        "X = " + "+".join(["1"] * 100_000),
        "def f():\n    return " + "+".join(["x"] * 900),
        "X = " + "-" * 5000 + "1",
    ],
    ids=["parser", "unparse", "unary"],
)
def test_a_cell_nested_too_deeply_is_dropped_not_a_grader_failure(source):
    selected = answers.select([("ex1 cell", source), ("ex2 cell", "def g():\n    return 1")])
    assert selected.dropped and selected.dropped[0].startswith("ex1 cell")
    assert "def g()" in selected.code


@pytest.mark.parametrize(
    "change",
    [
        lambda nb: nb["cells"][3].update(metadata=[1, 2]),
        lambda nb: nb["cells"][3].update(source=5),
        lambda nb: nb.update(cells=[{"cell_type": "code"}]),
    ],
    ids=["metadata-list", "source-number", "cell-without-fields"],
)
def test_a_notebook_that_breaks_the_format_gets_rows_saying_so(tmp_path, change):
    _grade_broken(tmp_path, change, "not a valid notebook")


def test_json_nested_too_deeply_gets_rows_saying_so(tmp_path):
    (tmp_path / "class" / "zed").mkdir(parents=True)
    text = '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (tmp_path / "class" / "zed" / f"{LESSON}.ipynb").write_text(text)
    code, rows = run_grader(tmp_path / "class", tmp_path / "book.csv", "--no-sandbox")
    assert code == 0 and all("not valid notebook JSON" in row["message"] for row in rows)


def _grade_broken(tmp_path, change, phrase):
    import json

    notebook = json.loads(nbformat.writes(blank()))
    change(notebook)
    (tmp_path / "class" / "zed").mkdir(parents=True)
    (tmp_path / "class" / "zed" / f"{LESSON}.ipynb").write_text(json.dumps(notebook))
    code, rows = run_grader(tmp_path / "class", tmp_path / "book.csv", "--no-sandbox")
    assert code == 0 and len(rows) == 3
    assert all(phrase in row["message"] for row in rows)
    assert not any(gradebook.NOT_GRADED in row["message"] for row in rows)
