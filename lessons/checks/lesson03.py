"""Checks for lesson 3 (gradients in practice): logging with .item(), micro-batch
accumulation, evaluating without a graph."""

import minitensor as mt

from . import attempt, close, fail, number, passed, recorded_ops

_BATCHES = [
    ([1.0, 2.0], [2.0, 4.5]),
    ([3.0, 4.0], [5.5, 8.0]),
    ([5.0, 6.0], [10.5, 11.0]),
]


def _batches():
    return [(mt.tensor(x), mt.tensor(y)) for x, y in _BATCHES]


def _reference_mean_loss(w_value):
    """The expected mean loss and the gradient summed over the batches, by plain Python."""
    losses, grad = [], 0.0
    for xs, ys in _BATCHES:
        losses.append(sum((w_value * x - y) ** 2 for x, y in zip(xs, ys)) / len(xs))
        grad += sum(2 * (w_value * x - y) * x for x, y in zip(xs, ys)) / len(xs)
    return sum(losses) / len(losses), grad


def check_ex1(mean_loss):
    """Exercise 1: a float for logging, every batch backed through, no graph kept."""
    w = mt.tensor(1.5, requires_grad=True)
    result = attempt("ex1", mean_loss, w, _batches())
    expected_loss, expected_grad = _reference_mean_loss(1.5)
    if isinstance(result, mt.Tensor):
        kept = "and keeps every batch's graph alive" if result.grad_fn is not None else ""
        fail(
            "ex1",
            f"mean_loss() returned {result!r}, a Tensor {kept}; return a Python float",
            "add loss.item() to the total instead of loss.",
        )
    if not isinstance(result, float):
        fail("ex1", f"mean_loss() returned a {type(result).__name__}; return a Python float")
    if not close(result, expected_loss):
        fail("ex1", f"mean_loss() returned {result:.4f}; the mean loss is {expected_loss:.4f}")
    if w.grad is None:
        fail(
            "ex1",
            "after mean_loss(w, batches), w.grad is None: keep loss.backward() for every batch; "
            "only the logging should change",
        )
    if not close(w.grad.item(), expected_grad):
        fail(
            "ex1",
            f"after mean_loss(w, batches), w.grad is {w.grad.item():.4f}; expected "
            f"{expected_grad:.4f}, the sum of the three batches' gradients",
            "call loss.backward() exactly once per batch.",
        )
    passed("ex1", f"returns the float {result:.4f}, w.grad collected every batch")


_X = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
_Y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8, 16.1]


def check_ex2(accumulate_gradient, micro_batches=4, size=8):
    """Exercise 2: micro-batch gradients add up to the full batch's, starting from zero."""
    x, y = mt.tensor(_X[:size]), mt.tensor(_Y[:size])
    w = mt.tensor(0.5, requires_grad=True)
    stale = 5.0
    w.grad = mt.tensor(stale)  # left over from "an earlier step"
    calls = []
    w.register_hook(lambda grad: calls.append(grad))
    attempt("ex2", accumulate_gradient, w, x, y, micro_batches)

    w_check = mt.tensor(0.5, requires_grad=True)
    ((w_check * x - y) ** 2).mean().backward()
    expected = w_check.grad.item()
    got = number(w.grad) if w.grad is not None else None
    if got is None:
        fail("ex2", "after accumulate_gradient(...), w.grad is None")
    if len(calls) != micro_batches:
        fail(
            "ex2",
            f"w received {len(calls)} backward pass(es); expected {micro_batches}, one per "
            "micro-batch (so that only one micro-batch's graph is in memory at a time)",
            "loop over the slices and call backward() inside the loop.",
        )
    if close(got, expected):
        passed("ex2", f"{micro_batches} backward calls give the full-batch gradient {expected:.4f}")
        return
    what = f"w.grad is {got:.4f}; the full-batch gradient is {expected:.4f}"
    if close(got - stale, expected) or close((got - stale) / micro_batches, expected):
        fail(
            "ex2",
            f"{what}: your result still contains the {stale} that w.grad held before",
            "clear w.grad first (w.grad = None, or w.grad.zero_()).",
        )
    if close(got / micro_batches, expected):
        fail(
            "ex2",
            f"{what}, {micro_batches} times too big: each micro-batch's mean counts as much "
            "as the whole batch's",
            f"divide each micro-batch loss by the number of micro-batches ({micro_batches}).",
            "the mean over 8 = (mean over slice 1 + ... + mean over slice 4) / 4.",
        )
    fail("ex2", what, "compare your slices with x[start : start + len(x) // micro_batches].")


def check_ex3(validation_loss):
    """Exercise 3: a float, no graph recorded, w.grad untouched."""
    x = mt.tensor([1.0, 2.0, 3.0])
    y = mt.tensor([2.5, 3.5, 7.0])
    w = mt.tensor(2.0, requires_grad=True)
    with recorded_ops() as recorded:
        result = attempt("ex3", validation_loss, w, x, y)
    expected = ((2.0 * 1 - 2.5) ** 2 + (4.0 - 3.5) ** 2 + (6.0 - 7.0) ** 2) / 3
    if recorded.count:
        fail(
            "ex3",
            f"validation_loss() recorded {recorded.count} graph node(s); evaluating should "
            "record none",
            "compute the loss inside `with mt.no_grad():`.",
        )
    if w.grad is not None:
        fail("ex3", "validation_loss() changed w.grad: evaluating must not call backward()")
    if isinstance(result, mt.Tensor) or not isinstance(result, float):
        fail(
            "ex3",
            f"validation_loss() returned {result!r}; return a Python float",
            "loss.item() gives the number.",
        )
    if not close(result, expected):
        fail("ex3", f"validation_loss() returned {result:.4f}; expected {expected:.4f}")
    passed("ex3", f"returns {result:.4f} and recorded no graph")
