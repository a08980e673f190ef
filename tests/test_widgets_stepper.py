"""The backward stepper: its steps are the engine's, its numbers are the chain rule's, it
changes no .grad until apply(), and its view is driven headless through its buttons."""

import numpy as np
import pytest
from widget_examples import hand_built_mlp, scalar_expression

import minitensor as mt
from widgets.graph import render as graph_render
from widgets.stepper.model import BackwardStepperModel
from widgets.stepper.view import BackwardStepper, step_backward


def grads_from_backward(loss, tensors):
    loss.backward(retain_graph=True)
    grads = {name: t.grad.numpy().copy() for name, t in tensors.items()}
    for t in tensors.values():
        t.grad = None
    return grads


# --------------------------------------------------------------------------- the model


def test_steps_are_the_engines_steps_in_the_engines_order():
    loss, params = hand_built_mlp()
    engine = [s.node for s in mt.autograd.backward_steps(loss, retain_graph=True, accumulate=False)]
    stepper = BackwardStepperModel(loss, params=params)
    assert [s.node for s in stepper.steps] == engine
    assert stepper.steps[0].node is loss.grad_fn


def test_chain_rule_text_multiplies_upstream_by_the_local_derivative():
    a, b, c, d = scalar_expression()
    stepper = BackwardStepperModel(d, names={"a": a, "b": b, "c": c, "d": d})
    names = [s.node.name() for s in stepper.steps]
    mul = names.index("MulBackward0") + 1
    text = stepper.chain_rule_text(mul)
    assert "formula: out = a * b." in text
    assert "upstream gradient (d loss / d c): 1" in text
    assert "a (input 0): upstream 1 × local -3 = -3   → d loss/d a += -3" in text
    assert "b (input 1): upstream 1 × local 2 = 2   → d loss/d b = 2" in text


def test_fan_out_is_shown_as_plus_equals_with_the_running_total():
    a = mt.tensor(3.0, requires_grad=True)
    b = a + a
    stepper = BackwardStepperModel(b, names={"a": a, "b": b})
    text = stepper.chain_rule_text(1)
    assert "a (input 0): upstream 1 × local 1 = 1   → d loss/d a = 1" in text
    assert "d loss/d a += 1   (fan-out: another path already sent some; now 2)" in text
    leaf_step = stepper.chain_rule_text(2)
    assert "AccumulateGrad for leaf a" in leaf_step
    assert "d loss / d a = 2" in leaf_step


def test_local_derivative_is_exact_even_when_the_upstream_is_zero():
    a = mt.tensor(2.0, requires_grad=True)
    loss = (a * 5) * 0
    stepper = BackwardStepperModel(loss, names={"a": a})
    texts = [stepper.chain_rule_text(k) for k in range(1, len(stepper) + 1)]
    assert any("upstream 0 × local 5 = 0" in t for t in texts)


def test_matrix_step_shows_upstream_and_contribution_arrays_and_the_formula():
    loss, params = hand_built_mlp()
    stepper = BackwardStepperModel(loss, params=params)
    mm = next(k for k, s in enumerate(stepper.steps, 1) if s.node.name() == "MmBackward0")
    text = stepper.chain_rule_text(mm)
    assert "formula: out = a @ b" in text
    assert "(shape (6, 1))" in text
    assert "contribution" in text and "W2 (input 1)" in text


def test_stepping_to_the_end_gives_the_same_grads_as_backward():
    loss, params = hand_built_mlp()
    stepper = BackwardStepperModel(loss, params=params)
    expected = grads_from_backward(loss, params)
    final = {stepper.graph_model.name_of(t): g for t, g in stepper.final_grads().items()}
    assert sorted(final) == sorted(params)
    for name, grad in expected.items():
        np.testing.assert_allclose(final[name], grad, rtol=1e-6)


def test_stepping_changes_no_grad_until_apply_which_matches_backward():
    loss, params = hand_built_mlp()
    expected = grads_from_backward(loss, params)
    stepper = BackwardStepperModel(loss, params=params)
    while not stepper.at_end:
        stepper.next()
    assert all(t.grad is None for t in params.values())
    stepper.apply()
    for name, t in params.items():
        np.testing.assert_allclose(t.grad.numpy(), expected[name], rtol=1e-6)
    stepper.apply()  # a second apply accumulates, like a second backward
    for name, t in params.items():
        np.testing.assert_allclose(t.grad.numpy(), 2 * expected[name], rtol=1e-6)


