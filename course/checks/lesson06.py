"""Checks for lesson 6 (SGD vs Momentum vs Adam): the smallest stable momentum, Adam's
updates on changing gradients, an optimizer that must survive the epochs, Adam's lr versus
SGD's, and weight decay in Adam versus AdamW.

Every reference number comes from running the real optimizer of the learner's library
(minitensor, or torch for `import torch as mt`).
"""

from . import _, attempt, close, fail, library, number, passed

_LR, _CURVATURES = 0.35, (1.0, 10.0)  # SGD(lr=0.35, momentum=β) on ½(x² + 10y²)


def _diverges(mt, beta, lr=_LR, steps=400):
    """Run the real SGD with momentum on the bowl: does it fail to converge?"""
    p = mt.tensor([-4.5, 1.5], requires_grad=True)
    optimizer = mt.optim.SGD([p], lr=lr, momentum=beta)
    for _step in range(steps):
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
        fail(
            "ex1",
            _("smallest_stable_momentum() must return a number"),
            _("return a float between 0 and 1, such as 0.5."),
            _("solve lr < 2 (1 + β) / λ_max for β."),
        )
    lambda_max = max(_CURVATURES)
    expected = _LR * lambda_max / 2 - 1
    if close(answer, expected, tolerance=1e-3):
        passed(
            "ex1",
            _(
                "β > lr · λ_max / 2 - 1 = 0.35 · 10 / 2 - 1 = {expected:.2f}; the real "
                "SGD converges just above it and diverges just below",
                expected=expected,
            ),
        )
        return
    if not 0 <= answer < 1:
        fail(
            "ex1",
            _("you answered {answer:g}; momentum β lies between 0 and 1", answer=answer),
            _("the stability limit lr < 2 (1 + β) / λ_max grows with β."),
            _("solve 0.35 < 2 (1 + β) / 10 for β."),
        )
    behaviour = _("diverges") if _diverges(mt, answer) else _("converges")
    what = _(
        "you answered {answer:g}; the smallest stable β is {expected:.2f} (with "
        "β = {answer:g} the real SGD(lr=0.35) {behaviour} on the bowl)",
        answer=answer,
        expected=expected,
        behaviour=behaviour,
    )
    if answer == 0:
        fail(
            "ex1",
            _("{what}: without momentum lr must stay below 2 / λ_max = 0.2", what=what),
            _("momentum widens the limit to 2 (1 + β) / λ_max."),
            _("solve 0.35 < 2 (1 + β) / 10 for β."),
        )
    if answer > expected:
        fail(
            "ex1",
            _(
                "{what}: it converges, but so does every β down to {expected:.2f}",
                what=what,
                expected=expected,
            ),
            _("find where lr = 2 (1 + β) / λ_max exactly."),
            _("β = lr · λ_max / 2 - 1."),
        )
    if close(answer, 1 - expected, tolerance=1e-3):
        fail(
            "ex1",
            _("{what}: that is 1 - β", what=what),
            _("lr < 2 (1 + β) / λ_max: β appears as 1 + β."),
            _("β = lr · λ_max / 2 - 1."),
        )
    fail(
        "ex1",
        what,
        _("the limit is lr = 2 (1 + β) / λ_max, with λ_max = 10."),
        _("β = lr · λ_max / 2 - 1."),
    )


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
        call = _("adam_updates({grads}, lr={lr})", grads=grads, lr=lr)
        got = attempt("ex2", adam_updates, list(grads), lr)
        try:
            got = [float(v) for v in got]
        except (TypeError, ValueError):
            fail(
                "ex2",
                _("{call} returned {got!r}; return a list of numbers", call=call, got=got),
                _("one number per gradient: how far p moved at that step."),
                _("append lr * m_hat / (v_hat ** 0.5 + eps) at every step."),
            )
        expected = _real_adam_moves(mt, grads, lr)
        if len(got) == len(expected) and close(got, expected, tolerance=1e-3):
            continue
        what = _(
            "{call} returned {got}; a real Adam moves {expected}",
            call=call,
            got=[round(v, 4) for v in got],
            expected=[round(v, 4) for v in expected],
        )
        recipe = _(
            "per step t (from 1): m = β₁ m + (1 - β₁) g; v = β₂ v + (1 - β₂) g²; "
            "move = lr · m̂ / (√v̂ + eps) with m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ)."
        )
        if close(got, _variant_moves(grads, lr, False, False), tolerance=1e-3):
            fail(
                "ex2",
                _(
                    "{what}: these are the moves without bias correction, too large early on",
                    what=what,
                ),
                _("divide m by (1 - β₁ᵗ) and v by (1 - β₂ᵗ)."),
                recipe,
            )
        if close(got, _variant_moves(grads, lr, True, False), tolerance=1e-3):
            fail(
                "ex2",
                _("{what}: only m is corrected; v needs its own correction", what=what),
                _("v̂ = v / (1 - β₂ᵗ), and √v̂ goes into the step."),
                recipe,
            )
        if close(got, _variant_moves(grads, lr, True, True, sqrt=False), tolerance=1e-3):
            fail(
                "ex2",
                _("{what}: the step divides by the square root of v̂", what=what),
                _("v averages g², so √v̂ has the units of g."),
                recipe,
            )
        fail("ex2", what, _("count t from 1, and keep m and v from one step to the next."), recipe)
    passed(
        "ex2",
        _("the same moves as a real Adam on constant, flipping, growing and vanishing gradients"),
    )


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
    attempt(
        "ex3", train_fixed, params, make_optimizer, lambda: _loss(params), epochs, steps_per_epoch
    )
    if not made:
        fail(
            "ex3",
            _("train_fixed() never called make_optimizer(params)"),
            _("make the optimizer with make_optimizer(params): the check counts the calls."),
            _("optimizer = make_optimizer(params), before the loops."),
        )
    if len(made) > 1:
        fail(
            "ex3",
            _(
                "train_fixed() made {made} optimizers for {epochs} epochs: "
                "each new one starts with empty state (no Adam averages, step counter at "
                "0)",
                made=len(made),
                epochs=epochs,
            ),
            _("call make_optimizer(params) once, before the loop over epochs."),
            _("move `optimizer = make_optimizer(params)` above `for _ in range(epochs):`."),
        )
    (optimizer,) = made
    (p,) = params
    state = optimizer.state.get(p, {})
    total = epochs * steps_per_epoch
    steps = int(state["step"].item()) if "step" in state else 0
    if steps != total:
        fail(
            "ex3",
            _(
                "the optimizer took {steps} steps; {epochs} epochs of {steps_per_epoch} "
                "steps are {total}",
                steps=steps,
                epochs=epochs,
                steps_per_epoch=steps_per_epoch,
                total=total,
            ),
            _("keep both loops: epochs, then steps."),
            _("for each epoch, for each step: zero_grad, backward, step."),
        )

    reference = _quadratic_params(mt)
    reference_optimizer = optim.Adam(reference, lr=0.1)
    for _step in range(total):
        reference_optimizer.zero_grad()
        _loss(reference).backward()
        reference_optimizer.step()
    if not close(p.tolist(), reference[0].tolist()):
        fail(
            "ex3",
            _(
                "after training, params[0] is {p}; one optimizer for {total} steps ends "
                "at {reference}",
                p=[round(v, 4) for v in p.tolist()],
                total=total,
                reference=[round(v, 4) for v in reference[0].tolist()],
            ),
            _("each step: optimizer.zero_grad(), loss_fn().backward(), optimizer.step()."),
            _("the same loops as train_buggy, with the optimizer made once before them."),
        )
    passed(
        "ex3", _("one optimizer for all {total} steps; its state counted every one", total=total)
    )


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
        fail(
            "ex4",
            _(
                "predict_first_steps() returned {answer!r}; return two numbers, (sgd_p, adam_p)",
                answer=answer,
            ),
            _("for example: return (1.5, 0.5)"),
            _("compute the gradient at p = 0 first."),
        )
    sgd_real, adam_real = _first_steps(mt)
    what = _(
        "you predicted p = {sgd_p:g} after SGD and {adam_p:g} after Adam; the "
        "real optimizers give {sgd_real:g} and {adam_real:g}",
        sgd_p=sgd_p,
        adam_p=adam_p,
        sgd_real=sgd_real,
        adam_real=adam_real,
    )
    if not close(sgd_p, sgd_real, tolerance=1e-3):
        fail(
            "ex4",
            _(
                "{what}: SGD's step is lr times the gradient, and the gradient of 1000 "
                "(p - 1)² at p = 0 is -2000",
                what=what,
            ),
            _("p_new = p - lr · g = 0 - 0.01 · (-2000)."),
            _("scaling the loss by 1000 scales SGD's step by 1000."),
        )
    if not close(adam_p, adam_real, tolerance=1e-3):
        fail(
            "ex4",
            _(
                "{what}: Adam's first step is lr in the direction of -sign(g), whatever "
                "the gradient's size (m̂ / √v̂ = g / |g| at step 1)",
                what=what,
            ),
            _("the 1000 cancels between m̂ and √v̂."),
            _("p_new = 0 + 0.01."),
        )
    passed(
        "ex4",
        _(
            "SGD jumps to {sgd_real:g} (far past the minimum at 1), Adam moves by lr "
            "to 0.01: the loss's scale is in SGD's step, not in Adam's",
            sgd_real=sgd_real,
        ),
    )


