"""Optimizer-race benchmarks (issue: widgets): how long a slider change takes, 200 steps x 4.

The goal (issue 13): moving a slider of the race widget recomputes and redraws in at most
100 ms for 200 steps of 4 optimizers (SGD, Momentum, Adam, RMSprop). Timed end to end
through the widget (the slider's value is set, as the frontend would), and in parts:

- the model alone, when every run must be redone (a new start point) and when only one
  optimizer's lr changed (the others come from the cache);
- the floor under it: the 800 optimizer.step() calls alone, and the 200 shared
  forward/backward passes alone;
- the picture alone (a full redraw), and one frame when scrubbing with the step slider.

    python -m benchmarks race            (or: python -m benchmarks.race_bench)
"""

import itertools

import minitensor as mt
from minitensor import optim
from widgets.optimizer_race.model import RaceModel
from widgets.optimizer_race.plot import RacePicture
from widgets.optimizer_race.surfaces import SURFACES

from .harness import Table

OPTIMIZERS = ("SGD", "Momentum", "Adam", "RMSprop")
STEPS = 200


def _fresh_starts(surface):
    """Start points that differ every call, so no run is found in the cache."""
    x0, y0 = surface.start
    return ((x0 + 1e-3 * k, y0) for k in itertools.count(1))


def _optimizer_floor(model):
    """Only the optimizer.step() calls the race makes (gradients already there)."""
    params = [mt.tensor(list(model.start), requires_grad=True) for _ in OPTIMIZERS]
    opts = [
        optim.SGD([params[0]], lr=1e-3),
        optim.SGD([params[1]], lr=1e-3, momentum=0.9),
        optim.Adam([params[2]], lr=1e-3),
        optim.RMSprop([params[3]], lr=1e-3),
    ]
    for p in params:
        p.grad = mt.tensor([0.1, -0.2])

    def run():
        for _ in range(STEPS):
            for opt in opts:
                opt.step()

    return run


def _forward_backward_floor(surface):
    """Only the shared forward and backward passes (one graph for all four)."""
    params = [mt.tensor(list(surface.start), requires_grad=True) for _ in OPTIMIZERS]

    def run():
        for _ in range(STEPS):
            stacked = mt.stack(params, dim=1)
            surface.loss(stacked[0], stacked[1]).sum().backward()

    return run


def _model_rows(table, surface, repeats):
    model = RaceModel(surface, optimizers=OPTIMIZERS, steps=STEPS)
    starts = _fresh_starts(surface)

    def recompute_all():
        model.set(start=next(starts))
        _ = model.result  # the property runs the race

    counter = itertools.count(1)

    def recompute_one():
        model.set(lr={"Adam": 0.05 * (1 + 1e-3 * next(counter))})
        _ = model.result

    name = surface.name
    table.add_minitensor(
        f"{name}: model, all 4 runs redone (new start)",
        recompute_all,
        repeats,
        "ms",
    )
    table.add_minitensor(f"{name}: model, 1 run redone (Adam's lr)", recompute_one, repeats, "ms")
    table.add_minitensor(
        f"{name}: floor, 800 optimizer.step() calls",
        _optimizer_floor(model),
        repeats,
        "ms",
    )
    table.add_minitensor(
        f"{name}: floor, 200 shared forward+backward",
        _forward_backward_floor(surface),
        repeats,
        "ms",
    )
    return model


def _picture_rows(table, model, repeats):
    picture = RacePicture()
    picture.draw(model, STEPS, True)
    results = itertools.count()

    def full_redraw():
        picture._drawn_key = None  # as after a recompute: the still layer is drawn again
        picture.draw(model, STEPS, True)

    def frame():
        picture.draw(model, next(results) % STEPS, True)

    name = model.surface.name
    table.add_minitensor(f"{name}: picture, full redraw + PNG", full_redraw, repeats, "ms")
    table.add_minitensor(
        f"{name}: picture, one frame when scrubbing + PNG",
        frame,
        repeats,
        "ms",
        goal="< 100 ms",
    )


def _widget_rows(table, surface, repeats):
    from widgets.optimizer_race.view import OptimizerRace

    widget = OptimizerRace(RaceModel(surface, optimizers=OPTIMIZERS, steps=STEPS))
    # fresh values every time: a value seen before would come from the cache of runs
    counter = itertools.count(1)

    def move_start():
        widget.start_x.value = surface.start[0] + 1e-3 * next(counter)

    def move_lr():
        widget.lr_sliders["Adam"].value = 0.05 * (1 + 1e-3 * next(counter))

    name = surface.name
    table.add_minitensor(
        f"{name}: widget, start slider moved (all 4 redone, redrawn)",
        move_start,
        repeats,
        "ms",
        goal="<= 100 ms",
    )
    table.add_minitensor(
        f"{name}: widget, Adam's lr slider moved (1 redone, redrawn)",
        move_lr,
        repeats,
        "ms",
        goal="<= 100 ms",
    )


def run(quick=False):
    repeats = 2 if quick else 5
    table = Table(f"Optimizer race: {STEPS} steps x {len(OPTIMIZERS)} optimizers")
    for name in ("quadratic",) if quick else ("quadratic", "rosenbrock"):
        surface = SURFACES[name]
        model = _model_rows(table, surface, repeats)
        _picture_rows(table, model, repeats)
        _widget_rows(table, surface, repeats)
    return table


if __name__ == "__main__":
    print(run().markdown())
