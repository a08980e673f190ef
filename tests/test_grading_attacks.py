"""Students who want the points: every attack in tests/fixtures/attacks.py, and the file
tricks below, graded in one class next to honest students.

For each attacker: 0 points on every exercise, and a "needs review" flag where the attack is
in an answer cell the scan can read. For the honest students: their rows are exactly what
they are in a class without attackers, and their files are byte-for-byte unchanged; the
project's files, the teacher's HOME and the gradebook are untouched as well.

The attacks only ever run in the sandbox: without a working bubblewrap these tests are
skipped, never run with --no-sandbox.
"""

import os
import socket
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import (
    LESSON,
    answer_cell,
    blank,
    digest,
    honest_class,
    rows_of,
    run_grader,
    sandbox_or_skip,
    solved,
    write,
)

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
from attacks import ANSWER_ATTACKS, EXTRA_CELL_ATTACKS  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


class Listener:
    """A TCP port on 127.0.0.1 that records whether anyone connected."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections, self.stop = [], False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections.append(connection.recv(100))

    def close(self):
        self.stop = True
        self.thread.join()
        self.server.close()


def _fill(code, targets):
    for key, value in targets.items():
        code = code.replace("{" + key + "}", str(value))
    return code


def _attacker_notebook(attack, targets):
    notebook = blank()
    code = _fill(attack.code, targets)
    if attack.where == "answer":
        cell = answer_cell(notebook, attack.exercise)
        cell.source += "\n\n" + code
    else:
        notebook.cells.insert(2, nbformat.v4.new_code_cell(code))
    return notebook


def _file_tricks(folder):
    """Students who play with the files they hand in; {student: what the row must say}."""
    instructor = PROJECT / "lessons" / "solutions" / f"{LESSON}.ipynb"
    (folder / "trudy").mkdir()
    (folder / "trudy" / f"{LESSON}.ipynb").symlink_to(instructor)
    (folder / "oscar").mkdir()
    os.mkfifo(folder / "oscar" / f"{LESSON}.ipynb")
    # a course/checks package beside the notebook, to shadow the real one
    mallory = folder / "mallory"
    write(blank(), mallory / f"{LESSON}.ipynb")
    fake = mallory / "course" / "checks"
    fake.mkdir(parents=True)
    (mallory / "course" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "lesson01.py").write_text(
        "def check_ex1(*a):\n    print('✔ ex1 passed')\ncheck_ex2 = check_ex3 = check_ex1\n"
    )
    # extra cells that claim to be checks (one for an exercise that does not exist) and an
    # extra "solution" cell with top-level code
    forger = blank()
    for exercise in ("ex1", "ex9"):
        cell = nbformat.v4.new_code_cell(f"print('✔ {exercise} passed')")
        cell.metadata["lesson"] = {"exercise": exercise, "role": "check"}
        forger.cells.append(cell)
    extra = nbformat.v4.new_code_cell("print('✔ ex2 passed')\nstandardize = lambda x: x")
    extra.metadata["lesson"] = {"exercise": "ex2", "role": "solution"}
    forger.cells.append(extra)
    write(forger, folder / "forger" / f"{LESSON}.ipynb")
    # a notebook larger than the size cap
    big = blank()
    big.cells.append(nbformat.v4.new_markdown_cell("x" * (21 * 2**20)))
    write(big, folder / "bigfoot" / f"{LESSON}.ipynb")
    return {
        "trudy": "symbolic link",
        "oscar": "not a regular file",
        "mallory": "not done yet",
        "forger": "not done yet",
        "bigfoot": "larger than",
    }


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    """Paths the attacks aim at: the class folder, the gradebook, the teacher's HOME."""
    root = tmp_path_factory.mktemp("attacks")
    home = root / "teacher-home"
    home.mkdir()
    return {"root": root, "home": home}


@pytest.fixture(scope="module")
def baseline(teacher):
    """The honest students graded alone."""
    sandbox_or_skip()
    folder = teacher["root"] / "baseline"
    honest_class(folder)
    code, rows = run_grader(folder, teacher["root"] / "baseline.csv", "--timeout", "3")
    assert code == 0
    return rows


