"""Checks for lesson 2 (the graph and backward): fan-out, topological order, vjp."""

import numpy as np

import minitensor as mt

from . import attempt, close, fail, number, passed


def check_ex1(predicted_grad):
    """Exercise 1: a.grad for b = a + a; c = b + b."""
    prediction = number(attempt("ex1", predicted_grad))
    a = mt.tensor(1.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    actual = a.grad.item()
    if prediction is None:
        fail("ex1", "predicted_grad() must return a number, such as 1.5")
    if close(prediction, actual):
        passed("ex1", f"a.grad is {actual:g}: two uses of a in b, two uses of b in c, 2 x 2")
        return
    what = f"you predicted {prediction:g}; a.grad is {actual:g}"
    if close(prediction, 1.0):
        fail(
            "ex1",
            f"{what}: every use of a value sends it a gradient, and they add up",
            "b = a + a uses a twice, so db/da = 2.",
            "dc/db = 2 as well; multiply.",
        )
    if close(prediction, 2.0):
        fail(
            "ex1",
            f"{what}: counted the two uses once, but there are two levels",
            "db/da = 2 and dc/db = 2; the chain rule multiplies them.",
        )
    fail("ex1", what, "dc/da = dc/db * db/da, and each is a sum over the two uses.")


def _graphs():
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
        ("b = a + a; c = b + b", doubled, [a]),
        ("a diamond with p used twice", diamond, [p, q]),
        ("one tensor used by three ops", wide, [x]),
    ]


def _reachable(root):
    seen, stack = {root}, [root]
    while stack:
        for next_node, _ in stack.pop().next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return seen


def _order_problem(order, root):
    """What is wrong with `order` as a topological order of root's graph, or None."""
    if not isinstance(order, (list, tuple)):
        return f"returned a {type(order).__name__}; return a list of nodes"
    nodes = _reachable(root)
    if len(set(order)) != len(order):
        return f"the order holds {len(order)} entries but only {len(set(order))} distinct nodes"
    missing = nodes - set(order)
    if missing:
        return f"the order misses {len(missing)} node(s), e.g. {next(iter(missing)).name()}"
    extra = [n for n in order if n not in nodes]
    if extra:
        return f"the order holds {extra[0]!r}, which is not a node of this graph"
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for next_node, _ in node.next_functions:
            if next_node is not None and position[next_node] < position[node]:
                return (
                    f"{next_node.name()} comes before {node.name()}, which sends it a gradient: "
                    "it would run before all of its gradient has arrived"
                )
    return None


def _run_in_order(order, root_tensor):
    """Backward along `order`, like the notebook's ordered_backward: {leaf: gradient}."""
    arrived = {root_tensor.grad_fn: np.ones(root_tensor.shape, dtype=np.float32)}
    leaf_grads = {}
    for node in order:
        grad = arrived.pop(node)
        if node.name() == "AccumulateGrad":
            leaf_grads[node.variable] = grad
            continue
        sent = node.backward(grad)
        sent = sent if isinstance(sent, tuple) else (sent,)
        for (next_node, _), next_grad in zip(node.next_functions, sent):
            if next_node is not None:
                arrived[next_node] = arrived.get(next_node, 0) + next_grad
    return leaf_grads


def check_ex2(topological_order):
    """Exercise 2: a valid order on small graphs, and backward along it is right."""
    for name, root, leaves in _graphs():
        order = attempt("ex2", topological_order, root.grad_fn)
        problem = _order_problem(order, root.grad_fn)
        if problem:
            fail(
                "ex2",
                f"on the graph of {name}: {problem}",
                "first count, for every node, how many edges point at it (walk the graph "
                "once with a stack); then repeatedly take a node whose count is 0.",
                "when you take a node, lower the count of each of its next_functions; a "
                "count that reaches 0 makes that node ready.",
            )
        grads = _run_in_order(order, root)
        root.backward()
        for leaf in leaves:
            if not close(grads[leaf], leaf.grad.tolist()):
                fail(
                    "ex2",
                    f"on the graph of {name}: backward in your order gave "
                    f"{grads[leaf]}, the engine gives {leaf.grad.tolist()}",
                )
    passed("ex2", "a valid topological order on all three graphs, and backward along it agrees")


