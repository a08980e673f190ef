"""Autograd, rule by rule, as PyTorch does it: the graph, backward, grad modes, versions.

Each test names the rule it checks. The numbers are small enough to work out by hand; the
parity file (test_parity_torch.py) runs many of the same scenarios through PyTorch itself.
"""

import gc
import warnings
import weakref

import numpy as np
import pytest
from custom_functions import cube_function

import minitensor as mt
import minitensor.tensor_functions as F


def leaf(values, device="cpu", dtype=None):
    return mt.tensor(values, dtype=dtype, device=device, requires_grad=True)


def host(t):
    return t.detach().cpu().tolist()


# ----------------------------------------------------------------------------- the graph

x2 = [[1.0, -2.0], [3.0, 0.5]]

# (expression on a 2x2 leaf x, PyTorch's grad_fn name): checked against torch 2.x
GRAD_FN_NAMES = [
    (lambda x: x + 1, "AddBackward0"),
    (lambda x: x - x, "SubBackward0"),
    (lambda x: 1 - x, "RsubBackward1"),
    (lambda x: x * 2, "MulBackward0"),
    (lambda x: x / 2, "DivBackward0"),
    (lambda x: -x, "NegBackward0"),
    (lambda x: x**2, "PowBackward0"),
    (lambda x: x.abs() ** x, "PowBackward1"),
    (lambda x: 2**x, "PowBackward2"),
    (lambda x: x.exp(), "ExpBackward0"),
    (lambda x: x.abs().log(), "LogBackward0"),
    (lambda x: x.abs().sqrt(), "SqrtBackward0"),
    (lambda x: x.sin(), "SinBackward0"),
    (lambda x: x.cos(), "CosBackward0"),
    (lambda x: x.tanh(), "TanhBackward0"),
    (lambda x: x.sigmoid(), "SigmoidBackward0"),
    (lambda x: x.relu(), "ReluBackward0"),
    (lambda x: F.leaky_relu(x), "LeakyReluBackward0"),
    (lambda x: x.abs(), "AbsBackward0"),
    (lambda x: x.sign(), "SignBackward0"),
    (lambda x: x.clamp(0, 1), "ClampBackward1"),
    (lambda x: mt.maximum(x, x.detach()), "MaximumBackward0"),
    (lambda x: mt.minimum(x, x.detach()), "MinimumBackward0"),
    (lambda x: mt.where(x > 0, x, 0.0), "WhereBackward0"),
    (lambda x: x.clone(), "CloneBackward0"),
    (lambda x: x.double(), "ToCopyBackward0"),
    (lambda x: x.sum(), "SumBackward0"),
    (lambda x: x.sum(0), "SumBackward1"),
    (lambda x: x.mean(), "MeanBackward0"),
    (lambda x: x.mean(dim=(0, 1)), "MeanBackward1"),
    (lambda x: x.max(), "MaxBackward1"),
    (lambda x: x.max(0).values, "MaxBackward0"),
    (lambda x: x.min(), "MinBackward1"),
    (lambda x: x.prod(), "ProdBackward0"),
    (lambda x: x.prod(1), "ProdBackward1"),
    (lambda x: x.var(), "VarBackward0"),
    (lambda x: x @ x, "MmBackward0"),
    (lambda x: x @ x[0], "MvBackward0"),
    (lambda x: x[0] @ x[1], "DotBackward0"),
    (lambda x: x[0] @ x, "SqueezeBackward4"),
    (lambda x: x.expand(3, 2, 2) @ x, "UnsafeViewBackward0"),
    (lambda x: x.view(4), "ViewBackward0"),
    (lambda x: x.reshape(-1), "ViewBackward0"),
    (lambda x: x.flatten(), "ViewBackward0"),
    (lambda x: x.unsqueeze(0), "UnsqueezeBackward0"),
    (lambda x: x[:1].squeeze(), "SqueezeBackward0"),
    (lambda x: x[:1].squeeze(0), "SqueezeBackward1"),
    (lambda x: x.permute(1, 0), "PermuteBackward0"),
    (lambda x: x.transpose(0, 1), "TransposeBackward0"),
    (lambda x: x.t(), "TBackward0"),
    (lambda x: x.T, "PermuteBackward0"),
    (lambda x: x.expand(3, 2, 2), "ExpandBackward0"),
    (lambda x: x.repeat(2, 1), "RepeatBackward0"),
    (lambda x: x[0], "SelectBackward0"),
    (lambda x: x[:, 1:], "SliceBackward0"),
    (lambda x: x[[1, 0]], "IndexBackward0"),
    (lambda x: x[x > 0], "IndexBackward0"),
    (lambda x: mt.cat([x, x]), "CatBackward0"),
    (lambda x: mt.stack([x, x]), "StackBackward0"),
    (lambda x: x.softmax(0), "SoftmaxBackward0"),
    (lambda x: x.log_softmax(1), "LogSoftmaxBackward0"),
    (lambda x: (x * 1).fill_(2.0), "FillBackward2"),
    (lambda x: (x * 1).zero_(), "ZeroBackward0"),
    (lambda x: (x * 1).copy_(x.detach()), "CopyBackwards"),
    (lambda x: (x * 1).mul_(3), "MulBackward0"),
]


