"""`minitensor.autograd.graph`: the public API a visualiser is built on.

The steps must be the engine's own (the generator `Tensor.backward()` drains), recording
them must change nothing, and replaying them with `accumulate` must give exactly the
`.grad` that `backward()` gives, for leaves, fan-out, hooks and retain_grad() tensors.
"""

import numpy as np
import pytest

import minitensor as mt
from minitensor.autograd import BackwardStep, graph


def fan_out_expression():
    """d = a * b + a, with c = a * b kept by retain_grad(): a is used twice."""
    a = mt.tensor([2.0, 1.0], requires_grad=True)
    b = mt.tensor([-3.0, 4.0], requires_grad=True)
    c = a * b
    c.retain_grad()
    d = (c + a).sum()
    return a, b, c, d


def grads(*tensors):
    return [None if t.grad is None else t.grad.tolist() for t in tensors]


def test_recorded_steps_are_the_engines_steps_in_the_engines_order():
    a, b, c, d = fan_out_expression()
    recorded = graph.record_backward(d)
    engine = list(mt.autograd.backward_steps(d, retain_graph=True, accumulate=False))
    assert all(isinstance(step, BackwardStep) for step in recorded)
    assert [s.node for s in recorded] == [s.node for s in engine]
    for mine, theirs in zip(recorded, engine):
        np.testing.assert_array_equal(mine.grad_output, theirs.grad_output)
        assert mine.accumulated == theirs.accumulated


def test_recording_changes_no_grad_and_keeps_the_graph_for_backward():
    a, b, c, d = fan_out_expression()
    a.grad = mt.tensor([10.0, 10.0])
    graph.record_backward(d)
    assert grads(a, b, c) == [[10.0, 10.0], None, None]
    d.backward()  # the saved tensors are still there
    assert grads(a, b, c) == [[8.0, 15.0], [2.0, 1.0], [1.0, 1.0]]


def test_replaying_the_steps_gives_exactly_what_backward_gives():
    a, b, c, d = fan_out_expression()
    b.register_hook(lambda g: g * 10)  # hooks run while recording, as in backward
    held = a.grad = mt.tensor([1.0, 1.0])
    steps = graph.record_backward(d)
    for _ in range(2):  # twice: gradients accumulate, as with a second backward()
        for step in steps:
            graph.accumulate(step)
    replayed = grads(a, b, c)
    assert held.tolist() == replayed[0], "a leaf's .grad is added to in place"

    a2, b2, c2, d2 = fan_out_expression()
    b2.register_hook(lambda g: g * 10)
    a2.grad = mt.tensor([1.0, 1.0])
    d2.backward(retain_graph=True)
    d2.backward()
    assert replayed == grads(a2, b2, c2)


def test_accumulate_says_where_each_gradient_landed():
    a, b, c, d = fan_out_expression()
    steps = graph.record_backward(d)
    landed = [graph.accumulate(step) for step in steps]
    names = [step.node.name() for step in steps]
    assert names == ["SumBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad",
                     "AccumulateGrad"]  # fmt: skip
    assert landed[:2] == [None, None]  # an intermediate gradient is passed on, not kept
    assert landed[2] is c and landed[3] is a and landed[4] is b


def test_the_gradient_lands_in_a_leaf_a_retained_tensor_or_nowhere():
    a, b, c, d = fan_out_expression()
    e = c * 2
    assert graph.grad_destination(graph.get_gradient_edge(a).node) is a
    assert graph.grad_destination(c.grad_fn) is c
    assert graph.grad_destination(e.grad_fn) is None
    assert c.retains_grad and not e.retains_grad and not a.retains_grad


def test_gradient_edge_is_the_grad_fn_or_the_one_accumulator_of_a_leaf():
    a, b, c, d = fan_out_expression()
    assert graph.get_gradient_edge(c) == (c.grad_fn, 0)
    add_inputs = graph.input_nodes(d.grad_fn)
    assert add_inputs == tuple(n for n, _ in d.grad_fn.next_functions)
    accumulator = graph.get_gradient_edge(a).node
    assert accumulator.name() == "AccumulateGrad" and accumulator.variable is a
    assert accumulator in graph.input_nodes(c.grad_fn)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        graph.get_gradient_edge(mt.tensor(1.0))


def test_an_input_that_needs_no_grad_has_no_node_but_its_saved_array_is_known():
    x = mt.tensor([1.0, 2.0])
    same_numbers = mt.tensor([1.0, 2.0])
    w = mt.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    assert graph.input_nodes(y.grad_fn)[0] is None
    assert graph.saved_input_is(y.grad_fn, 0, x)
    assert not graph.saved_input_is(y.grad_fn, 0, same_numbers)
    assert graph.saved_input(y.grad_fn, 1) is not None
    y.sum().backward()
    assert graph.saved_input(y.grad_fn, 0) is None  # freed after backward
    assert graph.saved_input((w * 2).grad_fn, 1) == 2  # a plain number is kept as given


def test_nodes_behind_a_deep_chain_need_no_recursion():
    x = mt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y + 1.0
    nodes = graph.nodes_behind([y.grad_fn])
    assert len(nodes) == 20_001 and nodes[-1].name() == "AccumulateGrad"


def test_the_visualiser_in_the_module_docstring_runs(capsys):
    example = graph.__doc__.split("one node at a time:\n")[1].split("\nRead next")[0]
    a, b, c, loss = fan_out_expression()
    exec(example.replace("\n    ", "\n"), {"loss": loss})
    printed = capsys.readouterr().out
    assert "SumBackward0 received" in printed and "sends" in printed
    assert grads(a, b) == [[-2.0, 5.0], [2.0, 1.0]]
