"""Build the lesson notebooks from their sources: `python -m course.build` (or `make lessons`).

For each course/source/NN_topic.py:

1. the instructor notebook lessons/solutions/NN_topic.ipynb is made from the source and
   executed in a fresh kernel, so it is committed with its outputs (GitHub shows them, and
   nbval compares the `check-output` cells against them). It is only re-executed when its
   cells changed, or with --force. A cell that fails stops the build for that lesson;
2. the learner notebook lessons/NN_topic.ipynb is made from the instructor notebook
   (learner.py: solutions blanked, hidden tests and outputs removed);
3. the same two for the Chinese edition, lessons/solutions/zh/ and lessons/zh/: the English
   cells with their text taken from course/locale/zh/lessons/NN_topic.po (translate.py;
   code is shared), executed in lessons/zh/ so that checks and widgets speak Chinese.
   Lesson 1 also gets the glossary (course/locale/zh/glossary.tsv) after its first cell.

    python -m course.build             rebuild whatever is stale
    python -m course.build 02 03       only lessons whose name starts with 02 or 03
    python -m course.build --force     re-execute the instructor notebooks anyway
    python -m course.build --check     write nothing; exit 1 and say what is stale
    python -m course.build --language en   only one edition (en or zh; default: both)

Run times are printed per lesson: each lesson should run in well under a minute.
"""

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from . import translate
from .execute import read_notebook, run_notebook
from .learner import learner_version
from .percent import build_notebook

COURSE = Path(__file__).resolve().parent
SOURCES = COURSE / "source"  # what authors edit
LESSONS = COURSE.parent / "lessons"  # what learners open
SOLUTIONS = LESSONS / "solutions"
LANGUAGES = ("en", "zh")  # English is the source; "zh" lives in lessons/zh/, solutions/zh/


def lesson_names(prefixes=()):
    """The lessons that have a source file, e.g. ['01_tensors', ...], filtered by prefix."""
    names = sorted(path.stem for path in SOURCES.glob("[0-9][0-9]_*.py"))
    if prefixes:
        names = [name for name in names if name.startswith(tuple(prefixes))]
    return names


def _folder(root, language):
    return root if language == "en" else root / language


def instructor_path(name, language="en"):
    return _folder(SOLUTIONS, language) / f"{name}.ipynb"


def learner_path(name, language="en"):
    return _folder(LESSONS, language) / f"{name}.ipynb"


def glossary_cell():
    """The Chinese edition's glossary, as a markdown table (lesson 1, after the title)."""
    rows = sorted(translate.glossary(), key=lambda row: row[0].lower())
    lines = ["## 术语表", "", "本课程的中文术语与 PyTorch 中文文档和《动手学深度学习》一致。", ""]
    lines += ["| English | 中文 | 说明 |", "|---|---|---|"]
    lines += [f"| {english} | {chinese} | {note} |" for english, chinese, _, note in rows]
    cell = new_markdown_cell("\n".join(lines))
    cell.id = "glossary"
    return cell


def fresh_instructor(name, language="en"):
    """The instructor notebook as the source (and its catalogue) describes it, not executed."""
    source = SOURCES / f"{name}.py"
    notebook = build_notebook(source.read_text(encoding="utf-8"), name)
    if language == "en":
        return notebook
    notebook = translate.translate_notebook(notebook, name, language)
    if name.startswith("01"):
        notebook.cells.insert(1, glossary_cell())
    return notebook


def _cell_key(cell):
    """What the source decides about a cell: outputs and execution counts are not in it."""
    return (cell.get("id"), cell.cell_type, cell.source, dict(cell.metadata))


def same_cells(a, b):
    """True when two notebooks have the same cells (ignoring outputs) and lesson metadata."""
    return a.metadata.get("lesson") == b.metadata.get("lesson") and [
        _cell_key(c) for c in a.cells
    ] == [_cell_key(c) for c in b.cells]


def to_text(notebook):
    """The exact file contents we write (nbformat's stable JSON, newline at the end)."""
    return nbformat.writes(notebook) + "\n"


