"""nn.Module and nn.Parameter: registration, walks, modes, state_dict, to(), hooks, repr."""

import collections
import copy
import pickle

import numpy as np
import pytest

import minitensor as mt
import minitensor.nn as nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Linear(4, 2)
        self.register_buffer("running", mt.zeros(2))
        self.register_buffer("scratch", mt.ones(1), persistent=False)

    def forward(self, x):
        return self.out(mt.relu(self.hidden(x))) + self.running


# ----------------------------------------------------------------------------- Parameter


def test_parameter_is_a_leaf_that_requires_grad():
    p = nn.Parameter(mt.tensor([1.0, 2.0]))
    assert isinstance(p, mt.Tensor) and p.is_leaf and p.requires_grad and p.grad_fn is None


def test_parameter_repr_starts_like_pytorch():
    assert repr(nn.Parameter(mt.tensor([1.0, 2.0]))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


def test_parameter_shares_memory_with_its_data():
    data = mt.zeros(3)
    p = nn.Parameter(data)
    with mt.no_grad():
        p.add_(1.0)
    assert data.tolist() == [1.0, 1.0, 1.0]


def test_maths_on_a_parameter_gives_plain_tensors():
    p = nn.Parameter(mt.ones(2))
    assert type(p * 2) is mt.Tensor and type(p.detach()) is mt.Tensor


def test_parameter_without_grad_and_default_empty():
    assert not nn.Parameter(mt.ones(2), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_of_integers_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(mt.tensor([1, 2]))


def test_parameter_of_a_list_is_a_type_error():
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        nn.Parameter([1.0, 2.0])


def test_parameter_survives_deepcopy_and_pickle_without_its_graph():
    p = nn.Parameter(mt.tensor([1.0, 2.0]))
    (p * 3).sum().backward()  # gives p an accumulator node (a weak reference)
    for clone in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(clone) is nn.Parameter and clone.requires_grad
        assert clone.tolist() == [1.0, 2.0] and clone.grad is None
        with mt.no_grad():
            clone.zero_()
        assert p.tolist() == [1.0, 2.0]


# ----------------------------------------------------------------------------- registration


def test_named_parameters_uses_dotted_names_in_registration_order():
    names = [name for name, _ in TwoLayer().named_parameters()]
    assert names == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]


def test_shared_layer_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.parameters())) == 2
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4


def test_parameters_not_recursing_gives_only_own():
    model = TwoLayer()
    model.scale = nn.Parameter(mt.ones(1))
    assert [n for n, _ in model.named_parameters(recurse=False)] == ["scale"]


def test_buffers_are_found_but_not_parameters():
    model = TwoLayer()
    assert [n for n, _ in model.named_buffers()] == ["running", "scratch"]
    assert all(b is not p for b in model.buffers() for p in model.parameters())


def test_plain_tensor_attribute_is_not_registered():
    model = nn.Module()
    model.t = mt.ones(2)
    assert list(model.parameters()) == [] and list(model.buffers()) == []


def test_reassigning_a_name_moves_it_between_kinds():
    model = nn.Module()
    model.thing = nn.Linear(2, 2)
    model.thing = nn.Parameter(mt.ones(1))
    assert "thing" not in model._modules and "thing" in model._parameters


def test_children_modules_and_their_names():
    model = TwoLayer()
    assert [n for n, _ in model.named_children()] == ["hidden", "out"]
    assert [n for n, _ in model.named_modules()] == ["", "hidden", "out"]
    assert list(model.children()) == [model.hidden, model.out]
    assert len(list(model.modules())) == 3
    assert model.get_submodule("out") is model.out


def test_nested_sequential_names():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight", "0.bias", "1.1.weight", "1.1.bias",
    ]  # fmt: skip


def test_unknown_attribute_error_reads_like_pytorch():
    with pytest.raises(AttributeError, match="^'Linear' object has no attribute 'foo'$"):
        nn.Linear(2, 2).foo  # noqa: B018


def test_delattr_removes_a_parameter():
    layer = nn.Linear(2, 2)
    del layer.bias
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_dir_lists_parameters_for_tab_completion():
    assert {"weight", "bias"} <= set(dir(nn.Linear(2, 2)))


class NoInit(nn.Module):
    def __init__(self, what):
        if what == "parameter":
            self.w = nn.Parameter(mt.ones(1))
        elif what == "module":
            self.m = nn.Linear(1, 1)
        else:
            self.register_buffer("b", mt.ones(1))


@pytest.mark.parametrize("what", ["parameter", "module", "buffer"])
def test_assigning_before_init_is_an_attribute_error(what):
    with pytest.raises(AttributeError, match=rf"cannot assign {what}s? before Module.__init__"):
        NoInit(what)


def test_assigning_a_tensor_to_a_parameter_name_is_a_type_error():
    with pytest.raises(
        TypeError, match=r"cannot assign 'minitensor.FloatTensor' as parameter 'weight'"
    ):
        nn.Linear(2, 2).weight = mt.zeros(2, 2)


def test_parameter_name_can_be_set_to_none():
    layer = nn.Linear(2, 2)
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"] and layer.bias is None


