"""Make the learner version of an instructor notebook.

Instructor notebooks mark what the learner must not see with nbgrader's spelling, so the
lessons can move to nbgrader later without edits:

    ### BEGIN SOLUTION            replaced, in the learner version, by
    ...                               # YOUR CODE HERE
    ### END SOLUTION                  raise NotImplementedError()
                                  (at the indentation of the BEGIN line)
    ### BEGIN HIDDEN TESTS        removed, markers included
    ...
    ### END HIDDEN TESTS

In markdown cells a solution becomes "YOUR ANSWER HERE". Outputs, execution counts and the
stored widget state are cleared. Everything else (ids, tags, metadata) is kept, so the
grader can match a submission's cells to the official ones.
"""

import copy

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)


class MarkerError(ValueError):
    """BEGIN/END markers that do not pair up."""


def _replace_regions(lines, begin, end, stub, where):
    """Replace each begin..end region (markers included) by `stub` lines, indented alike."""
    result, inside = [], False
    for line in lines:
        stripped = line.strip()
        if stripped == begin:
            if inside:
                raise MarkerError(f"{where}: '{begin}' inside another '{begin}'")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            result.extend(indent + s for s in stub)
        elif stripped == end:
            if not inside:
                raise MarkerError(f"{where}: '{end}' without '{begin}'")
            inside = False
        elif not inside:
            result.append(line)
    if inside:
        raise MarkerError(f"{where}: '{begin}' without '{end}'")
    return result


def blank_source(source, cell_type="code", where="cell"):
    """A cell's source with solutions replaced by the stub and hidden tests removed."""
    lines = source.split("\n")
    lines = _replace_regions(lines, BEGIN_HIDDEN, END_HIDDEN, (), where)
    stub = CODE_STUB if cell_type == "code" else MARKDOWN_STUB
    lines = _replace_regions(lines, BEGIN_SOLUTION, END_SOLUTION, stub, where)
    return "\n".join(lines).strip("\n")


def learner_version(instructor):
    """A new notebook: `instructor` with solutions blanked, hidden tests and outputs gone."""
    notebook = copy.deepcopy(instructor)
    notebook.metadata.pop("widgets", None)
    for index, cell in enumerate(notebook.cells):
        where = f"cell {index} ({cell.get('id', 'no id')})"
        cell.source = blank_source(cell.source, cell.cell_type, where)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def without_markers(source):
    """A solution as a learner would have typed it: the instructor's, markers removed."""
    lines = source.split("\n")
    return "\n".join(line for line in lines if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def answered_version(learner, instructor):
    """A copy of the learner notebook with every exercise answered as the instructor did.

    For tests and benchmarks of the grader: a submission that should get full marks.
    """
    notebook = copy.deepcopy(learner)
    solutions = {cell.get("id"): cell for cell in instructor.cells}
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("lesson", {}).get("role") == "solution":
            cell.source = without_markers(solutions[cell.get("id")].source)
    return notebook
