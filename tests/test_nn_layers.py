"""Layers, nn.init and clip_grad_norm_: shapes, default initialisation, values and gradients
against PyTorch (with the same weights copied in), train/eval behaviour of Dropout."""

import math
import warnings

import numpy as np
import pytest

import minitensor as mt
import minitensor.nn as nn
import minitensor.nn.functional as F


def _np(t):
    return t.detach().cpu().numpy()


def _torch_copy(torch, t, requires_grad=False):
    return torch.tensor(_np(t), requires_grad=requires_grad)


# ----------------------------------------------------------------------------- Linear


@pytest.mark.parametrize(
    ("shape", "expected"), [((4, 10), (4, 2)), ((10,), (2,)), ((3, 5, 10), (3, 5, 2))]
)
def test_linear_output_shapes(shape, expected):
    assert nn.Linear(10, 2)(mt.randn(*shape)).shape == expected


def test_linear_parameter_shapes_and_names():
    layer = nn.Linear(10, 2)
    assert layer.weight.shape == (2, 10) and layer.bias.shape == (2,)
    assert isinstance(layer.weight, nn.Parameter)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


def test_linear_without_bias_has_only_a_weight():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and len(list(layer.parameters())) == 1
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    mt.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    weight, bias = _np(layer.weight), _np(layer.bias)
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    # U(-b, b): mean 0, variance b^2 / 3, and it reaches close to both ends
    assert abs(weight.mean()) < 0.01 * bound
    assert weight.var() == pytest.approx(bound**2 / 3, rel=0.02)
    assert weight.max() > 0.99 * bound and weight.min() < -0.99 * bound


def test_linear_init_repeats_with_the_seed():
    mt.manual_seed(5)
    first = _np(nn.Linear(4, 3).weight)
    mt.manual_seed(5)
    assert np.array_equal(first, _np(nn.Linear(4, 3).weight))


def test_linear_dtype_and_device_arguments(device):
    layer = nn.Linear(3, 2, dtype=mt.float64, device=device)
    assert layer.weight.dtype is mt.float64 and layer.weight.device.type == device
    out = layer(mt.ones(4, 3, dtype=mt.float64, device=device))
    out.sum().backward()
    assert out.device.type == device and layer.weight.grad.shape == (2, 3)


def test_linear_wrong_input_size_names_both_shapes():
    with pytest.raises(
        RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 10x2\)"
    ):
        nn.Linear(10, 2)(mt.ones(4, 3))


def test_linear_matches_pytorch_values_and_gradients():
    torch = pytest.importorskip("torch")
    mt.manual_seed(1)
    ours = nn.Linear(5, 3)
    theirs = torch.nn.Linear(5, 3)
    with torch.no_grad():
        theirs.weight.copy_(_torch_copy(torch, ours.weight))
        theirs.bias.copy_(_torch_copy(torch, ours.bias))
    x = mt.randn(4, 5, requires_grad=True)
    xt = _torch_copy(torch, x, requires_grad=True)
    (ours(x) ** 2).sum().backward()
    (theirs(xt) ** 2).sum().backward()
    assert np.allclose(_np(ours(x)), theirs(xt).detach().numpy(), atol=1e-6)
    assert np.allclose(_np(x.grad), xt.grad.numpy(), atol=1e-5)
    assert np.allclose(_np(ours.weight.grad), theirs.weight.grad.numpy(), atol=1e-5)
    assert np.allclose(_np(ours.bias.grad), theirs.bias.grad.numpy(), atol=1e-5)


def test_functional_linear_without_bias():
    x, w = mt.ones(2, 3), mt.full((4, 3), 2.0)
    assert F.linear(x, w).tolist() == [[6.0] * 4] * 2


def test_identity_and_flatten():
    x = mt.randn(2, 3, 4)
    assert nn.Identity(54, unused=True)(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert repr(nn.Flatten(0, 1)) == "Flatten(start_dim=0, end_dim=1)"


# ----------------------------------------------------------------------------- activations

ACTIVATIONS = [
    ("ReLU", (), {}),
    ("ReLU", (), {"inplace": True}),
    ("LeakyReLU", (0.2,), {}),
    ("LeakyReLU", (), {"inplace": True}),
    ("Tanh", (), {}),
    ("Sigmoid", (), {}),
    ("Softmax", (1,), {}),
    ("Softmax", (0,), {}),
    ("LogSoftmax", (1,), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), ACTIVATIONS)
def test_activation_values_and_gradients_match_pytorch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    mt.manual_seed(2)
    base = mt.randn(4, 5)
    base[0, 0] = 0.0  # the kink of relu and leaky_relu: PyTorch's gradient there is 0 / slope
    weights = mt.randn(4, 5)
    x = base.clone().requires_grad_()
    xt = _torch_copy(torch, base, requires_grad=True)
    # inplace layers may not overwrite a leaf: feed them a computed tensor
    out = getattr(nn, name)(*args, **kwargs)(x * 1.0)
    out_t = getattr(torch.nn, name)(*args, **kwargs)(xt * 1.0)
    (out * weights).sum().backward()
    (out_t * _torch_copy(torch, weights)).sum().backward()
    assert np.allclose(_np(out), out_t.detach().numpy(), atol=1e-6)
    assert np.allclose(_np(x.grad), xt.grad.numpy(), atol=1e-6)


def test_inplace_relu_changes_its_input():
    x = mt.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]


