"""The optimizer race: the model (no display libraries) and, at the end, the widget headless.

Model tests check that the race runs the real optimizers (its paths equal the training loop
written by hand), that each teaching toggle changes exactly what it claims, that results are
reproducible and cached, and that captions follow the settings.
"""

import functools
import math
import subprocess
import sys

import numpy as np
import pytest

import minitensor as mt
from minitensor import optim
from widgets.optimizer_race.model import RaceModel, first_step_ratio, max_gap
from widgets.optimizer_race.surfaces import SURFACES, Surface, get_surface
from widgets.optimizer_race.teaching_optimizers import (
    AdamWithoutBiasCorrection,
    MovingAverageMomentum,
)

MAKERS = {
    "SGD": lambda ps, lr: optim.SGD(ps, lr=lr),
    "Momentum": lambda ps, lr, mu=0.9: optim.SGD(ps, lr=lr, momentum=mu),
    "Nesterov": lambda ps, lr, mu=0.9: optim.SGD(ps, lr=lr, momentum=mu, nesterov=True),
    "Adam": lambda ps, lr: optim.Adam(ps, lr=lr),
    "AdamW": lambda ps, lr: optim.AdamW(ps, lr=lr, weight_decay=0.1),
    "RMSprop": lambda ps, lr: optim.RMSprop(ps, lr=lr),
    "Adagrad": lambda ps, lr: optim.Adagrad(ps, lr=lr),
}


def by_hand(surface, make, lr, start, steps, seed=0):
    """The training loop a learner would write, one optimizer at a time."""
    surface = get_surface(surface)
    p = mt.tensor(list(start), requires_grad=True)
    opt = make([p], lr)
    generator = mt.Generator().manual_seed(seed)
    path = [p.detach().numpy().copy()]
    states = []
    for _ in range(steps):
        opt.zero_grad()
        if surface.is_stochastic:
            xi = mt.randn(2, generator=generator) * surface.noise_std
            loss = 0.5 * ((p[0] - xi[0]) ** 2 + (p[1] - xi[1]) ** 2)
        else:
            loss = surface.fn(p[0], p[1])
        loss.backward()
        opt.step()
        path.append(p.detach().numpy().copy())
        states.append({k: np.array(v.tolist()) for k, v in opt.state[p].items()})
    return np.array(path), states


# ----------------------------------------------------------------------------- real optimizers


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_race_paths_equal_the_training_loop_by_hand(surface):
    names = ("SGD", "Momentum", "Nesterov", "Adam", "AdamW", "RMSprop", "Adagrad")
    model = RaceModel(surface, optimizers=names, steps=25, seed=3)
    for run in model.result.runs:
        lr = model.lrs[run.runner.key]
        make = MAKERS[run.runner.key]
        if run.runner.key in ("Momentum", "Nesterov"):  # the surface's default momentum
            make = functools.partial(make, mu=model.momentum)
        expected, _ = by_hand(surface, make, lr, model.start, 25, seed=3)
        np.testing.assert_allclose(run.positions, expected, rtol=1e-5, atol=1e-6)


def test_race_uses_the_real_optimizer_classes_and_lists_their_settings():
    model = RaceModel(
        "quadratic", optimizers=("SGD", "Momentum", "Adam", "AdamW"), steps=3, momentum=0.9
    )
    classes = [run.optimizer_name for run in model.result.runs]
    assert classes == ["SGD", "SGD", "Adam", "AdamW"]
    momentum_run = model.result.runs[1]
    assert momentum_run.hyperparameters["momentum"] == 0.9
    assert momentum_run.hyperparameters["dampening"] == 0  # read back from param_groups
    lines = "\n".join(model.settings_lines())
    assert f"lr={model.lrs['Adam']:.3g}" in lines


