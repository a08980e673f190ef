"""Learning-rate schedulers: the lr sequences equal torch's number for number, state_dict
round trips, ReduceLROnPlateau on a scripted metric, and the errors and warnings."""

import math
import warnings

import pytest

import minitensor as mt
from minitensor.optim import lr_scheduler

EPOCHS = 30


class HalfEvery:
    """A callable object (not a function): LambdaLR saves its attributes in state_dict."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


def warmup(epoch):
    return min(1.0, (epoch + 1) / 5)


SCHEDULERS = [
    ("StepLR", {"step_size": 7}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [4, 9, 9, 20]}),
    ("MultiStepLR", {"milestones": [25, 2], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("CosineAnnealingLR", {"T_max": 30, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": warmup}),
    ("LambdaLR", {"lr_lambda": [warmup, HalfEvery(4)]}),
]


def scheduler_id(entry):
    name, options = entry
    return name + "".join(f"-{k}={getattr(v, '__name__', v)}" for k, v in options.items())


def make_optimizer(library):
    """SGD over two groups with different lrs, from minitensor or torch."""
    w = library.zeros(2, requires_grad=True)
    b = library.zeros(1, requires_grad=True)
    return library.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)


def run(library, name, options, epochs=EPOCHS):
    """The lrs in force at each epoch (the scheduler's, and the optimizer's groups')."""
    opt = make_optimizer(library)
    scheduler = getattr(library.optim.lr_scheduler, name)(opt, **options)
    lrs = []
    for _ in range(epochs):
        lrs.append([group["lr"] for group in opt.param_groups])
        assert scheduler.get_last_lr() == lrs[-1]
        opt.step()
        scheduler.step()
    return lrs


@pytest.mark.parametrize("entry", SCHEDULERS, ids=scheduler_id)
def test_lr_sequence_equals_torchs_exactly(entry):
    torch = pytest.importorskip("torch")
    name, options = entry
    assert run(mt, name, options) == run(torch, name, options)


def multistep_closed_form(base, t):
    return base * 0.1 ** sum(m <= t for m in [4, 9, 9])


def cosine_closed_form(base, t):
    return base * (1 + math.cos(math.pi * t / 10)) / 2


CLOSED_FORMS = [
    ("StepLR", {"step_size": 7}, lambda base, t: base * 0.1 ** (t // 7)),
    ("MultiStepLR", {"milestones": [4, 9, 9]}, multistep_closed_form),
    ("ExponentialLR", {"gamma": 0.9}, lambda base, t: base * 0.9**t),
    ("CosineAnnealingLR", {"T_max": 10}, cosine_closed_form),
    ("LambdaLR", {"lr_lambda": warmup}, lambda base, t: base * warmup(t)),
]


@pytest.mark.parametrize(
    "name, options, closed_form", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS]
)
def test_lr_sequence_follows_the_closed_form_in_the_docstring(name, options, closed_form):
    lrs = run(mt, name, options)
    for t, (lr_w, lr_b) in enumerate(lrs):
        assert lr_w == pytest.approx(closed_form(0.1, t), rel=1e-12, abs=1e-15)
        assert lr_b == pytest.approx(closed_form(0.5, t), rel=1e-12, abs=1e-15)


def test_construction_stores_initial_lr_and_performs_the_first_step():
    opt = make_optimizer(mt)
    scheduler = lr_scheduler.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert scheduler.base_lrs == [0.1, 0.5]
    assert scheduler.last_epoch == 0
    assert scheduler.get_last_lr() == [0.1, 0.5]


def test_the_optimizer_reads_the_lr_the_scheduler_wrote():
    w = mt.tensor([1.0], dtype=mt.float64, requires_grad=True)
    opt = mt.optim.SGD([w], lr=1.0)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        w.grad = mt.tensor([1.0], dtype=mt.float64)
        opt.step()
        scheduler.step()
    assert w.item() == 1.0 - (1.0 + 0.5 + 0.25)


@pytest.mark.parametrize("entry", SCHEDULERS, ids=scheduler_id)
def test_state_dict_round_trip_continues_the_same_sequence(entry):
    name, options = entry
    expected = run(mt, name, options, epochs=20)

    opt = make_optimizer(mt)
    scheduler = getattr(lr_scheduler, name)(opt, **options)
    for _ in range(10):
        opt.step()
        scheduler.step()
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 10

    fresh_opt = make_optimizer(mt)
    fresh = getattr(lr_scheduler, name)(fresh_opt, **options)
    fresh_opt.load_state_dict(saved_opt)
    fresh.load_state_dict(saved)
    lrs = []
    for _ in range(10):
        lrs.append([group["lr"] for group in fresh_opt.param_groups])
        fresh_opt.step()
        fresh.step()
    assert lrs == expected[10:]


def test_lambdalr_state_dict_keeps_callable_objects_state_but_not_functions():
    opt = make_optimizer(mt)
    scheduler = lr_scheduler.LambdaLR(opt, [warmup, HalfEvery(4)])
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [None, {"every": 4}]
    other = lr_scheduler.LambdaLR(make_optimizer(mt), [warmup, HalfEvery(9)])
    other.load_state_dict(saved)
    assert other.lr_lambdas[1].every == 4
    assert saved["lr_lambdas"] == [None, {"every": 4}]  # loading did not consume the dict


@pytest.mark.parametrize("entry", SCHEDULERS[:3], ids=scheduler_id)
def test_state_dict_keys_match_torchs(entry):
    torch = pytest.importorskip("torch")
    name, options = entry
    ours = getattr(lr_scheduler, name)(make_optimizer(mt), **options).state_dict()
    theirs = getattr(torch.optim.lr_scheduler, name)(make_optimizer(torch), **options)
    assert set(ours) == set(theirs.state_dict()) - {"_get_lr_called_within_step"}


def test_resuming_with_last_epoch_needs_initial_lr():
    opt = make_optimizer(mt)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=3, last_epoch=4)


def test_resuming_cosine_with_last_epoch_uses_the_closed_form_like_torch():
    torch = pytest.importorskip("torch")
    sequences = []
    for library in (mt, torch):
        opt = make_optimizer(library)
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"]
        scheduler = library.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=3)
        lrs = []
        for _ in range(5):
            opt.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        sequences.append(lrs)
    assert sequences[0] == sequences[1]


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.ReduceLROnPlateau("adam")