def test_the_users_graph_is_not_freed_by_stepping():
    a, b, c, d = scalar_expression()
    BackwardStepperModel(d)
    d.backward()  # would raise "backward through the graph a second time" if freed
    assert a.grad.item() == -2.0


def test_stepping_back_restores_exactly_the_earlier_state():
    loss, params = hand_built_mlp()
    stepper = BackwardStepperModel(loss, params=params)
    seen = {}
    for k in range(len(stepper) + 1):
        stepper.go_to(k)
        seen[k] = (graph_render.to_text(stepper.graph()), stepper.chain_rule_text())
    for k in [7, 2, len(stepper), 0, 5]:
        stepper.go_to(k)
        assert (graph_render.to_text(stepper.graph()), stepper.chain_rule_text()) == seen[k]


def test_gradient_so_far_grows_until_the_node_runs():
    a = mt.tensor(3.0, requires_grad=True)
    b = a * a
    c = b + a
    stepper = BackwardStepperModel(c)
    known = [stepper.gradient_so_far(a, k) for k in range(len(stepper) + 1)]
    assert known[0] is None  # nothing has reached a before the first node ran
    assert known[1].item() == 1.0  # from c = b + a
    assert known[-1].item() == 7.0  # + 2a from b = a * a
    assert stepper.gradient_so_far(c, 0).item() == 1.0  # the seed


def test_graph_marks_current_and_processed_nodes():
    a, b, c, d = scalar_expression()
    stepper = BackwardStepperModel(d, names={"a": a, "b": b, "c": c, "d": d})
    stepper.go_to(2)
    graph = stepper.graph()
    assert graph.find("AddBackward0").state == "done"
    assert graph.find("MulBackward0").state == "current"
    assert graph.find("b").state is None
    assert graph.find("c").lines[-1] == "grad so far: 1"
    assert graph.find("a").lines[-1] == "grad so far: -2 (2 contributions added)"
    assert "grad -3" in graph_render.to_dot(graph)  # the contribution on the edge


def test_retain_grad_tensor_gets_its_grad_only_on_apply():
    a, b, c, d = scalar_expression()
    c.retain_grad()
    stepper = BackwardStepperModel(d)
    assert c.grad is None
    stepper.apply()
    assert c.grad.item() == 1.0


def test_hooks_run_while_recording_as_in_backward():
    a = mt.tensor(2.0, requires_grad=True)
    a.register_hook(lambda g: g * 10)
    stepper = BackwardStepperModel(a * 3)
    assert [g.item() for g in stepper.final_grads().values()] == [30.0]


def test_a_freed_graph_raises_pytorchs_error():
    a, b, c, d = scalar_expression()
    d.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        BackwardStepperModel(d)


def test_non_scalar_output_needs_a_gradient_like_backward():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    y = w * w
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        BackwardStepperModel(y)
    stepper = BackwardStepperModel(y, gradient=mt.tensor([1.0, 0.5]))
    np.testing.assert_allclose(list(stepper.final_grads().values())[0], [2.0, 2.0])


def test_works_for_an_nn_module_mlp():
    mt.manual_seed(1)
    net = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.Tanh(), mt.nn.Linear(4, 1))
    loss = mt.nn.MSELoss()(net(mt.randn(8, 3)), mt.randn(8, 1))
    stepper = BackwardStepperModel(loss, model=net)
    expected = grads_from_backward(loss, dict(net.named_parameters()))
    stepper.apply()
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), expected[name], rtol=1e-6)


def test_going_outside_the_steps_is_an_index_error():
    a, b, c, d = scalar_expression()
    stepper = BackwardStepperModel(d)
    with pytest.raises(IndexError, match="outside 0 ... 4"):
        stepper.go_to(5)


# --------------------------------------------------------------------------- the view


def make_view(**options):
    a, b, c, d = scalar_expression()
    view = BackwardStepper(d, names={"a": a, "b": b, "c": c, "d": d}, **options)
    return view, a


def test_every_button_moves_the_stepper_and_redraws():
    view, a = make_view()
    assert view.stepper.position == 0 and view.prev_button.disabled
    panel = view.panel.value
    view.next_button.click()
    assert view.stepper.position == 1 and view.slider.value == 1
    assert view.panel.value != panel and "Step 1 of 4" in view.panel.value
    view.next_button.click()
    view.prev_button.click()
    assert view.stepper.position == 1
    view.reset_button.click()
    assert view.stepper.position == 0 and "Start" in view.panel.value
    for _ in range(10):
        view.next_button.click()
    assert view.stepper.at_end and view.next_button.disabled


