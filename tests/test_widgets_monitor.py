"""The training monitor: its model (no display library), its widget headless, and in a kernel."""

import base64
import math

import numpy as np
import pytest

import minitensor as mt
from widgets.monitor.model import MonitorModel, as_number

# ----------------------------------------------------------------------------- the model


def test_update_takes_numbers_and_one_element_tensors_and_keeps_only_floats():
    model = MonitorModel()
    w = mt.tensor([2.0], requires_grad=True)
    loss = (w * w).sum()  # a 0-d tensor with a graph behind it
    model.update(loss)
    model.update(3)
    model.update(np.float32(0.5))
    model.update(mt.tensor([[0.25]]))
    assert model.losses == [4.0, 3.0, 0.5, 0.25]
    assert all(type(x) is float for x in model.losses)  # no tensor (and no graph) kept


def test_update_refuses_a_tensor_with_many_numbers_and_says_how_to_reduce_it():
    with pytest.raises(ValueError, match=r"shape \[3\].*loss.mean\(\)"):
        MonitorModel().update(mt.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="must be a number"):
        MonitorModel().update("0.5")
    with pytest.raises(TypeError, match="metric must be a number"):
        as_number(None, "metric")
    with pytest.raises(ValueError, match="total must be a positive whole number"):
        MonitorModel(total=0)
    with pytest.raises(ValueError, match="every must be a positive whole number"):
        MonitorModel(every=2.5)


def test_redraw_is_due_every_n_updates_and_at_the_last_one():
    model = MonitorModel(total=10, every=4)
    due = [model.update(1.0 / (i + 1)) for i in range(10)]
    assert [i + 1 for i, d in enumerate(due) if d] == [4, 8, 10]
    assert model.progress == 1.0


def test_default_schedule_redraws_about_25_times_whatever_the_length():
    for total in (10, 200, 1000):
        model = MonitorModel(total=total)
        redraws = sum(model.update(1.0) for _ in range(total))
        assert redraws == min(total, 25) or abs(redraws - 25) <= 1
    assert MonitorModel().every == 10  # no total: every 10 updates


def test_finish_draws_the_tail_once_and_then_refuses_more_updates():
    model = MonitorModel(every=4)
    for _ in range(6):
        model.update(1.0)
    assert model.finish() is True  # steps 5 and 6 were not drawn yet
    assert "finished" in model.summary()
    with pytest.raises(RuntimeError, match="make a new TrainingMonitor"):
        model.update(1.0)
    exact = MonitorModel(every=3)
    for _ in range(6):
        exact.update(1.0)
    assert exact.finish() is False


def test_summary_reports_best_metric_and_a_diverged_loss():
    model = MonitorModel(total=5, metric_name="accuracy")
    for loss, acc in ((1.0, 0.5), (0.5, 0.7), (0.8, 0.75)):
        model.update(loss, metric=acc)
    assert model.summary() == "step 3/5 · loss 0.8 · best 0.5 (step 2) · accuracy 0.75"
    model.update(float("nan"))
    assert "loss became nan at step 4: training diverged" in model.summary()
    assert model.first_bad_step() == 4


def test_validation_results_are_kept_at_the_current_step_and_summarised():
    model = MonitorModel(total=6, every=3, metric_name="accuracy")
    for epoch in range(2):
        for _ in range(3):
            model.update(1.0, metric=0.5)
        assert model.validate(mt.tensor(0.75 - epoch / 4), metric=0.6 + epoch / 10) is True
    assert model.validation == [(3, 0.75, 0.6), (6, 0.5, 0.7)]
    assert model.summary().endswith("validation loss 0.5 · validation accuracy 0.7")
    model.finish()
    with pytest.raises(RuntimeError, match="make a new TrainingMonitor"):
        model.validate(0.5)


def test_a_validation_metric_alone_names_the_metric_and_counts_as_one():
    model = MonitorModel(total=2)
    model.update(1.0)
    assert not model.has_metric()
    model.validate(0.5, metric=0.9)
    assert model.has_metric() and "validation metric 0.9" in model.summary()
    model.validate(0.4)  # a loss alone: nan, not a number, for the metric
    assert math.isnan(model.validation[-1][2])


# ----------------------------------------------------------------------------- the widget


@pytest.fixture
def monitor_class():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from widgets.monitor.view import TrainingMonitor

    return TrainingMonitor


def picture(monitor):
    return bytes(monitor.image.value)


