"""The Chinese edition's documents agree with the English ones and with the glossary.

lessons/zh/README.md is a translation of lessons/README.md, and README.md's "中文版"
section retells its Quickstart; all are written by hand, so these tests catch them
drifting apart: the same notebooks linked, the same misconception map (numbers and the
exercises that check each), the same quickstart commands, the glossary table exactly as
course/locale/zh/glossary.tsv has it, and JupyterLab's Chinese language pack in both
pyproject.toml and environment.yml.
"""

import re

import pytest
from test_project import (
    ROOT,
    conda_packages,
    load_environment,
    load_pyproject,
    quickstart_commands,
    read,
    section,
    split_requirement,
)

from course import translate
from course.build import SOURCES

ENGLISH_INDEX = "lessons/README.md"
CHINESE_INDEX = "lessons/zh/README.md"
ENGLISH_MAP = "What learners get wrong, and where each lesson takes it on"
CHINESE_MAP = "常见误解，以及哪一课来解决它"
LANGUAGE_PACK = "jupyterlab-language-pack-zh-cn"  # PyPI spells it ...-zh-CN; names ignore case
LINK = re.compile(r"\]\(([^)\s]+)\)")
EXERCISE = re.compile(r"\b(\d+)\.(\d+)\b")  # 3.4: lesson 3, exercise 4


def links(markdown):
    """Every markdown link target, in order."""
    return LINK.findall(markdown)


def notebook_links(markdown):
    return {target for target in links(markdown) if target.endswith(".ipynb")}


def table_rows(text):
    """The cells of each row of the markdown tables in `text`, header and rule left out."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[\s|:-]+\|", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:] if rows else rows


def misconception_map(markdown, heading):
    """[(number, [exercise references])] of the map: its first column and its last."""
    rows = table_rows(section(markdown, heading))
    return [(int(row[0]), EXERCISE.findall(row[-1])) for row in rows]


def glossary_table(markdown):
    """[(english, chinese, note)]: the rows of the table headed `| English | 中文 | 说明 |`."""
    match = re.search(r"^\| English \| 中文 \| 说明 \|\n((?:\|.*\n?)*)", markdown, re.M)
    assert match, "no glossary table (| English | 中文 | 说明 |)"
    return [tuple(row) for row in table_rows("| header |\n" + match.group(1))]


def expected_glossary():
    """The glossary as lesson 1 and the READMEs show it: by English term, A to Z."""
    rows = sorted(translate.glossary(), key=lambda row: row[0].lower())
    return [(english, chinese, note) for english, chinese, _, note in rows]


def glossary_table_problems(markdown, where):
    table, expected = glossary_table(markdown), expected_glossary()
    if table == expected:
        return []
    wanted = "\n".join(f"| {e} | {c} | {n} |" for e, c, n in expected)
    return [f"{where}'s glossary differs from glossary.tsv; it should read:\n{wanted}"]


# --- the lesson indexes -------------------------------------------------------------------


def test_the_chinese_index_links_the_same_notebooks_as_the_english_one():
    english = notebook_links(read(ENGLISH_INDEX))
    assert len(english) >= 9  # lessons 01-09
    assert notebook_links(read(CHINESE_INDEX)) == english
    assert all("/" not in target for target in english)  # same names, in lessons/zh/


def test_the_chinese_notebooks_linked_exist_once_built():
    # `make lessons` writes lessons/zh/*.ipynb (course/build.py); a branch made before that
    # has the index only, so the targets are checked by name above and by file here.
    folder = ROOT / "lessons" / "zh"
    if not any(folder.glob("*.ipynb")):
        pytest.skip("lessons/zh/ has no notebooks yet (make lessons builds them)")
    missing = [t for t in notebook_links(read(CHINESE_INDEX)) if not (folder / t).is_file()]
    assert missing == []
    assert (folder / "../solutions/zh").is_dir()  # the index's link to the instructor versions


def test_the_two_indexes_link_to_each_other_at_the_top():
    assert "[English](../README.md)" in read(CHINESE_INDEX).split("\n# ")[0]
    assert "[中文版](zh/README.md)" in read(ENGLISH_INDEX).split("\n# ")[0]


def test_the_chinese_index_points_to_the_chinese_instructor_versions():
    assert "../solutions/zh/" in links(read(CHINESE_INDEX))


def test_the_chinese_index_links_resolve():
    # Notebooks and the instructor folder appear with `make lessons` (tests above).
    folder = ROOT / "lessons" / "zh"
    for target in links(read(CHINESE_INDEX)):
        path = target.split("#")[0]
        if path and "://" not in path and not path.endswith(".ipynb") and "solutions" not in path:
            assert (folder / path).exists(), target


def test_the_misconception_maps_have_the_same_rows_and_exercises():
    english = misconception_map(read(ENGLISH_INDEX), ENGLISH_MAP)
    chinese = misconception_map(read(CHINESE_INDEX), CHINESE_MAP)
    assert [number for number, _ in english] == list(range(1, len(english) + 1))
    assert len(english) >= 25
    assert chinese == english


def test_every_exercise_in_the_map_exists_in_its_lesson():
    for number, references in misconception_map(read(ENGLISH_INDEX), ENGLISH_MAP):
        for lesson, exercise in references:
            (source,) = SOURCES.glob(f"{int(lesson):02d}_*.py")
            solutions = re.findall(r"^# %% (ex\d+) solution", source.read_text("utf-8"), re.M)
            assert f"ex{exercise}" in solutions, f"misconception {number}: {lesson}.{exercise}"


# --- README's 中文版 section ---------------------------------------------------------------


def test_readme_links_to_its_chinese_section_from_the_top():
    readme = read("README.md")
    assert "](#中文版)" in readme.split("\n## ")[0]
    assert "](#中文版)" in section(readme, "Quickstart")
    assert "](lessons/zh/README.md)" in section(readme, "中文版")


def test_the_chinese_quickstart_has_the_same_commands_as_the_english_one():
    readme = read("README.md")
    block = re.search(r"```\w*\n(.*?)```", section(readme, "中文版"), re.S)
    assert block, "README's 中文版 section has no code block"
    commands = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == quickstart_commands(readme)
    assert "lessons/zh/" in section(readme, "中文版")


def test_the_glossary_tables_match_glossary_tsv():
    problems = glossary_table_problems(section(read("README.md"), "中文版"), "README.md")
    problems += glossary_table_problems(read(CHINESE_INDEX), CHINESE_INDEX)
    assert problems == [], "\n".join(problems)


def test_the_glossary_check_catches_a_changed_term():
    english, chinese, note = expected_glossary()[0]
    good = "| English | 中文 | 说明 |\n|---|---|---|\n" + "".join(
        f"| {e} | {c} | {n} |\n" for e, c, n in expected_glossary()
    )
    assert glossary_table_problems(good, "good") == []
    bad = good.replace(f"| {english} | {chinese} |", f"| {english} | ？ |", 1)
    assert glossary_table_problems(bad, "bad") != []


def test_jupyterlabs_chinese_language_pack_is_in_pyproject_and_environment_yml():
    lab = load_pyproject()["project"]["optional-dependencies"]["lab"]
    assert LANGUAGE_PACK in {split_requirement(spec)[0] for spec in lab}
    assert LANGUAGE_PACK in conda_packages(load_environment())
    assert "jupyterlab-language-pack-zh-CN" in section(read("README.md"), "中文版")
