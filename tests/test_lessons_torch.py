"""The lessons' promise: every code cell also runs on PyTorch, with the same numbers.

Each lesson's instructor notebook is run with `import minitensor as mt` replaced by
`import torch as mt`, leaving out the cells tagged `minitensor-only` (widgets, minitensor's
source) and the exercise check cells (the checks are written against minitensor). No cell
may fail, and every `check-output` cell must print what it printed with minitensor, once the
module's name is the same ("torch.float32" reads as "minitensor.float32") and up to one
unit in the last printed digit of a decimal number.
"""

import re

import pytest

from course.build import instructor_path, lesson_names
from course.execute import read_notebook, run_notebook

torch = pytest.importorskip("torch")

IMPORT_LINE = "import minitensor as mt"


def text_of(cell):
    """The printed text of a cell's outputs, with PyTorch's name written as minitensor's."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output["text"])
        elif "data" in output and "text/plain" in output["data"]:
            parts.append(output["data"]["text/plain"])
    text = "".join(parts).replace("torch::autograd::", "")  # PyTorch's AccumulateGrad name
    return re.sub(r"\btorch\b", "minitensor", text)


NUMBER = re.compile(r"(-?\d+\.\d*(?:e[+-]?\d+)?|-?\d+e[+-]?\d+)")


def last_digit(token):
    """The value of one unit in the last printed digit: 0.01 for '3.14', 1e-5 for '1.5e-4'."""
    mantissa, _, exponent = token.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def same_printout(a, b):
    """Equal text, except that a printed decimal may differ by one unit in its last digit
    (NumPy and PyTorch may round the last float32 bit differently; the lessons print the
    numbers that matter with a few digits, and those must agree)."""
    parts_a, parts_b = NUMBER.split(a), NUMBER.split(b)
    if len(parts_a) != len(parts_b):
        return False
    for i, (x, y) in enumerate(zip(parts_a, parts_b)):
        if i % 2 == 0:  # text between numbers
            if x != y:
                return False
        elif abs(float(x) - float(y)) > 1.0001 * max(last_digit(x), last_digit(y)):
            return False
    return True


def test_printouts_may_differ_only_in_the_last_digit_of_a_decimal():
    assert same_printout("loss 0.0334, step 10", "loss 0.0333, step 10")
    assert same_printout("tensor([1.0000e-05])", "tensor([1.0001e-05])")
    assert not same_printout("loss 0.0371", "loss 0.0384")
    assert not same_printout("step 10", "step 11")
    assert not same_printout("a.grad = 4.", "b.grad = 4.")


def torch_version_of(notebook):
    """The cells that must also run on PyTorch, with the import swapped."""
    cells = []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        role = cell.metadata.get("lesson", {}).get("role")
        if cell.cell_type != "code" or "minitensor-only" in tags or role == "check":
            continue
        cell = cell.copy()
        cell.source = cell.source.replace(IMPORT_LINE, "import torch as mt")
        cell.outputs = []
        cells.append(cell)
    notebook = notebook.copy()
    notebook.cells = cells
    return notebook


@pytest.mark.slow
@pytest.mark.parametrize("name", lesson_names())
def test_lesson_runs_on_pytorch_with_the_same_numbers(name, tmp_path):
    instructor = read_notebook(instructor_path(name))
    assert any(IMPORT_LINE in c.source for c in instructor.cells), f"{name} never imports mt"
    notebook = torch_version_of(instructor)
    outcomes, problem = run_notebook(notebook, tmp_path, cell_timeout=120)
    assert problem is None, problem
    failures = [
        f"{notebook.cells[o.index].id}: {o.ename}: {o.evalue}" for o in outcomes if o.failed
    ]
    assert failures == [], "cells that fail on PyTorch:\n" + "\n".join(failures)

    expected = {c.id: text_of(c) for c in instructor.cells if c.cell_type == "code"}
    differences = [
        f"{cell.id}:\n--- minitensor\n{expected[cell.id]}\n--- torch\n{text_of(cell)}"
        for cell in notebook.cells
        if "nbval-check-output" in cell.metadata.get("tags", [])
        and not same_printout(text_of(cell), expected[cell.id])
    ]
    assert differences == [], "check-output cells that print differently:\n" + "\n".join(
        differences
    )