def test_state_snapshots_are_copies_of_each_step_not_the_final_state():
    model = RaceModel("rosenbrock", optimizers=("Adam", "Momentum"), steps=12)
    adam, momentum = model.result.runs
    _, states = by_hand("rosenbrock", MAKERS["Adam"], model.lrs["Adam"], model.start, 12)
    for t in (1, 5, 12):
        np.testing.assert_allclose(adam.states["exp_avg"][t], states[t - 1]["exp_avg"], rtol=1e-6)
        np.testing.assert_allclose(adam.states["exp_avg_sq"][t], states[t - 1]["exp_avg_sq"])
        assert adam.states["step"][t] == t
    assert not np.allclose(adam.states["exp_avg"][1], adam.states["exp_avg"][12])
    assert np.isnan(momentum.states["momentum_buffer"][0]).all()  # no state before step 1


def test_heavy_ball_velocity_arrow_is_the_step_just_taken():
    model = RaceModel("quadratic", optimizers=("Momentum",), steps=10)
    run = model.result.runs[0]
    for t in (1, 4, 10):
        step = run.positions[t] - run.positions[t - 1]
        np.testing.assert_allclose(run.velocity_at(t), step, rtol=1e-4, atol=1e-6)
    assert run.velocity_at(0) is None


def test_adam_quantities_include_bias_corrected_averages_and_effective_lr():
    model = RaceModel("quadratic", optimizers=("Adam",), steps=3)
    run = model.result.runs[0]
    rows = {name: value for name, _, value in run.quantities_at(2)}
    beta1, beta2 = run.hyperparameters["betas"]
    np.testing.assert_allclose(rows["m_hat"], rows["exp_avg"] / (1 - beta1**2))
    np.testing.assert_allclose(rows["v_hat"], rows["exp_avg_sq"] / (1 - beta2**2))
    np.testing.assert_allclose(rows["effective lr"], run.lr / (np.sqrt(rows["v_hat"]) + 1e-8))
    np.testing.assert_allclose(rows["update without decay"], rows["update"], rtol=1e-4)


# ----------------------------------------------------------------------------- caching


def test_scrubbing_through_time_never_reruns():
    model = RaceModel("saddle", optimizers=("SGD", "Adam"), steps=30)
    result = model.result
    count = model.run_count
    for t in range(31):
        for run in result.runs:
            run.quantities_at(t)
            run.velocity_at(t)
    model.caption()
    assert model.result is result
    assert model.run_count == count == 1


def test_changing_one_lr_reruns_only_that_optimizer():
    model = RaceModel("quadratic", optimizers=("SGD", "Momentum", "Adam"), steps=40)
    _ = model.result
    before = model.optimizer_steps
    assert model.set(lr={"Adam": 0.05})
    _ = model.result
    assert model.optimizer_steps - before == 40
    assert not model.set(lr={"Adam": 0.05})  # nothing changed: nothing to redo


def test_a_longer_race_continues_the_shorter_one_and_equals_a_fresh_run():
    model = RaceModel("noisy_bowl", optimizers=("SGD", "Adam"), steps=20, seed=5)
    _ = model.result
    model.set(steps=50)
    longer = model.result
    assert model.optimizer_steps == 2 * 50
    fresh = RaceModel("noisy_bowl", optimizers=("SGD", "Adam"), steps=50, seed=5).result
    for a, b in zip(longer.runs, fresh.runs):
        np.testing.assert_array_equal(a.positions, b.positions)
    model.set(steps=10)
    assert model.result.runs[0].positions.shape == (11, 2)
    np.testing.assert_array_equal(model.result.runs[0].positions, fresh.runs[0].positions[:11])


# ----------------------------------------------------------------------------- teaching toggles


def test_momentum_conventions_coincide_after_rescaling_lr():
    model = RaceModel("rosenbrock", compare="momentum", steps=80, momentum=0.8)
    runs = model.result.runs
    assert [r.optimizer_name for r in runs] == [
        "SGD",
        "MovingAverageMomentum",
        "LrInsideMomentum",
    ]
    assert runs[1].lr == pytest.approx(runs[0].lr / (1 - 0.8))
    assert runs[2].lr == runs[0].lr
    assert max_gap(runs) < 1e-4
    assert "coincide" in model.caption()