def _honest_rows_unchanged(rows, baseline):
    for student in ("alice", "bob"):
        assert rows_of(rows, student) == rows_of(baseline, student), student


@pytest.fixture(scope="module")
def answer_attacks(teacher, baseline):
    """The class with every answer-cell attack and file trick, graded with --jobs 2."""
    folder = teacher["root"] / "class"
    honest_class(folder)
    gradebook = teacher["root"] / "gradebook.csv"
    listener = Listener()
    targets = {
        "class_dir": folder,
        "gradebook": gradebook,
        "home": teacher["home"],
        "port": listener.port,
    }
    for attack in ANSWER_ATTACKS:
        write(_attacker_notebook(attack, targets), folder / attack.name / f"{LESSON}.ipynb")
    tricks = _file_tricks(folder)
    honest_files = {k: v for k, v in digest(folder).items() if k.startswith(("alice", "bob"))}
    project_files = {**digest(PROJECT / "lessons"), **digest(PROJECT / "course")}
    start = time.perf_counter()
    code, rows = run_grader(folder, gradebook, "--timeout", "3", "--jobs", "2")
    seconds = time.perf_counter() - start
    listener.close()
    return {
        "code": code,
        "rows": rows,
        "tricks": tricks,
        "folder": folder,
        "honest_files": honest_files,
        "project_files": project_files,
        "listener": listener,
        "seconds": seconds,
        "gradebook": gradebook,
    }


def test_the_run_finishes_and_the_honest_rows_are_those_of_a_class_without_attackers(
    answer_attacks, baseline
):
    assert answer_attacks["code"] == 0
    _honest_rows_unchanged(answer_attacks["rows"], baseline)
    assert [r["passed"] for r in rows_of(answer_attacks["rows"], "alice")] == ["True"] * 3


@pytest.mark.parametrize("attack", ANSWER_ATTACKS, ids=lambda a: a.name)
def test_an_answer_cell_attack_scores_nothing_and_is_flagged(answer_attacks, attack):
    rows = rows_of(answer_attacks["rows"], attack.name)
    assert [row["exercise"] for row in rows] == ["ex1", "ex2", "ex3"], rows
    assert [row["passed"] for row in rows] == ["False"] * 3, rows
    if attack.flagged:
        (row,) = [row for row in rows if row["exercise"] == attack.exercise]
        assert row["flags"].startswith("needs review"), rows


@pytest.mark.parametrize("student", ["trudy", "oscar", "mallory", "forger", "bigfoot"], ids=str)
def test_a_file_trick_scores_nothing_and_says_why(answer_attacks, student):
    rows = rows_of(answer_attacks["rows"], student)
    assert [row["exercise"] for row in rows] == ["ex1", "ex2", "ex3"], rows
    assert [row["passed"] for row in rows] == ["False"] * 3
    assert answer_attacks["tricks"][student] in rows[0]["message"]


def test_dropped_statements_are_reported_in_notes(answer_attacks):
    (row,) = [
        r
        for r in rows_of(answer_attacks["rows"], "patch_checks_at_top_level")
        if r["exercise"] == "ex1"
    ]
    assert "c.check_ex1 = c.check_ex2" in row["notes"]
    assert "only imports, def, class and constant assignments" in row["notes"]


def test_nothing_outside_the_sandbox_changed(answer_attacks, teacher):
    folder = answer_attacks["folder"]
    after = {k: v for k, v in digest(folder).items() if k.startswith(("alice", "bob"))}
    assert after == answer_attacks["honest_files"]
    after_project = {**digest(PROJECT / "lessons"), **digest(PROJECT / "course")}
    assert after_project == answer_attacks["project_files"]
    assert answer_attacks["listener"].connections == []
    assert not Path("/tmp/minitensor-pwned").exists()
    text = answer_attacks["gradebook"].read_text(encoding="utf-8")
    assert "mallory,01_tensors,ex1,True" not in text
    assert list(teacher["home"].iterdir()) == []


