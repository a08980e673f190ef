"""The teacher's guides (lessons/teachers/) agree with the lessons and the widgets.

For every lesson there is a guide; its 45-minute plan adds up, without gaps, to 45
minutes; the exercises it names exist in the lesson (so a renamed or dropped exercise
shows up here); the misconceptions it cites are in the lessons' table; and every Python
block in it (the demo's exact settings) runs, headlessly: the widgets are built as the
teacher would build them, so a changed widget signature breaks this test, not the class.
"""

import re
from pathlib import Path

import pytest

from course.build import SOURCES, lesson_names

GUIDES = Path(__file__).resolve().parent.parent / "lessons" / "teachers"
LESSONS_README = GUIDES.parent / "README.md"
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
TIMING_ROW = re.compile(r"^\| (\d+)-(\d+) \|", re.MULTILINE)


def guide(name):
    return (GUIDES / f"{name}.md").read_text(encoding="utf-8")


def test_every_lesson_has_a_guide_and_the_index_lists_it():
    index = (GUIDES / "README.md").read_text(encoding="utf-8")
    for name in lesson_names():
        assert (GUIDES / f"{name}.md").is_file(), f"no guide for {name}"
        assert f"]({name}.md)" in index


@pytest.mark.parametrize("name", lesson_names())
def test_the_class_plan_covers_45_minutes_without_gaps(name):
    rows = [(int(a), int(b)) for a, b in TIMING_ROW.findall(guide(name))]
    assert rows and rows[0][0] == 0 and rows[-1][1] == 45, rows
    assert all(end == start for (_, end), (start, _) in zip(rows, rows[1:])), rows


@pytest.mark.parametrize("name", lesson_names())
def test_the_guide_has_a_demo_questions_with_wrong_answers_and_exercises(name):
    text = guide(name)
    for heading in ("## 45 minutes", "## The demo", "## Questions to ask", "## The exercises"):
        assert heading in text
    questions = text.split("## Questions to ask")[1].split("## The exercises")[0]
    assert " ".join(questions.split()).count("Typical wrong answer") >= 2


@pytest.mark.parametrize("name", lesson_names())
def test_the_exercises_named_exist_in_the_lesson(name):
    source = (SOURCES / f"{name}.py").read_text(encoding="utf-8")
    in_lesson = set(re.findall(r"^# %% (ex\d+) solution", source, re.MULTILINE))
    named = set(re.findall(r"\*\*(ex\d+)\*\*", guide(name)))
    assert named, "the guide names no exercise"
    assert named <= in_lesson, f"the guide names {named - in_lesson}, not in the lesson"
    assert in_lesson <= named, f"the guide leaves out {in_lesson - named}"


@pytest.mark.parametrize("name", lesson_names())
def test_the_misconceptions_cited_are_in_the_lessons_table(name):
    table = LESSONS_README.read_text(encoding="utf-8")
    known = set(re.findall(r"^\| (\d+) \| ", table, re.MULTILINE))
    cited = re.findall(r"misconceptions? (\d+)", guide(name))
    assert set(cited) <= known


@pytest.mark.parametrize("name", lesson_names())
def test_the_demo_code_runs_as_written(name, monkeypatch):
    pytest.importorskip("ipywidgets")
    import widgets

    monkeypatch.setenv("MPLBACKEND", "Agg")
    blocks = CODE_BLOCK.findall(guide(name))
    assert blocks, "the guide has no code for its demo"
    try:
        for block in blocks:
            exec(compile(block, f"{name}.md", "exec"), {"__name__": "guide"})
    finally:
        widgets.set_presentation(False)  # the blocks switch it on; later tests expect off
