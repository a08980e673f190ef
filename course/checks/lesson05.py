"""Checks for lesson 5 (optimizers and the training loop): the order of the five calls, a
parameter group per layer, and a scheduler's learning rates.

The check of exercise 1 watches the learner's loop at work: the model, the loss function,
the optimizer and the loader it receives write down every call they get, and the optimizer
copies the gradients it finds at each `step()`. The grade is what those gradients were.
"""

import minitensor as mt

from . import _, attempt, close, fail, library, number, passed

nn, optim = mt.nn, mt.optim

# Three batches of four samples: inputs with 3 features, one target each.
_INPUTS = [
    [[1.0, 0.5, -1.0], [0.0, 2.0, 1.0], [-1.0, 1.0, 0.5], [2.0, -0.5, 0.0]],
    [[0.5, 0.5, 0.5], [1.5, -1.0, 2.0], [-2.0, 0.0, 1.0], [1.0, 1.0, -1.5]],
    [[0.0, -1.0, 2.0], [1.0, 0.0, 0.0], [-0.5, 2.5, -1.0], [2.0, 1.0, 1.0]],
]
_TARGETS = [
    [[1.0], [3.5], [1.0], [0.5]],
    [[2.0], [1.0], [-1.5], [1.0]],
    [[1.5], [1.0], [3.0], [4.0]],
]
_LR = 0.05
_START_WEIGHT = [[0.2, -0.1, 0.3]]
_START_BIAS = 0.1


def _batches():
    return [(mt.tensor(x), mt.tensor(y)) for x, y in zip(_INPUTS, _TARGETS)]


def _set_start(model, lib=mt):
    """Give an nn.Linear(3, 1) the fixed starting values every run of the checks uses."""
    with lib.no_grad():
        model.weight.copy_(lib.tensor(_START_WEIGHT))
        model.bias.fill_(_START_BIAS)
    return model


def _fresh_linear(lib=mt):
    """nn.Linear(3, 1) with fixed starting values, from minitensor or torch."""
    return _set_start(lib.nn.Linear(3, 1), lib)


class _Log:
    """Everything the learner's loop did, batch by batch."""

    def __init__(self):
        self.events = []  # "batch", "forward", "loss", "backward", "zero_grad", "step"
        self.grads_at_step = []  # [[weight.grad copy or None, bias.grad copy or None], ...]

    def calls_per_batch(self):
        """The calls made for each batch, e.g. [['zero_grad', 'forward', ...], ...]."""
        batches = []
        for event in self.events:
            if event == "batch":
                batches.append([])
            elif batches:
                batches[-1].append(event)
        return batches


class _WatchedLinear(nn.Linear):
    def __init__(self, log):
        super().__init__(3, 1)
        self._log = log
        _set_start(self)
        # A hook runs when backward reaches the weight: it marks the backward call.
        self.weight.register_hook(lambda grad: log.events.append("backward"))

    def forward(self, x):
        self._log.events.append("forward")
        return super().forward(x)


class _WatchedLoss:
    def __init__(self, log):
        self._log = log

    def __call__(self, outputs, targets):
        self._log.events.append("loss")
        return nn.functional.mse_loss(outputs, targets)


class _WatchedSGD(optim.SGD):
    def __init__(self, params, log):
        super().__init__(params, lr=_LR)
        self._log = log

    def zero_grad(self, set_to_none=True):
        self._log.events.append("zero_grad")
        super().zero_grad(set_to_none)

    def step(self, closure=None):
        self._log.events.append("step")
        params = self.param_groups[0]["params"]
        self._log.grads_at_step.append([None if p.grad is None else p.grad.clone() for p in params])
        return super().step(closure)


class _WatchedLoader:
    def __init__(self, log, batches):
        self._log, self._batches = log, batches

    def __iter__(self):
        for batch in self._batches:
            self._log.events.append("batch")
            yield batch

    def __len__(self):
        return len(self._batches)


def _reference_run():
    """What a correct loop does: the gradient at each step, the losses, the final values."""
    model = _fresh_linear()
    optimizer = optim.SGD(model.parameters(), lr=_LR)
    grads, losses = [], []
    for inputs, targets in _batches():
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        grads.append([model.weight.grad.clone(), model.bias.grad.clone()])
        optimizer.step()
        losses.append(loss.item())
    return grads, losses, model


