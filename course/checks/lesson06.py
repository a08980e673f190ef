"""Checks for lesson 6 (SGD vs Momentum vs Adam): the smallest stable momentum, Adam's
updates on changing gradients, an optimizer that must survive the epochs, Adam's lr versus
SGD's, and weight decay in Adam versus AdamW.

Every reference number comes from running the real optimizer of the learner's library
(minitensor, or torch for `import torch as mt`).
"""

from . import attempt, close, fail, library, number, passed

_LR, _CURVATURES = 0.35, (1.0, 10.0)  # SGD(lr=0.35, momentum=β) on ½(x² + 10y²)


def _diverges(mt, beta, lr=_LR, steps=400):
    """Run the real SGD with momentum on the bowl: does it fail to converge?"""
    p = mt.tensor([-4.5, 1.5], requires_grad=True)
    optimizer = mt.optim.SGD([p], lr=lr, momentum=beta)
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (_CURVATURES[0] * p[0] ** 2 + _CURVATURES[1] * p[1] ** 2)).backward()
        optimizer.step()
        if not p.abs().max().item() < 1e6:  # blown up (stop before float32 overflows)
            return True
    return not p.abs().max().item() < 1.0


def check_ex1(smallest_stable_momentum):
    """Exercise 1: lr < 2 (1 + β) / λ_max turned around: β > lr λ_max / 2 - 1."""
    mt = library(smallest_stable_momentum)
    answer = number(attempt("ex1", smallest_stable_momentum))
    if answer is None:
        fail("ex1", "smallest_stable_momentum() must return a number",
             "return a float between 0 and 1, such as 0.5.",
             "solve lr < 2 (1 + β) / λ_max for β.")  # fmt: skip
    lambda_max = max(_CURVATURES)
    expected = _LR * lambda_max / 2 - 1
    if close(answer, expected, tolerance=1e-3):
        passed("ex1", f"β > lr · λ_max / 2 - 1 = 0.35 · 10 / 2 - 1 = {expected:.2f}; the "
               "real SGD converges just above it and diverges just below")  # fmt: skip
        return
    if not 0 <= answer < 1:
        fail("ex1", f"you answered {answer:g}; momentum β lies between 0 and 1",
             "the stability limit lr < 2 (1 + β) / λ_max grows with β.",
             "solve 0.35 < 2 (1 + β) / 10 for β.")  # fmt: skip
    behaviour = "diverges" if _diverges(mt, answer) else "converges"
    what = (f"you answered {answer:g}; the smallest stable β is {expected:.2f} (with β = "
            f"{answer:g} the real SGD(lr=0.35) {behaviour} on the bowl)")  # fmt: skip
    if answer == 0:
        fail("ex1", f"{what}: without momentum lr must stay below 2 / λ_max = 0.2",
             "momentum widens the limit to 2 (1 + β) / λ_max.",
             "solve 0.35 < 2 (1 + β) / 10 for β.")  # fmt: skip
    if answer > expected:
        fail("ex1", f"{what}: it converges, but so does every β down to {expected:.2f}",
             "find where lr = 2 (1 + β) / λ_max exactly.",
             "β = lr · λ_max / 2 - 1.")  # fmt: skip
    if close(answer, 1 - expected, tolerance=1e-3):
        fail("ex1", f"{what}: that is 1 - β", "lr < 2 (1 + β) / λ_max: β appears as 1 + β.",
             "β = lr · λ_max / 2 - 1.")  # fmt: skip
    fail("ex1", what, "the limit is lr = 2 (1 + β) / λ_max, with λ_max = 10.",
         "β = lr · λ_max / 2 - 1.")  # fmt: skip


# Gradient sequences that grow, shrink and flip sign (the bias shows most early on).
_GRADIENT_CASES = [
    ([2.0, 2.0, 2.0, 2.0], 0.1),
    ([1.0, -1.0, 1.0, -1.0, 1.0], 0.1),
    ([0.01, 0.1, 1.0, 10.0, 100.0], 0.05),
    ([5.0, 0.0, 0.0, -3.0], 0.2),
]


