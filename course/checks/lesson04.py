"""Checks for lesson 4 (gradient descent by hand): an SGD step, a fixed training loop, and
the 2 / lambda_max threshold."""

from . import _, attempt, close, fail, library, number, passed, recorded_ops


def update_errors():
    """What an update may raise, and what it means (translated when a check runs)."""
    return {
        "leaf Variable": _("the update must not be recorded: put it inside `with mt.no_grad():`."),
        "NoneType": _(
            "a gradient was None when you used it: update first, clear the gradients after."
        ),
    }


def _parameters(mt):
    """Two parameters with gradients from a small loss; and their values and gradients."""
    w = mt.tensor([1.0, -2.0], requires_grad=True)
    b = mt.tensor(0.5, requires_grad=True)
    x = mt.tensor([[1.0, 2.0], [3.0, -1.0]])
    ((x @ w + b) ** 2).sum().backward()
    return w, b


def _version(t):
    """The version counter: an int in torch, a one-element list in minitensor."""
    version = t._version
    return version[0] if isinstance(version, list) else version


def check_ex1(sgd_step):
    """Exercise 1: in place, unrecorded, still leaves, gradients cleared."""
    mt = library(sgd_step)
    w, b = _parameters(mt)
    lr = 0.1
    expected_w = [v - lr * g for v, g in zip(w.tolist(), w.grad.tolist())]
    expected_b = b.item() - lr * b.grad.item()
    w_version, b_version = _version(w), _version(b)
    with recorded_ops(mt) as recorded:
        attempt("ex1", sgd_step, [w, b], lr, errors=update_errors())

    if close(w.tolist(), [1.0, -2.0]) and close(b.item(), 0.5):
        fail(
            "ex1",
            _("after sgd_step([w, b], 0.1) the caller's w and b are unchanged"),
            _(
                "`p = p - lr * p.grad` makes a new tensor and rebinds the name p inside "
                "your function; the caller's tensor is untouched. Change it in place: p "
                "-= ..."
            ),
            _("with mt.no_grad(): p -= lr * p.grad  (then p.grad = None)"),
        )
    if not w.is_leaf or not w.requires_grad:
        fail(
            "ex1",
            _("after sgd_step, w is no longer a leaf that requires grad"),
            _("change p in place; do not replace it or switch off requires_grad."),
            _("with mt.no_grad(): p -= lr * p.grad"),
        )
    if recorded.count:
        fail(
            "ex1",
            _(
                "sgd_step recorded {count} graph node(s): the update became part of the graph",
                count=recorded.count,
            ),
            _("put the update inside `with mt.no_grad():`."),
            _("with mt.no_grad(): p -= lr * p.grad"),
        )
    if not (close(w.tolist(), expected_w) and close(b.item(), expected_b)):
        fail(
            "ex1",
            _(
                "after one step w = {w}, b = {b:.4f}; expected {expected_w}, "
                "{expected_b:.4f} (p - lr * p.grad)",
                w=w.tolist(),
                b=b.item(),
                expected_w=[round(v, 4) for v in expected_w],
                expected_b=expected_b,
            ),
            _("one step: subtract lr times the gradient, once per parameter."),
            _("with mt.no_grad(): p -= lr * p.grad"),
        )
    if _version(w) == w_version or _version(b) == b_version:
        fail(
            "ex1",
            _(
                "the parameters changed without their version counter noticing: the "
                "update went around autograd (through .data?)"
            ),
            _(
                "write `p -= lr * p.grad` inside `with mt.no_grad():`; autograd then "
                "knows that p changed, and can catch a backward pass that needs the old "
                "value."
            ),
            _("p.data -= ... changes p behind autograd's back; p -= ... under no_grad does not."),
        )
    for name, p in (("w", w), ("b", b)):
        if p.grad is not None and any(number(g) != 0 for g in p.grad.reshape(-1)):
            fail(
                "ex1",
                _(
                    "after sgd_step, {name}.grad still holds {p_grad}: the next backward() "
                    "would add to it",
                    name=name,
                    p_grad=p.grad,
                ),
                _("clear each gradient after the update: p.grad = None."),
                _("inside the loop, after p -= lr * p.grad: p.grad = None"),
            )
    passed("ex1", _("in place, unrecorded, still leaves, gradients cleared"))


_X = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]
_Y = [-1.9, 0.1, 1.05, 1.7, 2.1, 1.8]


def _reference_fit(steps, lr, clear=True):
    """The expected coefficients p, by plain Python arithmetic."""
    p = [0.0, 0.0, 0.0]
    grad = [0.0, 0.0, 0.0]
    n = len(_X)
    for _step in range(steps):
        if clear:
            grad = [0.0, 0.0, 0.0]
        residuals = [p[0] + p[1] * x + p[2] * x * x - y for x, y in zip(_X, _Y)]
        for k in range(3):
            grad[k] += sum(2 * r * x**k for r, x in zip(residuals, _X)) / n
        p = [value - lr * g for value, g in zip(p, grad)]
    return p