def _decay_run(mt, make, steps=100):
    silent = mt.tensor(1.0, requires_grad=True)
    absent = mt.tensor(1.0, requires_grad=True)
    optimizer = make([silent, absent], lr=0.01, weight_decay=0.1)
    for _step in range(steps):
        optimizer.zero_grad()
        (0 * silent).backward()
        optimizer.step()
    return silent.item(), absent.item()


def check_ex5(predict_decay):
    """Exercise 5: Adam's L2 shrinks a zero-gradient parameter fast, AdamW by (1 - lr·wd)
    per step; a parameter whose .grad is None is left alone by both."""
    mt = library(predict_decay)
    answer = attempt("ex5", predict_decay)
    shape = _("return {'Adam': (silent, absent), 'AdamW': (silent, absent)}")
    try:
        predicted = {k: tuple(float(v) for v in answer[k]) for k in ("Adam", "AdamW")}
        assert all(len(v) == 2 for v in predicted.values())
    except (TypeError, ValueError, KeyError, IndexError, AssertionError):
        fail(
            "ex5",
            _("predict_decay() returned {answer!r}", answer=answer),
            shape,
            _("each tuple holds two numbers: the silent parameter, then the absent one."),
        )
    real = {"Adam": _decay_run(mt, mt.optim.Adam), "AdamW": _decay_run(mt, mt.optim.AdamW)}
    shown = ", ".join(
        _("{name}: silent {silent:.3f}, absent {absent:.3f}", name=k, silent=v[0], absent=v[1])
        for k, v in real.items()
    )
    what = _("you predicted {predicted}; after 100 steps {shown}", predicted=predicted, shown=shown)
    for name in ("Adam", "AdamW"):
        if not close(predicted[name][1], real[name][1], tolerance=1e-2):
            fail(
                "ex5",
                _(
                    "{what}: an optimizer skips every parameter whose .grad is None, weight "
                    "decay included",
                    what=what,
                ),
                _("absent never gets a gradient: it stays at 1.0 under both."),
                _("the second number of both tuples is 1.0."),
            )
    if not close(predicted["AdamW"][0], real["AdamW"][0], tolerance=1e-2):
        fail(
            "ex5",
            _(
                "{what}: AdamW shrinks p by (1 - lr · wd) every step, whatever the gradient",
                what=what,
            ),
            _("(1 - 0.01 · 0.1) per step, 100 steps."),
            _("(1 - 0.001) ** 100 ≈ 0.905."),
        )
    if abs(predicted["Adam"][0] - real["Adam"][0]) > 0.25:
        fail(
            "ex5",
            _(
                "{what}: under Adam's L2 the silent parameter's only gradient is wd · p, "
                "which Adam normalises into steps of about lr: it falls much faster than "
                "under AdamW",
                what=what,
            ),
            _(
                "the first steps move it by about lr = 0.01 each; later ones shrink as p "
                "(and so its gradient) gets smaller than what v remembers."
            ),
            _("anything between 0.0 and 0.45 counts: far below AdamW's 0.905."),
        )
    passed(
        "ex5",
        _(
            "{shown}: Adam's L2 races the silent parameter down, AdamW decays it by "
            "(1 - lr · wd) per step, and neither touches a parameter without a "
            "gradient",
            shown=shown,
        ),
    )