def _real_adam_moves(mt, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """How far a real Adam moves a parameter fed the gradients `grads`."""
    p = mt.tensor(0.0, dtype=mt.float64, requires_grad=True)
    optimizer = mt.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    moves = []
    for g in grads:
        before = p.item()
        p.grad = mt.tensor(g, dtype=mt.float64)
        optimizer.step()
        moves.append(before - p.item())
    return moves


def _variant_moves(grads, lr, correct_m, correct_v, sqrt=True, beta1=0.9, beta2=0.999):
    """Adam written the ways a learner might: to name the mistake."""
    m = v = 0.0
    moves = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t) if correct_m else m
        v_hat = v / (1 - beta2**t) if correct_v else v
        moves.append(lr * m_hat / ((v_hat**0.5 if sqrt else v_hat) + 1e-8))
    return moves


def check_ex2(adam_updates):
    """Exercise 2: Adam's moves on changing gradients, against a real optim.Adam."""
    mt = library(adam_updates)
    for grads, lr in _GRADIENT_CASES:
        call = f"adam_updates({grads}, lr={lr})"
        got = attempt("ex2", adam_updates, list(grads), lr)
        try:
            got = [float(v) for v in got]
        except (TypeError, ValueError):
            fail("ex2", f"{call} returned {got!r}; return a list of numbers",
                 "one number per gradient: how far p moved at that step.",
                 "append lr * m_hat / (v_hat ** 0.5 + eps) at every step.")  # fmt: skip
        expected = _real_adam_moves(mt, grads, lr)
        if len(got) == len(expected) and close(got, expected, tolerance=1e-3):
            continue
        what = (f"{call} returned {[round(v, 4) for v in got]}; a real Adam moves "
                f"{[round(v, 4) for v in expected]}")  # fmt: skip
        recipe = (
            "per step t (from 1): m = β₁ m + (1 - β₁) g; v = β₂ v + (1 - β₂) g²; "
            "move = lr · m̂ / (√v̂ + eps) with m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ)."
        )
        if close(got, _variant_moves(grads, lr, False, False), tolerance=1e-3):
            fail("ex2", f"{what}: these are the moves without bias correction, too large "
                 "early on", "divide m by (1 - β₁ᵗ) and v by (1 - β₂ᵗ).", recipe)  # fmt: skip
        if close(got, _variant_moves(grads, lr, True, False), tolerance=1e-3):
            fail("ex2", f"{what}: only m is corrected; v needs its own correction",
                 "v̂ = v / (1 - β₂ᵗ), and √v̂ goes into the step.", recipe)  # fmt: skip
        if close(got, _variant_moves(grads, lr, True, True, sqrt=False), tolerance=1e-3):
            fail("ex2", f"{what}: the step divides by the square root of v̂",
                 "v averages g², so √v̂ has the units of g.", recipe)  # fmt: skip
        fail("ex2", what, "count t from 1, and keep m and v from one step to the next.",
             recipe)  # fmt: skip
    passed("ex2", "the same moves as a real Adam on constant, flipping, growing and "
           "vanishing gradients")  # fmt: skip


def _quadratic_params(mt):
    return [mt.tensor([2.0, -1.0], requires_grad=True)]


def _loss(params):
    (p,) = params
    return (p[0] - 1) ** 2 + 4 * (p[1] + 0.5) ** 2


def check_ex3(train_fixed, epochs=4, steps_per_epoch=5):
    """Exercise 3: one optimizer for the whole run; its state counts every step."""
    mt = library(train_fixed)
    optim = mt.optim
    made = []

    def make_optimizer(params):
        optimizer = optim.Adam(params, lr=0.1)
        made.append(optimizer)
        return optimizer

    params = _quadratic_params(mt)
    attempt("ex3", train_fixed, params, make_optimizer, lambda: _loss(params), epochs,
            steps_per_epoch)  # fmt: skip
    if not made:
        fail("ex3", "train_fixed() never called make_optimizer(params)", "make the "
             "optimizer with make_optimizer(params): the check counts the calls.",
             "optimizer = make_optimizer(params), before the loops.")  # fmt: skip
    if len(made) > 1:
        fail(
            "ex3",
            f"train_fixed() made {len(made)} optimizers for {epochs} epochs: each new one "
            "starts with empty state (no Adam averages, step counter at 0)",
            "call make_optimizer(params) once, before the loop over epochs.",
            "move `optimizer = make_optimizer(params)` above `for _ in range(epochs):`.",
        )
    (optimizer,) = made
    (p,) = params
    state = optimizer.state.get(p, {})
    total = epochs * steps_per_epoch
    steps = int(state["step"].item()) if "step" in state else 0
    if steps != total:
        fail("ex3", f"the optimizer took {steps} steps; {epochs} epochs of {steps_per_epoch} "
             f"steps are {total}", "keep both loops: epochs, then steps.",
             "for each epoch, for each step: zero_grad, backward, step.")  # fmt: skip

    reference = _quadratic_params(mt)
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
            "the same loops as train_buggy, with the optimizer made once before them.",
        )
    passed("ex3", f"one optimizer for all {total} steps; its state counted every one")


