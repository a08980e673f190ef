"""The exercise checks of lessons 5-8, called directly with right and wrong answers.

tests/test_lessons.py runs one typical wrong answer per exercise through the notebooks;
here each check meets the other mistakes it claims to recognise, and must name each one
(and accept every right answer, e.g. any working order of the five training-loop calls).
"""

import pytest

import minitensor as mt
from course.checks import CheckFailed, NotDone, lesson05, lesson06, lesson07, lesson08

optim = mt.optim


def message_of(check, *args):
    with pytest.raises(CheckFailed) as failure:
        check(*args)
    return str(failure.value)


# --------------------------------------------------------------------------- lesson 5


def loop_with(*calls, as_tensors=False):
    """A train_epoch whose five calls run in the given order (z f l b s)."""

    def train_epoch(model, optimizer, criterion, loader):
        losses = []
        for inputs, targets in loader:
            made = {}
            for call in calls:
                if call == "z":
                    optimizer.zero_grad()
                elif call == "f":
                    made["outputs"] = model(inputs)
                elif call == "l":
                    made["loss"] = criterion(made["outputs"], targets)
                elif call == "b":
                    made["loss"].backward()
                elif call == "s":
                    optimizer.step()
            losses.append(made["loss"] if as_tensors else made["loss"].item())
        return losses

    return train_epoch


@pytest.mark.parametrize("order", ["zflbs", "flbsz", "fzlbs"])
def test_every_working_order_of_the_five_calls_passes(order, capsys):
    lesson05.check_ex1(loop_with(*order))
    assert "ex1 passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "order, phrase",
    [
        ("flbzs", "found no gradient at all"),
        ("zflsb", "found no gradient at all"),
        ("flbs", "sum of the gradients of batches 1 to 2: they were never cleared"),
        ("zflbss", "optimizer.step() was called 6 time(s) for 3 batches"),
    ],
)
def test_broken_orders_are_named_by_what_step_saw(order, phrase):
    text = message_of(lesson05.check_ex1, loop_with(*order))
    assert phrase in text and "calls for" in text
    assert "Hint:" in text


def test_returning_loss_tensors_is_named():
    text = message_of(lesson05.check_ex1, loop_with(*"zflbs", as_tensors=True))
    assert "tensors, and each keeps its batch's graph alive" in text


def test_a_blank_exercise_is_not_done():
    def train_epoch(model, optimizer, criterion, loader):
        raise NotImplementedError()

    with pytest.raises(NotDone):
        lesson05.check_ex1(train_epoch)


@pytest.mark.parametrize(
    "make, phrase",
    [
        (lambda m: optim.SGD([{"params": [m.weight], "lr": 0.1}, {"params": [m.bias]}],
                             lr=0.01, momentum=0.9), "the other way round"),
        (lambda m: optim.SGD([{"params": [m.weight]}, {"params": [m.bias], "lr": 0.1}],
                             lr=0.01), "1.00 times as far as the first"),
        (lambda m: optim.SGD([m.weight], lr=0.01, momentum=0.9), "model.bias is in none"),
        (lambda m: optim.Adam(m.parameters(), lr=0.01), "of class Adam"),
    ],
)  # fmt: skip
def test_param_group_mistakes_are_named(make, phrase):
    assert phrase in message_of(lesson05.check_ex2, make)


@pytest.mark.parametrize(
    "answer, phrase",
    [
        ([0.2, 0.02, 0.02, 0.002, 0.002, 0.0002], "one epoch early"),
        ([0.2 * 0.1**e for e in range(6)], "drops every epoch"),
        ([0.2] * 5, "returned 5 numbers"),
    ],
)
def test_scheduler_predictions_are_diagnosed(answer, phrase):
    assert phrase in message_of(lesson05.check_ex3, lambda: answer)


# --------------------------------------------------------------------------- lesson 6


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (0.0, "without momentum lr must stay below 2 / λ_max = 0.2"),
        (0.9, "it converges, but so does every β down to 0.75"),
        (0.25, "that is 1 - β"),
        (1.5, "momentum β lies between 0 and 1"),
    ],
)
def test_momentum_threshold_mistakes_are_named(answer, phrase):
    assert phrase in message_of(lesson06.check_ex1, lambda: answer)


def test_the_stated_momentum_threshold_is_where_the_real_optimizer_diverges():
    # SGD(lr=0.35) on the bowl: beta = 0.35 * 10 / 2 - 1 = 0.75 is the edge
    assert lesson06._diverges(mt, 0.73) and not lesson06._diverges(mt, 0.77)


def _adam_by_hand(correct_m, correct_v, square_root=True):
    """adam_updates written the way a learner might, right or with one mistake."""

    def adam_updates(grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = v = 0.0
        moves = []
        for t, g in enumerate(grads, start=1):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat = m / (1 - beta1**t) if correct_m else m
            v_hat = v / (1 - beta2**t) if correct_v else v
            moves.append(lr * m_hat / ((v_hat**0.5 if square_root else v_hat) + eps))
        return moves

    return adam_updates


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (_adam_by_hand(False, False), "the moves without bias correction"),
        (_adam_by_hand(True, False), "only m is corrected"),
        (_adam_by_hand(True, True, square_root=False), "divides by the square root of v̂"),
    ],
)
def test_bias_correction_mistakes_are_named(answer, phrase):
    assert phrase in message_of(lesson06.check_ex2, answer)