def _same(grads_a, grads_b):
    return all(close(a.tolist(), b.tolist()) for a, b in zip(grads_a, grads_b))


def _order_text(calls):
    return ", ".join(calls) if calls else _("(nothing)")


def check_ex1(train_epoch):
    """Exercise 1: every step() sees exactly the current batch's gradient."""
    log = _Log()
    model = _WatchedLinear(log)
    optimizer = _WatchedSGD(model.parameters(), log)
    result = attempt(
        "ex1",
        train_epoch,
        model,
        optimizer,
        _WatchedLoss(log),
        _WatchedLoader(log, _batches()),
        errors={
            "referenced before assignment": _(
                "a line uses a name before the line that makes it: `outputs` comes from "
                "the forward pass, `loss` from the criterion."
            ),
            "not defined": _(
                "a line uses a name before the line that makes it: `outputs` comes from "
                "the forward pass, `loss` from the criterion."
            ),
        },
    )
    calls = log.calls_per_batch()
    _check_one_step_per_batch(log, calls)
    expected_grads, expected_losses, expected_model = _reference_run()
    _check_grads_at_each_step(log.grads_at_step, expected_grads, calls)
    _check_final_parameters(model, expected_model)
    _check_returned_losses(result, expected_losses)
    passed(
        "ex1",
        _(
            "every step() used the fresh gradient of its batch ({order_text})",
            order_text=_order_text(calls[0]),
        ),
    )


def _check_one_step_per_batch(log, calls):
    """The loop went once over the loader and stepped once per batch."""
    n = len(_INPUTS)
    order = _(
        "your calls for the first batch: {order_text}",
        order_text=_order_text(calls[0] if calls else []),
    )
    steps = log.events.count("step")
    if len(calls) != n:
        fail(
            "ex1",
            _(
                "your loop went through {batches} batches of the loader; it has {n}",
                batches=len(calls),
                n=n,
            ),
            _("loop once over the loader: `for inputs, targets in loader:`."),
        )
    if steps != n:
        fail(
            "ex1",
            _(
                "optimizer.step() was called {steps} time(s) for {n} batches ({order})",
                steps=steps,
                n=n,
                order=order,
            ),
            _("one step per batch: each of the five lines runs once inside the loop."),
        )


def _check_grads_at_each_step(grads_at_step, expected_grads, calls):
    """Each step() found its own batch's gradient: not none, not a running sum."""
    summed = None
    for k, (got, expected) in enumerate(zip(grads_at_step, expected_grads)):
        batch_calls = _order_text(calls[k])
        summed = expected if summed is None else [s + e for s, e in zip(summed, expected)]
        if all(g is None for g in got):
            fail(
                "ex1",
                _(
                    "at batch {batch}, optimizer.step() found no gradient at all, so it changed "
                    "nothing (the calls for that batch: {batch_calls})",
                    batch=k + 1,
                    batch_calls=batch_calls,
                ),
                _(
                    "step() uses the .grad that backward() just computed: backward() must "
                    "come before step(), and zero_grad() (which sets .grad to None) must not "
                    "come between them."
                ),
                _(
                    "per batch: optimizer.zero_grad(), outputs = model(inputs), loss = "
                    "criterion(outputs, targets), loss.backward(), optimizer.step()."
                ),
            )
        if any(g is None for g in got) or not _same(got, expected):
            if k > 0 and not any(g is None for g in got) and _same(got, summed):
                fail(
                    "ex1",
                    _(
                        "at batch {batch}, step() used the sum of the gradients of batches 1 to "
                        "{batch}: "
                        "they were never cleared (the calls for that batch: {batch_calls})",
                        batch=k + 1,
                        batch_calls=batch_calls,
                    ),
                    _("backward() adds into .grad: call optimizer.zero_grad() once per batch."),
                    _("optimizer.zero_grad() as the first line inside the loop over batches."),
                )
            fail(
                "ex1",
                _(
                    "at batch {batch}, the gradient step() used is not the gradient of that "
                    "batch's loss (the calls for that batch: {batch_calls})",
                    batch=k + 1,
                    batch_calls=batch_calls,
                ),
                _("per batch: zero_grad, forward, loss, backward, step."),
                _("each of the five lines exactly once per batch, in that order."),
            )


