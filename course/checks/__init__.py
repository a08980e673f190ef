"""Exercise checks: what the cell under each exercise calls.

    from course.checks.lesson02 import check_ex1
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
    recorded_ops(lib)         how many graph nodes the code inside a `with` block recorded
    library(*objects)         the tensor library the learner works with: minitensor, or
                              torch when they follow along with `import torch as mt`
    live_graph_nodes(leaf)    how many graph nodes that lead to `leaf` are alive right now

Every sentence a learner reads goes through `_` (widgets/common/language.py), keyed by its
English text with `{name}` fields: `_("you predicted {got}", got=value)`. In Chinese
(`widgets.set_language("zh")`, MINITENSOR_LANG=zh, or a notebook in lessons/zh/) it comes
from course/locale/zh/checks.po; numbers, shapes, code and error messages stay as they are.
The language is looked up when a message is made, so a check module is imported once for
both. The keys of an `errors={...}` dict are phrases of English exception messages and stay
English; their hints are translated.

The checks work on PyTorch too. They never import torch themselves: `library(answer)`
looks at what the learner's function, class or object uses, and a check builds its test
inputs with that library (`lib.tensor(...)`), so a learner who follows along with
`import torch as mt` is graded on torch tensors, modules and optimizers.
"""

import contextlib
import gc
import re
import sys
import types
from collections import Counter
from pathlib import Path

from widgets.common.language import Catalogue

_ = Catalogue(Path(__file__).resolve().parent.parent / "locale" / "zh" / "checks.po")
_failures = Counter()  # exercise -> how many times its check failed in this kernel


class CheckFailed(Exception):
    """An exercise check found a problem. The message says what, and how to fix it."""

    def __init__(self, exercise, what, hints=()):
        self.exercise, self.what, self.hints = exercise, what, tuple(hints)
        super().__init__(self.text())

    def text(self):
        lines = [_("{exercise}: {what}", exercise=exercise_name(self.exercise), what=self.what)]
        for tier, hint in enumerate(self.hints):
            if tier == 0:
                lines.append(_("Hint: {hint}", hint=hint))
            else:
                lines.append(_("Bigger hint: {hint}", hint=hint))
        return "\n".join(lines)

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback: the learner's mistake is in
        # their code, not in this file, so the checker's stack frames would only distract.
        return self.text().split("\n")


class NotDone(CheckFailed):
    """The exercise still holds the `raise NotImplementedError()` stub."""

    def __init__(self, exercise):
        super().__init__(exercise, _("not done yet, replace the line under # YOUR CODE HERE"))


def exercise_name(exercise):
    """How a message names an exercise: "ex1" in English, "练习 1" in Chinese."""
    numbered = re.fullmatch(r"ex(\d+)", exercise)
    return _("ex{number}", number=numbered.group(1)) if numbered else exercise


def fail(exercise, what, *hints):
    """Raise CheckFailed; the n-th failure of an exercise shows its first n hints."""
    _failures[exercise] += 1
    raise CheckFailed(exercise, what, hints[: _failures[exercise]])


def passed(exercise, what):
    print(_("✔ {exercise} passed: {what}", exercise=exercise_name(exercise), what=what))


def _is_stub(error):
    """A bare `raise NotImplementedError()`, as the stub has (minitensor's carry a message)."""
    return isinstance(error, NotImplementedError) and not error.args


def attempt(exercise, function, *args, errors=None, **kwargs):
    """Call the learner's `function(*args, **kwargs)` and return what it returns.

    `errors` maps a phrase of an exception message to a hint for it, e.g.
    {"leaf Variable": _("update inside `with mt.no_grad():`")}; the bigger hint says how to
    see the traceback.
    """
    if not callable(function):
        fail(exercise, _("expected a function, got {function!r}", function=function))
    name = getattr(function, "__name__", None) or _("your function")
    try:
        return function(*args, **kwargs)
    except NotImplementedError as error:
        if _is_stub(error):
            raise NotDone(exercise) from None
        caught = error
    except Exception as error:
        caught = error
    message = _(
        "{name}() raised {error_type}: {error}",
        name=name,
        error_type=type(caught).__name__,
        error=caught,
    )
    hints = [hint for phrase, hint in (errors or {}).items() if phrase in str(caught)]
    fail(exercise, message, *hints[:1], run_it_yourself())


