"""Checks for lesson 6 (SGD vs Momentum vs Adam): momentum's stability limit, Adam's bias
correction in numbers, and an optimizer that must survive the epochs."""

import minitensor as mt

from . import attempt, close, fail, number, passed

optim = mt.optim

_BETA, _CURVATURES = 0.9, (1.0, 10.0)  # SGD(momentum=0.9) on ½(x² + 10y²)


def _diverges(lr, steps=400):
    """Run the real SGD with momentum on the bowl: does it blow up?"""
    p = mt.tensor([-4.5, 1.5], requires_grad=True)
    optimizer = optim.SGD([p], lr=lr, momentum=_BETA)
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (_CURVATURES[0] * p[0] ** 2 + _CURVATURES[1] * p[1] ** 2)).backward()
        optimizer.step()
        if not p.abs().max().item() < 1e6:  # blown up (stop before float32 overflows)
            return True
    return not p.abs().max().item() < 1.0


def check_ex1(largest_stable_lr_with_momentum):
    """Exercise 1: 2 (1 + β) / λ_max, confirmed by running the optimizer."""
    answer = number(attempt("ex1", largest_stable_lr_with_momentum))
    if answer is None:
        fail("ex1", "largest_stable_lr_with_momentum() must return a number")
    if answer <= 0:
        fail("ex1", f"you answered {answer:g}; a learning rate is a positive number")
    lambda_max = max(_CURVATURES)
    expected = 2 * (1 + _BETA) / lambda_max
    if close(answer, expected, tolerance=1e-3):
        passed("ex1", f"2 (1 + β) / λ_max = 2 · 1.9 / 10 = {expected:.2f}")
        return
    behaviour = "diverges" if _diverges(answer) else "still converges"
    what = f"you answered {answer:g}; the limit is {expected:.2f} (at lr = {answer:g} momentum "
    what += f"{behaviour} on the bowl)"
    if close(answer, 2 / lambda_max, tolerance=1e-3):
        fail("ex1", f"{what}: 2 / λ_max is the limit without momentum",
             "with momentum β the limit grows to 2 (1 + β) / λ_max.")  # fmt: skip
    if close(answer, 2 * (1 + _BETA) / min(_CURVATURES), tolerance=1e-3):
        fail("ex1", f"{what}: that is the limit along x (λ = 1)",
             "the steepest direction decides: λ_max = 10.")  # fmt: skip
    if close(answer, 2 / (lambda_max * (1 - _BETA)), tolerance=1e-3):
        fail("ex1", f"{what}: momentum multiplies the *effective* step by 1 / (1 - β), so the "
             "safe lr should shrink, not grow", "the limit is 2 (1 + β) / λ_max.")  # fmt: skip
    fail("ex1", what, "put β = 0.9 and λ_max = 10 into 2 (1 + β) / λ_max.")


def _measured_ratio(t, beta1, beta2):
    """Run a real Adam for t steps on a constant gradient: uncorrected / corrected update."""
    p = mt.tensor(0.0, dtype=mt.float64, requires_grad=True)
    optimizer = optim.Adam([p], lr=0.1, betas=(beta1, beta2), eps=0.0)
    for _ in range(t):
        optimizer.zero_grad()
        (0.5 * p).backward()
        optimizer.step()
    state = optimizer.state[p]
    m, v = state["exp_avg"].item(), state["exp_avg_sq"].item()
    return (m / v**0.5) / ((m / (1 - beta1**t)) / (v / (1 - beta2**t)) ** 0.5)