def check_ex2_deep(topological_order, depth=5000):
    """Hidden test: a chain of `depth` nodes must not need a deep Python stack."""
    a = mt.tensor(1.0, requires_grad=True)
    t = a
    for _ in range(depth):
        t = t * 1.0
    order = attempt(
        "ex2",
        topological_order,
        t.grad_fn,
        errors={
            "recursion": f"a chain of {depth} nodes is deeper than Python's stack allows: use "
            "a list as your own stack and a while loop instead of recursion.",
        },
    )
    problem = _order_problem(order, t.grad_fn)
    if problem:
        fail("ex2", f"on a chain of {depth} multiplications: {problem}")
    passed("ex2", f"also works on a chain of {depth} nodes")


def _f_square(x):
    return mt.stack([x[0] * x[1], x[0] + 3 * x[1]])


def _f_wide(x):
    return mt.stack([x[0] ** 2, x[1].sin() * x[0], x[1]])


def _jacobian(f, x):
    """J by finite differences in float64 (the reference the check compares with)."""
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
    passed("ex3", "vᵀ J right for a square and a 3 x 2 Jacobian, x left alone")


def _check_vjp_case(vjp, f, x_values, v_values, name):
    """One function: vjp must leave x alone, return vᵀ J, and the same again next time."""
    x, v = mt.tensor(x_values), mt.tensor(v_values)
    result = attempt(
        "ex3",
        vjp,
        f,
        x,
        v,
        errors={"only for scalar": "pass v as the gradient: y.backward(gradient=v)."},
    )
    if x.requires_grad:
        fail(
            "ex3",
            "vjp() switched on requires_grad on the caller's x; leave x as it was",
            "work on x.detach().requires_grad_(), a new leaf with x's numbers.",
        )
    if not isinstance(result, mt.Tensor):
        fail("ex3", f"vjp() returned {result!r}; return a tensor shaped like x")
    got = np.array(result.tolist())
    J = _jacobian(f, x)
    expected = np.array(v_values) @ J
    if got.shape != expected.shape:
        fail("ex3", f"for {name}, vjp() returned shape {got.shape}; x has shape {expected.shape}")
    if close(got, expected, tolerance=1e-3):
        again = attempt("ex3", vjp, f, x, v)
        if not close(again.tolist(), expected, tolerance=1e-3):
            fail(
                "ex3",
                f"calling vjp() a second time with the same x returned "
                f"{again.tolist()} instead of {expected.tolist()}: gradients accumulated",
                "make a fresh leaf inside vjp() each time.",
            )
        return
    _explain_wrong_vjp(got, J, x_values, v_values, name)


def _explain_wrong_vjp(got, J, x_values, v_values, name):
    """vjp() returned `got` instead of vᵀ J: name the usual mistake (ones, J v), or fail."""
    expected = np.array(v_values) @ J
    what = f"for {name} at x = {x_values}, v = {v_values}: vjp() returned {got.tolist()}; "
    what += f"vᵀ J = {np.round(expected, 4).tolist()}"
    if close(got, np.ones(len(v_values)) @ J, tolerance=1e-3):
        fail(
            "ex3",
            f"{what}. You returned onesᵀ J, the gradient of f(x).sum(): v is ignored",
            "call f(x).backward(gradient=v).",
        )
    if J.shape[0] == J.shape[1] and close(got, J @ np.array(v_values), tolerance=1e-3):
        fail(
            "ex3",
            f"{what}. You returned J v, not vᵀ J",
            "backward weighs the rows of J (the outputs) by v.",
        )
    fail("ex3", what, "x.grad after f(x).backward(gradient=v) is vᵀ J.")