def check_ex2(fit_parabola, steps=60, lr=0.1):
    """Exercise 2: the fixed loop returns a fitted leaf."""
    mt = library(fit_parabola)
    x, y = mt.tensor(_X), mt.tensor(_Y)
    errors = {
        **update_errors(),
        "NoneType": _(
            "p.grad is None because `p = p - ...` made p a non-leaf: update in place "
            "instead (p -= ...) under `with mt.no_grad():`."
        ),
    }
    p = attempt("ex2", fit_parabola, x, y, steps, lr, errors=errors)
    if not isinstance(p, mt.Tensor):
        fail(
            "ex2",
            _("fit_parabola() returned {p!r}; return the tensor p", p=p),
            _("return p after the loop."),
            _("the last line of fit_parabola: return p"),
        )
    if not p.is_leaf:
        fail(
            "ex2",
            _(
                "the p you return has grad_fn={grad_fn}: it is the result of an update, "
                "not a leaf, so its .grad would stay None",
                grad_fn=p.grad_fn.name(),
            ),
            _("update in place under no_grad: `with mt.no_grad(): p -= lr * p.grad`."),
            _("`p = p - lr * p.grad` rebinds p to a new, recorded tensor."),
        )
    if not p.requires_grad:
        fail(
            "ex2",
            _("the p you return does not require grad: it cannot be trained any more"),
            _("keep p = mt.zeros(3, requires_grad=True) and change it in place."),
            _("with mt.no_grad(): p -= lr * p.grad"),
        )
    if tuple(p.shape) != (3,):
        fail(
            "ex2",
            _("the p you return has shape {p_shape}; expected (3,)", p_shape=tuple(p.shape)),
            _("p holds the three coefficients."),
            _("p = mt.zeros(3, requires_grad=True)"),
        )
    expected = _reference_fit(steps, lr)
    got = p.tolist()
    if close(got, expected, tolerance=1e-3):
        passed(
            "ex2",
            _(
                "after {steps} steps p = {got}, still a leaf",
                steps=steps,
                got=[round(v, 4) for v in got],
            ),
        )
        return
    what = _(
        "after {steps} steps with lr {lr}: p = {got}; expected {expected}",
        steps=steps,
        lr=lr,
        got=[round(v, 4) for v in got],
        expected=[round(v, 4) for v in expected],
    )
    if close(got, _reference_fit(steps, lr, clear=False), tolerance=1e-3):
        fail(
            "ex2",
            _("{what}: the gradients were never cleared, so they piled up", what=what),
            _("set p.grad = None after each update."),
            _("inside the loop, after the update under no_grad: p.grad = None"),
        )
    fail(
        "ex2",
        what,
        _("start from p = 0 and take exactly `steps` steps of size lr * p.grad."),
        _("per step: loss, backward(), p -= lr * p.grad under no_grad, p.grad = None."),
    )


def check_ex3(largest_stable_lr):
    """Exercise 3: 2 / lambda_max for f(p) = 1/2 (4 p0^2 + p1^2)."""
    answer = number(attempt("ex3", largest_stable_lr))
    if answer is None:
        fail(
            "ex3",
            _("largest_stable_lr() must return a number"),
            _("return a float, such as 0.1."),
            _("2 divided by the largest curvature."),
        )
    curvatures = (4.0, 1.0)
    expected = 2 / max(curvatures)
    if close(answer, expected, tolerance=1e-3):
        passed("ex3", _("lr < 2 / λ_max = 2 / 4 = {expected}", expected=expected))
        return
    what = _(
        "you answered {answer:g}; the threshold is {expected:g}", answer=answer, expected=expected
    )
    if close(answer, 2 / min(curvatures), tolerance=1e-3):
        fail(
            "ex3",
            _(
                "{what}: along p₁ (λ = 1) lr up to 2 would be fine, but along p₀ it is not",
                what=what,
            ),
            _("the direction with the largest curvature, λ = 4, decides."),
            _("each direction needs |1 - lr λ| < 1; with λ = 4 that is lr < 2 / 4."),
        )
    if close(answer, 1 / max(curvatures), tolerance=1e-3):
        fail(
            "ex3",
            _(
                "{what}: at lr = 1/λ = 0.25 one step lands exactly on the minimum along "
                "p₀ (the fastest rate), but larger steps still converge, overshooting "
                "less and less",
                what=what,
            ),
            _("the limit is where the factor |1 - lr λ| reaches 1."),
            _("|1 - 4 lr| = 1 at lr = 2 / 4."),
        )
    if close(answer, 2 / sum(curvatures), tolerance=1e-3):
        fail(
            "ex3",
            _(
                "{what}: 2 / (λ_max + λ_min) = 0.4 is the *best* learning rate (both "
                "directions shrink by the same factor, 0.6), not the largest that still "
                "converges",
                what=what,
            ),
            _(
                "larger steps converge more slowly along p₀, but they converge until |1 "
                "- 4 lr| reaches 1."
            ),
            _("|1 - 4 lr| = 1 at lr = 2 / 4."),
        )
    fail(
        "ex3",
        what,
        _(
            "one step multiplies p₀ by (1 - 4 lr) and p₁ by (1 - lr); each must stay "
            "within (-1, 1)."
        ),
        _("|1 - 4 lr| < 1 means 0 < lr < 2 / 4."),
    )