def stale(name, language="en"):
    """Sentences saying what about lesson `name` is out of date (empty when all is current)."""
    problems = []
    committed = instructor_path(name, language)
    if not committed.exists():
        return [f"{committed.relative_to(LESSONS.parent)} is missing"]
    instructor = read_notebook(committed)
    try:
        fresh = fresh_instructor(name, language)
    except translate.MissingTranslation as error:
        return [str(error)]
    if not same_cells(fresh, instructor):
        where = f"source/{name}.py" + ("" if language == "en" else f" and its {language} catalogue")
        problems.append(f"{committed.relative_to(LESSONS.parent)} does not match {where}")
    if any(c.cell_type == "code" and c.execution_count is None for c in instructor.cells):
        problems.append(f"{committed.relative_to(LESSONS.parent)} is not executed")
    learner = learner_path(name, language)
    if not learner.exists() or learner.read_text(encoding="utf-8") != to_text(
        learner_version(instructor)
    ):
        problems.append(f"{learner.relative_to(LESSONS.parent)} is not the learner version")
    return problems


@contextlib.contextmanager
def _speaking(language):
    """The kernels started inside speak `language` (they inherit MINITENSOR_LANG)."""
    old = os.environ.get("MINITENSOR_LANG")
    os.environ["MINITENSOR_LANG"] = language
    try:
        yield
    finally:
        if old is None:
            del os.environ["MINITENSOR_LANG"]
        else:
            os.environ["MINITENSOR_LANG"] = old


def execute_instructor(notebook, cell_timeout=120, language="en"):
    """Run the notebook; return (seconds, [failure descriptions])."""
    start = time.perf_counter()
    folder = _folder(LESSONS, language)  # where learners open it: a zh/ folder speaks Chinese
    folder.mkdir(exist_ok=True)
    with _speaking(language):
        outcomes, problem = run_notebook(notebook, folder, cell_timeout=cell_timeout)
    seconds = time.perf_counter() - start
    failures = [
        f"cell {o.index} ({notebook.cells[o.index].id}): {o.status} {o.ename}: {o.evalue}"
        for o in outcomes
        if o.failed
    ]
    if problem:
        failures.append(problem)
    return seconds, failures


def build(name, force=False, language="en"):
    """Bring lesson `name` up to date; return False if its instructor notebook failed."""
    try:
        fresh = fresh_instructor(name, language)
    except translate.MissingTranslation as error:
        print(f"{name} ({language}): NOT written: {error}")
        return False
    committed = instructor_path(name, language)
    old = read_notebook(committed) if committed.exists() else None
    executed = old is not None and all(
        c.cell_type != "code" or c.execution_count is not None for c in old.cells
    )
    if force or old is None or not executed or not same_cells(fresh, old):
        seconds, failures = execute_instructor(fresh, language=language)
        if failures:
            print(f"{name}: NOT written, {len(failures)} failing cell(s):", *failures, sep="\n  ")
            return False
        committed.parent.mkdir(parents=True, exist_ok=True)
        committed.write_text(to_text(fresh), encoding="utf-8")
        print(f"{name}: executed in {seconds:.1f} s -> {committed.relative_to(LESSONS.parent)}")
        old = fresh
    else:
        print(f"{name} ({language}): instructor notebook is current")
    learner_path(name, language).write_text(to_text(learner_version(old)), encoding="utf-8")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("lessons", nargs="*", help="lesson name prefixes, e.g. 02 (default: all)")
    parser.add_argument("--force", action="store_true", help="re-execute instructor notebooks")
    parser.add_argument("--check", action="store_true", help="only report what is stale")
    parser.add_argument("--language", choices=LANGUAGES, help="one edition only (default: both)")
    args = parser.parse_args(argv)
    languages = [args.language] if args.language else LANGUAGES
    names = lesson_names(args.lessons)
    if not names:
        parser.error(f"no lesson source matches {args.lessons} in {SOURCES}")
    if args.check:
        problems = [p for name in names for lang in languages for p in stale(name, lang)]
        print("\n".join(problems) if problems else "all lesson notebooks are current")
        return 1 if problems else 0
    ok = [build(name, force=args.force, language=lang) for lang in languages for name in names]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
