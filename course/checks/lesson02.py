"""Checks for lesson 2 (the graph and backward): fan-out, topological order, vjp."""

import numpy as np

from . import _, attempt, close, fail, library, number, passed


def check_ex1(predicted_grad):
    """Exercise 1: a.grad for b = a * a; c = b + a at a = 2 (three uses of a)."""
    mt = library(predicted_grad)
    prediction = number(attempt("ex1", predicted_grad))
    a = mt.tensor(2.0, requires_grad=True)
    b = a * a
    c = b + a
    c.backward()
    actual = a.grad.item()
    if prediction is None:
        fail(
            "ex1",
            _("predicted_grad() must return a number, such as 1.5"),
            _("return a float: return 2.5"),
            _("work out a.grad on paper, then return that number."),
        )
    if close(prediction, actual):
        passed(
            "ex1",
            _("a.grad is {actual:g}: 2a = 4 through b = a · a, plus 1 directly", actual=actual),
        )
        return
    what = _(
        "you predicted {prediction:g}; a.grad is {actual:g}", prediction=prediction, actual=actual
    )
    if close(prediction, 4.0):
        fail(
            "ex1",
            _("{what}: you followed the path through b only", what=what),
            _("c also uses a directly: c = b + a sends a gradient of 1 straight to a."),
            _("dc/da = dc/db · db/da + 1 = 1 · 2a + 1."),
        )
    if close(prediction, 1.0):
        fail(
            "ex1",
            _("{what}: you counted only the direct use of a in c", what=what),
            _("c also reaches a through b = a · a: every path sends a gradient, and they add up."),
            _("dc/da = dc/db · db/da + 1 = 1 · 2a + 1."),
        )
    if close(prediction, 3.0):
        fail(
            "ex1",
            _("{what}: b = a · a uses a twice, so db/da = a + a, not a", what=what),
            _("the product rule: each factor's gradient is the other factor, and both are a."),
            _("dc/da = 1 · (a + a) + 1 with a = 2."),
        )
    fail(
        "ex1",
        what,
        _("a reaches c along two paths: through b = a · a, and directly."),
        _("dc/da = dc/db · db/da + 1 = 1 · 2a + 1 with a = 2."),
    )


def _graphs(mt):
    """Small graphs whose orders are easy to get wrong: (name, root tensor, leaves)."""
    a = mt.tensor(1.5, requires_grad=True)
    b = a + a
    doubled = b + b
    p = mt.tensor(2.0, requires_grad=True)
    q = mt.tensor(-1.0, requires_grad=True)
    h = p * q
    diamond = (h.exp() + h * 3) * p
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    shared = x * 2
    wide = (shared.sum() + (shared * shared).sum() + shared.mean()) * 0.5
    return [
        (_("b = a + a; c = b + b"), doubled, [a]),
        (_("a diamond with p used twice"), diamond, [p, q]),
        (_("one tensor used by three ops"), wide, [x]),
    ]


def _reachable(root):
    seen, stack = {root}, [root]
    while stack:
        for next_node, _input_number in stack.pop().next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return seen


def _order_problem(order, root):
    """What is wrong with `order` as a topological order of root's graph, or None."""
    if not isinstance(order, (list, tuple)):
        return _("returned a {type}; return a list of nodes", type=type(order).__name__)
    nodes = _reachable(root)
    if len(set(order)) != len(order):
        return _(
            "the order holds {entries} entries but only {distinct} distinct nodes",
            entries=len(order),
            distinct=len(set(order)),
        )
    missing = nodes - set(order)
    if missing:
        return _(
            "the order misses {count} node(s), e.g. {node}",
            count=len(missing),
            node=next(iter(missing)).name(),
        )
    extra = [n for n in order if n not in nodes]
    if extra:
        return _("the order holds {extra!r}, which is not a node of this graph", extra=extra[0])
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for next_node, _input_number in node.next_functions:
            if next_node is not None and position[next_node] < position[node]:
                return _(
                    "{next_node} comes before {node}, which sends it a gradient: it would "
                    "run before all of its gradient has arrived",
                    next_node=next_node.name(),
                    node=node.name(),
                )
    return None


