"""Run a notebook in a fresh kernel and report, for every code cell, whether it failed.

Used by the builder (to execute instructor notebooks), the grader (to run submissions) and
the tests. Three things a plain `nbclient` run does not do for us:

- every cell has its own time limit, and a cell that runs past it is interrupted and
  reported as timed out, so one endless loop (or a widget waiting for a click) cannot stop
  the run: the cells after it still execute. A cell that ignores the interrupt has the
  kernel killed under it, and the cells after it are reported as not run;
- errors never stop the run (`allow_errors=True`): we want to see every failing cell;
- a kernel that dies (a crash, `os._exit`) ends the run with a reason instead of an
  exception, and the cells it did not reach are reported as not run.

The kernel is the Python running this code (`python3` from the current environment), so a
notebook sees the same `minitensor` and `lessons` as the caller.
"""

from dataclasses import dataclass

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

TIMEOUT_ENAME = "CellTimeoutError"
KILL_GRACE = 5  # seconds an interrupted cell gets to stop before the kernel is killed


@dataclass
class CellOutcome:
    """What happened to one code cell: `status` is "ok", "error", "timeout", "not run" or
    "skipped" (tagged `skip-execution`, which nbclient does not run)."""

    index: int
    status: str
    ename: str = ""
    evalue: str = ""

    @property
    def failed(self):
        return self.status not in ("ok", "skipped")


def _error_of(cell):
    """The first error output of an executed cell, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


async def _responds(client, seconds):
    """True when the kernel answers a kernel_info request within `seconds`.

    After a timed-out cell nbclient has sent SIGINT; a kernel still busy after that is
    running code that ignores the interrupt (or catches KeyboardInterrupt and carries on).
    """
    try:
        await client.kc.kernel_info(reply=True, timeout=seconds)
        return True
    except Exception:  # TimeoutError, or the kernel is gone already
        return False


def _kill_kernel(client):
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    if process is not None:
        process.kill()


def run_notebook(notebook, workdir, cell_timeout=120, kernel_name="python3"):
    """Execute `notebook` (changed in place, outputs filled in) with `workdir` as the cwd.

    Returns (outcomes, problem): one CellOutcome per code cell in order, and a sentence
    saying why the run ended early (the kernel died, or could not start), else None.
    """
    timed_out, started, executed, killed = set(), set(), set(), []

    def note_start(cell, cell_index):
        if "skip-execution" not in cell.metadata.get("tags", []):
            started.add(cell_index)

    async def note_executed(cell, cell_index, execute_reply):
        executed.add(cell_index)
        content = (execute_reply or {}).get("content", {})
        if content.get("ename") == TIMEOUT_ENAME:
            timed_out.add(cell_index)
            if not await _responds(client, KILL_GRACE):
                killed.append(cell_index)
                _kill_kernel(client)

    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name=kernel_name,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": TIMEOUT_ENAME,
            "evalue": f"the cell ran for more than {cell_timeout} s and was interrupted",
            "traceback": [],
        },
        record_timing=False,
        on_cell_start=note_start,
        on_cell_executed=note_executed,
        resources={"metadata": {"path": str(workdir)}},
    )
    problem = None
    try:
        client.execute()
    except DeadKernelError:
        problem = "the kernel died (the Python process running the notebook crashed or exited)"
        if killed:
            problem = (
                f"a cell ignored the interrupt after {cell_timeout} s, so the kernel was "
                "stopped (does it catch KeyboardInterrupt or ignore SIGINT?)"
            )
    except Exception as error:  # a kernel that cannot start, a broken notebook structure
        problem = f"the notebook could not be run: {type(error).__name__}: {error}"

    # Which cells ran is what nbclient reports, cell by cell: counting executed cells would
    # go wrong as soon as one is skipped (a `skip-execution` tag, an empty cell).
    outcomes = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if "skip-execution" in cell.metadata.get("tags", []):
            outcome = CellOutcome(index, "skipped")
        elif index in timed_out:
            outcome = CellOutcome(index, "timeout", TIMEOUT_ENAME, f"ran past {cell_timeout} s")
        elif problem and index == max(started - executed, default=None):
            outcome = CellOutcome(index, "error", "DeadKernelError", problem)
        elif index not in executed:
            outcome = CellOutcome(index, "not run")
        elif (error := _error_of(cell)) is not None:
            outcome = CellOutcome(index, "error", error.get("ename", ""), error.get("evalue", ""))
        else:
            outcome = CellOutcome(index, "ok")
        outcomes.append(outcome)
    return outcomes, problem


def read_notebook(path):
    """Read a notebook file as nbformat version 4 (raises on anything that is not one)."""
    return nbformat.read(str(path), as_version=4)