def test_softmax_without_dim_warns_and_picks_pytorchs_dim():
    x = mt.randn(3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = nn.Softmax()(x)
    assert np.allclose(_np(out).sum(axis=1), 1.0)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        out = F.log_softmax(mt.randn(4))
    assert np.isclose(np.exp(_np(out)).sum(), 1.0)


def test_softmax_dtype_argument_converts_first():
    assert F.softmax(mt.randn(2, 3), 1, dtype=mt.float64).dtype is mt.float64


def test_softmax_of_large_numbers_is_finite():
    out = F.log_softmax(mt.tensor([[1000.0, 0.0]]), dim=1)
    assert np.allclose(_np(out), [[0.0, -1000.0]])


# ----------------------------------------------------------------------------- containers


def test_sequential_runs_in_order_and_indexes_like_a_list():
    first, second = nn.Linear(3, 4), nn.ReLU()
    model = nn.Sequential(first, second)
    x = mt.randn(2, 3)
    assert np.array_equal(_np(model(x)), _np(second(first(x))))
    assert model[0] is first and model[-1] is second and len(model) == 2
    assert list(model) == [first, second]
    assert isinstance(model[1:], nn.Sequential) and model[1:][0] is second


def test_sequential_index_out_of_range():
    with pytest.raises(IndexError, match="index 2 is out of range"):
        nn.Sequential(nn.ReLU(), nn.ReLU())[2]


def test_sequential_from_ordered_dict_keeps_names():
    from collections import OrderedDict

    model = nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU()))
    assert [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]
    assert model.fc is model[0]


def test_sequential_append_insert_delete_renumber():
    model = nn.Sequential(nn.Linear(1, 1))
    model.append(nn.ReLU())
    model.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in model] == ["Tanh", "Linear", "ReLU"]
    del model[0]
    assert list(model._modules) == ["0", "1"] and isinstance(model[0], nn.Linear)
    model[1] = nn.Sigmoid()
    assert isinstance(model[1], nn.Sigmoid)


def test_module_list_registers_its_modules():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    holder = nn.Module()
    holder.layers = layers
    assert len(list(holder.parameters())) == 6
    assert [n for n, _ in holder.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    layers += [nn.ReLU()]
    layers.extend([nn.Tanh()])
    layers.insert(1, nn.Sigmoid())
    assert (
        len(layers) == 6 and isinstance(layers[1], nn.Sigmoid) and isinstance(layers[-1], nn.Tanh)
    )
    assert isinstance(layers[:2], nn.ModuleList)
    del layers[:2]
    assert list(layers._modules) == ["0", "1", "2", "3"]


def test_module_list_has_no_forward():
    with pytest.raises(NotImplementedError, match="ModuleList"):
        nn.ModuleList()(1)


def test_module_list_extend_needs_an_iterable():
    with pytest.raises(TypeError, match="should be called with an iterable"):
        nn.ModuleList().extend(nn.Linear(1, 1))


# ----------------------------------------------------------------------------- Dropout


def test_dropout_in_training_zeros_about_p_and_scales_the_rest():
    mt.manual_seed(0)
    out = _np(nn.Dropout(0.25)(mt.ones(200, 100)))
    assert np.mean(out == 0) == pytest.approx(0.25, abs=0.01)
    assert np.allclose(out[out != 0], 1 / 0.75)


def test_dropout_in_eval_mode_returns_its_input():
    x = mt.randn(5, 5)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x


def test_dropout_follows_train_and_eval_of_the_parent():
    model = nn.Sequential(nn.Dropout(0.9))
    x = mt.ones(100)
    model.eval()
    assert model(x).tolist() == [1.0] * 100
    model.train()
    assert (model(x) == 0).any()


def test_dropout_mask_repeats_with_the_seed():
    mt.manual_seed(3)
    first = _np(F.dropout(mt.ones(50)))
    mt.manual_seed(3)
    assert np.array_equal(first, _np(F.dropout(mt.ones(50))))


def test_dropout_gradient_is_the_mask():
    x = mt.ones(100, requires_grad=True)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    assert np.array_equal(_np(x.grad), _np(out))


def test_dropout_edge_probabilities():
    x = mt.randn(10)
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 1.0).tolist() == [0.0] * 10


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_outside_0_1_is_a_value_error(p):
    with pytest.raises(
        ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"
    ):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(mt.ones(2), p)


def test_dropout_runs_on_the_device(device):
    out = nn.Dropout(0.5)(mt.ones(10, device=device, requires_grad=True))
    out.sum().backward()
    assert out.device.type == device


# ----------------------------------------------------------------------------- nn.init