def test_a_fork_bomb_or_an_endless_check_costs_only_its_own_time_limit(answer_attacks):
    (row,) = [r for r in rows_of(answer_attacks["rows"], "fork_bomb") if r["exercise"] == "ex1"]
    assert "timed out" in row["message"]
    assert answer_attacks["seconds"] < 120


@pytest.fixture(scope="module")
def feedback_attacks(teacher, baseline):
    """The extra-cell attacks, which only the --feedback notebook run executes."""
    folder = teacher["root"] / "feedback-class"
    honest_class(folder)
    gradebook = teacher["root"] / "feedback-gradebook.csv"
    targets = {"class_dir": folder, "gradebook": gradebook, "home": teacher["home"], "port": 9}
    for attack in EXTRA_CELL_ATTACKS:
        write(_attacker_notebook(attack, targets), folder / attack.name / f"{LESSON}.ipynb")
    feedback = teacher["root"] / "feedback"
    start = time.perf_counter()
    code, rows = run_grader(
        folder, gradebook, "--timeout", "3", "--notebook-timeout", "40",
        "--jobs", "2", "--feedback", str(feedback),
    )  # fmt: skip
    seconds = time.perf_counter() - start
    time.sleep(4)  # long enough for the detached process's `sleep 3`, had it survived
    return {"code": code, "rows": rows, "gradebook": gradebook, "feedback": feedback,
            "seconds": seconds}  # fmt: skip


@pytest.mark.parametrize("attack", EXTRA_CELL_ATTACKS, ids=lambda a: a.name)
def test_an_extra_cell_attack_scores_nothing(feedback_attacks, attack):
    rows = rows_of(feedback_attacks["rows"], attack.name)
    assert [row["passed"] for row in rows] == ["False"] * 3, rows
    assert all("not done yet" in row["message"] for row in rows), rows


def test_extra_cell_attacks_leave_the_class_and_the_teacher_alone(
    feedback_attacks, baseline, teacher
):
    assert feedback_attacks["code"] == 0
    _honest_rows_unchanged(feedback_attacks["rows"], baseline)
    assert "PWNED" not in feedback_attacks["gradebook"].read_text(encoding="utf-8")
    assert list(teacher["home"].iterdir()) == []
    # the loop that ignores SIGINT is stopped by the notebook's wall-clock cap
    assert feedback_attacks["seconds"] < 100
    assert (feedback_attacks["feedback"] / "alice" / f"{LESSON}.ipynb").exists()
    # ... and its own feedback shows the cells that ran before it, and why it was stopped
    looped = nbformat.read(
        feedback_attacks["feedback"] / "loop_that_ignores_sigint" / f"{LESSON}.ipynb", 4
    )
    loop = next(i for i, c in enumerate(looped.cells) if "SIG_IGN" in c.source)
    before = [c for c in looped.cells[:loop] if c.cell_type == "code"]
    assert before and before[-1].execution_count == 1, "the cells before the loop ran"
    assert "ignored the interrupt" in str(looped.cells)


def test_a_copy_of_the_instructor_notebook_is_flagged(tmp_path):
    sandbox_or_skip()
    instructor = PROJECT / "lessons" / "solutions" / f"{LESSON}.ipynb"
    (tmp_path / "class" / "peggy").mkdir(parents=True)
    (tmp_path / "class" / "peggy" / f"{LESSON}.ipynb").write_bytes(instructor.read_bytes())
    _, rows = run_grader(tmp_path / "class", tmp_path / "book.csv")
    assert all("solution markers" in row["flags"] for row in rows)


def test_a_skip_execution_tag_changes_no_verdict(tmp_path):
    sandbox_or_skip()
    notebook = solved()
    notebook.cells[3].metadata.setdefault("tags", []).append("skip-execution")
    write(notebook, tmp_path / "class" / "sam" / f"{LESSON}.ipynb")
    _, rows = run_grader(tmp_path / "class", tmp_path / "book.csv", "--feedback",
                         str(tmp_path / "fb"))  # fmt: skip
    assert [row["passed"] for row in rows] == ["True"] * 3
    answer_cell(notebook, "ex1")  # (the answers were not touched)