@pytest.mark.parametrize(("expression", "name"), GRAD_FN_NAMES, ids=[n for _, n in GRAD_FN_NAMES])
def test_every_op_records_a_node_with_pytorchs_grad_fn_name(expression, name):
    out = expression(leaf(x2))
    assert out.grad_fn is not None and out.requires_grad and not out.is_leaf
    assert out.grad_fn.name() == name
    assert f"grad_fn=<{name}>" in repr(out)


def test_next_functions_link_nodes_and_end_in_one_accumulate_grad_per_leaf():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w + x).sum()
    ((add, _),) = y.grad_fn.next_functions
    assert add.name() == "AddBackward0"
    (mul, _), (x_acc, _) = add.next_functions
    assert mul.name() == "MulBackward0"
    assert [n.name() for n, _ in mul.next_functions] == ["AccumulateGrad", "AccumulateGrad"]
    assert mul.next_functions[0][0] is x_acc, "one AccumulateGrad per leaf, shared by its uses"
    assert x_acc.variable is x and mul.next_functions[1][0].variable is w
    assert x_acc.next_functions == ()


def test_input_that_needs_no_grad_has_no_edge():
    x = leaf([1.0, 2.0])
    y = x * mt.tensor([3.0, 4.0])
    assert y.grad_fn.next_functions[1] == (None, 0)


def test_ops_on_tensors_that_need_no_grad_record_nothing():
    a = mt.tensor([1.0, 2.0])
    y = (a * 2).exp().sum()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_is_leaf_for_user_tensors_results_and_detached():
    x = leaf([1.0])
    assert x.is_leaf and not (x * 2).is_leaf and (x * 2).detach().is_leaf
    assert mt.tensor([1.0]).is_leaf and (mt.tensor([1.0]) * 2).is_leaf


# ----------------------------------------------------------------------------- backward


def test_scalar_backward_seeds_one(device):
    x = leaf([1.0, 2.0, 3.0], device)
    (x * x).sum().backward()
    assert host(x.grad) == [2.0, 4.0, 6.0]


def test_non_scalar_backward_without_gradient_raises():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()


def test_backward_with_gradient_is_a_vector_jacobian_product(device):
    x = leaf([[1.0, 2.0], [3.0, 4.0]], device)
    y = x * x
    y.backward(mt.tensor([[1.0, 0.0], [0.5, 2.0]], device=device))
    assert host(x.grad) == [[2.0, 0.0], [3.0, 16.0]]
    x.grad = None
    (x * x).backward(mt.ones_like(x))
    ones_grad = host(x.grad)
    x.grad = None
    (x * x).sum().backward()
    assert host(x.grad) == ones_grad


def test_gradient_of_the_wrong_shape_is_refused():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of"):
        y.backward(mt.ones(3))


def test_grad_accumulates_across_backward_calls(device):
    w = leaf([1.0, -1.0], device)
    (w * 3).sum().backward()
    first = w.grad
    (w * 3).sum().backward()
    assert host(w.grad) == [6.0, 6.0]
    assert w.grad is first, "accumulated in place, as PyTorch: an alias sees the sum"
    w.grad = None
    (w * 3).sum().backward()
    assert host(w.grad) == [3.0, 3.0]