def _first_steps(mt):
    """(SGD's p, Adam's p) after one step from 0 on 1000 (p - 1)², lr 0.01, real optimizers."""
    ends = []
    for make in (mt.optim.SGD, mt.optim.Adam):
        p = mt.tensor(0.0, requires_grad=True)
        optimizer = make([p], lr=0.01)
        optimizer.zero_grad()
        (1000 * (p - 1) ** 2).backward()
        optimizer.step()
        ends.append(p.item())
    return tuple(ends)


def check_ex4(predict_first_steps):
    """Exercise 4: SGD's first step scales with the loss, Adam's is lr."""
    mt = library(predict_first_steps)
    answer = attempt("ex4", predict_first_steps)
    try:
        sgd_p, adam_p = (float(v) for v in answer)
    except (TypeError, ValueError):
        fail("ex4", f"predict_first_steps() returned {answer!r}; return two numbers, "
             "(sgd_p, adam_p)", "for example: return (1.5, 0.5)",
             "compute the gradient at p = 0 first.")  # fmt: skip
    sgd_real, adam_real = _first_steps(mt)
    what = (f"you predicted p = {sgd_p:g} after SGD and {adam_p:g} after Adam; the real "
            f"optimizers give {sgd_real:g} and {adam_real:g}")  # fmt: skip
    if not close(sgd_p, sgd_real, tolerance=1e-3):
        fail("ex4", f"{what}: SGD's step is lr times the gradient, and the gradient of "
             "1000 (p - 1)² at p = 0 is -2000", "p_new = p - lr · g = 0 - 0.01 · (-2000).",
             "scaling the loss by 1000 scales SGD's step by 1000.")  # fmt: skip
    if not close(adam_p, adam_real, tolerance=1e-3):
        fail("ex4", f"{what}: Adam's first step is lr in the direction of -sign(g), whatever "
             "the gradient's size (m̂ / √v̂ = g / |g| at step 1)",
             "the 1000 cancels between m̂ and √v̂.", "p_new = 0 + 0.01.")  # fmt: skip
    passed("ex4", f"SGD jumps to {sgd_real:g} (far past the minimum at 1), Adam moves by lr "
           "to 0.01: the loss's scale is in SGD's step, not in Adam's")  # fmt: skip


def _decay_run(mt, make, steps=100):
    silent = mt.tensor(1.0, requires_grad=True)
    absent = mt.tensor(1.0, requires_grad=True)
    optimizer = make([silent, absent], lr=0.01, weight_decay=0.1)
    for _ in range(steps):
        optimizer.zero_grad()
        (0 * silent).backward()
        optimizer.step()
    return silent.item(), absent.item()


