"""Checks for lesson 8 (build your own): a Function's forward and backward (SiLU, Square),
judged by gradcheck and by the chain rule inside a bigger graph, and a momentum optimizer
judged by its whole trajectory against optim.SGD.

When a backward is wrong the check finds out *how*: it runs backward once with
grad_output = 1 and once with grad_output = 3. Right with 1 but not with 3 means the
backward returned the local derivative without multiplying by grad_output.
"""

from . import _, attempt, close, fail, library, passed

_POINTS = [-2.0, -0.5, 0.0, 0.7, 1.5, 3.0]


def _is_function_class(candidate, mt):
    return isinstance(candidate, type) and issubclass(candidate, mt.autograd.Function)


def _grad_through(exercise, function, scale, mt):
    """x.grad for loss = (scale * function.apply(x)).sum(), in float64."""
    x = mt.tensor(_POINTS, dtype=mt.float64, requires_grad=True)
    out = attempt(exercise, function.apply, x)
    attempt(exercise, (scale * out).sum().backward)
    if x.grad is None:
        fail(
            exercise,
            _("after backward(), x.grad is None: backward returned no gradient"),
            _("return grad_output times the derivative."),
        )
    return x.grad.tolist()


def _check_function(exercise, function, name, forward_fn, derivative_fn):
    """Forward values, a recorded node, gradcheck, and grad_output really used."""
    mt = library(function)
    if not _is_function_class(function, mt):
        fail(
            exercise,
            _("{function!r} is not a class derived from mt.autograd.Function", function=function),
            _("class {name}(mt.autograd.Function): with static forward and backward.", name=name),
        )
    x = mt.tensor(_POINTS, requires_grad=True)
    out = attempt(exercise, function.apply, x)
    if not isinstance(out, mt.Tensor):
        fail(
            exercise,
            _("{name}.apply(x) returned {out!r}; forward must return a tensor", name=name, out=out),
        )
    expected = forward_fn(mt.tensor(_POINTS), mt).tolist()
    if tuple(out.shape) != (len(_POINTS),) or not close(out.tolist(), expected):
        fail(
            exercise,
            _(
                "{name}.apply({points}) returned {out}; expected {expected}",
                name=name,
                points=_POINTS,
                out=[round(v, 4) for v in out.tolist()],
                expected=[round(v, 4) for v in expected],
            ),
            _("forward computes the function itself; backward its derivative."),
            _("compare your forward with the formula in the exercise text."),
        )
    if out.grad_fn is None:
        fail(
            exercise,
            _("{name}.apply(x) on an x that requires grad recorded no graph node", name=name),
        )

    derivative = derivative_fn(mt.tensor(_POINTS, dtype=mt.float64), mt).tolist()
    with_one = _grad_through(exercise, function, 1.0, mt)
    with_three = _grad_through(exercise, function, 3.0, mt)
    if close(with_one, derivative) and close(with_three, derivative):
        fail(
            exercise,
            _(
                "inside (3 * out).sum() the gradient should be 3 times the derivative, "
                "but your backward returned the bare derivative {with_three}: it ignores "
                "grad_output",
                with_three=[round(v, 4) for v in with_three],
            ),
            _(
                "backward receives d(loss)/d(out) as grad_output; the chain rule "
                "multiplies it by the local derivative: return grad_output * "
                "(derivative)."
            ),
            _("the last line of backward: return grad_output * (the derivative of forward)."),
        )
    if not close(with_one, derivative):
        fail(
            exercise,
            _(
                "for loss = out.sum(), backward gave x.grad = {with_one} at x = "
                "{points}; the derivative there is {derivative}",
                with_one=[round(v, 4) for v in with_one],
                points=_POINTS,
                derivative=[round(v, 4) for v in derivative],
            ),
            _("check the local derivative formula in the exercise text."),
            _("differentiate forward's formula by hand at one point and compare with x.grad."),
        )
    if not close(with_three, [3 * d for d in derivative]):
        fail(
            exercise,
            _("the gradient inside (3 * out).sum() is not 3 times the derivative"),
            _("return grad_output * (derivative), elementwise."),
        )
    x64 = mt.tensor([-1.3, 0.2, 2.1], dtype=mt.float64, requires_grad=True)
    if not attempt(exercise, mt.autograd.gradcheck, function.apply, (x64,), raise_exception=False):
        fail(
            exercise,
            _("gradcheck(...) disagrees with your backward on float64 inputs"),
            _("run mt.autograd.gradcheck(...) yourself: its report names the element."),
        )


