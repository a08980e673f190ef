"""Many students, one server: deploy/jupyterhub/ run for real with JupyterHub.

A hub starts on 127.0.0.1 with the repository's jupyterhub_config.py (test authenticator,
one folder per student: see hub_helpers.py), for a class of two. The teacher's token
lists them through the REST API; each student logs in with the password (REST), starts
their server with their own token, and runs lesson 1 through the kernel API: alice with
her answers typed in, bob as released (blank). Then: each has their own copy of the
notebooks, made on first login and kept on the next; neither can reach the other's
server or files; both use the one installed minitensor. Everything is stopped by
process group at the end.

Skipped, with the reason, where JupyterHub or its proxy (configurable-http-proxy, from
npm: `npm ci --prefix deploy/jupyterhub`) is not installed.

Note what this cannot show: the test spawner runs every student as this test's own user,
so the file-system separation checked here is the Jupyter server's (each serves only its
own home). On a real server each student is a system user (README.md in deploy/jupyterhub/).
"""

import json

import nbformat
import pytest
from hub_helpers import ROOT, Hub, proxy_command, run_code

from course.official import exercise_cell
from course.release import write_release

pytest.importorskip("jupyterhub", reason="JupyterHub is not installed (pip install -e '.[teach]')")
PROXY = proxy_command()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        PROXY is None,
        reason="JupyterHub's proxy is not installed: npm ci --prefix deploy/jupyterhub "
        "(needs node and npm)",
    ),
]

LESSON = "lessons/01_tensors.ipynb"
STUB = "raise NotImplementedError()"
ALICE_ANSWERS = "tests/fixtures/submissions/alice/01_tensors.ipynb"