def test_momentum_conventions_differ_without_rescaling():
    model = RaceModel("rosenbrock", compare="momentum", steps=80, rescale_lr=False)
    runs = model.result.runs
    assert runs[1].lr == runs[0].lr
    assert max_gap(runs[:2]) > 0.05  # the moving average walks ~10x slower
    assert max_gap([runs[0], runs[2]]) < 1e-4  # lr inside v is the same path either way
    assert "rescale" in model.caption()


def test_without_bias_correction_adams_first_step_is_larger_by_the_predicted_factor():
    beta1, beta2 = 0.9, 0.999
    model = RaceModel("rosenbrock", compare="bias_correction", steps=1, betas=(beta1, beta2))
    corrected, uncorrected = model.result.runs
    assert uncorrected.optimizer_name == "AdamWithoutBiasCorrection"
    g = np.abs(corrected.grads[1])
    eps = 1e-8
    predicted = (1 - beta1) * (g + eps) / (math.sqrt(1 - beta2) * g + eps)
    measured = np.abs(uncorrected.positions[1] - uncorrected.positions[0]) / np.abs(
        corrected.positions[1] - corrected.positions[0]
    )
    np.testing.assert_allclose(measured, predicted, rtol=1e-3)
    assert first_step_ratio(uncorrected, corrected) == pytest.approx(3.162, rel=1e-3)
    # with the correction the first step is lr * sign(g), whatever the gradient's size
    np.testing.assert_allclose(
        corrected.positions[1] - corrected.positions[0],
        -corrected.lr * np.sign(corrected.grads[1]),
        rtol=1e-5,
    )
    assert "3.16x" in model.caption()


def test_bias_correction_toggle_changes_only_the_correction():
    model = RaceModel("quadratic", compare="bias_correction", steps=30)
    corrected, uncorrected = model.result.runs
    # same m and v after step 1 (same gradient seen), different steps
    np.testing.assert_allclose(corrected.states["exp_avg"][1], uncorrected.states["exp_avg"][1])
    np.testing.assert_allclose(
        corrected.states["exp_avg_sq"][1], uncorrected.states["exp_avg_sq"][1]
    )
    assert not np.allclose(corrected.positions[1], uncorrected.positions[1])
    rows = {name: formula for name, formula, _ in uncorrected.quantities_at(3)}
    assert "NOT corrected" in rows["m_hat"]


def test_adam_l2_versus_adamw_first_steps_follow_their_formulas():
    wd = 0.5
    model = RaceModel("rosenbrock", compare="weight_decay", weight_decay=wd, steps=1)
    plain, l2, adamw = model.result.runs
    assert (l2.optimizer_name, adamw.optimizer_name) == ("Adam", "AdamW")
    assert l2.hyperparameters["weight_decay"] == adamw.hyperparameters["weight_decay"] == wd
    assert plain.hyperparameters["weight_decay"] == 0
    p0, g, lr = l2.positions[0], l2.grads[1], l2.lr
    # Adam with L2: the decay joins the gradient, and the first step is lr * sign(g + wd p)
    np.testing.assert_allclose(l2.positions[1], p0 - lr * np.sign(g + wd * p0), rtol=1e-5)
    # AdamW: p shrinks by (1 - lr wd), then the plain Adam step lr * sign(g)
    np.testing.assert_allclose(adamw.positions[1], p0 * (1 - lr * wd) - lr * np.sign(g), rtol=1e-5)


