"""Lesson 7 on a machine with a GPU: the branches that only run when `mt.cuda.is_available()`
is True, checked here without one.

The instructor notebook is run with minitensor's stand-in GPU (array_api_strict arrays behind
device="cuda") installed before the first cell, so `device` becomes "cuda": every cell must
still run, the lesson must really have used the GPU, and the `check-output` cells must print
exactly what the committed CPU run printed (nbval compares them on GPU machines too).
"""

import nbformat
import pytest

from course.build import instructor_path
from course.execute import read_notebook, run_notebook

pytest.importorskip("array_api_strict")

LESSON = "07_gpu_with_cupy"
INSTALL_STAND_IN = (
    "from minitensor import backend\nbackend.use_cuda_backend(backend.ArrayApiStrictBackend())"
)


def printed(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


@pytest.mark.slow
def test_gpu_lesson_runs_on_a_gpu_and_its_checked_numbers_do_not_change(tmp_path):
    committed = read_notebook(instructor_path(LESSON))
    notebook = read_notebook(instructor_path(LESSON))
    notebook.cells.insert(0, nbformat.v4.new_code_cell(INSTALL_STAND_IN))
    outcomes, problem = run_notebook(notebook, tmp_path)
    assert problem is None, problem
    failures = [f"{notebook.cells[o.index].id}: {o.ename}: {o.evalue}" for o in outcomes
                if o.failed]  # fmt: skip
    assert failures == []

    ran = {cell.id: cell for cell in notebook.cells}
    assert "computing on: cuda" in printed(ran["cell-04"]), "the lesson did not pick the GPU"
    assert "Expected all tensors to be on the same device" in printed(ran["cell-12"])
    for cell in committed.cells:
        if "nbval-check-output" in cell.metadata.get("tags", []):
            assert printed(ran[cell.id]) == printed(cell), cell.id