def test_non_leaf_parameter_is_a_value_error():
    p = nn.Parameter(mt.ones(2))
    non_leaf = p * 2
    non_leaf.__class__ = nn.Parameter  # a Parameter with a grad_fn, as PyTorch guards against
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'w'"):
        nn.Module().register_parameter("w", non_leaf)


@pytest.mark.parametrize(
    ("name", "error", "phrase"),
    [
        ("a.b", KeyError, 'contain ".", got "a.b"'),
        ("", KeyError, "be empty string"),
        (3, TypeError, "name should be a string"),
        ("training", KeyError, "attribute 'training' already exists"),
    ],
)
def test_bad_names_are_refused(name, error, phrase):
    with pytest.raises(error, match=phrase):
        nn.Module().register_buffer(name, mt.ones(1))
    with pytest.raises(error, match=phrase):
        nn.Module().register_parameter(name, nn.Parameter(mt.ones(1)))


def test_register_parameter_refuses_a_plain_tensor():
    with pytest.raises(
        TypeError, match="cannot assign 'minitensor.FloatTensor' object to parameter"
    ):
        nn.Module().register_parameter("w", mt.ones(1))


def test_register_buffer_refuses_a_number():
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        nn.Module().register_buffer("b", 3)


def test_add_module_refuses_a_non_module():
    with pytest.raises(TypeError, match="is not a Module subclass"):
        nn.Module().add_module("x", 3)


def test_forward_missing_is_not_implemented():
    with pytest.raises(
        NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'
    ):
        nn.Module()(1)


# ----------------------------------------------------------------------------- modes, grads


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_train_mode_must_be_a_bool():
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        nn.Linear(2, 2).train("yes")


def test_eval_does_not_stop_recording():
    model = nn.Linear(2, 1).eval()
    assert model(mt.ones(1, 2)).grad_fn is not None


def test_zero_grad_sets_grads_to_none_by_default():
    model = TwoLayer()
    model(mt.ones(5, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_can_fill_with_zeros():
    model = nn.Linear(2, 1)
    model(mt.ones(1, 2)).sum().backward()
    grad = model.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is grad and grad.tolist() == [[0.0, 0.0]]


def test_requires_grad_false_freezes_all_parameters():
    model = TwoLayer().requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_apply_visits_children_before_parent():
    model = TwoLayer()
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "Linear", "TwoLayer"]


def test_apply_for_custom_initialisation():
    def fill(module):
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, 0.5)

    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)).apply(fill)
    assert all(np.all(m.weight.detach().numpy() == 0.5) for m in model)


def test_forward_hooks_see_and_can_replace_input_and_output():
    layer = nn.Identity()
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(out.item()) or out + 1)
    assert layer(mt.tensor(3.0)).item() == 7.0 and calls == [6.0]
    pre.remove()
    post.remove()
    assert layer(mt.tensor(3.0)).item() == 3.0


# ----------------------------------------------------------------------------- state_dict