def check_ex1(SiLU):
    """Exercise 1: SiLU's forward and backward."""

    def silu(x, mt):
        return x * mt.sigmoid(x)

    def derivative(x, mt):
        s = mt.sigmoid(x)
        return s * (1 + x * (1 - s))

    _check_function("ex1", SiLU, "SiLU", silu, derivative)
    passed("ex1", _("SiLU's forward is x·σ(x), its backward passes gradcheck and uses grad_output"))


def check_ex2(Square):
    """Exercise 2: Square's backward multiplies by grad_output."""
    _check_function("ex2", Square, "Square", lambda x, mt: x * x, lambda x, mt: 2 * x)
    passed("ex2", _("Square's backward is grad_output · 2x: right inside any graph"))


# ----------------------------------------------------------------------------- exercise 3

_X = [[0.5, -1.0], [1.5, 2.0], [-1.0, 0.5], [2.0, 1.0]]
_Y = [[1.0], [-0.5], [2.0], [0.5]]


def _groups(model, unused):
    """Two groups with their own options, and a parameter that never gets a gradient."""
    return [
        {"params": [model.weight], "lr": 0.05},
        {"params": [model.bias, unused], "lr": 0.02, "momentum": 0.5},
    ]


def _setup(mt):
    model = mt.nn.Linear(2, 1)
    with mt.no_grad():
        model.weight.copy_(mt.tensor([[0.3, -0.2]]))
        model.bias.fill_(0.1)
    unused = mt.tensor([1.0, 2.0], requires_grad=True)
    return model, unused


def _trajectory(make_optimizer, mt, steps=8, exercise=None):
    """The (weight, bias) after every step, the optimizer, and the unused parameter."""
    model, unused = _setup(mt)
    groups = _groups(model, unused)
    optimizer = (
        attempt(exercise, make_optimizer, groups, lr=0.1, momentum=0.9)
        if exercise
        else make_optimizer(groups, lr=0.1, momentum=0.9)
    )
    x, y = mt.tensor(_X), mt.tensor(_Y)
    rows = []
    for _step in range(steps):
        optimizer.zero_grad()
        mt.nn.functional.mse_loss(model(x), y).backward()
        if exercise:
            attempt(
                exercise,
                optimizer.step,
                errors={
                    "NoneType": _("some parameters have no gradient (p.grad is None): skip them."),
                },
            )
        else:
            optimizer.step()
        rows.append(model.weight.reshape(-1).tolist() + model.bias.tolist())
    return rows, optimizer, model, unused


def _momentum_recipe():
    return _(
        "per parameter with a gradient, using its group's lr and momentum: first step v = g "
        "(a copy); later v = momentum * v + g; then p -= lr * v; v lives in "
        "self.state[p]['momentum_buffer']."
    )