def test_a_value_used_twice_gets_both_contributions():
    a = leaf([1.0, 2.0])
    b = a + a
    c = b + b
    c.sum().backward()
    assert host(a.grad) == [4.0, 4.0]


def test_broadcasting_is_undone_in_the_gradient(device):
    x = leaf([[1.0], [2.0]], device)  # (2, 1)
    w = leaf([10.0, 20.0, 30.0], device)  # (3,)
    s = leaf(2.0, device)  # ()
    (x * w * s).sum().backward()
    assert x.grad.shape == (2, 1) and host(x.grad) == [[120.0], [120.0]]
    assert w.grad.shape == (3,) and host(w.grad) == [6.0, 6.0, 6.0]
    assert s.grad.shape == () and host(s.grad) == 180.0


def test_grad_keeps_the_leaf_dtype():
    x = leaf([1.0, 2.0], dtype=mt.float64)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype == mt.float64
    w = leaf([1.0, 2.0])
    (w * mt.tensor([1.0, 2.0], dtype=mt.float64)).sum().backward()
    assert w.grad.dtype == mt.float32


def test_non_leaf_grad_is_none_with_pytorchs_warning():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_retain_grad_keeps_a_non_leaf_grad_without_warning():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert host(y.grad) == [4.0, 8.0]
    assert host(x.grad) == [8.0, 16.0]


def test_backward_on_a_tensor_that_needs_no_grad_raises():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        mt.tensor([1.0, 2.0]).sum().backward()


# ----------------------------------------------------------------------------- freeing


def test_saved_buffers_are_freed_and_a_second_backward_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    mul = y.grad_fn.next_functions[0][0]
    assert not mul.is_freed
    y.backward()
    assert mul.is_freed
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert host(x.grad) == [4.0, 8.0]


def test_ops_that_save_nothing_can_backward_twice():
    x = leaf([1.0, 2.0])
    y = (x + 1).sum()  # add and sum need no saved values, as in PyTorch
    y.backward()
    y.backward()
    assert host(x.grad) == [2.0, 2.0]


def test_dropping_the_output_frees_the_whole_graph_without_the_garbage_collector():
    x = leaf([1.0, 2.0])
    gc.disable()
    try:
        y = ((x * 2).exp() * x).sum()
        nodes = []
        stack = [y.grad_fn]
        while stack:
            node = stack.pop()
            if node is not None and node.name() != "AccumulateGrad":
                nodes.append(weakref.ref(node))
                stack.extend(n for n, _ in node.next_functions)
        output = weakref.ref(y)
        assert len(nodes) == 4
        del y, node, stack
        assert output() is None
        assert all(n() is None for n in nodes), "a reference cycle keeps the graph alive"
    finally:
        gc.enable()


def test_a_chain_of_100000_ops_backpropagates():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
    del y  # freeing a 100k-node chain must not overflow the stack either


# ----------------------------------------------------------------------------- grad modes


def test_no_grad_records_nothing_and_restores_the_mode():
    x = leaf([1.0])
    with mt.no_grad():
        assert not mt.is_grad_enabled()
        y = x * 2
    assert mt.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_enable_grad_inside_no_grad_records():
    x = leaf([1.0])
    with mt.no_grad():
        with mt.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad


def test_set_grad_enabled_as_function_and_context_manager():
    x = leaf([1.0])
    with mt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert mt.is_grad_enabled()
    mt.set_grad_enabled(False)
    try:
        assert not mt.is_grad_enabled()
    finally:
        mt.set_grad_enabled(True)
    with mt.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_grad_modes_work_as_decorators_with_and_without_parentheses():
    x = leaf([1.0])

    @mt.no_grad
    def bare(t):
        return t * 2

    @mt.no_grad()
    def called(t):
        return t * 2

    @mt.enable_grad()
    def enabled(t):
        return t * 2

    @mt.set_grad_enabled(False)
    def disabled(t):
        return t * 2

    @mt.inference_mode()
    def inference(t):
        return t * 2

    assert mt.is_grad_enabled(), "decorating must not switch the mode at definition time"
    assert not bare(x).requires_grad and not called(x).requires_grad
    assert not disabled(x).requires_grad and not inference(x).requires_grad
    with mt.no_grad():
        assert enabled(x).requires_grad
    assert bare.__name__ == "bare"
    assert (x * 2).requires_grad