@pytest.mark.parametrize(
    ("nonlinearity", "param"),
    [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
     ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)],
)  # fmt: skip
def test_calculate_gain_matches_pytorch(nonlinearity, param):
    torch = pytest.importorskip("torch")
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(expected)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        nn.init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope slope not a valid number"):
        nn.init.calculate_gain("leaky_relu", "slope")


def _bound_and_std(name, fan_in, fan_out):
    """(largest allowed |value| or None, expected std) for each init scheme."""
    xavier_std = math.sqrt(2.0 / (fan_in + fan_out))
    kaiming_std = math.sqrt(2.0) / math.sqrt(fan_in)  # a = 0, leaky_relu: gain sqrt(2)
    return {
        "xavier_uniform_": (math.sqrt(3) * xavier_std, xavier_std),
        "xavier_normal_": (None, xavier_std),
        "kaiming_uniform_": (math.sqrt(3) * kaiming_std, kaiming_std),
        "kaiming_normal_": (None, kaiming_std),
    }[name]


@pytest.mark.parametrize(
    "name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]
)
def test_init_schemes_have_their_scale(name):
    tensor = mt.empty(300, 200)
    assert getattr(nn.init, name)(tensor, generator=mt.Generator().manual_seed(0)) is tensor
    bound, std = _bound_and_std(name, fan_in=200, fan_out=300)
    values = _np(tensor)
    assert values.std() == pytest.approx(std, rel=0.02)
    assert abs(values.mean()) < 0.02 * std
    if bound is not None:
        assert np.abs(values).max() <= bound


def test_kaiming_fan_out_mode_and_gain():
    tensor = mt.empty(400, 100)
    nn.init.kaiming_normal_(tensor, mode="fan_out", nonlinearity="relu")
    assert _np(tensor).std() == pytest.approx(math.sqrt(2) / math.sqrt(400), rel=0.03)


def test_init_works_on_parameters_that_require_grad():
    layer = nn.Linear(3, 2)
    nn.init.zeros_(layer.bias)
    nn.init.ones_(layer.weight)
    assert layer.bias.tolist() == [0.0, 0.0] and layer.weight.requires_grad
    nn.init.constant_(layer.bias, 0.5)
    nn.init.uniform_(layer.weight, 2.0, 3.0)
    nn.init.normal_(layer.bias, mean=10.0, std=0.01)
    assert layer.bias.tolist() != [0.5, 0.5] and np.all(_np(layer.weight) >= 2.0)
    assert layer.weight.grad_fn is None


def test_init_with_a_generator_repeats():
    first = nn.init.normal_(mt.empty(5), generator=mt.Generator().manual_seed(1))
    second = nn.init.normal_(mt.empty(5), generator=mt.Generator().manual_seed(1))
    assert np.array_equal(_np(first), _np(second))


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(mt.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        nn.init.kaiming_uniform_(mt.empty(3, 3), mode="fan_avg")


def test_init_of_an_empty_tensor_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        nn.init.kaiming_uniform_(mt.empty(0, 3))


# ----------------------------------------------------------------------------- clip_grad_norm_


def _two_params_with_grads(lib, scale):
    a = lib.ones(3, requires_grad=True)
    b = lib.ones(2, 2, requires_grad=True)
    ((a * lib.tensor([1.0, 2.0, 3.0])).sum() * scale + (b * 4.0).sum() * scale).backward()
    return [a, b]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_clip_grad_norm_matches_pytorch(norm_type, scale):
    torch = pytest.importorskip("torch")
    ours, theirs = _two_params_with_grads(mt, scale), _two_params_with_grads(torch, scale)
    total = nn.utils.clip_grad_norm_(ours, max_norm=1.0, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.0, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-6)
    for p, q in zip(ours, theirs):
        assert np.allclose(_np(p.grad), q.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_leaves_small_gradients_alone():
    w = mt.ones(2, requires_grad=True)
    (w * 0.1).sum().backward()
    nn.utils.clip_grad_norm_(w, max_norm=10.0)
    assert np.allclose(_np(w.grad), 0.1)


def test_clip_grad_norm_without_grads_returns_zero():
    assert nn.utils.clip_grad_norm_(nn.Linear(2, 2).parameters(), 1.0).item() == 0.0


def test_clip_grad_norm_can_refuse_non_finite_norms():
    w = mt.ones(2, requires_grad=True)
    (w * float("inf")).sum().backward()
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_each_element():
    w = mt.ones(3, requires_grad=True)
    (w * mt.tensor([-5.0, 0.5, 5.0])).sum().backward()
    nn.utils.clip_grad_value_([w], 1.0)
    assert w.grad.tolist() == [-1.0, 0.5, 1.0]


def test_clip_grad_norm_on_the_device(device):
    model = nn.Linear(3, 2).to(device)
    model(mt.ones(4, 3, device=device)).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    grads = mt.cat([p.grad.reshape(-1) for p in model.parameters()])
    assert total.item() > 0.5
    assert mt.norm(grads).item() == pytest.approx(0.5, rel=1e-4)