def test_teaching_optimizers_match_pytorch_momentum_and_say_why_not_otherwise():
    p, q = mt.tensor([1.0, -2.0], requires_grad=True), mt.tensor([1.0, -2.0], requires_grad=True)
    sgd = optim.SGD([p], lr=0.1, momentum=0.5)
    average = MovingAverageMomentum([q], lr=0.2, momentum=0.5)
    for _ in range(5):
        for param, opt in ((p, sgd), (q, average)):
            opt.zero_grad()
            (param * param).sum().backward()
            opt.step()
    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        AdamWithoutBiasCorrection([p], lr=-1)
    with pytest.raises(ValueError, match="momentum"):
        MovingAverageMomentum([p], lr=0.1, momentum=1.0)


# ----------------------------------------------------------------------------- surfaces


def test_noisy_bowl_is_reproducible_with_a_seed_and_changes_with_it():
    first = RaceModel("noisy_bowl", optimizers=("SGD",), steps=30, seed=7).result
    again = RaceModel("noisy_bowl", optimizers=("SGD",), steps=30, seed=7).result
    other = RaceModel("noisy_bowl", optimizers=("SGD",), steps=30, seed=8).result
    np.testing.assert_array_equal(first.runs[0].positions, again.runs[0].positions)
    assert not np.allclose(first.runs[0].positions, other.runs[0].positions)
    # noisy gradients: not the exact gradient p of f = |p|^2 / 2
    run = first.runs[0]
    assert not np.allclose(run.grads[1:], run.positions[:-1])


def test_every_optimizer_sees_the_same_noise_sample_at_each_step():
    model = RaceModel("noisy_bowl", optimizers=("SGD", "Adam"), steps=10, seed=1)
    sgd, adam = model.result.runs
    # gradient of 1/2 |p - xi|^2 is p - xi, so p - g recovers the sample xi
    np.testing.assert_allclose(
        sgd.positions[:-1] - sgd.grads[1:], adam.positions[:-1] - adam.grads[1:], atol=1e-5
    )


def test_divergence_threshold_on_the_quadratic_is_two_over_lambda_max():
    model = RaceModel("quadratic", optimizers=("SGD",), steps=200)
    assert model.divergence_threshold() == pytest.approx(2 / 10)
    model.set(lr={"SGD": 0.19})
    assert model.result.runs[0].diverged_at is None
    assert "lr = 0.19 is below it" in model.caption()
    model.set(lr={"SGD": 0.21})
    assert model.result.runs[0].diverged_at is not None
    assert "lr = 0.21 is above it" in model.caption()
    assert "diverged" in model.caption()
    assert "2/λ_max = 0.2" in model.caption()


def test_momentum_and_nesterov_thresholds_match_their_formulas():
    model = RaceModel("quadratic", optimizers=("Momentum", "Nesterov"), momentum=0.5, steps=300)
    heavy_ball = model.divergence_threshold(0.5)
    nesterov = model.divergence_threshold(0.5, nesterov=True)
    assert heavy_ball == pytest.approx(2 * 1.5 / 10)
    assert nesterov == pytest.approx(2 * 1.5 / (2 * 10))
    for lr, diverges in ((0.97 * heavy_ball, False), (1.03 * heavy_ball, True)):
        model.set(lr={"Momentum": lr, "Nesterov": lr * nesterov / heavy_ball})
        momentum_run, nesterov_run = model.result.runs
        assert (momentum_run.diverged_at is not None) == diverges
        assert (nesterov_run.diverged_at is not None) == diverges


def test_custom_function_of_x_and_y_runs_like_a_builtin():
    def bowl(x, y):
        return (x - 1) ** 2 + 3 * (y + 0.5) ** 2

    model = RaceModel(bowl, optimizers=("SGD", "Adam"), lr=0.05, steps=20, start=(2.0, 1.0))
    assert model.surface.batched
    sgd = model.result.runs[0]
    expected, _ = by_hand(model.surface, MAKERS["SGD"], 0.05, (2.0, 1.0), 20)
    np.testing.assert_allclose(sgd.positions, expected, rtol=1e-6)
    assert "bowl" in model.caption()