def test_inference_mode_records_nothing():
    x = leaf([1.0])
    with mt.inference_mode():
        assert not (x * 2).requires_grad
    with mt.inference_mode(False):
        assert (x * 2).requires_grad


def test_inference_mode_decorator_bare_and_with_false():
    x = leaf([1.0])

    @mt.inference_mode
    def bare(t):
        return t * 2

    @mt.inference_mode(False)
    def recording(t):
        return t * 2

    assert not bare(x).requires_grad and recording(x).requires_grad
    with mt.no_grad():
        assert recording(x).requires_grad, "inference_mode(False) turns recording back on"
    assert mt.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with mt.no_grad():
            raise ValueError
    assert mt.is_grad_enabled()


# ----------------------------------------------------------------------------- detach / .data


def test_detach_shares_storage_and_version_counter():
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 10.0
    assert host(x) == [10.0, 2.0]
    assert x._version is d._version and x._version[0] == 1


def test_in_place_change_through_detach_is_caught_by_backward():
    x = leaf([1.0, 2.0])
    y = x.exp()
    y.detach().zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_data_is_untracked_and_can_silently_give_wrong_gradients():
    # PyTorch's sharp edge, reproduced on purpose (lessons teach it): exp saves its output,
    # .data changes that output without a version bump, so backward uses the new numbers.
    x = leaf([1.0, 2.0])
    y = x.exp()
    y.data.zero_()
    assert y._version[0] == 0
    y.sum().backward()
    assert host(x.grad) == [0.0, 0.0]  # the true gradient is exp(x)


def test_data_reads_and_writes_are_not_recorded():
    x = leaf([1.0, 2.0])
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    d.mul_(3)  # no leaf error: .data is not the leaf as far as autograd knows
    assert host(x) == [3.0, 6.0] and x.is_leaf and x.grad_fn is None
    x.data = mt.tensor([5.0, 5.0])
    assert host(x) == [5.0, 5.0] and x.requires_grad


# ----------------------------------------------------------------------------- versions


def test_modifying_a_saved_tensor_in_place_raises_at_backward_time():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y * y  # saves y
    y.add_(1)  # no error yet
    with pytest.raises(RuntimeError, match="one of the variables needed for gradient computation"):
        z.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad_raises_at_once():
    w = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        w -= 0.1
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        w[0] = 3.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0:1].mul_(2)


def test_in_place_on_a_leaf_is_allowed_under_no_grad_and_bumps_its_version():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    with mt.no_grad():
        w -= 0.5 * w.grad
    assert host(w) == [0.0, 0.0] and w.is_leaf and w.requires_grad
    assert w._version[0] == 1


def test_rebinding_instead_of_in_place_makes_a_non_leaf():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    w = w - 0.1 * w.grad
    assert not w.is_leaf and w.grad_fn.name() == "SubBackward0"


def test_requires_grad_on_an_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        mt.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        mt.tensor([1, 2]).requires_grad_()


def test_requires_grad_of_a_non_leaf_cannot_be_switched_off():
    y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        y.requires_grad = False


# (operation on y = x * 2, expected x.grad for sum(y) after it), worked out by hand
RECORDED_IN_PLACE = [
    (lambda y: y.mul_(3), [6.0, 6.0]),
    (lambda y: y.add_(1), [2.0, 2.0]),
    (lambda y: y.sub_(y.detach()), [2.0, 2.0]),
    (lambda y: y.div_(4), [0.5, 0.5]),
    (lambda y: y.pow_(2), [8.0, 16.0]),  # d(4x^2)/dx = 8x
    (lambda y: y.clamp_(0, 3), [2.0, 0.0]),  # y = [2, 4]: the second is clipped
    (lambda y: y.zero_(), [0.0, 0.0]),
    (lambda y: y.fill_(7), [0.0, 0.0]),
    (lambda y: y.copy_(mt.tensor([5.0, 5.0])), [0.0, 0.0]),
    (lambda y: y.__setitem__(0, 9.0), [0.0, 2.0]),
]