def run_it_yourself():
    """The second tier of every hint about an exception: the check hides the traceback."""
    return _(
        "call your function yourself in a new cell, on small tensors: the traceback shows the "
        "line that raised."
    )


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


def _is_torch_module(value):
    return isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "torch"


def _uses_torch(obj):
    """Whether `obj` (a tensor, module, optimizer, class or function) comes from torch."""
    if isinstance(obj, (list, tuple)):
        return any(_uses_torch(item) for item in obj)
    if isinstance(obj, type):
        if any(_is_torch_module(sys.modules.get(c.__module__)) for c in obj.__mro__):
            return True
        return any(_uses_torch(member) for member in vars(obj).values() if callable(member))
    if _is_torch_module(sys.modules.get(type(obj).__module__)):
        return True
    function = getattr(obj, "__func__", obj)  # a method or staticmethod: its function
    namespace = getattr(function, "__globals__", None)
    if namespace is None:
        return False
    if isinstance(namespace.get("mt"), types.ModuleType):  # the lessons' own spelling
        return _is_torch_module(namespace["mt"])
    return any(_is_torch_module(value) for value in namespace.values())


def library(*objects):
    """minitensor, or torch when the learner's objects come from torch.

    A function counts as torch's when the module it calls `mt` is torch (the lessons'
    `import torch as mt`); tensors, modules, optimizers and classes by their type.
    torch is imported only when the learner's objects already use it.
    """
    if any(_uses_torch(obj) for obj in objects):
        return sys.modules["torch"]
    import minitensor

    return minitensor


class _Recorded:
    count = 0


def _next_node_number(lib):
    """Take the next number from the library's counter of recorded graph nodes."""
    if lib.__name__ == "torch":
        # PyTorch numbers every node it records (`Node._sequence_nr()`), one counter per
        # thread: record one node and read its number.
        with lib.enable_grad():
            probe = lib.zeros((), requires_grad=True) * 1
        return probe.grad_fn._sequence_nr()
    from minitensor.autograd import node

    return next(node._sequence)


@contextlib.contextmanager
def recorded_ops(lib=None):
    """Count the graph nodes recorded inside the block: `with recorded_ops() as r: ...`,
    then `r.count`.

    Every op that autograd records takes the next number from one counter
    (minitensor/autograd/node.py, `sequence_nr`; PyTorch has the same); comparing it
    before and after tells how many nodes were made, even if the graph is gone by then.
    """
    if lib is None:
        import minitensor as lib

    recorded = _Recorded()
    start = _next_node_number(lib)
    try:
        yield recorded
    finally:
        recorded.count = _next_node_number(lib) - start - 1


def _graph_nodes(node, seen):
    """Add to `seen` every node reachable from `node`."""
    stack = [node]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(next_node for next_node, _ in node.next_functions)


def live_graph_nodes(leaf):
    """How many graph nodes that lead back to `leaf` are alive now, held by any tensor.

    Walks the graphs of every tensor the garbage collector knows (a loop's `total`, a
    list of losses, a local variable), keeping the graphs that reach `leaf`. A loop that
    logs with `.item()` keeps at most the last batch's graph; `total += loss` keeps all.
    """
    tensor_type = type(leaf)
    alive = set()
    for obj in gc.get_objects():
        if isinstance(obj, tensor_type) and obj.grad_fn is not None:
            nodes = set()
            _graph_nodes(obj.grad_fn, nodes)
            if any(getattr(n, "variable", None) is leaf for n in nodes):
                alive |= nodes
    return len(alive)