def test_monitor_builds_headless_and_stays_silent_outside_a_kernel(monitor_class, capsys):
    monitor = monitor_class(total=30, every=5, min_interval=0)
    assert "mt-monitor" in monitor._dom_classes
    assert monitor._handle is None  # no kernel: nothing displayed
    for i in range(30):
        monitor.update(mt.tensor(math.exp(-i / 5)))
    monitor.finish()
    assert capsys.readouterr() == ("", "")
    assert picture(monitor).startswith(b"\x89PNG")


def test_monitor_redraws_the_curve_and_moves_the_bar_every_n_steps(monitor_class):
    monitor = monitor_class(total=20, every=5, min_interval=0)
    pictures = [picture(monitor)]
    for i in range(20):
        monitor.update(1.0 / (i + 1))
        if (i + 1) % 5 == 0:
            assert monitor.progress.value == i + 1
            assert f"step {i + 1}/20" in monitor.label.value
            pictures.append(picture(monitor))
        else:
            assert picture(monitor) == pictures[-1]  # nothing redrawn between
    assert len(set(pictures)) == 5
    assert monitor.draws == 5


def test_min_interval_limits_pictures_but_not_the_progress_bar(monitor_class):
    monitor = monitor_class(total=40, every=2, min_interval=3600)
    first = picture(monitor)
    for _ in range(40):
        monitor.update(0.5)
    assert monitor.progress.value == 40 and "step 40/40" in monitor.label.value
    assert picture(monitor) == first and monitor.draws == 1
    monitor.finish()  # the final picture is always drawn
    assert picture(monitor) != first and monitor.draws == 2


def test_finish_marks_the_bar_and_nan_is_shown_not_raised(monitor_class):
    good = monitor_class(total=3, min_interval=0)
    for loss in (1.0, 0.5, 0.25):
        good.update(loss)
    good.finish()
    assert good.progress.bar_style == "success"
    bad = monitor_class(total=3, min_interval=0, metric="accuracy")
    for loss in (1.0, float("inf"), float("nan")):
        bad.update(loss, metric=0.5)
    bad.finish()
    assert bad.progress.bar_style == "danger"
    assert "loss became inf at step 2" in bad.label.value


def test_negative_losses_fall_back_to_a_linear_axis(monitor_class):
    monitor = monitor_class(total=4, every=1, min_interval=0)
    for loss in (1.0, 0.0, -1.0, -2.0):
        monitor.update(loss)
    assert monitor._axes.get_yscale() == "linear"
    assert "some losses are ≤ 0" in monitor._axes.get_title()


def test_validation_points_are_drawn_over_the_training_curves(monitor_class):
    monitor = monitor_class(total=20, every=10, metric="accuracy", min_interval=0)
    for step in range(20):
        monitor.update(1.0 / (step + 1), metric=step / 20)
        if step % 5 == 4:
            monitor.validate(0.5 + step / 100, metric=0.5)
    before = picture(monitor)
    monitor.validate(5.0, metric=0.9)  # validating redraws at once
    assert picture(monitor) != before
    steps, losses = monitor._validation_line.get_data()
    assert list(steps) == [5, 10, 15, 20, 20] and losses[-1] == 5.0
    assert monitor._axes.get_ylim()[1] >= 5.0  # the axis grew to show the validation loss
    assert list(monitor._validation_metric_line.get_data()[1]) == [0.5] * 4 + [0.9]
    assert "validation accuracy 0.9" in monitor.label.value


def test_static_copy_carries_the_final_curve(monitor_class):
    monitor = monitor_class(total=5, min_interval=0)
    for i in range(5):
        monitor.update(1.0 / (i + 1))
    monitor.finish()
    bundle = monitor._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == monitor.png == picture(monitor)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "step 5/5" in bundle["text/plain"]


@pytest.mark.slow
def test_in_a_kernel_the_monitor_shows_once_and_finish_leaves_a_static_png():
    """Run a real kernel (as nbval does): one output, no printed text, the final PNG in it."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    code = (
        "from widgets.monitor.view import TrainingMonitor\n"
        "monitor = TrainingMonitor(total=50, every=5, min_interval=0)\n"
        "for i in range(50):\n"
        "    monitor.update(1.0 / (i + 1))\n"
        "monitor.finish()\n"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3")
    client.execute(cwd=".")
    outputs = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data"]
    data = outputs[0].data
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "step 50/50" in data["text/plain"] and "finished" in data["text/plain"]
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_font_scale_enlarges_the_monitor_text(monitor_class):
    small = monitor_class(total=2, min_interval=0)
    big = monitor_class(total=2, min_interval=0, font_scale=1.6)
    for monitor in (small, big):
        monitor.update(1.0)
        monitor.update(0.5)
    assert "font-size:22px" in big.label.value and "font-size:14px" in small.label.value
    assert big._axes.title.get_fontsize() > small._axes.title.get_fontsize()