def test_slider_and_play_drive_the_same_position():
    view, a = make_view()
    view.slider.value = 3
    assert view.stepper.position == 3 and view.play.value == 3
    view.play.value = 2  # what the browser's Play ticks do
    assert view.stepper.position == 2 and view.slider.value == 2
    assert "MulBackward0" in view.rendering.dot
    view.speed.value = 300
    assert view.play.interval == 300
    assert view.play.max == view.slider.max == len(view.stepper)


def test_apply_button_adds_grads_and_reports_through_append_stdout():
    view, a = make_view()
    assert a.grad is None
    view.apply_button.click()
    assert a.grad.item() == -2.0
    assert view.stepper.at_end and view.slider.value == len(view.stepper)
    (message,) = view.messages.outputs
    assert message["name"] == "stdout" and "a.grad = -2" in message["text"]


def test_methods_move_like_the_buttons_and_return_the_chain_rule():
    view, a = make_view()
    assert view.next().startswith("Step 1 of 4") and view.slider.value == 1
    assert view.go_to(4).startswith("Step 4 of 4") and view.next_button.disabled
    assert view.prev().startswith("Step 3 of 4")
    assert view.reset().startswith("Start") and view.slider.value == 0
    with pytest.raises(IndexError):
        view.go_to(-1)


def test_plus_equals_is_emphasised_in_the_panel():
    a = mt.tensor(1.0, requires_grad=True)
    view = BackwardStepper(a + a, names={"a": a})
    view.next_button.click()
    assert "<b>+=</b>" in view.panel.value


def test_static_output_has_the_graph_and_the_chain_rule_text():
    view, a = make_view()
    view.next_button.click()
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("BackwardStepper at step 1 of 4")
    if graph_render.dot_program() is not None:
        assert bundle["image/svg+xml"].startswith("<svg")


def test_dom_classes_for_browser_tests():
    view, a = make_view()
    classes = {
        "mt-stepper": view,
        "mt-stepper-next": view.next_button,
        "mt-stepper-prev": view.prev_button,
        "mt-stepper-reset": view.reset_button,
        "mt-stepper-apply": view.apply_button,
        "mt-stepper-play": view.play,
        "mt-stepper-slider": view.slider,
        "mt-stepper-speed": view.speed,
        "mt-stepper-graph": view.picture,
        "mt-stepper-panel": view.panel,
        "mt-stepper-log": view.messages,
    }
    for css_class, widget in classes.items():
        assert css_class in widget._dom_classes


def test_step_backward_uses_the_callers_variable_names():
    weight = mt.tensor(2.0, requires_grad=True)
    loss = weight * weight
    view = step_backward(loss)
    view.next_button.click()
    assert "weight (input 0)" in view.panel.value


def test_view_without_dot_still_steps(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("widgets.graph.view.GraphvizAnyWidget", None)
    view, a = make_view()
    view.next_button.click()
    assert "MulBackward0" in view.picture.text_box.value or "AddBackward0" in (
        view.picture.text_box.value
    )
    assert "image/svg+xml" not in view._repr_mimebundle_()


def test_graph_and_stepper_work_on_every_device(device):
    """Display code converts device arrays with the backend's to_numpy, never np.asarray."""
    a = mt.tensor([1.0, -2.0], device=device, requires_grad=True)
    w = mt.tensor([3.0, 0.5], device=device)
    loss = (a * w + a).sum()
    stepper = BackwardStepperModel(loss, names={"a": a, "w": w})
    stepper.go_to(len(stepper))
    assert stepper.graph().find("a").lines[-1] == "grad so far: [4, 1.5] (2 contributions added)"
    assert stepper.graph().find("w").lines[1] == "value: [3, 0.5]"
    assert a.grad is None
    stepper.apply()
    assert a.grad.device.type == device
    assert a.grad.tolist() == [4.0, 1.5]
    view = BackwardStepper(loss, names={"a": a})
    view.next()
    assert "Step 1 of" in view.panel.value


def test_loss_that_needs_no_grad_gets_pytorchs_error():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        BackwardStepperModel(mt.ones(2).sum())
    with pytest.raises(TypeError, match="expects a minitensor Tensor, got float"):
        BackwardStepperModel(1.0)
