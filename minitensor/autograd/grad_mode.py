"""Grad mode: whether ops record the graph (`no_grad`, `enable_grad`, `set_grad_enabled`).

One global switch, as in PyTorch. Each is a context manager and a decorator:

    with mt.no_grad():            @mt.no_grad()
        w -= lr * w.grad          def evaluate(model): ...

Turning recording off is how updates to parameters stay out of the graph (lesson 4), and how
evaluation saves the memory the graph would take. It does NOT change layer behaviour: that
is `model.eval()` (a common mix-up, ../shared/LEARNERS.md item 14).

Read next: function.py (Op.apply, where the switch is read).
"""

import functools

_enabled = True


def is_grad_enabled():
    """True while ops record the computation graph."""
    return _enabled


def _set_enabled(mode):
    global _enabled
    _enabled = bool(mode)


class _GradModeContext:
    """Shared machinery: enter sets the mode, exit restores the previous one."""

    mode = True

    def __enter__(self):
        self._previous = _enabled
        _set_enabled(self.mode)
        return self

    def __exit__(self, *exc_info):
        _set_enabled(self._previous)
        return False

    def __call__(self, function):
        """Use as a decorator: the whole function runs in this grad mode."""

        mode = self.mode  # this object's mode: inference_mode(False) must not turn it off

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            previous = _enabled
            _set_enabled(mode)
            try:
                return function(*args, **kwargs)
            finally:
                _set_enabled(previous)

        return wrapper

    def __new__(cls, function=None):
        # `@mt.no_grad` without parentheses, as PyTorch 2 allows: decorate at once.
        obj = super().__new__(cls)
        if callable(function):
            return obj(function)
        return obj

    def __init__(self, function=None):
        pass


class no_grad(_GradModeContext):
    """Ops inside run without recording: results have `requires_grad=False`, no grad_fn."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a `no_grad` block."""

    mode = True


class inference_mode(no_grad):
    """PyTorch's faster `no_grad`; here the same thing (we have no inference tensors)."""

    def __init__(self, mode=True):
        self.mode = not mode

    def __new__(cls, mode=True):
        obj = object.__new__(cls)
        if callable(mode):  # `@mt.inference_mode` without parentheses
            obj.mode = False
            return obj(mode)
        return obj


class set_grad_enabled(_GradModeContext):
    """`set_grad_enabled(False)` switches at once; as a context manager it restores on exit."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self._previous = _enabled
        self.mode = bool(mode)
        _set_enabled(mode)

    def __enter__(self):
        return self

    def __call__(self, function):
        _set_enabled(self._previous)  # as a decorator it must not switch at definition time
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper
