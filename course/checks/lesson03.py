"""Checks for lesson 3 (gradients in practice): logging with .item(), micro-batch
accumulation, evaluating a model, and three predictions (what keeps a .grad, backward a
second time, `.data` vs `detach()` vs `no_grad` on a saved leaf).

Every check builds its inputs with the learner's library (`library(answer)`): minitensor,
or torch for a learner following along with `import torch as mt`.
"""

from . import _, attempt, close, fail, library, live_graph_nodes, number, passed, recorded_ops

_BATCHES = [
    ([1.0, 2.0], [2.0, 4.5]),
    ([3.0, 4.0], [5.5, 8.0]),
    ([5.0, 6.0], [10.5, 11.0]),
    ([7.0, 8.0], [14.5, 15.5]),
]


class _WatchedBatches:
    """The batches, handed out one by one; before each (and at the end) it counts the
    graph nodes leading to `w` that are still alive."""

    def __init__(self, mt, w):
        self.batches = [(mt.tensor(x), mt.tensor(y)) for x, y in _BATCHES]
        self.w, self.alive = w, []

    def __iter__(self):
        for batch in self.batches:
            self.alive.append(live_graph_nodes(self.w))
            yield batch
        self.alive.append(live_graph_nodes(self.w))

    def __len__(self):
        return len(self.batches)


def _reference_mean_loss(w_value):
    """The expected mean loss and the gradient summed over the batches, by plain Python."""
    losses, grad = [], 0.0
    for xs, ys in _BATCHES:
        losses.append(sum((w_value * x - y) ** 2 for x, y in zip(xs, ys)) / len(xs))
        grad += sum(2 * (w_value * x - y) * x for x, y in zip(xs, ys)) / len(xs)
    return sum(losses) / len(losses), grad


def check_ex1(mean_loss):
    """Exercise 1: a float for logging, every batch backed through, no graph kept alive
    *during* the loop either (not only in the returned value)."""
    mt = library(mean_loss)
    w = mt.tensor(1.5, requires_grad=True)
    batches = _WatchedBatches(mt, w)
    result = attempt("ex1", mean_loss, w, batches)
    expected_loss, expected_grad = _reference_mean_loss(1.5)
    if isinstance(result, mt.Tensor):
        kept = _("and keeps every batch's graph alive") if result.grad_fn is not None else ""
        fail(
            "ex1",
            _(
                "mean_loss() returned {result!r}, a Tensor {kept}; return a Python float",
                result=result,
                kept=kept,
            ),
            _("add loss.item() to the total instead of loss."),
            _("total += loss.item(), then return total / len(batches)."),
        )
    if not isinstance(result, float):
        fail(
            "ex1",
            _("mean_loss() returned a {type}; return a Python float", type=type(result).__name__),
            _("loss.item() is a Python float; so is a sum of them."),
            _("total = 0.0, then total += loss.item() inside the loop."),
        )
    one_batch, at_end = batches.alive[1], batches.alive[-1]
    if at_end > one_batch:
        fail(
            "ex1",
            _(
                "while mean_loss() ran, the graphs of all {batches} batches "
                "stayed alive ({at_end} graph nodes after the last batch, {one_batch} "
                "after the first): your total is a tensor until the very end",
                batches=len(_BATCHES),
                at_end=at_end,
                one_batch=one_batch,
            ),
            _(
                "converting at the end (float(total), total.item()) is too late: the "
                "total already held every loss's graph. Add loss.item() to the total "
                "instead of loss."
            ),
            _("total += loss.item() inside the loop keeps only numbers."),
        )
    if not close(result, expected_loss):
        fail(
            "ex1",
            _(
                "mean_loss() returned {result:.4f}; the mean loss is {expected_loss:.4f}",
                result=result,
                expected_loss=expected_loss,
            ),
            _("divide the sum of the batch losses by the number of batches."),
            _("return total / len(batches)."),
        )
    if w.grad is None:
        fail(
            "ex1",
            _(
                "after mean_loss(w, batches), w.grad is None: keep loss.backward() for "
                "every batch; only the logging should change"
            ),
            _("call loss.backward() inside the loop, once per batch."),
        )
    if not close(w.grad.item(), expected_grad):
        fail(
            "ex1",
            _(
                "after mean_loss(w, batches), w.grad is {w_grad:.4f}; expected "
                "{expected_grad:.4f}, the sum of the {batches} batches' "
                "gradients",
                w_grad=w.grad.item(),
                expected_grad=expected_grad,
                batches=len(_BATCHES),
            ),
            _("call loss.backward() exactly once per batch."),
            _("do not clear w.grad inside mean_loss: the caller wants it collected."),
        )
    passed(
        "ex1",
        _(
            "returns the float {result:.4f}, w.grad collected every batch, no graph kept",
            result=result,
        ),
    )


_X = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
_Y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8, 16.1]


def _rows_used(grad_of_x):
    """The rows of x that a backward pass sent a gradient to."""
    return tuple(i for i, g in enumerate(grad_of_x.tolist()) if g != 0.0)


def check_ex2(accumulate_gradient, micro_batches=4, size=8):
    """Exercise 2: micro-batch gradients add up to the full batch's, starting from zero,
    each backward pass using its own slice of the rows."""
    mt = library(accumulate_gradient)
    # x requires grad only so that the check can see, in x's gradient, which rows each
    # backward pass used.
    x, y = mt.tensor(_X[:size], requires_grad=True), mt.tensor(_Y[:size])
    w = mt.tensor(0.5, requires_grad=True)
    stale = 5.0
    w.grad = mt.tensor(stale)  # left over from "an earlier step"
    calls, rows = [], []
    w.register_hook(lambda grad: calls.append(grad))
    x.register_hook(lambda grad: rows.append(_rows_used(grad)))
    attempt("ex2", accumulate_gradient, w, x, y, micro_batches)

    w_check = mt.tensor(0.5, requires_grad=True)
    ((w_check * mt.tensor(_X[:size]) - y) ** 2).mean().backward()
    expected = w_check.grad.item()
    got = number(w.grad) if w.grad is not None else None
    if got is None:
        fail(
            "ex2",
            _("after accumulate_gradient(...), w.grad is None"),
            _("call backward() on each micro-batch's loss; do not clear w.grad after the loop."),
            _("w.grad = None first, then one backward() per slice."),
        )
    if len(calls) != micro_batches:
        fail(
            "ex2",
            _(
                "w received {calls} backward pass(es); expected "
                "{micro_batches}, one per micro-batch (so that only one micro-batch's "
                "graph is in memory at a time)",
                calls=len(calls),
                micro_batches=micro_batches,
            ),
            _("loop over the slices and call backward() inside the loop."),
            _("for start in range(0, len(x), len(x) // micro_batches): ..."),
        )
    slice_size = size // micro_batches
    wanted = [tuple(range(k * slice_size, (k + 1) * slice_size)) for k in range(micro_batches)]
    if sorted(rows) != wanted:
        shown = ", ".join(str(list(r)) for r in rows)
        fail(
            "ex2",
            _(
                "the rows of x each backward pass used: {shown}; each pass should use "
                "its own slice of {slice_size} rows, together all {size}, so that only "
                "one micro-batch is in memory at a time",
                shown=shown,
                slice_size=slice_size,
                size=size,
            ),
            _("slice x and y inside the loop: x[start : start + size], y[start : start + size]."),
            _(
                "with {micro_batches} micro-batches of {slice_size}: start = 0, "
                "{slice_size}, {third_start}, ...",
                micro_batches=micro_batches,
                slice_size=slice_size,
                third_start=2 * slice_size,
            ),
        )
    if close(got, expected):
        passed(
            "ex2",
            _(
                "{micro_batches} backward calls on {micro_batches} slices give the "
                "full-batch gradient {expected:.4f}",
                micro_batches=micro_batches,
                expected=expected,
            ),
        )
        return
    what = _(
        "w.grad is {got:.4f}; the full-batch gradient is {expected:.4f}", got=got, expected=expected
    )
    if close(got - stale, expected) or close((got - stale) / micro_batches, expected):
        fail(
            "ex2",
            _(
                "{what}: your result still contains the {stale} that w.grad held before",
                what=what,
                stale=stale,
            ),
            _("clear w.grad first (w.grad = None, or w.grad.zero_())."),
            _("w.grad = None as the first line of your function."),
        )
    if close(got / micro_batches, expected):
        fail(
            "ex2",
            _(
                "{what}, {micro_batches} times too big: each micro-batch's mean counts "
                "as much as the whole batch's",
                what=what,
                micro_batches=micro_batches,
            ),
            _(
                "divide each micro-batch loss by the number of micro-batches ({micro_batches}).",
                micro_batches=micro_batches,
            ),
            _("the mean over 8 = (mean over slice 1 + ... + mean over slice 4) / 4."),
        )
    fail(
        "ex2",
        what,
        _("compare your slices with x[start : start + len(x) // micro_batches]."),
        _("each micro-batch loss: ((w * xb - yb) ** 2).mean() / micro_batches."),
    )