def _check_final_parameters(model, expected_model):
    for name in ("weight", "bias"):
        got, expected = getattr(model, name), getattr(expected_model, name)
        if not close(got.tolist(), expected.tolist()):
            fail(
                "ex1",
                _(
                    "after the epoch, model.{name} is {got}; a correct loop leaves {expected}",
                    name=name,
                    got=got.tolist(),
                    expected=[round(v, 4) for v in expected.reshape(-1).tolist()],
                ),
            )


def _check_returned_losses(result, expected_losses):
    """train_epoch returned one Python float per batch, each the loss before its step."""
    n = len(_INPUTS)
    if not isinstance(result, list):
        fail(
            "ex1",
            _("train_epoch() returned {result!r}; return the list of batch losses", result=result),
            _("append loss.item() to a list inside the loop, and return the list."),
        )
    if len(result) != n:
        fail(
            "ex1",
            _(
                "train_epoch() returned {count} losses for {n} batches",
                count=len(result),
                n=n,
            ),
        )
    if any(isinstance(value, mt.Tensor) for value in result):
        fail(
            "ex1",
            _("the losses you return are tensors, and each keeps its batch's graph alive"),
            _("append loss.item(), a Python float."),
            _("losses.append(loss.item()) inside the loop."),
        )
    if not all(isinstance(value, float) for value in result):
        fail(
            "ex1",
            _("train_epoch() returned {result!r}; the losses must be Python floats", result=result),
        )
    if not close(result, expected_losses):
        fail(
            "ex1",
            _(
                "train_epoch() returned the losses {result}; expected {expected_losses}",
                result=[round(v, 4) for v in result],
                expected_losses=[round(v, 4) for v in expected_losses],
            ),
            _("record each batch's loss as computed, before the step changes the model."),
            _("losses.append(loss.item()) right after computing the loss (or after step())."),
        )


def check_ex2(make_optimizer):
    """Exercise 2: one SGD, every parameter in a group, lr 0.01 / 0.1, momentum 0.9."""
    lib = library(make_optimizer)
    model = _fresh_linear(lib)
    optimizer = attempt("ex2", make_optimizer, model)
    optim = lib.optim
    if not isinstance(optimizer, optim.Optimizer):
        fail(
            "ex2",
            _(
                "make_optimizer() returned {optimizer!r}; return an optimizer object",
                optimizer=optimizer,
            ),
        )
    if not isinstance(optimizer, optim.SGD):
        fail(
            "ex2",
            _(
                "make_optimizer() returned an optimizer of class {type}; the exercise "
                "asks for optim.SGD",
                type=type(optimizer).__name__,
            ),
        )
    _check_every_parameter_is_grouped(optimizer, model)
    moves = _two_steps_with_a_gradient_of_one(optimizer, model)
    _check_learning_rates(moves)
    _check_momentum(moves)
    passed("ex2", _("the weight moves by lr 0.01, the bias by 0.1, both with momentum 0.9"))


def _check_every_parameter_is_grouped(optimizer, model):
    """Both model.weight and model.bias must be in some param group."""
    grouped = [p for group in optimizer.param_groups for p in group["params"]]
    for name in ("weight", "bias"):
        if not any(p is getattr(model, name) for p in grouped):
            fail(
                "ex2",
                _(
                    "model.{name} is in none of the optimizer's param_groups, so step() "
                    "would never change it",
                    name=name,
                ),
                _(
                    "pass a list of two dicts: [{'params': [model.weight]}, {'params': "
                    "[model.bias], 'lr': 0.1}]."
                ),
            )


def _two_steps_with_a_gradient_of_one(optimizer, model):
    """{'weight': [first move, second move], 'bias': [...]}: how far each step took each."""
    moves = {"weight": [], "bias": []}
    for _step in range(2):  # the same gradient twice: momentum shows in the second step
        before = {name: getattr(model, name).detach().clone() for name in moves}
        model.weight.grad = model.weight.detach() * 0 + 1
        model.bias.grad = model.bias.detach() * 0 + 1
        optimizer.step()
        for name in moves:
            moves[name].append(number((before[name] - getattr(model, name)).mean()))
    return moves


