"""Write the folder students receive: `python -m course.release release/` (or `make release`).

    release/
      README.md              how to install and where to start (written here)
      pyproject.toml  environment.yml  Makefile     `make lab` works as in the repository
      minitensor/  widgets/  the library and the widgets
      lessons/NN_topic.ipynb the learner notebooks: exercises blank, no outputs, no hidden tests
      lessons/README.md      the lesson index
      lessons/zh/            the Chinese edition (learner notebooks and index), once built
      course/checks/         the checks the exercise cells call, without the hidden ones
      course/locale/zh/checks.po   their Chinese messages (only those of the shipped checks)

Not in it: the instructor notebooks (lessons/solutions/), the lesson sources (which hold
the solutions), the rest of course/ (the grader, the builder), the teachers' guides, the
tests, and the check functions that only hidden
tests call (found in the instructor notebooks' `### BEGIN HIDDEN TESTS` regions and cut out
of the copied modules).
"""

import argparse
import ast
import shutil
import sys
from pathlib import Path

from course.build import SOLUTIONS, learner_path, lesson_names

from .locale import CHECKS_CATALOGUE, msgids
from .official import CHECKS_PACKAGE, Lesson

PROJECT = Path(__file__).resolve().parent.parent
TOP_FILES = ("pyproject.toml", "environment.yml", "Makefile")
PACKAGES = ("minitensor", "widgets")
LESSON_FILES = ("README.md", "00_widgets_demo.ipynb")
CHINESE = PROJECT / "lessons" / "zh"  # the Chinese edition's learner folder (course/build.py)
# The release's course package holds the checks alone, under this docstring.
COURSE_INIT = '''"""The exercise checks the lessons' check cells call (`from course.checks...`)."""
'''
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")

README = """# minitensor: the lessons

Set up once and open the lessons (needs python3 with venv, and make):

    make lab

Start with `lessons/01_tensors.ipynb`; `lessons/README.md` has the index. Each exercise is
followed by a check cell: run it after your answer, and it tells you what is wrong and
gives a hint. Hand in the notebooks as your teacher asks; they are graded with the same
checks, plus a few hidden ones.
"""

README_CHINESE = """
中文版：`lessons/zh/`，与英文版同名的笔记本，检查信息和提示都是中文；从
`lessons/zh/01_tensors.ipynb` 开始，`lessons/zh/README.md` 是课程目录。
"""


def hidden_check_functions():
    """{module: {function}} called in hidden tests and nowhere in a visible check cell."""
    hidden, visible = {}, set()
    for name in lesson_names():
        lesson = Lesson(name)
        for exercise in lesson.exercises:
            for call in exercise["calls"]:
                hidden.setdefault(call["module"], set()).add(call["function"])
        for cell in lesson.check_cells.values():
            visible.update(_called_names(cell.source))
    return {module: names - visible for module, names in hidden.items()}


def _called_names(source):
    return {
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def without_functions(source, names):
    """Module source with the top-level functions `names` (and their decorators) cut out."""
    lines = source.split("\n")
    cut = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            cut.update(range(first - 1, node.end_lineno))
    return "\n".join(line for index, line in enumerate(lines) if index not in cut)


def learner_files(folder):
    """The files of `folder` that learners open: index, widget demo, lesson notebooks.

    Only these names are copied, never whatever else the folder holds (a stray instructor
    copy, a checkpoint folder), so the release cannot pick up a solution by accident.
    """
    names = [*LESSON_FILES, *(f"{name}.ipynb" for name in lesson_names())]
    return [folder / name for name in names if (folder / name).is_file()]


def copy_chinese_edition(source, lessons):
    """Copy the Chinese learner files from `source` into lessons/zh/; False if none built.

    The edition ships once its lesson notebooks exist (`make lessons` builds them); an
    index alone, whose links would lead nowhere, does not.
    """
    files = learner_files(source)
    if not any(path.stem in lesson_names() for path in files):
        return False
    (lessons / "zh").mkdir()
    for path in files:
        shutil.copy2(path, lessons / "zh" / path.name)
    return True


def write_release(target):
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in TOP_FILES:
        shutil.copy2(PROJECT / name, target / name)
    for package in PACKAGES:
        shutil.copytree(PROJECT / package, target / package, ignore=IGNORE)
    lessons = target / "lessons"
    lessons.mkdir()
    for name in LESSON_FILES:
        if (PROJECT / "lessons" / name).exists():
            shutil.copy2(PROJECT / "lessons" / name, lessons / name)
    for name in lesson_names():
        shutil.copy2(learner_path(name), lessons / learner_path(name).name)
    chinese = copy_chinese_edition(CHINESE, lessons)
    readme = README + (README_CHINESE if chinese else "")
    (target / "README.md").write_text(readme, encoding="utf-8")
    hidden = hidden_check_functions()
    checks = target / "course" / "checks"
    checks.mkdir(parents=True)
    (target / "course" / "__init__.py").write_text(COURSE_INIT, encoding="utf-8")
    for path in sorted((PROJECT / "course" / "checks").glob("*.py")):
        module = f"{CHECKS_PACKAGE}.{path.stem}" if path.stem != "__init__" else CHECKS_PACKAGE
        source = without_functions(path.read_text(encoding="utf-8"), hidden.get(module, set()))
        (checks / path.name).write_text(source, encoding="utf-8")
    _write_checks_catalogue(checks, target / "course" / "locale" / "zh" / "checks.po")
    return target


def _write_checks_catalogue(checks, target):
    """The Chinese catalogue of the released checks: the entries of hidden tests stay out."""
    import polib

    shipped = set()
    for path in checks.glob("*.py"):
        shipped |= set(msgids(path.read_text(encoding="utf-8")))
    catalogue = polib.pofile(str(CHECKS_CATALOGUE))
    kept = polib.POFile(wrapwidth=catalogue.wrapwidth)
    kept.header, kept.metadata = catalogue.header, catalogue.metadata
    for entry in catalogue:
        if entry.msgid in shipped:
            kept.append(entry)
    target.parent.mkdir(parents=True, exist_ok=True)
    kept.save(str(target))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course.release", description=__doc__)
    parser.add_argument("target", nargs="?", default="release", help="folder to write")
    args = parser.parse_args(argv)
    if Path(args.target).resolve() in (PROJECT, SOLUTIONS):
        parser.error("write the release into a folder of its own")
    target = write_release(args.target)
    print(f"wrote {target}: learner notebooks, minitensor, widgets, course/checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