def check_ex2(uncorrected_ratio):
    """Exercise 2: (1 - β₁ᵗ) / √(1 - β₂ᵗ), compared with a real Adam's state."""
    cases = [(1, 0.9, 0.999), (12, 0.9, 0.999), (100, 0.9, 0.999), (5, 0.8, 0.99)]
    for t, beta1, beta2 in cases:
        got = number(attempt("ex2", uncorrected_ratio, t, beta1, beta2))
        if got is None:
            fail("ex2", f"uncorrected_ratio({t}, {beta1}, {beta2}) must return a number")
        expected = _measured_ratio(t, beta1, beta2)
        if close(got, expected, tolerance=1e-3):
            continue
        call = f"uncorrected_ratio({t}, beta1={beta1}, beta2={beta2})"
        what = f"{call} returned {got:.4g}; a real Adam's state gives {expected:.4g}"
        if close(got, 1 / expected, tolerance=1e-3):
            fail("ex2", f"{what}: your ratio is upside down", "uncorrected / corrected: "
                 "the uncorrected update is the larger one early on.")  # fmt: skip
        if close(got, (1 - beta1**t) / (1 - beta2**t), tolerance=1e-3):
            fail("ex2", f"{what}: v appears under a square root in the update",
                 "the step divides by √v, so its correction enters as √(1 - β₂ᵗ).")  # fmt: skip
        if close(got, 1 - beta1**t, tolerance=1e-3) or close(got, (1 - beta2**t) ** 0.5):
            fail("ex2", f"{what}: both corrections matter",
                 "m̂ = m / (1 - β₁ᵗ) and v̂ = v / (1 - β₂ᵗ); divide lr · m / √v by "
                 "lr · m̂ / √v̂.")  # fmt: skip
        fail(
            "ex2",
            what,
            "under a constant gradient g: m = (1 - β₁ᵗ) g and v = (1 - β₂ᵗ) g².",
            "so m / √v = (1 - β₁ᵗ) / √(1 - β₂ᵗ) (times the sign of g), and m̂ / √v̂ = 1.",
        )
    passed("ex2", "matches a real Adam's state, e.g. 3.16x at t = 1 and 6.57x at t = 12")


def _quadratic_params():
    return [mt.tensor([2.0, -1.0], requires_grad=True)]


def _loss(params):
    (p,) = params
    return (p[0] - 1) ** 2 + 4 * (p[1] + 0.5) ** 2


def check_ex3(train_fixed, epochs=4, steps_per_epoch=5):
    """Exercise 3: one optimizer for the whole run; its state counts every step."""
    made = []

    def make_optimizer(params):
        optimizer = optim.Adam(params, lr=0.1)
        made.append(optimizer)
        return optimizer

    params = _quadratic_params()
    attempt("ex3", train_fixed, params, make_optimizer, lambda: _loss(params), epochs,
            steps_per_epoch)  # fmt: skip
    if not made:
        fail("ex3", "train_fixed() never called make_optimizer(params)", "make the "
             "optimizer with make_optimizer(params): the check counts the calls.")  # fmt: skip
    if len(made) > 1:
        fail(
            "ex3",
            f"train_fixed() made {len(made)} optimizers for {epochs} epochs: each new one "
            "starts with empty state (no Adam averages, step counter at 0)",
            "call make_optimizer(params) once, before the loop over epochs.",
        )
    (optimizer,) = made
    (p,) = params
    state = optimizer.state.get(p, {})
    total = epochs * steps_per_epoch
    steps = int(state["step"].item()) if "step" in state else 0
    if steps != total:
        fail("ex3", f"the optimizer took {steps} steps; {epochs} epochs of {steps_per_epoch} "
             f"steps are {total}", "keep both loops: epochs, then steps.")  # fmt: skip

    reference = _quadratic_params()
    reference_optimizer = optim.Adam(reference, lr=0.1)
    for _ in range(total):
        reference_optimizer.zero_grad()
        _loss(reference).backward()
        reference_optimizer.step()
    if not close(p.tolist(), reference[0].tolist()):
        fail(
            "ex3",
            f"after training, params[0] is {[round(v, 4) for v in p.tolist()]}; one "
            f"optimizer for {total} steps ends at "
            f"{[round(v, 4) for v in reference[0].tolist()]}",
            "each step: optimizer.zero_grad(), loss_fn().backward(), optimizer.step().",
        )
    passed("ex3", f"one optimizer for all {total} steps; its state counted every one")