def code_cells(notebook, answers=None):
    """The notebook's code cells as strings, with `answers` ({exercise: source}) typed in."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        exercise, role = exercise_cell(cell)
        cells.append(answers[exercise] if answers and role == "solution" else cell.source)
    return cells


def answers_in(path):
    notebook = nbformat.read(path, as_version=4)
    return {
        exercise_cell(c)[0]: c.source for c in notebook.cells if exercise_cell(c)[1] == "solution"
    }


def check_results(notebook, results):
    """{exercise: (status, text)} of the check cells, and the failures of all other cells."""
    checks, others = {}, []
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    for cell, (status, text) in zip(cells, results):
        exercise, role = exercise_cell(cell)
        if role == "check":
            checks[exercise] = (status, text)
        elif status != "ok":
            others.append(f"{cell.id}: {text}")
    return checks, others


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    release = folder / "release"
    write_release(release)  # what the teacher installs: learner notebooks, no solutions
    with Hub(folder, release / "lessons", PROXY) as running:
        yield running


@pytest.fixture(scope="module")
def classroom(hub, tmp_path_factory):
    """Both students added, logged in, their servers started, lesson 1 run in each."""
    _, users = hub.api("GET", "/hub/api/users")  # the class list, from allowed_users
    assert {"alice", "bob"} <= {user["name"] for user in users}
    tokens = {name: hub.login(name) for name in ("alice", "bob")}
    for name, token in tokens.items():
        hub.start_server(name, token)
    _, listing = hub.api("GET", "/user/alice/api/contents/lessons", token=tokens["alice"])
    # alice answers the exercises in her copy and saves it, as JupyterLab would
    _, model = hub.api("GET", f"/user/alice/api/contents/{LESSON}", token=tokens["alice"])
    mine = nbformat.from_dict(model["content"])
    answers = answers_in(ROOT / ALICE_ANSWERS)
    for cell in mine.cells:
        exercise, role = exercise_cell(cell)
        if role == "solution":
            cell.source = answers[exercise]
    saved = {"type": "notebook", "content": json.loads(nbformat.writes(mine))}
    hub.api("PUT", f"/user/alice/api/contents/{LESSON}", body=saved, token=tokens["alice"])
    runs = {}
    for name, token in tokens.items():
        _, model = hub.api("GET", f"/user/{name}/api/contents/{LESSON}", token=token)
        notebook = nbformat.from_dict(model["content"])
        probe = "import os, minitensor\nprint(os.getcwd(), minitensor.__file__)"
        results = run_code(hub, name, token, [*code_cells(notebook), probe])
        runs[name] = (notebook, results[:-1], results[-1][1].split())
    return {"tokens": tokens, "listing": listing, "runs": runs, "homes": hub.folder / "homes"}


def test_each_student_gets_the_learner_notebooks_on_first_login(hub, classroom):
    names = sorted(item["name"] for item in classroom["listing"]["content"])
    expected = sorted(p.name for p in (hub.lessons).iterdir() if p.suffix == ".ipynb")
    assert "01_tensors.ipynb" in names and set(expected) <= set(names)
    chinese = sorted(p.name for p in (hub.lessons / "zh").glob("*.ipynb"))
    for student in ("alice", "bob"):
        assert (classroom["homes"] / student / LESSON).is_file()
        for name in chinese:  # the Chinese edition comes along, in lessons/zh/
            assert (classroom["homes"] / student / "lessons" / "zh" / name).is_file()


def test_first_login_copies_both_editions_and_nothing_else(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "first_login", ROOT / "deploy" / "jupyterhub" / "first_login.py"
    )
    first_login = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first_login)
    lessons = tmp_path / "release"
    for name in ("01_a.ipynb", "README.md", "notes.txt", "zh/01_a.ipynb", "zh/README.md"):
        (lessons / name).parent.mkdir(parents=True, exist_ok=True)
        (lessons / name).write_text("{}")
    copied = first_login.copy_lessons(lessons, tmp_path / "home")
    found = sorted(str(p.relative_to(copied)) for p in copied.rglob("*") if p.is_file())
    assert found == ["01_a.ipynb", "README.md", "zh/01_a.ipynb", "zh/README.md"]


def test_lesson_1_runs_in_each_students_kernel(classroom):
    notebook, results, _ = classroom["runs"]["alice"]
    checks, others = check_results(notebook, results)
    assert others == []
    assert checks and all(status == "ok" for status, _ in checks.values()), checks
    assert all("passed" in text for _, text in checks.values())
    notebook, results, _ = classroom["runs"]["bob"]
    checks, others = check_results(notebook, results)
    assert others == []  # only the check cells of his blank exercises fail, and say why
    assert checks and all(status == "error" for status, _ in checks.values())
    assert all("not done yet" in text for _, text in checks.values()), checks


def test_each_student_works_in_their_own_home_with_the_one_installed_package(classroom):
    (_, _, (alice_cwd, alice_package)), (_, _, (bob_cwd, bob_package)) = (
        classroom["runs"]["alice"],
        classroom["runs"]["bob"],
    )
    assert alice_cwd == str(classroom["homes"] / "alice")
    assert bob_cwd == str(classroom["homes"] / "bob")
    assert alice_package == bob_package  # installed once, for everyone


def test_a_students_saved_work_stays_in_their_own_copy(classroom):
    homes = classroom["homes"]
    alice = answers_in(homes / "alice" / LESSON)
    bob = answers_in(homes / "bob" / LESSON)
    assert alice and not any(STUB in answer for answer in alice.values())  # her answers
    assert bob.keys() == alice.keys()
    assert all(STUB in answer for answer in bob.values())  # his copy is untouched


def test_a_student_cannot_reach_the_other_students_server_or_files(hub, classroom):
    alice = classroom["tokens"]["alice"]
    status, _ = hub.api("GET", "/user/bob/api/contents", token=alice, expect=None)
    assert status in (302, 403), f"alice reached bob's server: HTTP {status}"
    status, _ = hub.api("POST", "/hub/api/users/bob/server", token=alice, expect=None)
    assert status in (403, 404)
    # her own server serves only her home: a path up and across is refused
    status, _ = hub.api("GET", "/user/alice/api/contents/..%2Fbob", token=alice, expect=None)
    assert status in (400, 403, 404)


def test_the_copy_is_made_once_a_later_login_keeps_the_students_work(hub, classroom):
    alice = classroom["tokens"]["alice"]
    hub.stop_server("alice")
    hub.start_server("alice", alice)
    _, model = hub.api("GET", f"/user/alice/api/contents/{LESSON}", token=alice)
    notebook = nbformat.from_dict(model["content"])
    answers = [c.source for c in notebook.cells if exercise_cell(c)[1] == "solution"]
    assert answers and not any(STUB in answer for answer in answers)