def test_custom_function_of_a_two_element_tensor_that_cannot_batch_still_works():
    def f(p):
        return (p * p).sum() + p[0]  # .sum() mixes a batch: must run one point at a time

    model = RaceModel(f, optimizers=("Momentum",), lr=0.02, steps=15, start=(1.0, 1.0))
    assert not model.surface.batched
    p = mt.tensor([1.0, 1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.02, momentum=0.9)
    for _ in range(15):
        opt.zero_grad()
        f(p).backward()
        opt.step()
    np.testing.assert_allclose(model.result.runs[0].positions[-1], p.detach().numpy(), rtol=1e-5)
    assert model.surface.grid(n=11)[2].shape == (11, 11)


def test_custom_function_errors_say_what_to_fix():
    with pytest.raises(TypeError, match="must return a minitensor Tensor.*mt.sin"):
        Surface.from_function(lambda x, y: math.sin(1.0))
    with pytest.raises(TypeError, match="takes 3 arguments"):
        Surface.from_function(lambda x, y, z: x)
    with pytest.raises(ValueError, match=r"single number.*shape \[2\]"):
        Surface.from_function(lambda p: p * 2)
    with pytest.raises(ValueError, match="does not depend on x and y"):
        Surface.from_function(lambda x, y: mt.tensor(1.0))


def test_bad_settings_raise_errors_that_name_the_value():
    with pytest.raises(ValueError, match="unknown surface 'bumpy'"):
        RaceModel("bumpy")
    with pytest.raises(ValueError, match="unknown optimizer 'LBFGS'"):
        RaceModel(optimizers=("SGD", "LBFGS"))
    with pytest.raises(ValueError, match="Invalid learning rate for Adam: -0.1"):
        RaceModel(lr={"Adam": -0.1})
    with pytest.raises(ValueError, match="Invalid momentum value: 1.0"):
        RaceModel(momentum=1.0)
    with pytest.raises(ValueError, match="steps must be a whole number.*0"):
        RaceModel(steps=0)
    with pytest.raises(ValueError, match="compare must be one of"):
        RaceModel(compare="everything")
    with pytest.raises(TypeError, match="unknown settings"):
        RaceModel().set(learning_rate=0.1)


def test_caption_follows_the_settings():
    model = RaceModel("saddle", optimizers=("SGD", "Adam"), steps=40, start=(-1.5, 0.2))
    caption = model.caption()
    assert "(-1.5, 0.2)" in caption and "40 steps" in caption
    assert f"lr={model.lrs['SGD']:.3g}" in caption
    model.set(lr={"SGD": 0.0123}, steps=41)
    caption = model.caption()
    assert "lr=0.0123" in caption and "41 steps" in caption


def test_race_and_monitor_models_import_no_display_library():
    modules = (
        "widgets.optimizer_race.model, widgets.optimizer_race.simulation, "
        "widgets.optimizer_race.surfaces, widgets.optimizer_race.teaching_optimizers, "
        "widgets.monitor.model"
    )
    code = (
        f"import sys, {modules};"
        "bad = {'ipywidgets', 'IPython', 'matplotlib', 'graphviz', 'traitlets', 'PIL'}"
        " & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- the widget


@pytest.fixture
def small_race():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from widgets.optimizer_race.view import race

    return race("quadratic", optimizers=("SGD", "Momentum", "Adam", "AdamW"), steps=20)


def is_png(data):
    return bytes(data).startswith(b"\x89PNG\r\n\x1a\n")


def picture(w):
    """The bytes the Image widget shows (ipywidgets hands back a memoryview)."""
    return bytes(w.image.value)


def test_race_widget_builds_headless_with_findable_classes(small_race):
    w = small_race
    assert "mt-race" in w._dom_classes
    assert "mt-race-play" in w.play._dom_classes
    assert is_png(w.image.value) and picture(w) == w.png
    assert w.step_slider.value == w.step_slider.max == 20  # opens on the whole race
    assert "Settings" in w.settings_box.value and "lr=0.182" in w.settings_box.value
    assert w.caption_box.value.count("lr=") >= 4


def test_every_race_slider_recomputes_and_redraws(small_race):
    w = small_race
    moves = [
        (w.lr_sliders["SGD"], 0.05, lambda m: m.lrs["SGD"] == pytest.approx(0.05)),
        (w.lr_sliders["Adam"], 0.02, lambda m: m.lrs["Adam"] == pytest.approx(0.02)),
        (w.momentum, 0.5, lambda m: m.momentum == 0.5),
        (w.beta1, 0.8, lambda m: m.betas[0] == 0.8),
        (w.beta2, 0.99, lambda m: m.betas[1] == 0.99),
        (w.weight_decay, 0.3, lambda m: m.weight_decay == 0.3),
        (w.steps, 25, lambda m: m.steps == 25),
        (w.start_x, -3.0, lambda m: m.start[0] == -3.0),
        (w.start_y, 1.0, lambda m: m.start[1] == 1.0),
    ]
    for control, value, check in moves:
        assert control in w.lr_box.children + w.hyper_box.children, control.description
        before_png, before_steps = picture(w), w.model.optimizer_steps
        control.value = value
        assert check(w.model), control.description
        assert w.model.optimizer_steps > before_steps, control.description
        assert picture(w) != before_png, control.description
    assert w.messages.outputs == ()


def test_step_slider_and_play_scrub_without_rerunning(small_race):
    w = small_race
    runs, pictures = w.model.run_count, w.picture.full_draws
    seen = {picture(w)}
    w.play.playing = True  # in a browser Play now ticks its value; here we tick it by hand
    for t in (0, 5, 13):
        w.play.value = t
        assert w.step_slider.value == t
        assert f"State after step {t}" in w.state_box.value
        seen.add(picture(w))
    assert len(seen) == 4
    assert w.model.run_count == runs and w.picture.full_draws == pictures


def test_compare_toggles_switch_the_runs_and_the_sliders(small_race):
    w = small_race
    w.compare.value = "momentum"
    assert [r.optimizer_name for r in w.model.result.runs][1:] == [
        "MovingAverageMomentum",
        "LrInsideMomentum",
    ]
    assert w.lr_box.children == (w.lr_sliders["Momentum"],)
    assert w.rescale_lr in w.hyper_box.children
    assert "coincide" in w.caption_box.value
    before = picture(w)
    w.rescale_lr.value = False
    assert not w.model.rescale_lr and picture(w) != before
    w.compare.value = "bias_correction"
    assert "AdamWithoutBiasCorrection" in w.settings_box.value
    w.compare.value = "weight_decay"
    assert w.weight_decay in w.hyper_box.children
    assert "AdamW" in w.caption_box.value
    assert w.optimizer_row.layout.display == "none"


def test_surface_dropdown_resets_lrs_and_start_to_the_surface_defaults(small_race):
    w = small_race
    w.surface.value = "noisy_bowl"
    bowl = SURFACES["noisy_bowl"]
    assert w.model.surface is bowl
    assert (w.start_x.value, w.start_y.value) == bowl.start
    assert w.lr_sliders["SGD"].value == pytest.approx(bowl.default_lrs["SGD"])
    assert w.seed in w.hyper_box.children
    before = picture(w)
    w.seed.value = 3
    assert w.model.seed == 3 and picture(w) != before


def test_optimizer_toggles_add_runs_and_keep_at_least_one(small_race):
    w = small_race
    w.optimizer_toggles["RMSprop"].value = True
    assert "RMSprop" in [r.runner.key for r in w.model.result.runs]
    assert w.lr_sliders["RMSprop"] in w.lr_box.children
    for name in ("SGD", "Momentum", "Adam", "AdamW"):
        w.optimizer_toggles[name].value = False
    w.optimizer_toggles["RMSprop"].value = False
    assert w.optimizer_toggles["RMSprop"].value  # switched back on
    assert w.model.optimizers == ("RMSprop",)
    assert "at least one optimizer" in w.messages.outputs[-1]["text"]


def test_log_scale_checkbox_redraws_the_loss_axis(small_race):
    w = small_race
    before, runs = picture(w), w.model.run_count
    w.log_scale.value = False
    assert picture(w) != before and w.model.run_count == runs


def test_static_copy_for_viewers_without_a_kernel(small_race):
    import base64

    bundle = small_race._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert is_png(base64.b64decode(bundle["image/png"]))
    assert bundle["text/plain"] == small_race.model.caption()


def test_race_widget_takes_your_own_function():
    pytest.importorskip("ipywidgets")
    from widgets.optimizer_race.view import race

    w = race(lambda x, y: x**2 + 5 * (y - 0.5) ** 2, lr=0.05, steps=10, xlim=(-2, 2))
    assert w.surface.value == "<lambda>" and is_png(w.image.value)
    assert "&lt;lambda&gt;" in w.caption_box.value
    mine = w.model.surface
    w.surface.value = "rosenbrock"
    w.surface.value = "<lambda>"  # back to your own function
    assert w.model.surface is mine
    assert w.messages.outputs == ()


def test_plot_limits_are_only_for_your_own_function():
    with pytest.raises(TypeError, match=r"\['xlim'\] only apply to your own function"):
        RaceModel("rosenbrock", xlim=(-3, 3))


def test_a_new_result_redraws_the_race_layer_but_keeps_the_surface_pixels(small_race):
    w = small_race
    picture_ = w.picture
    layers, races = picture_.surface_layers, picture_.full_draws
    before = picture(w)
    w.lr_sliders["SGD"].value = 0.05
    assert picture_.full_draws == races + 1 and picture_.surface_layers == layers
    assert picture(w) != before
    w.surface.value = "saddle"
    assert picture_.surface_layers == layers + 1


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    data = bytes(data)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_font_scale_makes_a_bigger_picture_and_bigger_panel_text():
    pytest.importorskip("ipywidgets")
    from widgets.optimizer_race.view import race

    normal = race("saddle", steps=5)
    big = race("saddle", steps=5, font_scale=1.6)
    assert png_size(big.png)[0] > png_size(normal.png)[0]
    assert "font-size:21px" in big.settings_box.value  # 13 px x 1.6


def test_the_three_momentum_conventions_show_the_same_velocity_arrow():
    model = RaceModel("quadratic", compare="momentum", steps=6, momentum=0.7)
    pytorch, average, lr_inside = model.result.runs
    for t in (1, 3, 6):
        np.testing.assert_allclose(average.velocity_at(t), pytorch.velocity_at(t), rtol=1e-4)
        np.testing.assert_allclose(lr_inside.velocity_at(t), pytorch.velocity_at(t), rtol=1e-4)


def test_loss_panel_limits_are_kept_while_the_curves_still_fill_them():
    pytest.importorskip("matplotlib")
    from widgets.optimizer_race.plot import _loss_limits

    first = _loss_limits(np.array([1e-6, 10.0]), True, None)
    assert first == (5e-7, 20.0)
    old = ((0, 100), first)
    assert _loss_limits(np.array([1e-5, 5.0]), True, old) == first  # fits: same ticks
    assert _loss_limits(np.array([1e-8, 5.0]), True, old) != first  # left the panel
    assert _loss_limits(np.array([1.0, 5.0]), True, old) != first  # a corner of it only
    linear = _loss_limits(np.array([0.0, 1.0]), False, None)
    assert _loss_limits(np.array([0.1, 0.9]), False, ((0, 10), linear)) == linear


# ----------------------------------------------------------------------------- best settings


def measured_rate(run, first, last):
    """How much the distance to the minimum shrank per step between two steps."""
    d = np.linalg.norm(run.positions[[first, last]], axis=1)
    return (d[1] / d[0]) ** (1 / (last - first))


def test_the_default_quadratic_race_runs_each_momentum_method_at_its_best_settings():
    model = RaceModel("quadratic", optimizers=("SGD", "Momentum"), steps=60)
    sgd, momentum = model.result.runs
    assert sgd.lr == pytest.approx(2 / 11)  # 2 / (L + mu)
    assert momentum.lr == pytest.approx(4 / (10**0.5 + 1) ** 2)
    assert momentum.hyperparameters["momentum"] == pytest.approx(
        ((10**0.5 - 1) / (10**0.5 + 1)) ** 2
    )
    # the truth the lesson teaches: at their best, momentum beats plain gradient descent
    assert momentum.losses[30] < 1e-6 * sgd.losses[30]
    # and each shrinks the error at the rate the eigenvalues predict
    assert measured_rate(sgd, 20, 60) == pytest.approx(9 / 11, rel=0.01)
    assert measured_rate(momentum, 10, 40) == pytest.approx((10**0.5 - 1) / (10**0.5 + 1), rel=0.05)


def test_polyaks_settings_have_the_smallest_rate_of_any_lr_and_momentum():
    from widgets.optimizer_race.tuning import best_heavy_ball, momentum_rate

    eigenvalues = (1.0, 10.0)
    lr, beta, rate = best_heavy_ball(eigenvalues)
    lrs, betas = np.meshgrid(np.linspace(0.01, 0.5, 300), np.linspace(0, 0.95, 300))
    assert momentum_rate(lrs, betas, eigenvalues).min() >= rate - 1e-9
    assert momentum_rate(lr, beta, eigenvalues) == pytest.approx(rate)
    assert momentum_rate(0.15, 0.0, eigenvalues) == pytest.approx(0.85)  # plain GD: |1 - lr L|


def test_best_settings_sweep_the_adaptive_optimizers_and_say_how():
    model = RaceModel("quadratic", optimizers=("SGD", "Momentum", "Adam"), steps=60, lr=0.001)
    before = model.result.runs[2].losses[-1]
    model.use_best_settings()
    sgd, momentum, adam = model.result.runs
    assert sgd.lr == pytest.approx(2 / 11)
    assert adam.losses[-1] < before
    from widgets.optimizer_race.tuning import SWEEP_LRS

    assert adam.lr in SWEEP_LRS
    notes = " ".join(model.best_notes())
    assert "2/(L + μ)" in notes and "Polyak" in notes and "Adam: no formula" in notes
    assert "best settings" in model.caption()
    model.set(lr={"SGD": 0.1})  # a changed setting is no longer "the best settings"
    assert model.best_notes() == [] and "best settings" not in model.caption()


def test_best_settings_off_the_quadratic_come_from_the_sweep():
    model = RaceModel("rosenbrock", optimizers=("SGD", "Adam"), steps=80)
    model.use_best_settings()
    notes = " ".join(model.best_notes())
    assert "SGD, Adam: no formula" in notes
    assert all(run.diverged_at is None for run in model.result.runs)


def test_best_settings_button_and_a_race_started_from_elsewhere(small_race):
    w = small_race
    w.lr_sliders["SGD"].value = 0.01
    w.best.click()
    assert w.model.lrs["SGD"] == pytest.approx(2 / 11)
    assert w.lr_sliders["SGD"].value == pytest.approx(2 / 11)
    assert w.momentum.value == pytest.approx(w.model.momentum)
    assert "Polyak" in w.settings_box.value and "best settings" in w.caption_box.value
    w.race_settings(0.1, 0.6)
    assert w.model.lrs["Momentum"] == 0.1 and w.model.momentum == 0.6
    assert w.momentum.value == 0.6 and w.lr_sliders["Momentum"].value == pytest.approx(0.1)
    assert "momentum=0.6" in w.caption_box.value
