"""The momentum map: its rates come from running the real optim.SGD and agree with the
eigenvalues' prediction; a click on a cell races that cell's settings. Headless."""

import numpy as np
import pytest

import minitensor as mt
from minitensor import optim
from widgets.momentum_rates.model import MomentumMapModel


@pytest.fixture(scope="module")
def model():
    return MomentumMapModel("quadratic", steps=100)


def run_one_cell(lr, beta, steps=100):
    """One (lr, β) cell the plain way: its own SGD, the real lr."""
    p = mt.tensor([-4.5, 1.5], requires_grad=True)
    optimizer = optim.SGD([p], lr=lr, momentum=beta)
    distances = [float(np.hypot(*p.tolist()))]
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * (p[0] ** 2 + 10 * p[1] ** 2)).backward()
        optimizer.step()
        distances.append(float(np.hypot(*p.tolist())))
    return np.array(distances)


def test_each_cell_walks_the_path_of_its_own_sgd_with_the_real_lr():
    # the map's one optimizer with loss-scaled rows equals a separate SGD(lr, momentum)
    small = MomentumMapModel(lrs=[0.05, 0.23], betas=[0.0, 0.27, 0.9], steps=40)
    for j, beta in enumerate(small.betas):
        for i, lr in enumerate(small.lrs):
            d = run_one_cell(lr, beta, steps=40)
            quarter = 10
            expected = (d[30:].max() / d[10:21].max()) ** (1 / (40 - 2 * quarter))
            assert small.rate_at(i, j) == pytest.approx(expected, rel=1e-3)


def test_measured_rates_agree_with_the_eigenvalues(model):
    theory = model.theory_rates()
    stable = theory < 0.98
    assert np.abs(model.rates - theory)[stable].max() < 0.03
    assert ((model.rates >= 1) == (theory >= 1)).mean() > 0.97


def test_the_boundary_separates_diverging_cells(model):
    lrs, betas = np.meshgrid(model.lrs, model.betas)
    beyond = lrs > model.boundary(betas) * 1.05
    within = lrs < model.boundary(betas) * 0.95
    assert (model.rates[beyond] >= 1).all()
    assert (model.rates[within] < 1).all()


def test_momentum_at_its_best_beats_plain_sgd_at_its_best(model):
    lr, beta, rate = model.optimum()
    assert (lr, beta) == pytest.approx(
        (4 / (10**0.5 + 1) ** 2, ((10**0.5 - 1) / (10**0.5 + 1)) ** 2)
    )
    best_lr, best_beta, best_rate = model.best_cell()
    plain_lr, plain_rate = model.best_plain_cell()
    assert best_rate < 0.6 < 0.8 < plain_rate
    assert abs(best_lr - lr) < 0.03 and abs(best_beta - beta) < 0.08
    # too much momentum: at β = 0.95 no lr beats sqrt(β) (within the measurement)
    top = model.rates[-1]
    assert top.min() > 0.95


def test_the_caption_follows_the_grid(model):
    text = model.caption()
    assert "2(1 + β)/λ_max" in text and "Polyak" in text
    assert f"{len(model.lrs)} x {len(model.betas)} real runs of 100 steps" in text
    assert "69 steps, momentum at its best 22" in text


def test_bad_settings_say_what_is_wrong():
    with pytest.raises(ValueError, match="quadratic"):
        MomentumMapModel("rosenbrock")
    with pytest.raises(ValueError, match="β"):
        MomentumMapModel(betas=[0.5, 1.0])


# ----------------------------------------------------------------------------- the widget


@pytest.fixture
def widget():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from widgets import momentum_map

    return momentum_map(steps=60, race_steps=30)


def test_a_click_on_a_cell_races_its_settings(widget):
    w = widget
    before = w.png
    i, j = 3, 11
    w.cells[i, j].click()
    race = w.race.model
    assert race.lrs["Momentum"] == pytest.approx(w.model.lrs[i])
    assert race.momentum == pytest.approx(w.model.betas[j])
    assert "Momentum" in race.optimizers and "SGD" in race.optimizers
    assert w.race.momentum.value == pytest.approx(w.model.betas[j])
    assert w.png != before and w.image.value == w.png  # the selection is drawn
    assert "Selected: lr" in w.caption_box.value
    assert f"momentum={w.model.betas[j]:.3g}" in w.race.caption_box.value


def test_a_click_beyond_the_boundary_races_a_diverging_momentum(widget):
    w = widget
    i = len(w.model.lrs) - 1
    w.cells[i, 0].click()
    momentum_run = w.race.model.result.runs[1]
    assert momentum_run.diverged_at is not None


def test_one_button_per_cell_laid_over_the_plotting_area(widget):
    from widgets.momentum_rates.view import BOX, HEIGHT, WIDTH

    w = widget
    m = w.model
    assert len(w.cells) == len(m.lrs) * len(m.betas)
    overlay = w.children[0]
    image, grid = overlay.children
    assert image.layout.grid_area == grid.layout.grid_area == "map"
    assert image.layout.width == f"{WIDTH}px" and image.layout.height == f"{HEIGHT}px"
    assert (
        grid.layout.margin == f"{BOX['top']}px {BOX['right']}px {BOX['bottom']}px {BOX['left']}px"
    )
    # the first button is the top-left cell: the smallest lr, the largest β
    assert grid.children[0] is w.cells[0, len(m.betas) - 1]
    assert "β 0.95" in grid.children[0].tooltip
    # one shared layout and style, not one per button
    assert len({id(b.layout) for b in grid.children}) == 1
    assert len({id(b.style) for b in grid.children}) == 1


def test_the_plotting_area_is_where_the_buttons_are():
    from widgets.momentum_rates import view

    model = MomentumMapModel(steps=40)
    left, bottom, width, height = view._fractions(view.BOX)
    assert left * view.WIDTH == view.BOX["left"]
    assert (1 - bottom - height) * view.HEIGHT == pytest.approx(view.BOX["top"])
    assert view.draw_map(model).startswith(b"\x89PNG")


def test_static_copy_for_viewers_without_a_kernel(widget):
    bundle = widget._repr_mimebundle_()
    assert "image/png" in bundle and "Polyak" in bundle["text/plain"]