def test_the_bias_correction_check_accepts_adam_by_hand(capsys):
    lesson06.check_ex2(_adam_by_hand(True, True))
    assert "ex2 passed" in capsys.readouterr().out


def test_too_few_steps_and_a_private_optimizer_are_named():
    def one_step_per_epoch(params, make_optimizer, loss_fn, epochs, steps_per_epoch):
        optimizer = make_optimizer(params)
        for _ in range(epochs):
            optimizer.zero_grad()
            loss_fn().backward()
            optimizer.step()

    def own_optimizer(params, make_optimizer, loss_fn, epochs, steps_per_epoch):
        optimizer = optim.Adam(params, lr=0.1)
        for _ in range(epochs * steps_per_epoch):
            optimizer.zero_grad()
            loss_fn().backward()
            optimizer.step()

    assert "took 4 steps" in message_of(lesson06.check_ex3, one_step_per_epoch)
    assert "never called make_optimizer" in message_of(lesson06.check_ex3, own_optimizer)


# --------------------------------------------------------------------------- lesson 7


def fit_without_moving_the_model(model, X, Y, device, steps):
    X, Y = X.to(device), Y.to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = mt.nn.MSELoss()(model(X), Y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_a_model_left_on_the_cpu_is_named_on_the_gpu_run():
    pytest.importorskip("array_api_strict")
    text = message_of(lesson07.check_ex1, fit_without_moving_the_model)
    assert "on device 'cuda'" in text and "same device" in text


def test_the_gpu_check_restores_the_real_backend():
    pytest.importorskip("array_api_strict")
    available = mt.cuda.is_available()
    with pytest.raises(CheckFailed):
        lesson07.check_ex1(fit_without_moving_the_model)
    assert mt.cuda.is_available() == available


@pytest.mark.parametrize(
    "agree, phrase",
    [
        (lambda a, b: bool((a == b).all()), "differ only by float32 rounding"),
        (lambda a, b: True, "really differ"),
        (lambda a, b: (a - b).abs(), "a tensor of shape"),
    ],
)
def test_comparison_mistakes_are_named(agree, phrase):
    assert phrase in message_of(lesson07.check_ex2, agree)


def test_comparing_across_devices_needs_cpu_copies():
    pytest.importorskip("array_api_strict")
    text = message_of(lesson07.check_ex2, lambda a, b: mt.allclose(a, b, rtol=1e-4, atol=1e-6))
    assert "same device" in text and "a.cpu()" in text


# --------------------------------------------------------------------------- lesson 8


def function_class(backward):
    class Op(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

    Op.backward = staticmethod(backward)
    return Op


def test_a_backward_without_grad_output_is_named():
    op = function_class(lambda ctx, g: 2 * ctx.saved_tensors[0])
    assert "it ignores grad_output" in message_of(lesson08.check_ex2, op)


def test_a_wrong_local_derivative_is_named():
    op = function_class(lambda ctx, g: g * ctx.saved_tensors[0])
    assert "the derivative there is" in message_of(lesson08.check_ex2, op)


def test_a_right_square_passes(capsys):
    lesson08.check_ex2(function_class(lambda ctx, g: g * 2 * ctx.saved_tensors[0]))
    assert "ex2 passed" in capsys.readouterr().out


def test_a_plain_function_instead_of_a_class_is_named():
    assert "not a class derived from" in message_of(lesson08.check_ex1, lambda x: x)


def momentum_class(update):
    """A Momentum optimizer whose per-parameter update is `update(p, state, group)`."""

    class Momentum(optim.Optimizer):
        def __init__(self, params, lr=0.01, momentum=0.9):
            super().__init__(params, dict(lr=lr, momentum=momentum))

        @mt.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        update(self, p, self.state[p], group)

    return Momentum


def pytorch_rule(self, p, state, group):
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = p.grad.clone()
    else:
        state["momentum_buffer"].mul_(group["momentum"]).add_(p.grad)
    p -= group["lr"] * state["momentum_buffer"]


def no_memory(self, p, state, group):
    p -= group["lr"] * p.grad


def default_options(self, p, state, group):
    mu = self.defaults["momentum"]
    state["momentum_buffer"] = mu * state.get("momentum_buffer", 0 * p) + p.grad
    p -= self.defaults["lr"] * state["momentum_buffer"]


def other_key(self, p, state, group):
    state["v"] = group["momentum"] * state["v"] + p.grad if "v" in state else p.grad.clone()
    p -= group["lr"] * state["v"]


def test_the_pytorch_rule_passes(capsys):
    lesson08.check_ex3(momentum_class(pytorch_rule))
    assert "ex3 passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "rule, phrase",
    [
        (no_memory, "the velocity is forgotten between steps"),
        (default_options, "every group steps with the default lr and momentum"),
        (other_key, "has no 'momentum_buffer'"),
    ],
)
def test_momentum_mistakes_are_named(rule, phrase):
    assert phrase in message_of(lesson08.check_ex3, momentum_class(rule))


def test_an_optimizer_that_forgets_none_gradients_is_told_to_skip_them():
    class Momentum(optim.Optimizer):
        def __init__(self, params, lr=0.01, momentum=0.9):
            super().__init__(params, dict(lr=lr, momentum=momentum))

        @mt.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    p -= group["lr"] * p.grad

    assert "skip them" in message_of(lesson08.check_ex3, Momentum)