def test_state_dict_holds_parameters_and_persistent_buffers_detached():
    state = TwoLayer().state_dict()
    assert isinstance(state, collections.OrderedDict)
    # A module's own tensors come before its children's, as in PyTorch.
    assert list(state) == ["running", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert not any(t.requires_grad for t in state.values())
    assert all(type(t) is mt.Tensor for t in state.values())


def test_state_dict_shares_memory_with_the_model():
    layer = nn.Linear(2, 1)
    state = layer.state_dict()
    with mt.no_grad():
        layer.weight.fill_(3.0)
    assert state["weight"].tolist() == [[3.0, 3.0]]


def test_state_dict_round_trip_gives_the_same_outputs():
    source, target = TwoLayer(), TwoLayer()
    x = mt.randn(4, 3)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert np.array_equal(source(x).detach().numpy(), target(x).detach().numpy())
    assert target.hidden.weight is not source.hidden.weight  # copied, not shared


def test_load_state_dict_keeps_the_parameter_objects():
    layer = nn.Linear(2, 1)
    weight = layer.weight
    layer.load_state_dict({"weight": mt.ones(1, 2), "bias": mt.zeros(1)})
    assert layer.weight is weight and weight.tolist() == [[1.0, 1.0]]


def test_load_state_dict_errors_name_missing_unexpected_and_shape():
    layer = nn.Linear(10, 2)
    bad = {"weight": mt.zeros(3, 10), "foo": mt.zeros(1)}
    with pytest.raises(RuntimeError) as error:
        layer.load_state_dict(bad)
    assert str(error.value) == (
        "Error(s) in loading state_dict for Linear:\n"
        '\tMissing key(s) in state_dict: "bias". \n'
        '\tUnexpected key(s) in state_dict: "foo". \n'
        "\tsize mismatch for weight: copying a param with shape minitensor.Size([3, 10]) from "
        "checkpoint, the shape in current model is minitensor.Size([2, 10])."
    )


def test_load_state_dict_matches_pytorch_message():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(10, 2), torch.nn.Linear(10, 2)
    with pytest.raises(RuntimeError) as mine:
        ours.load_state_dict({"weight": mt.zeros(3, 10), "foo": mt.zeros(1)})
    with pytest.raises(RuntimeError) as reference:
        theirs.load_state_dict({"weight": torch.zeros(3, 10), "foo": torch.zeros(1)})
    assert str(mine.value).replace("minitensor.", "torch.") == str(reference.value)


def test_load_state_dict_not_strict_reports_keys():
    layer = nn.Linear(2, 1)
    result = layer.load_state_dict({"weight": mt.ones(1, 2), "extra": mt.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    assert layer.weight.tolist() == [[1.0, 1.0]]
    assert repr(result) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"


def test_load_state_dict_size_mismatch_fails_even_when_not_strict():
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        nn.Linear(2, 1).load_state_dict({"bias": mt.ones(3)}, strict=False)


def test_load_state_dict_needs_a_mapping_of_tensors():
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        nn.Linear(2, 1).load_state_dict([1, 2])
    with pytest.raises(RuntimeError, match='While copying the parameter named "bias"'):
        nn.Linear(2, 1).load_state_dict({"weight": mt.ones(1, 2), "bias": [0.0]})


def test_shared_module_is_saved_under_both_names_like_pytorch():
    shared = nn.Linear(1, 1)
    assert list(nn.Sequential(shared, shared).state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias",
    ]  # fmt: skip


def test_state_dict_with_prefix():
    assert list(nn.Linear(1, 1).state_dict(prefix="model.")) == ["model.weight", "model.bias"]


def test_deepcopy_of_a_trained_model_is_independent():
    model = TwoLayer()
    model(mt.ones(2, 3)).sum().backward()
    clone = copy.deepcopy(model)
    with mt.no_grad():
        clone.out.bias.fill_(9.0)
    assert model.out.bias.tolist() != [9.0, 9.0]
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]


# ----------------------------------------------------------------------------- to()


def test_to_dtype_converts_in_place_keeping_parameter_objects():
    model = TwoLayer()
    params = list(model.parameters())
    assert model.double() is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.dtype is mt.float64 for p in params)
    assert model.running.dtype is mt.float64
    assert model(mt.ones(1, 3, dtype=mt.float64)).dtype is mt.float64
    model.to(mt.float32)
    assert all(p.dtype is mt.float32 for p in params)


def test_to_leaves_integer_buffers_alone():
    model = nn.Module()
    model.register_buffer("count", mt.tensor([1, 2]))
    model.double()
    assert model.count.dtype is mt.int64


def test_to_an_integer_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="only accepts floating point"):
        nn.Linear(2, 1).to(mt.int64)


def test_optimizer_made_before_to_still_updates_the_model():
    model = nn.Linear(2, 1)
    optimizer = mt.optim.SGD(model.parameters(), lr=0.1)
    model.double()
    before = model.weight.detach().clone()
    model(mt.ones(1, 2, dtype=mt.float64)).sum().backward()
    optimizer.step()
    assert np.allclose((before - model.weight.detach()).numpy(), 0.1)


def test_to_device_moves_parameters_grads_and_buffers(device):
    model = TwoLayer()
    model(mt.ones(2, 3)).sum().backward()
    weight = model.hidden.weight
    assert model.to(device) is model
    assert model.hidden.weight is weight and weight.device.type == device
    assert weight.grad.device.type == device
    assert model.running.device.type == device
    out = model(mt.ones(2, 3, device=device))
    out.sum().backward()
    assert out.device.type == device
    model.cpu()
    assert weight.device.type == "cpu" and weight.grad.device.type == "cpu"


def test_to_accepts_pytorch_spellings():
    model = nn.Linear(2, 1)
    model.to(mt.zeros(1, dtype=mt.float64))
    assert model.weight.dtype is mt.float64
    model.to(device="cpu", dtype=mt.float32)
    assert model.weight.dtype is mt.float32 and model.weight.device == mt.device("cpu")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        model.to(colour="red")


# ----------------------------------------------------------------------------- repr


def test_module_reprs_match_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.nn.Sequential(
            lib.nn.Linear(10, 2),
            lib.nn.ReLU(),
            lib.nn.Sequential(lib.nn.Dropout(0.2), lib.nn.Softmax(dim=1)),
            lib.nn.LeakyReLU(0.2, inplace=True),
            lib.nn.Flatten(),
            lib.nn.Identity(),
            lib.nn.LogSoftmax(1),
            lib.nn.Tanh(),
            lib.nn.Sigmoid(),
            lib.nn.ReLU(inplace=True),
            lib.nn.Linear(3, 1, bias=False),
            lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)] + [lib.nn.Tanh()]),
            lib.nn.MSELoss(),
            lib.nn.CrossEntropyLoss(),
        )

    assert repr(build(mt)) == repr(build(torch))
    assert repr(nn.Sequential()) == "Sequential()" and repr(nn.ModuleList()) == "ModuleList()"


def test_custom_module_repr_with_extra_repr_and_children():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(1, 1)

        def extra_repr(self):
            return "scale=2"

    assert repr(Scaled()) == (
        "Scaled(\n  scale=2\n  (inner): Linear(in_features=1, out_features=1, bias=True)\n)"
    )