def _run_in_order(order, root_tensor, mt):
    """Backward along `order`, like the notebook's ordered_backward: {leaf: gradient}."""
    if mt.__name__ == "torch":  # a torch node is called on tensors
        arrived = {root_tensor.grad_fn: mt.ones_like(root_tensor)}
    else:  # a minitensor node's backward works on raw arrays
        arrived = {root_tensor.grad_fn: np.ones(root_tensor.shape, dtype=np.float32)}
    leaf_grads = {}
    for node in order:
        grad = arrived.pop(node)
        if node.name().endswith("AccumulateGrad"):
            leaf_grads[node.variable] = np.asarray(
                grad.tolist() if hasattr(grad, "tolist") else grad
            )
            continue
        sent = node(grad) if mt.__name__ == "torch" else node.backward(grad)
        sent = sent if isinstance(sent, tuple) else (sent,)
        for (next_node, _input_number), next_grad in zip(node.next_functions, sent):
            if next_node is not None:
                arrived[next_node] = arrived.get(next_node, 0) + next_grad
    return leaf_grads


def check_ex2(topological_order):
    """Exercise 2: a valid order on small graphs, and backward along it is right."""
    mt = library(topological_order)
    for name, root, leaves in _graphs(mt):
        order = attempt("ex2", topological_order, root.grad_fn)
        problem = _order_problem(order, root.grad_fn)
        if problem:
            fail(
                "ex2",
                _("on the graph of {name}: {problem}", name=name, problem=problem),
                _(
                    "first count, for every node, how many edges point at it (walk the graph "
                    "once with a stack); then repeatedly take a node whose count is 0."
                ),
                _(
                    "when you take a node, lower the count of each of its next_functions; a "
                    "count that reaches 0 makes that node ready."
                ),
            )
        grads = _run_in_order(order, root, mt)
        root.backward()
        for leaf in leaves:
            if not close(grads[leaf], leaf.grad.tolist()):
                fail(
                    "ex2",
                    _(
                        "on the graph of {name}: backward in your order gave {grads}, the engine "
                        "gives {leaf_grad}",
                        name=name,
                        grads=grads[leaf],
                        leaf_grad=leaf.grad.tolist(),
                    ),
                    _("every node must come after all the nodes that send it a gradient."),
                    _("count the incoming edges first; take a node only when its count is 0."),
                )
    passed("ex2", _("a valid topological order on all three graphs, and backward along it agrees"))


def check_ex2_deep(topological_order, depth=5000):
    """Hidden test: a chain of `depth` nodes must not need a deep Python stack."""
    mt = library(topological_order)
    a = mt.tensor(1.0, requires_grad=True)
    t = a
    for _step in range(depth):
        t = t * 1.0
    order = attempt(
        "ex2",
        topological_order,
        t.grad_fn,
        errors={
            "recursion": _(
                "a chain of {depth} nodes is deeper than Python's stack allows: use a "
                "list as your own stack and a while loop instead of recursion.",
                depth=depth,
            ),
        },
    )
    problem = _order_problem(order, t.grad_fn)
    if problem:
        fail(
            "ex2",
            _("on a chain of {depth} multiplications: {problem}", depth=depth, problem=problem),
            _("a chain is the simplest graph: each node sends a gradient to the next one."),
            _("count the incoming edges first; take a node only when its count is 0."),
        )
    passed("ex2", _("also works on a chain of {depth} nodes", depth=depth))


def _f_square(x):
    mt = library(x)
    return mt.stack([x[0] * x[1], x[0] + 3 * x[1]])


def _f_wide(x):
    mt = library(x)
    return mt.stack([x[0] ** 2, x[1].sin() * x[0], x[1]])


def _jacobian(f, x):
    """J by finite differences in float64 (the reference the check compares with)."""
    mt = library(x)
    x = np.array(x.tolist(), dtype=np.float64)
    columns = []
    for j in range(len(x)):
        step = np.zeros_like(x)
        step[j] = 1e-6
        up = np.array(f(mt.tensor(x + step)).tolist())
        down = np.array(f(mt.tensor(x - step)).tolist())
        columns.append((up - down) / 2e-6)
    return np.stack(columns, axis=1)