def _model(mt):
    """A small network with dropout, the same numbers in minitensor and torch."""
    model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.Dropout(p=0.5), mt.nn.Linear(4, 1))
    with mt.no_grad():
        model[0].weight.copy_(mt.tensor([[0.5, -0.2, 0.1], [0.3, 0.8, -0.5]] * 2))
        model[0].bias.copy_(mt.tensor([0.1, -0.1, 0.2, 0.0]))
        model[2].weight.copy_(mt.tensor([[0.7, -0.4, 0.6, 0.2]]))
        model[2].bias.fill_(0.05)
    return model


def check_ex3(validation_loss):
    """Exercise 3: a float; dropout off; no graph recorded; no .grad; the model left in
    the mode it was in."""
    mt = library(validation_loss)
    x = mt.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [-1.0, 0.0, 1.5], [2.0, 1.0, 0.0]])
    y = mt.tensor([[1.0], [0.0], [0.5], [2.0]])
    for was_training in (True, False):
        model = _model(mt)
        model.train(was_training)
        with recorded_ops(mt) as recorded:
            result = attempt("ex3", validation_loss, model, x, y)
        training_after = model.training
        model.eval()
        with mt.no_grad():
            expected = ((model(x) - y) ** 2).mean().item()
        mode = _("training") if was_training else _("eval")
        if recorded.count:
            fail(
                "ex3",
                _(
                    "validation_loss() recorded {count} graph node(s); evaluating should "
                    "record none",
                    count=recorded.count,
                ),
                _(
                    "model.eval() changes how layers behave (dropout); it does not stop "
                    "autograd. Compute the loss inside `with mt.no_grad():`."
                ),
                _("with mt.no_grad(): loss = ((model(x) - y) ** 2).mean()"),
            )
        if any(p.grad is not None for p in model.parameters()):
            fail(
                "ex3",
                _(
                    "validation_loss() gave the model's parameters a .grad: evaluating must "
                    "not call backward()"
                ),
                _("return loss.item(); no backward() in an evaluation."),
            )
        if isinstance(result, mt.Tensor) or not isinstance(result, float):
            fail(
                "ex3",
                _("validation_loss() returned {result!r}; return a Python float", result=result),
                _("loss.item() gives the number."),
                _("return ((model(x) - y) ** 2).mean().item()"),
            )
        if not close(result, expected):
            fail(
                "ex3",
                _(
                    "on a model in {mode} mode, validation_loss() returned {result:.4f}; "
                    "with dropout switched off the loss is {expected:.4f}: dropout was still "
                    "zeroing activations",
                    mode=mode,
                    result=result,
                    expected=expected,
                ),
                _(
                    "no_grad() stops the recording but leaves dropout on; model.eval() "
                    "switches it off."
                ),
                _("call model.eval() before the forward pass (and restore the mode after)."),
            )
        if training_after != was_training:
            after = _("training") if training_after else _("eval")
            dropout = _("without dropout") if was_training else _("with dropout switched on")
            fail(
                "ex3",
                _(
                    "a model in {mode} mode came back in {after} mode: the training loop "
                    "that called validation_loss() would go on {dropout}",
                    mode=mode,
                    after=after,
                    dropout=dropout,
                ),
                _(
                    "remember the mode first (was_training = model.training) and restore it "
                    "at the end."
                ),
                _("model.train(was_training) restores either mode."),
            )
    passed("ex3", _("the loss with dropout off, no graph recorded, the model's mode restored"))


def _grads_after_two_iterations(mt):
    """Run exercise 4's loop: (w.grad, h.grad, loss.grad) as numbers or None."""
    import warnings

    w = mt.tensor(2.0, requires_grad=True)
    for _step in range(2):
        h = w * 3
        h.retain_grad()
        loss = h**2
        loss.backward()
    with warnings.catch_warnings():  # reading a non-leaf's .grad warns
        warnings.simplefilter("ignore")
        grads = (w.grad, h.grad, loss.grad)
    return tuple(None if g is None else g.item() for g in grads)


def _as_prediction(value):
    if value is None:
        return None
    return number(value)