def check_ex5(predict_decay):
    """Exercise 5: Adam's L2 shrinks a zero-gradient parameter fast, AdamW by (1 - lr·wd)
    per step; a parameter whose .grad is None is left alone by both."""
    mt = library(predict_decay)
    answer = attempt("ex5", predict_decay)
    shape = "return {'Adam': (silent, absent), 'AdamW': (silent, absent)}"
    try:
        predicted = {k: tuple(float(v) for v in answer[k]) for k in ("Adam", "AdamW")}
        assert all(len(v) == 2 for v in predicted.values())
    except (TypeError, ValueError, KeyError, IndexError, AssertionError):
        fail(
            "ex5",
            f"predict_decay() returned {answer!r}",
            shape,
            "each tuple holds two numbers: the silent parameter, then the absent one.",
        )
    real = {"Adam": _decay_run(mt, mt.optim.Adam), "AdamW": _decay_run(mt, mt.optim.AdamW)}
    shown = ", ".join(f"{k}: silent {v[0]:.3f}, absent {v[1]:.3f}" for k, v in real.items())
    what = f"you predicted {predicted}; after 100 steps {shown}"
    for name in ("Adam", "AdamW"):
        if not close(predicted[name][1], real[name][1], tolerance=1e-2):
            fail("ex5", f"{what}: an optimizer skips every parameter whose .grad is None, "
                 "weight decay included", "absent never gets a gradient: it stays at 1.0 "
                 "under both.", "the second number of both tuples is 1.0.")  # fmt: skip
    if not close(predicted["AdamW"][0], real["AdamW"][0], tolerance=1e-2):
        fail("ex5", f"{what}: AdamW shrinks p by (1 - lr · wd) every step, whatever the "
             "gradient", "(1 - 0.01 · 0.1) per step, 100 steps.",
             "(1 - 0.001) ** 100 ≈ 0.905.")  # fmt: skip
    if abs(predicted["Adam"][0] - real["Adam"][0]) > 0.25:
        fail("ex5", f"{what}: under Adam's L2 the silent parameter's only gradient is wd · p, "
             "which Adam normalises into steps of about lr: it falls much faster than under "
             "AdamW", "the first steps move it by about lr = 0.01 each; later ones shrink as "
             "p (and so its gradient) gets smaller than what v remembers.",
             "anything between 0.0 and 0.45 counts: far below AdamW's 0.905.")  # fmt: skip
    passed(
        "ex5",
        f"{shown}: Adam's L2 races the silent parameter down, AdamW decays it by "
        "(1 - lr · wd) per step, and neither touches a parameter without a gradient",
    )


# --------------------------------------------------------------------------- exercise 6

_EX6_LR, _EX6_BETAS, _EX6_STEPS = 0.1, (0.0, 0.3, 0.6, 0.9, 0.99), 100


def _distance_after(mt, beta, lr=_EX6_LR, steps=_EX6_STEPS):
    """Run the real SGD(lr, momentum=β) on the bowl from (-4.5, 1.5): the final distance."""
    p = mt.tensor([-4.5, 1.5], requires_grad=True)
    optimizer = mt.optim.SGD([p], lr=lr, momentum=beta)
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (_CURVATURES[0] * p[0] ** 2 + _CURVATURES[1] * p[1] ** 2)).backward()
        optimizer.step()
    return (p[0] ** 2 + p[1] ** 2).sqrt().item()


def check_ex6(best_momentum):
    """Exercise 6: the β that ends closest is an intermediate one, found by running them."""
    mt = library(best_momentum)
    answer = number(attempt("ex6", best_momentum))
    choices = ", ".join(f"{b:g}" for b in _EX6_BETAS)
    if answer is None or not any(close(answer, b) for b in _EX6_BETAS):
        fail("ex6", f"best_momentum() returned {answer!r}; return one of {choices}",
             "return the β itself, a number such as 0.3.",
             "read the map's column at lr = 0.1, or run the five settings with "
             "descend().")  # fmt: skip
    distances = {beta: _distance_after(mt, beta) for beta in _EX6_BETAS}
    best = min(distances, key=distances.get)
    table = ", ".join(f"β {b:g}: {d:.2g}" for b, d in distances.items())
    what = (f"you answered β = {answer:g}; after {_EX6_STEPS} steps of SGD(lr=0.1, "
            f"momentum=β) the distances to the minimum are {table}")  # fmt: skip
    if close(answer, best):
        passed("ex6", f"β = {best:g} ends closest ({distances[best]:.2g}); {table}: more "
               "momentum than that is slower again")  # fmt: skip
        return
    if answer >= 0.9:
        fail("ex6", f"{what}: with β = {answer:g} the run swings around the minimum, each "
             f"swing only √β = {answer ** 0.5:.3f} times the last",
             "more momentum is not always faster: past some β every step overshoots.",
             "on the map, go up the column lr = 0.1: the colour is darkest (fastest) in "
             "the middle, not at the top.")  # fmt: skip
    if answer == 0:
        fail("ex6", f"{what}: plain SGD shrinks the error by max |1 - lr λ| = 0.9 per step, "
             "some momentum does better",
             "momentum lets the slow direction x build up speed.",
             "on the map, go up the column lr = 0.1 from β = 0 until the colour is "
             "darkest.")  # fmt: skip
    fail("ex6", f"{what}: another β ends closer",
         "run the five settings, or read the map's column at lr = 0.1.",
         "the fastest β makes both directions' swings shrink at the same rate; the map "
         "shows it as the darkest cell in the column.")  # fmt: skip