class _Variant:
    """Momentum written the ways a learner might, to name their mistake (plain Python on
    the parameters, so that it works on minitensor's and on torch's)."""

    def __init__(self, params, lr, momentum, rule, mt):
        self.rule, self.mt = rule, mt
        self.defaults = dict(lr=lr, momentum=momentum)
        self.param_groups = [{**self.defaults, **group} for group in params]
        self.state = {}

    def zero_grad(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self):
        mt = self.mt
        with mt.no_grad():
            for group in self.param_groups:
                lr, mu = group["lr"], group["momentum"]
                if self.rule == "default options":
                    lr, mu = self.defaults["lr"], self.defaults["momentum"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state.setdefault(p, {})
                    g = p.grad
                    if self.rule == "moving average":
                        state["v"] = mu * state.get("v", mt.zeros_like(p)) + (1 - mu) * g
                    elif self.rule == "no memory":
                        state["v"] = g.clone()
                    else:
                        state["v"] = mu * state["v"] + g if "v" in state else g.clone()
                    p -= lr * state["v"]


def _variant(rule, mt):
    return lambda params, lr, momentum: _Variant(params, lr, momentum, rule, mt)


def check_ex3(Momentum):
    """Exercise 3: the trajectory of optim.SGD(momentum=...), group options respected."""
    mt = library(Momentum)
    if not (isinstance(Momentum, type) and issubclass(Momentum, mt.optim.Optimizer)):
        fail(
            "ex3",
            _("{Momentum!r} is not a subclass of mt.optim.Optimizer", Momentum=Momentum),
            _("class Momentum(mt.optim.Optimizer): ..."),
            _("subclass the library's Optimizer and write __init__ and step."),
        )
    got, optimizer, model, unused = _trajectory(Momentum, mt, exercise="ex3")
    expected, reference, reference_model, _unused = _trajectory(mt.optim.SGD, mt)
    start = _setup(mt)[0]
    first = start.weight.reshape(-1).tolist() + start.bias.tolist()
    if close(got[-1], first):
        fail(
            "ex3",
            _("after 8 steps the model's parameters have not changed"),
            _(
                "change each parameter in place (p -= ...): p = p - ... only rebinds a "
                "name inside your loop."
            ),
        )
    if not close(unused.tolist(), [1.0, 2.0]):
        fail(
            "ex3",
            _("a parameter that never had a gradient moved to {unused}", unused=unused.tolist()),
            _("skip parameters whose .grad is None."),
        )
    for step, (row, right) in enumerate(zip(got, expected), start=1):
        if close(row, right):
            continue
        where = _(
            "at step {step} the parameters are {row}; optim.SGD(momentum=...) has {right}",
            step=step,
            row=[round(v, 4) for v in row],
            right=[round(v, 4) for v in right],
        )
        for rule, what, hint in [
            (
                "no memory",
                _("the velocity is forgotten between steps: this is plain SGD"),
                _("keep v in self.state[p]['momentum_buffer'] and update it in place."),
            ),
            (
                "moving average",
                _("you average the gradient, v = μ v + (1 - μ) g: another convention (lesson 6)"),
                _("PyTorch adds the gradient itself: v = μ v + g."),
            ),
            (
                "default options",
                _("every group steps with the default lr and momentum"),
                _("read group['lr'] and group['momentum'] inside the loop over groups."),
            ),
        ]:
            if close(row, _trajectory(_variant(rule, mt), mt)[0][step - 1]):
                fail("ex3", _("{where}: {what}", where=where, what=what), hint, _momentum_recipe())
        fail(
            "ex3",
            where,
            _momentum_recipe(),
            _("compare one step by hand with optim.SGD's docstring in minitensor/optim/sgd.py."),
        )
    for name in ("weight", "bias"):
        p = getattr(model, name)
        buffer = optimizer.state.get(p, {}).get("momentum_buffer")
        right = reference.state[getattr(reference_model, name)]["momentum_buffer"]
        if buffer is None:
            fail(
                "ex3",
                _(
                    "optimizer.state[model.{name}] has no 'momentum_buffer' (it has {keys})",
                    name=name,
                    keys=sorted(optimizer.state.get(p, {})),
                ),
                _("store v as self.state[p]['momentum_buffer'], PyTorch's name."),
            )
        if not close(buffer.tolist(), right.tolist()):
            fail(
                "ex3",
                _(
                    "state['momentum_buffer'] of model.{name} is {buffer}; optim.SGD's is {right}",
                    name=name,
                    buffer=buffer.tolist(),
                    right=right.tolist(),
                ),
            )
    passed(
        "ex3",
        _(
            "the same 8-step trajectory and momentum buffers as optim.SGD, with two "
            "groups and a parameter without gradient"
        ),
    )