def check_ex4(predict_grads):
    """Exercise 4: after two iterations, w.grad has accumulated, h.grad has not (h is a new
    tensor each time), and loss.grad is None (no retain_grad)."""
    mt = library(predict_grads)
    answer = attempt("ex4", predict_grads)
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        fail(
            "ex4",
            _(
                "predict_grads() returned {answer!r}; return three values: (w.grad, "
                "h.grad, loss.grad), each a number or None",
                answer=answer,
            ),
            _("for example: return (1.0, None, 2.0)"),
        )
    predicted = tuple(_as_prediction(v) for v in answer)
    actual = _grads_after_two_iterations(mt)
    names = ("w.grad", "h.grad", "loss.grad")

    def same(a, b):
        return (a is None and b is None) or (a is not None and b is not None and close(a, b))

    if all(same(p, a) for p, a in zip(predicted, actual)):
        passed(
            "ex4",
            _(
                "w.grad = {w_grad:g} (two backward calls added up), h.grad = {h_grad:g} "
                "(a new h each iteration), loss.grad = None (not retained)",
                w_grad=actual[0],
                h_grad=actual[1],
            ),
        )
        return
    shown = ", ".join(f"{n} = {a if a is None else f'{a:g}'}" for n, a in zip(names, actual))
    what = _(
        "you predicted {predicted}; after the loop {shown}", predicted=tuple(predicted), shown=shown
    )
    w_p, h_p, loss_p = predicted
    if not same(h_p, actual[1]) and h_p is not None and close(h_p, 2 * actual[1]):
        fail(
            "ex4",
            _(
                "{what}: h.grad did not accumulate, because the h of iteration 2 is a "
                "new tensor, made by a new forward pass; only w lives across iterations",
                what=what,
            ),
            _("each iteration runs `h = w * 3` again: a fresh tensor whose .grad starts empty."),
            _("h.grad = d(loss)/dh = 2h = 12, once; w.grad = 2 x (12 x 3)."),
        )
    if not same(w_p, actual[0]) and w_p is not None and close(w_p, actual[0] / 2):
        fail(
            "ex4",
            _(
                "{what}: w.grad holds both iterations' gradients: backward() adds into a "
                "leaf's .grad, nothing cleared it",
                what=what,
            ),
            _("w is the same leaf in both iterations, so both backward() calls add to w.grad."),
            _("one iteration gives d(loss)/dw = 2h x 3 = 36."),
        )
    if h_p is None and actual[1] is not None:
        fail(
            "ex4",
            _("{what}: h.retain_grad() asks autograd to keep h's gradient", what=what),
            _("a non-leaf keeps .grad only after retain_grad(); h called it, loss did not."),
            _("h.grad = d(loss)/dh = 2h with h = 6."),
        )
    if loss_p is not None:
        fail(
            "ex4",
            _(
                "{what}: loss is not a leaf and never called retain_grad(), so its .grad is None",
                what=what,
            ),
            _("only leaves (and tensors that call retain_grad()) keep .grad after backward."),
            _("the third value is None."),
        )
    fail(
        "ex4",
        what,
        _("h = 6, loss = h², so d(loss)/dh = 12 and d(loss)/dw = 12 x 3 per iteration."),
        _("w.grad adds up over the two iterations; h is new each time; loss keeps no .grad."),
    )


_EX5_X, _EX5_Y, _EX5_W = [1.0, 2.0, 3.0], [2.5, 4.5, 7.0], 1.0


def _reference_losses(steps, lr, clear=True):
    """Gradient descent on mean((w x - y)²), by plain Python: the losses and the final w."""
    w, grad, losses = _EX5_W, 0.0, []
    n = len(_EX5_X)
    for _step in range(steps):
        residuals = [w * x - y for x, y in zip(_EX5_X, _EX5_Y)]
        losses.append(sum(r * r for r in residuals) / n)
        grad = (grad if not clear else 0.0) + sum(2 * r * x for r, x in zip(residuals, _EX5_X)) / n
        w -= lr * grad
    return losses, w