def _check_learning_rates(moves):
    """The first move of each parameter is its lr (the gradient is 1)."""
    lrs = {name: moves[name][0] for name in moves}
    wanted = {"weight": 0.01, "bias": 0.1}
    if close(lrs["weight"], 0.1) and close(lrs["bias"], 0.01):
        fail(
            "ex2",
            _("the weight learns with lr 0.1 and the bias with 0.01: the other way round"),
            _("the bias's group gets 'lr': 0.1; the default lr=0.01 is for the weight."),
            _(
                "optim.SGD([{'params': [model.weight]}, {'params': [model.bias], 'lr': "
                "0.1}], lr=0.01, momentum=0.9)"
            ),
        )
    for name in moves:
        if not close(lrs[name], wanted[name]):
            fail(
                "ex2",
                _(
                    "with a gradient of 1, the first step moved model.{name} by {moved:.4g}; "
                    "with lr={wanted} it moves by {wanted}",
                    name=name,
                    moved=lrs[name],
                    wanted=wanted[name],
                ),
                _(
                    "options a group names itself override the keyword arguments: {'params': "
                    "[model.bias], 'lr': 0.1}."
                ),
                _(
                    "optim.SGD([{'params': [model.weight]}, {'params': [model.bias], 'lr': "
                    "0.1}], lr=0.01, momentum=0.9)"
                ),
            )


def _check_momentum(moves):
    """With momentum 0.9 and the same gradient, the second move is 1.9 times the first."""
    for name in moves:
        ratio = moves[name][1] / moves[name][0]
        if not close(ratio, 1.9, tolerance=1e-3):
            fail(
                "ex2",
                _(
                    "with the same gradient twice, the second step moved model.{name} "
                    "{ratio:.2f} times as far as the first; with momentum 0.9 it moves 1.9 "
                    "times as far (v = 0.9 v + g)",
                    name=name,
                    ratio=ratio,
                ),
                _("pass momentum=0.9 (for both groups: as a keyword argument of optim.SGD)."),
                _("optim.SGD([...the two groups...], lr=0.01, momentum=0.9)"),
            )


def _step_lr_sequence(lr, step_size, gamma, epochs):
    """The lr of each epoch, read from a real optimizer driven by a real StepLR."""
    optimizer = optim.SGD([mt.zeros(1, requires_grad=True)], lr=lr)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    lrs = []
    for _step in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def check_ex3(predict_lrs):
    """Exercise 3: StepLR(step_size=2, gamma=0.1) from lr 0.2, epochs 0 to 5."""
    answer = attempt("ex3", predict_lrs)
    expected = _step_lr_sequence(0.2, 2, 0.1, 6)
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        fail(
            "ex3",
            _("predict_lrs() returned {answer!r}; return a list of six numbers", answer=answer),
        )
    if len(values) != 6:
        fail(
            "ex3",
            _(
                "predict_lrs() returned {count} numbers; one per epoch 0 to 5 is six",
                count=len(values),
            ),
        )
    if close(values, expected, tolerance=1e-6):
        passed(
            "ex3", _("the learning rates are {expected}", expected=[round(v, 6) for v in expected])
        )
        return
    what = _(
        "you predicted {values}; the optimizer uses {expected}",
        values=values,
        expected=[round(v, 6) for v in expected],
    )
    one_early = [0.2 * 0.1 ** ((epoch + 1) // 2) for epoch in range(6)]
    if close(values, one_early, tolerance=1e-6):
        fail(
            "ex3",
            _("{what}: each drop comes one epoch early", what=what),
            _(
                "epochs 0 and 1 both use the starting lr; scheduler.step() at the end of "
                "epoch 1 is the second call, and step_size=2 drops the rate every 2 "
                "calls."
            ),
            _("in epoch e the rate is 0.2 * 0.1 ** (e // 2)."),
        )
    if close(values, [0.2 * 0.1**epoch for epoch in range(6)], tolerance=1e-6):
        fail(
            "ex3",
            _("{what}: the rate drops every epoch in your list", what=what),
            _("step_size=2: the rate is multiplied by gamma every 2 epochs."),
            _("in epoch e the rate is 0.2 * 0.1 ** (e // 2)."),
        )
    fail(
        "ex3",
        what,
        _("StepLR multiplies the rate by gamma = 0.1 every step_size = 2 epochs."),
        _("in epoch e the rate is 0.2 * 0.1 ** (e // 2)."),
    )
