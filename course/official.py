"""What the instructor notebook says about a lesson's exercises: the trusted side of grading.

Read by the grader, never inside a sandbox, from lessons/solutions/NN_topic.ipynb:

- the exercises, in order, each with its check calls: the check cell's statements, hidden
  tests included, read as data (`check_ex2(standardize, size=6)` becomes module, function,
  the name `standardize` and the constant 6). A check cell may hold only imports from
  `course.checks` and such calls; anything else is a mistake in the lesson, refused here;
- the prelude: the notebook's imports and module aliases (`nn, optim = mt.nn, mt.optim`),
  which answers may use without importing them; display-only modules are left out;
- the visible check cells (hidden tests removed) for the feedback notebook.
"""

import ast
import copy
import re

from course.build import instructor_path
from course.execute import read_notebook
from course.learner import blank_source

CHECKS_PACKAGE = "course.checks"
# Imported only to draw or display: an answer function never needs them from the prelude.
DISPLAY_MODULES = {"widgets", "matplotlib", "IPython", "ipywidgets", "inspect"}


class LessonError(ValueError):
    """The instructor notebook's check cells are not of the form the grader reads."""


def exercise_cell(cell):
    """(exercise, role) of a lesson's exercise cell, from its metadata, else its id."""
    meta = cell.get("metadata", {}).get("lesson", {})
    if isinstance(meta, dict) and meta.get("exercise") and meta.get("role"):
        return str(meta["exercise"]), str(meta["role"])
    match = re.fullmatch(r"(ex\d+)-(solution|check)", str(cell.get("id", "")))
    return (match.group(1), match.group(2)) if match else (None, None)


def _constant(node, where):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise LessonError(f"{where}: check arguments must be names or constants") from None


def _argument(node, where):
    if isinstance(node, ast.Name):
        return ["name", node.id]
    return ["constant", _constant(node, where)]


def check_calls(source, where):
    """The calls of a check cell as data: [{module, function, args, kwargs}]."""
    imported, calls = {}, []
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.ImportFrom) and statement.module.startswith(CHECKS_PACKAGE):
            for alias in statement.names:
                imported[alias.asname or alias.name] = (statement.module, alias.name)
        elif (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Name)
            and statement.value.func.id in imported
        ):
            call = statement.value
            module, function = imported[call.func.id]
            calls.append(
                {
                    "module": module,
                    "function": function,
                    "args": [_argument(arg, where) for arg in call.args],
                    "kwargs": {kw.arg: _argument(kw.value, where) for kw in call.keywords},
                }
            )
        else:
            raise LessonError(
                f"{where}: a check cell may only import from {CHECKS_PACKAGE} and call "
                f"what it imported; line {statement.lineno} does something else"
            )
    if not calls:
        raise LessonError(f"{where}: the check cell calls no check")
    return calls


def _prelude_statement(statement):
    """An import, or an alias such as `optim = mt.optim` (no call, nothing computed)."""

    def reference(node):
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name)

    if isinstance(statement, ast.Import):
        return not any(a.name.split(".")[0] in DISPLAY_MODULES for a in statement.names)
    if isinstance(statement, ast.ImportFrom):
        root = (statement.module or "").split(".")[0]
        return statement.level == 0 and root not in DISPLAY_MODULES and root != "course"
    if isinstance(statement, ast.Assign):
        value = statement.value
        values = value.elts if isinstance(value, ast.Tuple) else [value]
        return all(reference(v) for v in values)
    return False


class Lesson:
    """One lesson's exercises, prelude and visible check cells, from its instructor notebook."""

    def __init__(self, name):
        self.name = name
        notebook = read_notebook(instructor_path(name))
        self.exercises = []  # [{"id": "ex1", "calls": [...]}]
        self.check_cells = {}  # exercise -> the visible check cell (hidden tests removed)
        prelude = []
        for index, cell in enumerate(notebook.cells):
            exercise, role = exercise_cell(cell)
            if cell.cell_type != "code":
                continue
            where = f"{name} cell {index}"
            if role == "check":
                calls = check_calls(cell.source, where)
                self.exercises.append({"id": exercise, "calls": calls})
                visible = copy.deepcopy(cell)
                visible.source = blank_source(cell.source, "code", where)
                visible.outputs, visible.execution_count = [], None
                self.check_cells[exercise] = visible
            elif role is None:
                try:
                    tree = ast.parse(cell.source)
                except SyntaxError:
                    continue
                prelude += [ast.unparse(s) for s in tree.body if _prelude_statement(s)]
        self.prelude = "\n".join(dict.fromkeys(prelude))  # each line once, in order

    @property
    def exercise_ids(self):
        return [exercise["id"] for exercise in self.exercises]
