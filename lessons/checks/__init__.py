"""Exercise checks: what the cell under each exercise calls.

    from lessons.checks.lesson02 import check_ex1
    check_ex1(predicted_grad)

A check runs the learner's code on fresh inputs and looks at what it *did* (did the
gradient accumulate? was a graph recorded? is the updated tensor still a leaf?), not only
at the number it returned. When something is wrong it raises `CheckFailed`: the message
names the exercise, says exactly what is wrong, and gives a hint; failing the same exercise
again reveals a bigger hint. A blank exercise (still `raise NotImplementedError()`) raises
`NotDone`. In Jupyter both show just their message, without a traceback.

Each lesson has a module here (lesson01.py, ...) with one `check_exN` per exercise, built
from the tools below:

    attempt(ex, fn, *args)    call the learner's function: a blank one raises NotDone, any
                              other exception becomes a CheckFailed naming it (with a hint
                              when its message contains a phrase we know)
    fail(ex, what, *hints)    raise CheckFailed; hints are revealed one more per failure
    passed(ex, what)          print the success line, saying what was verified
    close(a, b)               equal up to float32 rounding
    recorded_ops()            how many graph nodes the code inside a `with` block recorded
"""

import contextlib
from collections import Counter

_failures = Counter()  # exercise -> how many times its check failed in this kernel


class CheckFailed(Exception):
    """An exercise check found a problem. The message says what, and how to fix it."""

    def __init__(self, exercise, what, hints=()):
        self.exercise, self.what, self.hints = exercise, what, tuple(hints)
        super().__init__(self.text())

    def text(self):
        lines = [f"{self.exercise}: {self.what}"]
        for tier, hint in enumerate(self.hints):
            lines.append(("Hint: " if tier == 0 else "Bigger hint: ") + hint)
        return "\n".join(lines)

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback: the learner's mistake is in
        # their code, not in this file, so the checker's stack frames would only distract.
        return self.text().split("\n")


class NotDone(CheckFailed):
    """The exercise still holds the `raise NotImplementedError()` stub."""

    def __init__(self, exercise):
        super().__init__(exercise, "not done yet, replace the line under # YOUR CODE HERE")


def fail(exercise, what, *hints):
    """Raise CheckFailed; the n-th failure of an exercise shows its first n hints."""
    _failures[exercise] += 1
    raise CheckFailed(exercise, what, hints[: _failures[exercise]])


def passed(exercise, what):
    print(f"✔ {exercise} passed: {what}")


def _is_stub(error):
    """A bare `raise NotImplementedError()`, as the stub has (minitensor's carry a message)."""
    return isinstance(error, NotImplementedError) and not error.args


def attempt(exercise, function, *args, errors=None, **kwargs):
    """Call the learner's `function(*args, **kwargs)` and return what it returns.

    `errors` maps a phrase of an exception message to a hint for it, e.g.
    {"leaf Variable": "update inside `with mt.no_grad():`"}.
    """
    if not callable(function):
        fail(exercise, f"expected a function, got {function!r}")
    name = getattr(function, "__name__", "your function")
    try:
        return function(*args, **kwargs)
    except NotImplementedError as error:
        if _is_stub(error):
            raise NotDone(exercise) from None
        caught = error
    except Exception as error:
        caught = error
    message = f"{name}() raised {type(caught).__name__}: {caught}"
    hints = [hint for phrase, hint in (errors or {}).items() if phrase in str(caught)]
    fail(exercise, message, *hints[:1])


def close(a, b, tolerance=1e-4):
    """True when the numbers (scalars or nested sequences) agree to float32 precision."""
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tolerance, atol=tolerance))


def number(value):
    """A Python float from a number or a one-element tensor (else None), for messages."""
    try:
        return float(value.item() if hasattr(value, "item") else value)
    except (TypeError, ValueError, RuntimeError):
        return None


class _Recorded:
    count = 0


@contextlib.contextmanager
def recorded_ops():
    """Count the graph nodes recorded inside the block: `with recorded_ops() as r: ...`,
    then `r.count`.

    Every op that autograd records takes the next number from one counter
    (minitensor/autograd/node.py, `sequence_nr`); comparing it before and after tells how
    many nodes were made, even if the graph is gone by then.
    """
    from minitensor.autograd import node

    recorded = _Recorded()
    start = next(node._sequence)
    try:
        yield recorded
    finally:
        recorded.count = next(node._sequence) - start - 1
