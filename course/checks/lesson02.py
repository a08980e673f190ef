"""Checks for lesson 2 (the graph and backward): fan-out, topological order, vjp."""

import numpy as np

from . import attempt, close, fail, library, number, passed


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
            "predicted_grad() must return a number, such as 1.5",
            "return a float: return 2.5",
            "work out a.grad on paper, then return that number.",
        )
    if close(prediction, actual):
        passed("ex1", f"a.grad is {actual:g}: 2a = 4 through b = a · a, plus 1 directly")
        return
    what = f"you predicted {prediction:g}; a.grad is {actual:g}"
    if close(prediction, 4.0):
        fail(
            "ex1",
            f"{what}: you followed the path through b only",
            "c also uses a directly: c = b + a sends a gradient of 1 straight to a.",
            "dc/da = dc/db · db/da + 1 = 1 · 2a + 1.",
        )
    if close(prediction, 1.0):
        fail(
            "ex1",
            f"{what}: you counted only the direct use of a in c",
            "c also reaches a through b = a · a: every path sends a gradient, and they add up.",
            "dc/da = dc/db · db/da + 1 = 1 · 2a + 1.",
        )
    if close(prediction, 3.0):
        fail(
            "ex1",
            f"{what}: b = a · a uses a twice, so db/da = a + a, not a",
            "the product rule: each factor's gradient is the other factor, and both are a.",
            "dc/da = 1 · (a + a) + 1 with a = 2.",
        )
    fail(
        "ex1",
        what,
        "a reaches c along two paths: through b = a · a, and directly.",
        "dc/da = dc/db · db/da + 1 = 1 · 2a + 1 with a = 2.",
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
        for (next_node, _), next_grad in zip(node.next_functions, sent):
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
                f"on the graph of {name}: {problem}",
                "first count, for every node, how many edges point at it (walk the graph "
                "once with a stack); then repeatedly take a node whose count is 0.",
                "when you take a node, lower the count of each of its next_functions; a "
                "count that reaches 0 makes that node ready.",
            )
        grads = _run_in_order(order, root, mt)
        root.backward()
        for leaf in leaves:
            if not close(grads[leaf], leaf.grad.tolist()):
                fail(
                    "ex2",
                    f"on the graph of {name}: backward in your order gave "
                    f"{grads[leaf]}, the engine gives {leaf.grad.tolist()}",
                    "every node must come after all the nodes that send it a gradient.",
                    "count the incoming edges first; take a node only when its count is 0.",
                )
    passed("ex2", "a valid topological order on all three graphs, and backward along it agrees")


def check_ex2_deep(topological_order, depth=5000):
    """Hidden test: a chain of `depth` nodes must not need a deep Python stack."""
    mt = library(topological_order)
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
        fail(
            "ex2",
            f"on a chain of {depth} multiplications: {problem}",
            "a chain is the simplest graph: each node sends a gradient to the next one.",
            "count the incoming edges first; take a node only when its count is 0.",
        )
    passed("ex2", f"also works on a chain of {depth} nodes")


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
    passed("ex3", "vᵀ J right for a square and a 3 x 2 Jacobian, x left alone")


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
        errors={"only for scalar": "pass v as the gradient: y.backward(gradient=v)."},
    )
    if x.requires_grad:
        fail(
            "ex3",
            "vjp() switched on requires_grad on the caller's x; leave x as it was",
            "work on x.detach().requires_grad_(), a new leaf with x's numbers.",
            "x = x.detach().requires_grad_() as the first line of vjp().",
        )
    if not isinstance(result, mt.Tensor):
        fail("ex3", f"vjp() returned {result!r}; return a tensor shaped like x",
             "the gradient of x is shaped like x.", "return x.grad")  # fmt: skip
    got = np.array(result.tolist())
    J = _jacobian(f, x)
    expected = np.array(v_values) @ J
    if got.shape != expected.shape:
        fail("ex3", f"for {name}, vjp() returned shape {got.shape}; x has shape "
             f"{expected.shape}", "vᵀ J has one entry per input: return x.grad.",
             "y = f(x); y.backward(gradient=v); return x.grad")  # fmt: skip
    if close(got, expected, tolerance=1e-3):
        again = attempt("ex3", vjp, f, x, v)
        if not close(again.tolist(), expected, tolerance=1e-3):
            fail(
                "ex3",
                f"calling vjp() a second time with the same x returned "
                f"{again.tolist()} instead of {expected.tolist()}: gradients accumulated",
                "make a fresh leaf inside vjp() each time.",
                "x = x.detach().requires_grad_() as the first line of vjp().",
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
            "x = x.detach().requires_grad_(); f(x).backward(gradient=v); return x.grad",
        )
    if J.shape[0] == J.shape[1] and close(got, J @ np.array(v_values), tolerance=1e-3):
        fail(
            "ex3",
            f"{what}. You returned J v, not vᵀ J",
            "backward weighs the rows of J (the outputs) by v.",
            "x = x.detach().requires_grad_(); f(x).backward(gradient=v); return x.grad",
        )
    fail(
        "ex3",
        what,
        "x.grad after f(x).backward(gradient=v) is vᵀ J.",
        "x = x.detach().requires_grad_(); f(x).backward(gradient=v); return x.grad",
    )