# --------------------------------------------------------------------------- exercise 6

_EX6_LR, _EX6_BETAS, _EX6_STEPS = 0.1, (0.0, 0.3, 0.6, 0.9, 0.99), 100


def _distance_after(mt, beta, lr=_EX6_LR, steps=_EX6_STEPS):
    """Run the real SGD(lr, momentum=β) on the bowl from (-4.5, 1.5): the final distance."""
    p = mt.tensor([-4.5, 1.5], requires_grad=True)
    optimizer = mt.optim.SGD([p], lr=lr, momentum=beta)
    for _step in range(steps):
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
        fail(
            "ex6",
            _(
                "best_momentum() returned {answer!r}; return one of {choices}",
                answer=answer,
                choices=choices,
            ),
            _("return the β itself, a number such as 0.3."),
            _("read the map's column at lr = 0.1, or run the five settings with descend()."),
        )
    distances = {beta: _distance_after(mt, beta) for beta in _EX6_BETAS}
    best = min(distances, key=distances.get)
    table = ", ".join(f"β {b:g}: {d:.2g}" for b, d in distances.items())
    what = _(
        "you answered β = {answer:g}; after {steps} steps of SGD(lr=0.1, "
        "momentum=β) the distances to the minimum are {table}",
        answer=answer,
        steps=_EX6_STEPS,
        table=table,
    )
    if close(answer, best):
        passed(
            "ex6",
            _(
                "β = {best:g} ends closest ({distance:.2g}); {table}: more momentum "
                "than that is slower again",
                best=best,
                distance=distances[best],
                table=table,
            ),
        )
        return
    if answer >= 0.9:
        fail(
            "ex6",
            _(
                "{what}: with β = {answer:g} the run swings around the minimum, each "
                "swing only √β = {root:.3f} times the last",
                what=what,
                answer=answer,
                root=answer**0.5,
            ),
            _("more momentum is not always faster: past some β every step overshoots."),
            _(
                "on the map, go up the column lr = 0.1: the colour is darkest (fastest) "
                "in the middle, not at the top."
            ),
        )
    if answer == 0:
        fail(
            "ex6",
            _(
                "{what}: plain SGD shrinks the error by max |1 - lr λ| = 0.9 per step, "
                "some momentum does better",
                what=what,
            ),
            _("momentum lets the slow direction x build up speed."),
            _("on the map, go up the column lr = 0.1 from β = 0 until the colour is darkest."),
        )
    fail(
        "ex6",
        _("{what}: another β ends closer", what=what),
        _("run the five settings, or read the map's column at lr = 0.1."),
        _(
            "the fastest β makes both directions' swings shrink at the same rate; "
            "the map shows it as the darkest cell in the column."
        ),
    )