def test_lambdalr_needs_one_function_per_group():
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 3"):
        lr_scheduler.LambdaLR(make_optimizer(mt), [warmup] * 3)


def test_scheduler_step_before_optimizer_step_warns():
    opt = make_optimizer(mt)
    scheduler = lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()


def test_scheduler_step_after_optimizer_step_does_not_warn():
    opt = make_optimizer(mt)
    scheduler = lr_scheduler.StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        scheduler.step()
        lr_scheduler.ExponentialLR(opt, gamma=0.5)  # a second scheduler on the same optimizer
        opt.step()


# ----------------------------------------------------------------------------- ReduceLROnPlateau

METRICS = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.899, 0.8999, 0.85, 0.86, 0.87, 0.88, 0.89,
           0.9, 0.84, 0.84, 0.84, 0.84, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78,
           0.79]  # fmt: skip

PLATEAU_CONFIGS = [
    {},
    {"patience": 2},
    {"patience": 0, "factor": 0.5},
    {"patience": 1, "cooldown": 2, "factor": 0.5},
    {"patience": 1, "threshold": 0.05},
    {"patience": 1, "threshold": 0.02, "threshold_mode": "abs"},
    {"patience": 1, "min_lr": 0.02, "factor": 0.3},
    {"patience": 0, "min_lr": [0.05, 0.2], "factor": 0.5},
    {"patience": 0, "factor": 0.999, "eps": 1e-3},
    {"patience": 0, "threshold": 0, "factor": 0.5},  # a repeated metric is no improvement
    {"patience": 1, "threshold": 0, "threshold_mode": "abs"},
    {"mode": "max", "patience": 1},
    {"mode": "max", "patience": 0, "threshold_mode": "abs", "threshold": 0.01, "cooldown": 1},
]


def plateau_run(library, options, metrics):
    opt = make_optimizer(library)
    scheduler = library.optim.lr_scheduler.ReduceLROnPlateau(opt, **options)
    history = []
    for metric in metrics:
        opt.step()
        scheduler.step(metric)
        history.append(
            (scheduler.get_last_lr(), scheduler.best, scheduler.num_bad_epochs,
             scheduler.cooldown_counter)
        )  # fmt: skip
    return history


@pytest.mark.parametrize("options", PLATEAU_CONFIGS, ids=str)
def test_reduce_on_plateau_matches_torch_on_a_scripted_metric(options):
    torch = pytest.importorskip("torch")
    assert plateau_run(mt, options, METRICS) == plateau_run(torch, options, METRICS)


def test_reduce_on_plateau_waits_patience_epochs_then_multiplies_by_factor():
    history = plateau_run(mt, {"patience": 2, "factor": 0.5}, [1.0, 1.0, 1.0, 1.0, 0.5])
    lrs = [lr for lr, *_ in history]
    assert lrs == [[0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.05, 0.25], [0.05, 0.25]]


def test_reduce_on_plateau_accepts_a_zero_dim_tensor_metric():
    opt = make_optimizer(mt)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    scheduler.step(mt.tensor(2.0))
    scheduler.step(mt.tensor(3.0))
    assert scheduler.best == 2.0
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.05])


def test_reduce_on_plateau_state_dict_round_trip():
    expected = plateau_run(mt, {"patience": 1, "cooldown": 1}, METRICS)
    opt = make_optimizer(mt)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for metric in METRICS[:10]:
        scheduler.step(metric)
    saved, saved_opt = scheduler.state_dict(), opt.state_dict()
    fresh_opt = make_optimizer(mt)
    fresh_opt.load_state_dict(saved_opt)
    fresh = lr_scheduler.ReduceLROnPlateau(fresh_opt, patience=50, mode="max")
    fresh.load_state_dict(saved)
    rest = []
    for metric in METRICS[10:]:
        fresh.step(metric)
        rest.append((fresh.get_last_lr(), fresh.best, fresh.num_bad_epochs, fresh.cooldown_counter))
    assert rest == expected[10:]


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"factor": 1.0}, ValueError, "Factor should be < 1.0."),
        ({"mode": "lowest"}, ValueError, "mode lowest is unknown!"),
        ({"threshold_mode": "relative"}, ValueError, "threshold mode relative is unknown!"),
        ({"min_lr": [0.1]}, ValueError, "expected 2 min_lrs, got 1"),
    ],
)
def test_reduce_on_plateau_bad_options_raise_like_torch(options, error, message):
    with pytest.raises(error, match=message):
        lr_scheduler.ReduceLROnPlateau(make_optimizer(mt), **options)
    torch = pytest.importorskip("torch")
    with pytest.raises(error, match=message):
        torch.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(torch), **options)


def test_reduce_on_plateau_with_per_group_min_lr_refuses_a_new_group():
    opt = make_optimizer(mt)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
    opt.add_param_group({"params": [mt.zeros(3, requires_grad=True)]})
    scheduler.step(1.0)
    with pytest.raises(RuntimeError, match="number of param groups"):
        scheduler.step(2.0)
