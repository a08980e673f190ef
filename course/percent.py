"""Read a lesson source file (course/source/NN_topic.py) into notebook cells.

The source is plain Python in the "percent" format that editors (VS Code, Spyder, PyCharm,
jupytext) understand: a line starting with `# %%` begins a new cell.

    # %% [markdown]
    # # A heading
    # Markdown text, each line behind "# ".

    # %%
    x = mt.tensor([1.0, 2.0])

Words after `# %%` say what the cell is:

    check-output      nbval compares this cell's printed output with the stored one: use it
                      where the numbers are the point (gradients, losses, shapes)
    minitensor-only   the cell uses something PyTorch lacks (a widget, minitensor's source,
                      an exercise check); all other code cells also run with `import torch`
    exN solution      the cell the learner fills in for exercise N (solution markers inside)
    exN check         the cell that checks exercise N; re-inserted by the grader

Cell ids are stable (`exN-solution`, `exN-check`, else `cell-NN`) so the grader can find the
exercise cells of a submitted notebook, and a rebuild does not change ids that did not move.
"""

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELL_START = re.compile(r"^# %%(.*)$")
EXERCISE = re.compile(r"ex\d+")
ROLES = ("solution", "check")
FLAGS = {"check-output": "nbval-check-output", "minitensor-only": "minitensor-only"}

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class SourceError(ValueError):
    """A lesson source file that cannot be turned into a notebook."""


def _parse_header(words, where):
    """(is_markdown, tags, lesson metadata) from the words after `# %%`."""
    if words == ["[markdown]"]:
        return True, [], {}
    tags, meta = [], {}
    for word in words:
        if word in FLAGS:
            tags.append(FLAGS[word])
        elif EXERCISE.fullmatch(word):
            meta["exercise"] = word
        elif word in ROLES:
            meta["role"] = word
        else:
            raise SourceError(
                f"{where}: unknown word {word!r} after '# %%'; expected [markdown], "
                f"{', '.join(FLAGS)}, exN solution or exN check"
            )
    if ("exercise" in meta) != ("role" in meta):
        raise SourceError(f"{where}: an exercise cell needs both 'exN' and 'solution'/'check'")
    return False, tags, meta


def _markdown_text(lines, where):
    text = []
    for number, line in lines:
        if line == "#":
            text.append("")
        elif line.startswith("# "):
            text.append(line[2:])
        elif line.strip():
            raise SourceError(f"{where}, line {number}: markdown lines must start with '# '")
        else:
            text.append("")
    return "\n".join(text).strip("\n")


def read_cells(text, name="<source>"):
    """The notebook cells described by a percent-format source text."""
    chunks = []  # (header line number, header words, [(line number, line), ...])
    for number, line in enumerate(text.splitlines(), start=1):
        match = CELL_START.match(line)
        if match:
            chunks.append((number, match.group(1).split(), []))
        elif chunks:
            chunks[-1][2].append((number, line))
        elif line.strip() and not line.startswith("#"):
            raise SourceError(f"{name}, line {number}: code before the first '# %%' line")

    cells, seen_ids = [], set()
    for number, words, lines in chunks:
        where = f"{name}, cell at line {number}"
        is_markdown, tags, meta = _parse_header(words, where)
        if is_markdown:
            cell = new_markdown_cell(_markdown_text(lines, where))
        else:
            source = "\n".join(line for _, line in lines).strip("\n")
            if not source.strip():
                raise SourceError(f"{where}: empty code cell")
            cell = new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        if meta:
            cell.metadata["lesson"] = meta
            cell.id = f"{meta['exercise']}-{meta['role']}"
        else:
            cell.id = f"cell-{len(cells) + 1:02d}"
        if cell.id in seen_ids:
            raise SourceError(f"{where}: a second '{cell.id}' cell")
        seen_ids.add(cell.id)
        cells.append(cell)
    _check_exercises(cells, name)
    return cells


def _check_exercises(cells, name):
    """Every exercise has a solution cell with markers, followed later by its check cell."""
    order = [
        (c.metadata["lesson"]["exercise"], c.metadata["lesson"]["role"], c)
        for c in cells
        if "lesson" in c.metadata
    ]
    exercises = dict.fromkeys(exercise for exercise, _, _ in order)
    for exercise in exercises:
        roles = [role for ex, role, _ in order if ex == exercise]
        if roles != ["solution", "check"]:
            raise SourceError(
                f"{name}: {exercise} needs one solution cell followed by one check cell, "
                f"found {roles}"
            )
        solution = next(c for ex, role, c in order if ex == exercise and role == "solution")
        if "### BEGIN SOLUTION" not in solution.source:
            raise SourceError(f"{name}: the {exercise} solution cell has no '### BEGIN SOLUTION'")


def build_notebook(text, name):
    """A fresh (unexecuted) instructor notebook from the source text of lesson `name`."""
    notebook = new_notebook(cells=read_cells(text, name))
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["lesson"] = {"name": name}
    nbformat.validate(notebook)
    return notebook
