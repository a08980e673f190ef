"""The course's translations: gettext catalogues keyed by the English text.

    zh/checks.po    Simplified Chinese for every message of the exercise checks
                    (course/checks/*.py), of the verdict process (course/verdict.py)
                    and what the grader tells a student (course/grade.py)

A message is written once, in English, as the literal first argument of `_()`:
`_("you predicted {got}", got=value)`. `msgids(source)` finds them all without running the
code, which is how tests/test_checks_catalogue.py keeps the catalogue complete and how the
release keeps only the entries of the checks it ships (course/release.py).

To add or change a message: edit the English in the code, then the entry in zh/checks.po
(msgid = the English exactly, msgstr = the Chinese with the same {fields});
the catalogue test lists every entry that is missing or stale.
"""

import ast
from pathlib import Path

CHECKS_CATALOGUE = Path(__file__).resolve().parent / "zh" / "checks.po"
# The files whose `_()` messages live in the checks catalogue.
CHECKS_SOURCES = ("checks/*.py", "verdict.py", "grade.py")


def msgids(source):
    """{English text: [line, ...]} of every `_("...")` call in Python `source`.

    Raises ValueError for a `_()` whose first argument is not one literal string (an
    f-string or a variable would hide its text from the catalogue)."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                raise ValueError(f"line {node.lineno}: _() needs one literal English string")
            found.setdefault(first.value, []).append(node.lineno)
    return found


def checks_msgids():
    """{English text: ["course/checks/lesson01.py:15", ...]} over all CHECKS_SOURCES."""
    course = Path(__file__).resolve().parent.parent
    found = {}
    for pattern in CHECKS_SOURCES:
        for path in sorted(course.glob(pattern)):
            where = path.relative_to(course.parent).as_posix()
            for text, lines in msgids(path.read_text(encoding="utf-8")).items():
                found.setdefault(text, []).extend(f"{where}:{line}" for line in lines)
    return found