def check_ex5(train, steps=5, lr=0.05):
    """Exercise 5: every step backs through a new graph built from the current w."""
    mt = library(train)
    w = mt.tensor(_EX5_W, requires_grad=True)
    x, y = mt.tensor(_EX5_X), mt.tensor(_EX5_Y)
    losses = attempt(
        "ex5",
        train,
        w,
        x,
        y,
        steps,
        lr,
        errors={
            "second time": _(
                "the loss of every step must come from a forward pass of that step: "
                "compute pred = w * x inside the loop."
            ),
            "leaf Variable": _("update w inside `with mt.no_grad():`."),
        },
    )
    expected, expected_w = _reference_losses(steps, lr)
    if not isinstance(losses, list) or len(losses) != steps:
        fail(
            "ex5",
            _(
                "train() returned {losses!r}; return the list of the {steps} losses",
                losses=losses,
                steps=steps,
            ),
            _("append loss.item() inside the loop and return the list."),
        )
    if any(isinstance(v, mt.Tensor) for v in losses):
        fail(
            "ex5",
            _("the losses you return are tensors: each keeps its step's graph alive"),
            _("append loss.item(), a Python float."),
            _("losses.append(loss.item()) after the update."),
        )
    values = [number(v) for v in losses]
    if len(set(round(v, 6) for v in values)) == 1 and abs(w.item() - _EX5_W) > 1e-6:
        fail(
            "ex5",
            _(
                "the loss was {loss:.4f} at every step although w moved to {w:.4f}: "
                "every step backed through the graph of the first w (retain_graph=True "
                "silences the error, not the bug)",
                loss=values[0],
                w=w.item(),
            ),
            _("the prediction must be recomputed from the current w in every step."),
            _("move `pred = w * x` inside the loop, before the loss."),
        )
    if close(values, expected) and close(w.item(), expected_w):
        passed(
            "ex5",
            _("a new forward pass every step: the loss falls to {loss:.4f}", loss=values[-1]),
        )
        return
    what = _(
        "the losses are {values}; gradient descent with lr {lr} gives {expected}",
        values=[round(v, 4) for v in values],
        lr=lr,
        expected=[round(v, 4) for v in expected],
    )
    if close(values, _reference_losses(steps, lr, clear=False)[0]):
        fail(
            "ex5",
            _("{what}: the gradients were never cleared, so they piled up", what=what),
            _("backward() adds into w.grad: set w.grad = None after each update."),
            _("the order per step: forward, loss, backward, update under no_grad, w.grad = None."),
        )
    fail(
        "ex5",
        what,
        _("per step: pred = w * x; loss = ((pred - y) ** 2).mean(); loss.backward(); update."),
        _("the update: with mt.no_grad(): w -= lr * w.grad; then w.grad = None."),
    )


_TOOLS = (".data", "detach()", "no_grad")


def _tool_experiment(mt, tool):
    """Exercise 6's experiment: x.grad as a list, or "error" when backward raises."""
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = x**2  # saves x for backward: dy/dx = 2x
    if tool == ".data":
        x.data.mul_(10)
    elif tool == "detach()":
        x.detach().mul_(10)
    else:
        with mt.no_grad():
            x.mul_(10)
    try:
        y.sum().backward()
    except RuntimeError:
        return "error"
    return x.grad.tolist()


def _prediction_of(value):
    if isinstance(value, str):
        return "error" if "error" in value.lower() else value
    try:
        return [float(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]
    except (TypeError, ValueError):
        return value


def check_ex6(predict_tools):
    """Exercise 6: .data escapes the version check (a silently wrong gradient); detach()
    and no_grad share it (backward raises)."""
    mt = library(predict_tools)
    answer = attempt("ex6", predict_tools)
    if not isinstance(answer, dict) or set(answer) != set(_TOOLS):
        fail(
            "ex6",
            _(
                "predict_tools() returned {answer!r}; return a dict with the keys "
                "'.data', 'detach()' and 'no_grad'",
                answer=answer,
            ),
            _("each value is x.grad as a list, such as [1.0, 2.0], or the string 'error'."),
        )
    for tool in _TOOLS:
        predicted, actual = _prediction_of(answer[tool]), _tool_experiment(mt, tool)
        if predicted == actual or (
            isinstance(predicted, list) and actual != "error" and close(predicted, actual)
        ):
            continue
        what = _(
            "for {tool} you predicted {answer!r}; the experiment gives {actual!r}",
            tool=tool,
            answer=answer[tool],
            actual=actual,
        )
        if tool == ".data":
            fail(
                "ex6",
                _(
                    "{what}: x.data is an alias with its own version counter, so the change "
                    "goes unnoticed and backward uses the changed x: 2 · [10, 20]",
                    what=what,
                ),
                _("backward computes 2x from the x it saved, which now holds [10, 20]."),
                _("nothing raises; the gradient is silently wrong."),
            )
        why = {
            "detach()": _("x.detach() shares x's numbers *and* its version counter"),
            "no_grad": _(
                "no_grad stops the recording of new ops, not the version counter: "
                "x.mul_(10) still counts as a change of x"
            ),
        }[tool]
        fail(
            "ex6",
            _(
                "{what}: {why}; y = x ** 2 saved x for backward, so backward sees that x "
                "changed and raises",
                what=what,
                why=why,
            ),
            _(
                "an in-place change to a tensor a graph saved is caught unless it goes "
                "through .data."
            ),
            _("only .data escapes the check; the other two raise at backward."),
        )
    passed(
        "ex6",
        _(
            ".data gives a silently wrong gradient; detach() and no_grad() in-place "
            "changes are caught by the version counter"
        ),
    )
