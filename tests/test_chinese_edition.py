"""The Chinese edition of the lessons (lessons/zh/, lessons/solutions/zh/).

- Every lesson catalogue (course/locale/zh/lessons/*.po) translates every piece of its
  lesson, and holds nothing stale: a changed English paragraph fails here until its
  translation is updated.
- Every translation, in every catalogue of the course, renders the glossary's terms as the
  glossary says (course/locale/zh/glossary.tsv).
- The committed Chinese notebooks are what the build makes from the English source and the
  catalogue; they print the same numbers as the English ones (the code is the same, only
  the words differ), and no picture in them lacks a glyph.
- A blank Chinese learner notebook fails only at its check cells, saying in Chinese that
  the exercise is not done yet.

(nbval, run by `make test`, re-executes lessons/solutions/zh/ like lessons/solutions/.)
"""

import re
from pathlib import Path

import pytest

from course import translate
from course.build import fresh_instructor, instructor_path, learner_path, lesson_names, stale
from course.execute import read_notebook, run_notebook

ROOT = Path(__file__).resolve().parent.parent
LESSONS = lesson_names()
CATALOGUES = sorted(
    [*(ROOT / "course" / "locale").rglob("*.po"), *(ROOT / "widgets" / "locale").rglob("*.po")]
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def role(cell):
    return cell.metadata.get("lesson", {}).get("role")


@pytest.mark.parametrize("name", LESSONS)
def test_the_catalogue_translates_every_piece_and_nothing_stale(name):
    assert translate.problems(name, fresh_instructor(name)) == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_use_the_glossary(path):
    pairs = translate.catalogue_pairs(path)
    assert translate.glossary_problems(pairs, path.relative_to(ROOT)) == []


def test_the_glossary_check_sees_a_term_rendered_otherwise():
    pairs = [("Zero the gradients of the leaves.", "把叶子节点的导数清零。")]
    (problem,) = translate.glossary_problems(pairs, "here")
    assert "'gradient' is 梯度" in problem
    code = ("Call `loss.backward()`.", "调用 `loss.backward()`。")
    assert translate.glossary_problems([code], "") == []
    # a glossary word used as a name in code is not a term: loss = ..., d(loss), x.grad
    names = ("loss = ((pred - y) ** 2).mean(), then d(loss)/dh and group['momentum']", "代码")
    assert translate.glossary_problems([names], "") == []
    # the post's words are quoted as written
    quote = ("> From the post: “Tensor 是一种多维数组” (a tensor is an array)", "> 原文:“Tensor”")
    assert translate.glossary_problems([quote], "") == []


@pytest.mark.parametrize("name", LESSONS)
def test_chinese_notebooks_are_current(name):
    assert stale(name, "zh") == []


def _numbers(cell):
    """The numbers a code cell printed (text outputs only: widgets and pictures differ)."""
    text = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            text.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            text.append(output.get("data", {}).get("text/plain", ""))
        elif output.output_type == "error":
            text.append(output.evalue)
    return NUMBER.findall("\n".join(text))


@pytest.mark.parametrize("name", LESSONS)
def test_both_editions_print_the_same_numbers(name):
    english = read_notebook(instructor_path(name))
    chinese = {cell.id: cell for cell in read_notebook(instructor_path(name, "zh")).cells}
    compared = 0
    for cell in english.cells:
        tags = cell.metadata.get("tags", [])
        # what the lesson means to print exactly: its check-output cells and the checks
        if cell.cell_type == "code" and ("nbval-check-output" in tags or role(cell) == "check"):
            assert _numbers(chinese[cell.id]) == _numbers(cell), cell.id
            compared += 1
    assert compared, "the lesson has no check-output or check cell to compare"


@pytest.mark.parametrize("name", LESSONS)
def test_no_picture_in_a_chinese_notebook_lacks_a_glyph(name):
    for cell in read_notebook(instructor_path(name, "zh")).cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            assert "missing from font" not in text and "Glyph" not in text, cell.id


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_blank_chinese_learner_fails_only_in_check_cells_saying_not_done(name, tmp_path):
    from course.checks import NotDone
    from widgets.common.language import set_language

    notebook = read_notebook(learner_path(name, "zh"))
    assert notebook.metadata["lesson"]["language"] == "zh"
    folder = tmp_path / "zh"  # a notebook in a zh/ folder speaks Chinese, as in lessons/zh/
    folder.mkdir()
    outcomes, problem = run_notebook(notebook, folder)
    assert problem is None
    for outcome in outcomes:
        cell = notebook.cells[outcome.index]
        if role(cell) == "check":
            exercise = cell.metadata["lesson"]["exercise"]
            set_language("zh")
            try:
                expected = NotDone(exercise).text()
            finally:
                set_language(None)
            assert re.search(r"[\u4e00-\u9fff]", expected), "the message is Chinese"
            assert outcome.status == "error", f"{cell.id} passed on a blank notebook"
            assert (outcome.ename, outcome.evalue) == ("NotDone", expected)
        else:
            assert not outcome.failed, f"{cell.id}: {outcome.ename}: {outcome.evalue}"