def check_ex3(vjp):
    """Exercise 3: v^T J for two functions, x untouched, nothing accumulated."""
    cases = [
        (_f_square, [1.0, 2.0], [1.0, 2.0], "f(x) = (x0 x1, x0 + 3 x1)"),
        (_f_wide, [0.5, -1.0], [2.0, -1.0, 3.0], "f(x) = (x0², sin(x1) x0, x1)"),
    ]
    for f, x_values, v_values, name in cases:
        _check_vjp_case(vjp, f, x_values, v_values, name)
    passed("ex3", _("vᵀ J right for a square and a 3 x 2 Jacobian, x left alone"))


def _check_vjp_case(vjp, f, x_values, v_values, name):
    """One function: vjp must leave x alone, return vᵀ J, and the same again next time."""
    mt = library(vjp)
    x, v = mt.tensor(x_values), mt.tensor(v_values)
    result = attempt(
        "ex3",
        vjp,
        f,
        x,
        v,
        errors={"only for scalar": _("pass v as the gradient: y.backward(gradient=v).")},
    )
    if x.requires_grad:
        fail(
            "ex3",
            _("vjp() switched on requires_grad on the caller's x; leave x as it was"),
            _("work on x.detach().requires_grad_(), a new leaf with x's numbers."),
            _("x = x.detach().requires_grad_() as the first line of vjp()."),
        )
    if not isinstance(result, mt.Tensor):
        fail(
            "ex3",
            _("vjp() returned {result!r}; return a tensor shaped like x", result=result),
            _("the gradient of x is shaped like x."),
            _("return x.grad"),
        )
    got = np.array(result.tolist())
    J = _jacobian(f, x)
    expected = np.array(v_values) @ J
    if got.shape != expected.shape:
        fail(
            "ex3",
            _(
                "for {name}, vjp() returned shape {got_shape}; x has shape {expected_shape}",
                name=name,
                got_shape=got.shape,
                expected_shape=expected.shape,
            ),
            _("vᵀ J has one entry per input: return x.grad."),
            _("y = f(x); y.backward(gradient=v); return x.grad"),
        )
    if close(got, expected, tolerance=1e-3):
        again = attempt("ex3", vjp, f, x, v)
        if not close(again.tolist(), expected, tolerance=1e-3):
            fail(
                "ex3",
                _(
                    "calling vjp() a second time with the same x returned {again} instead of "
                    "{expected}: gradients accumulated",
                    again=again.tolist(),
                    expected=expected.tolist(),
                ),
                _("make a fresh leaf inside vjp() each time."),
                _("x = x.detach().requires_grad_() as the first line of vjp()."),
            )
        return
    _explain_wrong_vjp(got, J, x_values, v_values, name)


def _explain_wrong_vjp(got, J, x_values, v_values, name):
    """vjp() returned `got` instead of vᵀ J: name the usual mistake (ones, J v), or fail."""
    expected = np.array(v_values) @ J
    what = _(
        "for {name} at x = {x}, v = {v}: vjp() returned {got}; vᵀ J = {expected}",
        name=name,
        x=x_values,
        v=v_values,
        got=got.tolist(),
        expected=np.round(expected, 4).tolist(),
    )
    if close(got, np.ones(len(v_values)) @ J, tolerance=1e-3):
        fail(
            "ex3",
            _("{what}. You returned onesᵀ J, the gradient of f(x).sum(): v is ignored", what=what),
            _("call f(x).backward(gradient=v)."),
            _("x = x.detach().requires_grad_(); f(x).backward(gradient=v); return x.grad"),
        )
    if J.shape[0] == J.shape[1] and close(got, J @ np.array(v_values), tolerance=1e-3):
        fail(
            "ex3",
            _("{what}. You returned J v, not vᵀ J", what=what),
            _("backward weighs the rows of J (the outputs) by v."),
            _("x = x.detach().requires_grad_(); f(x).backward(gradient=v); return x.grad"),
        )
    fail(
        "ex3",
        what,
        _("x.grad after f(x).backward(gradient=v) is vᵀ J."),
        _("x = x.detach().requires_grad_(); f(x).backward(gradient=v); return x.grad"),
    )