@pytest.mark.parametrize(("change", "expected"), RECORDED_IN_PLACE)
def test_recorded_in_place_ops_on_non_leaves_give_pytorchs_gradients(change, expected):
    x = leaf([1.0, 2.0])
    y = x * 2
    change(y)
    y.sum().backward()
    assert host(x.grad) == expected
    assert y._version[0] == 1


def test_in_place_chain_on_a_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.mul_(3)
    y.add_(x)
    y += 1
    y.sum().backward()
    assert host(x.grad) == [7.0, 7.0]
    assert y.grad_fn.name() == "AddBackward0"


@pytest.mark.parametrize(
    ("index", "name"),
    [(0, "CopySlices"), (slice(1, None), "CopySlices"), ([0, 1], "IndexPutBackward0")],
)
def test_setitem_node_names(index, name):
    y = leaf([1.0, 2.0, 3.0]) * 1
    y[index] = 0.0
    assert y.grad_fn.name() == name
    y = leaf([1.0, 2.0, 3.0]) * 1
    y[y > 1] = 0.0
    assert y.grad_fn.name() == "IndexPutBackward0"


def test_a_view_taken_before_a_recorded_in_place_change_refuses_to_be_used():
    # PyTorch rebases the view onto the new base; minitensor says so instead of silently
    # giving the old graph's gradient (2 where PyTorch gives 6)
    x = leaf([1.0, 2.0])
    y = x * 2
    v = y[0]
    y.mul_(3)
    with pytest.raises(RuntimeError, match="modified by a recorded in-place operation after"):
        v.backward()
    y[0].backward()  # a view taken afterwards is fine
    assert host(x.grad) == [6.0, 0.0]


def test_a_view_of_a_leaf_survives_an_update_under_no_grad():
    x = leaf([1.0, 2.0])
    v = x[0]
    with mt.no_grad():
        x.add_(1)
    (v * 2).backward()
    assert host(x.grad) == [2.0, 0.0]


def test_setitem_with_a_tensor_that_requires_grad():
    x = leaf([1.0, 2.0, 3.0])
    v = leaf(7.0)
    y = x * 1
    y[1:] = v
    (y * y).sum().backward()
    assert host(x.grad) == [2.0, 0.0, 0.0]
    assert host(v.grad) == 28.0  # two positions hold v: 2 * 7 each


# ----------------------------------------------------------------------------- hooks


def test_hook_on_a_leaf_can_replace_the_grad_and_be_removed():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(host(g)) or g * 10)
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]] and host(x.grad) == [30.0, 30.0]
    handle.remove()
    (x * 3).sum().backward()
    assert host(x.grad) == [33.0, 33.0] and len(seen) == 1


def test_hook_on_a_non_leaf_changes_what_flows_further():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda g: g * 10)
    (y * 3).sum().backward()
    assert host(x.grad) == [60.0, 60.0]


def test_hook_that_returns_none_leaves_the_grad_alone():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: None)
    (x * 3).sum().backward()
    assert host(x.grad) == [3.0, 3.0]


def test_retain_grad_sees_the_grad_after_other_hooks():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert host(y.grad) == [10.0, 10.0] and host(x.grad) == [20.0, 20.0]


def test_hook_on_an_intermediate_that_was_dropped_still_runs():
    x = leaf([1.0, 2.0])
    h = x * 2
    calls = []
    h.register_hook(lambda g: calls.append(host(g)))
    loss = (h * 3).sum()
    del h
    loss.backward()
    assert calls == [[3.0, 3.0]]


def test_retain_grad_follows_a_tensor_changed_in_place():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.sum().backward()
    assert host(y.grad) == [1.0, 1.0], "the gradient of the new y, not of the old one"
    assert host(x.grad) == [6.0, 6.0]


def test_hook_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't"):
        mt.ones(2).register_hook(lambda g: g)


# ----------------------------------------------------------------------------- autograd.grad


def test_autograd_grad_returns_gradients_and_leaves_dot_grad_alone():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w).sum()
    gx, gw = mt.autograd.grad(y, [x, w])
    assert host(gx) == [3.0, 4.0] and host(gw) == [1.0, 2.0]
    assert x.grad is None and w.grad is None


def test_autograd_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 2
    (gy,) = mt.autograd.grad((y * y).sum(), y)
    assert host(gy) == [4.0, 8.0]


def test_autograd_grad_of_an_unused_input():
    x, z = leaf([1.0]), leaf([1.0])
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        mt.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = mt.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert host(gx) == [2.0] and gz is None


# ----------------------------------------------------------------------------- the engine


def test_backward_steps_run_in_engine_order_with_their_gradients():
    a = leaf([1.0, 2.0])
    b = a + a
    c = (b * 3).sum()
    steps = list(mt.autograd.backward_steps(c))
    assert [s.node.name() for s in steps] == [
        "SumBackward0",
        "MulBackward0",
        "AddBackward0",
        "AccumulateGrad",
    ]
    add = steps[2]
    assert np.asarray(add.grad_output).tolist() == [3.0, 3.0]
    assert [np.asarray(g).tolist() for g in add.grad_inputs] == [[3.0, 3.0], [3.0, 3.0]]
    assert add.accumulated == (False, True), "the second use of `a` is added: +="
    assert np.asarray(steps[3].grad_output).tolist() == [6.0, 6.0]
    assert host(a.grad) == [6.0, 6.0]


def test_draining_backward_steps_equals_backward():
    def build():
        x = leaf([0.5, -1.0, 2.0])
        h = (x * x).exp()
        return x, (h * x + h).sum()

    x1, y1 = build()
    for _ in mt.autograd.backward_steps(y1):
        pass
    x2, y2 = build()
    y2.backward()
    np.testing.assert_allclose(host(x1.grad), host(x2.grad))


def test_backward_steps_is_lazy_and_can_leave_grads_alone():
    x = leaf([1.0])
    y = (x * 2).sum()
    steps = mt.autograd.backward_steps(y, accumulate=False)
    assert x.grad is None
    last = list(steps)[-1]
    assert last.node.name() == "AccumulateGrad" and np.asarray(last.grad_output).tolist() == [2.0]
    assert x.grad is None


def test_every_node_runs_after_all_its_consumers():
    x = leaf([1.0, 2.0])
    a = x * 2
    b = a.exp()
    c = a * b + a  # a feeds three ops
    order = [s.node for s in mt.autograd.backward_steps(c.sum())]
    assert len(order) == len(set(order)), "every node runs exactly once"
    for position, node in enumerate(order):
        for child, _ in node.next_functions:
            if child is not None:
                assert order.index(child) > position


# ----------------------------------------------------------------------------- custom Function


Cube = cube_function(mt)


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 2 * x**2  # the bug: 2 instead of 3


def test_custom_function_records_a_node_and_backpropagates():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    assert host(x.grad) == [3.0, 12.0]


def test_gradcheck_passes_a_correct_backward():
    x = leaf([0.5, -1.5], dtype=mt.float64)
    assert mt.autograd.gradcheck(Cube.apply, (x,))


def test_gradcheck_catches_a_wrong_backward_with_a_readable_report():
    x = leaf([0.5, -1.5], dtype=mt.float64)
    with pytest.raises(mt.autograd.GradcheckError) as caught:
        mt.autograd.gradcheck(WrongCube.apply, (x,))
    report = str(caught.value)
    assert "Jacobian mismatch" in report and "input 0" in report
    assert "numerical" in report and "analytical" in report
    assert not mt.autograd.gradcheck(WrongCube.apply, (x,), raise_exception=False)


def test_gradcheck_refuses_float32():
    with pytest.raises(mt.autograd.GradcheckError, match="float64"):
        mt.autograd.gradcheck(Cube.apply, (leaf([1.0]),))


def test_gradcheck_works_on_a_non_contiguous_input():
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=mt.float64).T.requires_grad_()
    assert mt.autograd.gradcheck(lambda t: (t * t * mt.tensor([1.0, 2.0])).sum(), (x,))


def test_custom_function_saved_tensor_changed_in_place_raises():
    x = leaf([1.0, 2.0])
    h = x * 1
    y = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_zero_number_to_a_tensor_power_has_zero_gradient_as_pytorch():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    (0.0**x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
