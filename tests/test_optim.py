"""The Optimizer data model: param_groups, state, zero_grad, step(closure), state_dict, repr,
and every ValueError, compared with torch.optim where PyTorch is installed.

The update formulas themselves are checked in test_optim_trajectories.py.
"""

import copy
import re
import warnings

import numpy as np
import pytest

import minitensor as mt

# Keys PyTorch's groups carry for its faster implementations; minitensor has one plain one.
TORCH_ONLY_KEYS = {"foreach", "fused", "differentiable", "capturable"}

OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
]


def optimizer_id(entry):
    name, options = entry
    return name + "".join(f"-{k}={v}" for k, v in options.items() if k != "lr")


def make_params(dtype=mt.float32):
    return [
        mt.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=dtype, requires_grad=True),
        mt.tensor([1.5, -0.5], dtype=dtype, requires_grad=True),
    ]


def loss_of(params):
    w, b = params
    return ((w @ b - mt.tensor([1.0, -2.0], dtype=w.dtype, device=w.device)) ** 2).sum() + (
        b**4
    ).sum()


def train(opt, params, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()


def strip_torch_only_lines(text):
    keys = "|".join(sorted(TORCH_ONLY_KEYS))
    return re.sub(rf"\n    ({keys}): [^\n]*", "", text)


# ----------------------------------------------------------------------------- param groups


def test_a_generator_of_parameters_becomes_one_group_with_the_defaults():
    params = make_params()
    opt = mt.optim.SGD((p for p in params), lr=0.1, momentum=0.9)
    assert len(opt.param_groups) == 1
    group = opt.param_groups[0]
    assert group["params"] == params or all(a is b for a, b in zip(group["params"], params))
    assert {k: v for k, v in group.items() if k != "params"} == opt.defaults
    assert opt.defaults == {
        "lr": 0.1,
        "momentum": 0.9,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
    }


def test_group_options_override_defaults_and_the_rest_are_filled_in():
    w, b = make_params()
    opt = mt.optim.Adam([{"params": [w]}, {"params": b, "lr": 0.5, "betas": [0.5, 0.6]}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1
    assert opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["betas"] == [0.5, 0.6]
    assert opt.param_groups[1]["eps"] == 1e-8
    assert opt.param_groups[1]["params"][0] is b  # a single tensor becomes a list


def test_each_group_steps_with_its_own_lr():
    w = mt.tensor([1.0], requires_grad=True)
    b = mt.tensor([1.0], requires_grad=True)
    opt = mt.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    w.grad = mt.tensor([1.0])
    b.grad = mt.tensor([1.0])
    opt.step()
    assert w.item() == pytest.approx(0.9)
    assert b.item() == pytest.approx(0.5)


def test_add_param_group_trains_the_new_parameters_with_the_defaults_filled_in():
    w, b = make_params()
    opt = mt.optim.SGD([w], lr=0.1, momentum=0.5)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.5
    before = b.detach().clone()
    b.grad = mt.ones_like(b)
    opt.step()
    np.testing.assert_allclose(b.detach().numpy(), (before - 0.01).numpy(), rtol=1e-6)


def test_adagrad_state_exists_for_parameters_added_after_construction():
    w, b = make_params()
    opt = mt.optim.Adagrad([w], lr=0.1)
    assert set(opt.state[w]) == {"step", "sum"}  # as PyTorch: made in the constructor
    opt.add_param_group({"params": [b], "initial_accumulator_value": 0.5})
    b.grad = mt.ones_like(b)
    opt.step()
    np.testing.assert_allclose(opt.state[b]["sum"].numpy(), [1.5, 1.5])


def test_a_parameter_in_two_groups_raises():
    w, b = make_params()
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        mt.optim.SGD([{"params": [w, b]}, {"params": [b]}], lr=0.1)
    opt = mt.optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})


def test_a_parameter_twice_in_one_group_warns():
    w, _ = make_params()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        mt.optim.SGD([w, w], lr=0.1)


def test_bad_params_arguments_raise_with_pytorchs_phrases():
    w, b = make_params()
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        mt.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        mt.optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        mt.optim.SGD([{"params": {w, b}}], lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, .* is ndarray"):
        mt.optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        mt.optim.SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        mt.optim.SGD([w], lr=0.1).add_param_group([b])


# ----------------------------------------------------------------------------- hyperparameters

BAD_HYPERPARAMETERS = [
    ("SGD", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"lr": 0.1, "weight_decay": -1}, "Invalid weight_decay value: -1"),
    ("SGD", {"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero"),
    (
        "SGD",
        {"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1},
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    ("Adam", {"lr": -1e-3}, "Invalid learning rate: -0.001"),
    ("Adam", {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("Adam", {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ("Adam", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("AdamW", {"betas": (-0.1, 0.9)}, "Invalid beta parameter at index 0: -0.1"),
    ("AdamW", {"lr": -2}, "Invalid learning rate: -2"),
    ("RMSprop", {"lr": -0.01}, "Invalid learning rate: -0.01"),
    ("RMSprop", {"eps": -1}, "Invalid epsilon value: -1"),
    ("RMSprop", {"momentum": -0.9}, "Invalid momentum value: -0.9"),
    ("RMSprop", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("RMSprop", {"alpha": -0.99}, "Invalid alpha value: -0.99"),
    ("Adagrad", {"lr": -0.01}, "Invalid learning rate: -0.01"),
    ("Adagrad", {"lr_decay": -1}, "Invalid lr_decay value: -1"),
    ("Adagrad", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    (
        "Adagrad",
        {"initial_accumulator_value": -0.1},
        "Invalid initial_accumulator_value value: -0.1",
    ),
    ("Adagrad", {"eps": -1e-10}, "Invalid epsilon value: -1e-10"),
]


@pytest.mark.parametrize("name, options, message", BAD_HYPERPARAMETERS)
def test_invalid_hyperparameter_raises_value_error_naming_it(name, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(mt.optim, name)(make_params(), **options)


@pytest.mark.parametrize("name, options, message", BAD_HYPERPARAMETERS)
def test_invalid_hyperparameter_message_starts_like_pytorchs(name, options, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **options)
    assert str(theirs.value).startswith(message)


# ----------------------------------------------------------------------------- zero_grad, step


def test_zero_grad_sets_grads_to_none_by_default():
    params = make_params()
    opt = mt.optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_without_set_to_none_keeps_the_same_tensor_filled_with_zeros():
    params = make_params()
    opt = mt.optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    grads = [p.grad for p in params]
    opt.zero_grad(set_to_none=False)
    for p, g in zip(params, grads):
        assert p.grad is g
        assert not p.grad.numpy().any()


def test_parameters_without_grad_are_skipped_and_get_no_state():
    w, b = make_params()
    opt = mt.optim.Adam([w, b], lr=0.1)
    w.grad = mt.ones_like(w)
    before = b.detach().clone()
    opt.step()
    assert mt.equal(b, before)
    assert b not in opt.state
    assert set(opt.state[w]) == {"step", "exp_avg", "exp_avg_sq"}


def test_step_changes_parameters_in_place_and_they_stay_the_same_leaves():
    params = make_params()
    ids = [id(p) for p in params]
    opt = mt.optim.Adam(params, lr=0.1)
    before = [p.detach().clone() for p in params]
    train(opt, params, 2)
    assert [id(p) for p in params] == ids
    for p, old in zip(params, before):
        assert p.is_leaf and p.requires_grad and p.grad_fn is None
        assert not mt.equal(p, old)


def test_plain_sgd_keeps_no_state_like_pytorch():
    params = make_params()
    opt = mt.optim.SGD(params, lr=0.1)
    train(opt, params, 2)
    assert opt.state_dict()["state"] == {}


def test_step_count_is_a_zero_dim_float32_tensor():
    params = make_params(mt.float64)
    opt = mt.optim.Adam(params, lr=0.1)
    train(opt, params, 3)
    step = opt.state[params[0]]["step"]
    assert isinstance(step, mt.Tensor)
    assert step.shape == () and step.dtype is mt.float32 and step.item() == 3.0
    assert opt.state[params[0]]["exp_avg"].dtype is mt.float64


def test_closure_is_evaluated_with_grad_enabled_and_its_loss_returned():
    params = make_params()
    opt = mt.optim.SGD(params, lr=0.01)
    calls = []

    def closure():
        calls.append(mt.is_grad_enabled())
        opt.zero_grad()
        loss = loss_of(params)
        loss.backward()
        return loss

    with mt.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert isinstance(loss, mt.Tensor)
    assert loss_of(params).item() < loss.item()
    assert opt.step() is None


def test_update_under_grad_mode_is_not_recorded():
    params = make_params()
    opt = mt.optim.RMSprop(params, lr=0.01, momentum=0.9)
    train(opt, params, 1)
    for state in opt.state.values():
        for value in state.values():
            assert value.grad_fn is None and not value.requires_grad


# ----------------------------------------------------------------------------- state_dict


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_state_dict_round_trip_resumes_training_bit_for_bit(entry):
    name, options = entry
    params = make_params()
    opt = getattr(mt.optim, name)(params, **options)
    train(opt, params, 5)
    saved = copy.deepcopy(opt.state_dict())
    halfway = [p.detach().clone() for p in params]
    train(opt, params, 5)  # the uninterrupted run

    resumed = [p.clone().detach().requires_grad_() for p in halfway]
    fresh = getattr(mt.optim, name)(resumed, lr=123.0)  # lr comes back from the state dict
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == options["lr"]
    train(fresh, resumed, 5)
    for a, b in zip(params, resumed):
        assert np.isfinite(a.detach().numpy()).all()
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_state_dict_uses_integer_ids_across_groups():
    w, b = make_params()
    opt = mt.optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    train(opt, [w, b], 1)
    saved = opt.state_dict()
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1]]
    assert saved["param_groups"][1]["lr"] == 0.5
    assert sorted(saved["state"]) == [0, 1]
    assert saved["state"][1]["exp_avg"] is opt.state[b]["exp_avg"]  # not a copy, as PyTorch


def test_loaded_state_is_a_copy_not_shared_with_the_saved_dict():
    params = make_params()
    opt = mt.optim.SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, 1)
    other = mt.optim.SGD(make_params(), lr=0.1, momentum=0.9)
    other.load_state_dict(opt.state_dict())
    first = other.param_groups[0]["params"][0]
    assert other.state[first]["momentum_buffer"] is not opt.state[params[0]]["momentum_buffer"]
    assert mt.equal(other.state[first]["momentum_buffer"], opt.state[params[0]]["momentum_buffer"])


def test_load_state_dict_casts_buffers_to_the_parameters_dtype_but_keeps_step():
    params32 = make_params(mt.float32)
    opt = mt.optim.Adam(params32, lr=0.1)
    train(opt, params32, 2)
    params64 = make_params(mt.float64)
    other = mt.optim.Adam(params64, lr=0.1)
    other.load_state_dict(opt.state_dict())
    state = other.state[params64[0]]
    assert state["exp_avg"].dtype is mt.float64
    assert state["step"].dtype is mt.float32


def test_load_state_dict_with_other_group_count_or_size_raises():
    w, b = make_params()
    saved = mt.optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        mt.optim.SGD([w, b], lr=0.1).load_state_dict(saved)
    saved = mt.optim.SGD([w, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        mt.optim.SGD([w], lr=0.1).load_state_dict(saved)


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_state_dict_matches_torchs_keys_and_values(entry):
    torch = pytest.importorskip("torch")
    name, options = entry
    params = make_params(mt.float64)
    theirs_params = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    ours = getattr(mt.optim, name)(params, **options)
    theirs = getattr(torch.optim, name)(theirs_params, **options)
    assert _state_shape(ours.state_dict()) == _state_shape(theirs.state_dict())  # before a step
    for _ in range(3):
        ours.zero_grad()
        loss_of(params).backward()
        for p, q in zip(params, theirs_params):
            q.grad = torch.from_numpy(p.grad.numpy().copy())
        ours.step()
        theirs.step()
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert _state_shape(mine) == _state_shape(reference)
    for group, their_group in zip(mine["param_groups"], reference["param_groups"]):
        assert group == {k: v for k, v in their_group.items() if k not in TORCH_ONLY_KEYS}
    for index, values in mine["state"].items():
        for key, value in values.items():
            their = reference["state"][index][key]
            assert tuple(value.shape) == tuple(their.shape)
            assert value.dtype.name == str(their.dtype).removeprefix("torch.")
            np.testing.assert_allclose(value.numpy(), their.numpy(), rtol=1e-12)


def _state_shape(state_dict):
    """The structure without the numbers: ids, state keys per id, group keys."""
    return (
        {index: sorted(values) for index, values in state_dict["state"].items()},
        [sorted(set(g) - TORCH_ONLY_KEYS) for g in state_dict["param_groups"]],
    )


# ----------------------------------------------------------------------------- repr


def test_repr_lists_each_group_with_sorted_options():
    w, b = make_params()
    opt = mt.optim.Adam([w], lr=0.1)
    assert repr(opt) == (
        "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n"
        "    decoupled_weight_decay: False\n"
        "    eps: 1e-08\n    lr: 0.1\n    maximize: False\n    weight_decay: 0\n)"
    )


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_repr_matches_torchs_without_its_implementation_switches(entry):
    torch = pytest.importorskip("torch")
    name, options = entry
    w, b = make_params()
    tw, tb = torch.zeros(2, 2, requires_grad=True), torch.zeros(2, requires_grad=True)
    ours = getattr(mt.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.5}], **options)
    theirs = getattr(torch.optim, name)([{"params": [tw]}, {"params": [tb], "lr": 0.5}], **options)
    assert repr(ours) == strip_torch_only_lines(repr(theirs))


# ----------------------------------------------------------------------------- devices


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_state_lives_on_the_parameters_device_and_results_match_the_cpu(entry, device):
    name, options = entry
    on_cpu = make_params(mt.float64)
    on_device = [p.detach().to(device).requires_grad_() for p in on_cpu]
    cpu_opt = getattr(mt.optim, name)(on_cpu, **options)
    device_opt = getattr(mt.optim, name)(on_device, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(cpu_opt, on_cpu, 3)
        train(device_opt, on_device, 3)
    for p, q in zip(on_cpu, on_device):
        assert q.device.type == device
        np.testing.assert_allclose(q.detach().cpu().numpy(), p.detach().numpy(), rtol=1e-12)
        for key, value in device_opt.state[q].items():
            expected = "cpu" if key == "step" else device
            assert value.device.type == expected, key


def test_a_deep_copy_steps_its_own_parameters_even_after_a_scheduler_wrapped_step():
    params = make_params()
    opt = mt.optim.SGD(params, lr=0.1)
    mt.optim.lr_scheduler.StepLR(opt, step_size=1)
    twin = copy.deepcopy(opt)
    before = [p.detach().clone() for p in params]
    for p in twin.param_groups[0]["params"]:
        p.grad = mt.ones_like(p)
    twin.step()
    assert all(mt.equal(p, old) for p, old in zip(params, before))
    assert not mt.equal(twin.param_groups[0]["params"][1], before[1])


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_docstring_algorithm_names_every_state_key_the_optimizer_keeps(entry):
    name, options = entry
    params = make_params()
    opt = getattr(mt.optim, name)(params, **options)
    train(opt, params, 1)
    doc = type(opt).__doc__
    assert doc.lstrip().splitlines()[0]  # a summary line, then the numbered algorithm
    assert "1. " in doc and "2. " in doc
    for key in opt.state[params[0]]:
        assert key in doc, f"{name}'s docstring does not mention state['{key}']"
