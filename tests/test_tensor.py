"""The Tensor API a PyTorch course touches: creation, dtypes and promotion, attributes,
methods, repr, operators, maths, reductions, shape ops, indexing and in-place ops.

Expected values are written out (worked by hand or checked once against PyTorch 2.x), so
these tests need no PyTorch; test_parity_torch.py compares with PyTorch directly.
"""

import numpy as np
import pytest

import minitensor as mt

X = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]
I = [[1, -2, 3], [4, 5, -6]]  # noqa: E741


def host(t):
    return t.detach().cpu().tolist()


# ----------------------------------------------------------------------------- creation


def test_tensor_copies_data_and_infers_pytorchs_dtypes(device):
    assert mt.tensor([1, 2], device=device).dtype == mt.int64
    assert mt.tensor([1.0, 2.0], device=device).dtype == mt.float32
    assert mt.tensor([1, 2.5]).dtype == mt.float32
    assert mt.tensor([True, False]).dtype == mt.bool
    assert mt.tensor(3).shape == () and mt.tensor(3).ndim == 0
    assert mt.tensor([[1, 2], [3, 4]], device=device).shape == (2, 2)
    source = np.array([1.0, 2.0])
    t = mt.tensor(source)
    source[0] = 99.0
    assert t.tolist() == [1.0, 2.0], "tensor() copies"


def test_legacy_tensor_constructor_is_floating_point_and_takes_sizes():
    assert mt.Tensor([1, 2]).tolist() == [1.0, 2.0] and mt.Tensor([1, 2]).dtype == mt.float32
    assert mt.Tensor(2, 3).shape == (2, 3) and mt.Tensor(3).shape == (3,)
    assert mt.Tensor().shape == (0,)
    assert mt.Tensor([1.0], requires_grad=True).requires_grad


def test_numpy_arrays_keep_their_dtype():
    assert mt.tensor(np.array([1.5])).dtype == mt.float64
    assert mt.tensor(np.array([1], dtype=np.int32)).dtype == mt.int32
    assert mt.tensor(np.array([1.5], dtype=np.float16)).dtype == mt.float16
    assert mt.as_tensor(np.array([1.5])).dtype == mt.float64
    assert mt.tensor(np.array([1.5]), dtype=mt.float32).dtype == mt.float32


def test_from_numpy_and_as_tensor_share_memory_and_numpy_gives_it_back():
    array = np.array([1.0, 2.0])
    shared = mt.from_numpy(array)
    also_shared = mt.as_tensor(array)
    array[0] = 7.0
    assert shared.tolist() == [7.0, 2.0] and also_shared.tolist() == [7.0, 2.0]
    shared.numpy()[1] = 8.0
    assert array.tolist() == [7.0, 8.0]
    converted = mt.as_tensor(array, dtype=mt.float32)  # another dtype: a copy
    array[0] = 0.0
    assert converted.tolist() == [7.0, 8.0]


def test_filled_constructors(device):
    assert host(mt.zeros(2, 3, device=device)) == [[0.0] * 3] * 2
    assert mt.zeros((2, 3)).shape == (2, 3) and mt.zeros([2, 3]).shape == (2, 3)
    assert host(mt.ones(2, dtype=mt.int64, device=device)) == [1, 1]
    assert host(mt.full((2,), 1.5, device=device)) == [1.5, 1.5]
    assert mt.full((2,), 7).dtype == mt.int64 and mt.full((2,), 7.0).dtype == mt.float32
    assert mt.full((1,), True).dtype == mt.bool
    assert mt.empty(2, 3).shape == (2, 3) and mt.empty(2).dtype == mt.float32
    assert host(mt.eye(2, device=device)) == [[1.0, 0.0], [0.0, 1.0]]
    assert host(mt.eye(2, 3)) == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert mt.zeros(2, requires_grad=True).requires_grad
    assert mt.zeros(2, device=device).device.type == device


def test_ranges():
    assert mt.arange(5).tolist() == [0, 1, 2, 3, 4] and mt.arange(5).dtype == mt.int64
    assert mt.arange(1, 7, 2).tolist() == [1, 3, 5]
    assert mt.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert mt.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert mt.arange(0, 1, 0.25).dtype == mt.float32 and mt.arange(3.0).dtype == mt.float32
    assert mt.linspace(-1, 1, 5).tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert mt.linspace(0, 1, 3).dtype == mt.float32


def test_like_constructors_copy_shape_dtype_and_device(device):
    ints = mt.tensor(I, device=device)
    assert host(mt.zeros_like(ints)) == [[0] * 3] * 2 and mt.zeros_like(ints).dtype == mt.int64
    assert mt.ones_like(ints, dtype=mt.float64).dtype == mt.float64
    assert host(mt.full_like(ints, 2.7)) == [[2] * 3] * 2, "full_like keeps the int dtype"
    assert mt.rand_like(mt.tensor(X)).shape == (2, 3)
    assert mt.randn_like(mt.tensor(X, dtype=mt.float64)).dtype == mt.float64
    assert mt.zeros_like(ints).device == ints.device


def test_manual_seed_repeats_the_same_numbers():
    mt.manual_seed(0)
    first = (mt.rand(3).tolist(), mt.randn(2, 2).tolist(), mt.randint(0, 10, (5,)).tolist())
    mt.manual_seed(0)
    again = (mt.rand(3).tolist(), mt.randn(2, 2).tolist(), mt.randint(0, 10, (5,)).tolist())
    assert first == again
    mt.manual_seed(1)
    assert mt.rand(3).tolist() != first[0]


def test_random_constructors_shapes_ranges_and_dtypes():
    mt.manual_seed(0)
    u = mt.rand(1000)
    assert u.dtype == mt.float32 and 0.0 <= u.min().item() and u.max().item() < 1.0
    n = mt.randn(2000, dtype=mt.float64)
    assert n.dtype == mt.float64 and abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    r = mt.randint(3, 7, (500,))
    assert r.dtype == mt.int64 and set(r.tolist()) == {3, 4, 5, 6}
    assert mt.randint(10, (2, 3)).shape == (2, 3)


def test_a_generator_object_is_independent_of_the_global_seed():
    g = mt.Generator().manual_seed(5)
    first = mt.rand(3, generator=g).tolist()
    mt.rand(10)  # draws from the default generator do not disturb g
    g.manual_seed(5)
    assert mt.rand(3, generator=g).tolist() == first


# ----------------------------------------------------------------------------- dtypes


# (expression, dtype PyTorch gives): the promotion cases a course meets
PROMOTION = [
    (lambda: mt.tensor([1, 2]) + 1.5, mt.float32),  # int tensor + float number
    (lambda: mt.tensor([1, 2]) * mt.tensor(2.5), mt.float32),  # + 0-d float tensor
    (lambda: mt.tensor([1.0]) + mt.tensor([1.0], dtype=mt.float64), mt.float64),
    (lambda: mt.tensor([1.0], dtype=mt.float16) + 1.0, mt.float16),  # numbers don't widen
    (lambda: mt.tensor([1.0], dtype=mt.float16) + mt.tensor(1.0), mt.float16),  # nor 0-d
    (lambda: mt.tensor([1], dtype=mt.int32) + 1, mt.int32),
    (lambda: mt.tensor([1], dtype=mt.int32) + mt.tensor([1]), mt.int64),
    (lambda: mt.tensor([1, 2]) / mt.tensor([2, 2]), mt.float32),  # true division of ints
    (lambda: mt.tensor([1], dtype=mt.int32) / 2, mt.float32),
    (lambda: mt.tensor([True]) + mt.tensor([True]), mt.bool),
    (lambda: mt.tensor([True]) + 1, mt.int64),
    (lambda: mt.tensor([True]) * 1.5, mt.float32),
    (lambda: mt.tensor([1.0]) + np.float64(2.0), mt.float32),  # a NumPy scalar is a number
    (lambda: mt.tensor([1, 2]) > 1, mt.bool),
    (lambda: mt.tensor([1.0]) == mt.tensor([1.0], dtype=mt.float64), mt.bool),
    (lambda: mt.tensor([1, 2]).sum(), mt.int64),
    (lambda: mt.tensor([True, False]).sum(), mt.int64),
    (lambda: mt.tensor([1, 2]).exp(), mt.float32),
    (lambda: mt.tensor([1, 2]) ** 0.5, mt.float32),
    (lambda: mt.tensor([1, 2]) // 2, mt.int64),
    (lambda: mt.tensor(X).double().float(), mt.float32),
    (lambda: mt.where(mt.tensor([True]), 1.0, 0.0), mt.float32),
    (lambda: mt.cat([mt.tensor([1]), mt.tensor([2.0])]), mt.float32),
]


@pytest.mark.parametrize(("expression", "dtype"), PROMOTION)
def test_type_promotion_follows_pytorch(expression, dtype):
    assert expression().dtype == dtype


def test_dtype_objects_and_names():
    assert repr(mt.float32) == "minitensor.float32"
    assert mt.float is mt.float32 and mt.double is mt.float64 and mt.long is mt.int64
    assert mt.float32.is_floating_point and not mt.int64.is_floating_point
    assert mt.get_default_dtype() == mt.float32


def test_conversions_between_dtypes():
    t = mt.tensor([1.7, -2.2])
    assert t.long().tolist() == [1, -2] and t.long().dtype == mt.int64
    assert t.int().dtype == mt.int32 and t.half().dtype == mt.float16
    assert t.double().dtype == mt.float64 and t.double().float().dtype == mt.float32
    assert t.bool().tolist() == [True, True]
    assert mt.tensor([1, 2]).type_as(t).dtype == mt.float32
    assert t.to(mt.int64).tolist() == [1, -2] and t.to(dtype=mt.float64).dtype == mt.float64
    assert t.float() is t, "to() the same dtype returns the tensor itself, as PyTorch"


# ----------------------------------------------------------------------------- attributes


def test_attributes(device):
    t = mt.tensor(X, device=device, requires_grad=True)
    assert t.shape == (2, 3) and repr(t.shape) == "minitensor.Size([2, 3])"
    assert t.dtype == mt.float32 and t.ndim == 2 and t.requires_grad and t.is_leaf
    assert t.grad is None and t.grad_fn is None
    assert t.device.type == device and str(mt.tensor(1.0).device) == "cpu"
    assert t.T.shape == (3, 2) and host(t.T) == [[1.0, 4.0], [-2.0, 5.0], [3.0, -6.0]]
    assert host(t.data) == X and not t.data.requires_grad


def test_size_dim_numel_len():
    t = mt.tensor(X)
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.dim() == 2 and t.numel() == 6 and len(t) == 2
    assert mt.tensor(5.0).numel() == 1 and mt.zeros(2, 0).numel() == 0


def test_item_tolist_numpy():
    assert mt.tensor(2.5).item() == 2.5 and isinstance(mt.tensor(2.5).item(), float)
    assert mt.tensor([3]).item() == 3 and isinstance(mt.tensor([3]).item(), int)
    assert mt.tensor([[True]]).item() is True
    assert mt.tensor(I).tolist() == I and mt.tensor(3).tolist() == 3
    assert mt.tensor(X).numpy().dtype == np.float32
    assert float(mt.tensor(2.5)) == 2.5 and int(mt.tensor(7.9)) == 7
    assert bool(mt.tensor(0.0)) is False


def test_numpy_of_a_tensor_that_requires_grad_needs_detach():
    t = mt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Use tensor.detach\(\).numpy\(\) instead"):
        t.numpy()
    assert t.detach().numpy().tolist() == [1.0]


def test_clone_copies_and_detach_shares():
    t = mt.tensor([1.0, 2.0], requires_grad=True)
    c, d = t.clone(), t.detach()
    assert c.grad_fn.name() == "CloneBackward0" and not d.requires_grad
    with mt.no_grad():
        t[0] = 5.0
    assert host(c) == [1.0, 2.0] and host(d) == [5.0, 2.0]


def test_requires_grad_underscore_and_retain_grad_backward_register_hook():
    t = mt.tensor([1.0, 2.0])
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    t.requires_grad_()
    y = t * 3
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    y.sum().backward()
    assert host(y.grad) == [2.0, 2.0] and host(t.grad) == [6.0, 6.0]


def test_to_and_cpu_move_between_devices(standin_cuda):
    t = mt.tensor([1.0, 2.0], requires_grad=True)
    g = t.to("cuda")
    assert g.device.type == "cuda" and g.grad_fn.name() == "ToCopyBackward0"
    back = g.cpu()
    assert back.device == mt.device("cpu") and back.tolist() == [1.0, 2.0]
    (g * 2).sum().backward()
    assert t.grad.device.type == "cpu" and t.grad.tolist() == [2.0, 2.0]
    assert t.to("cpu") is t
    both = t.to("cuda", mt.float64)
    assert both.device.type == "cuda" and both.dtype == mt.float64


# ----------------------------------------------------------------------------- repr

# Each line checked against PyTorch 2.x's repr with "torch." replaced by "minitensor."
REPRS = [
    (lambda: mt.tensor([1.0, 2.0]), "tensor([1., 2.])"),
    (lambda: mt.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (
        lambda: mt.tensor([1.0, 2.0], requires_grad=True) * 2,
        "tensor([2., 4.], grad_fn=<MulBackward0>)",
    ),
    (lambda: mt.tensor([1.5, 2.25]), "tensor([1.5000, 2.2500])"),
    (lambda: mt.tensor([0.1, -2.0]), "tensor([ 0.1000, -2.0000])"),
    (lambda: mt.tensor(3.5), "tensor(3.5000)"),
    (lambda: mt.tensor(3), "tensor(3)"),
    (lambda: mt.tensor([1, 2]), "tensor([1, 2])"),
    (lambda: mt.tensor([True, False]), "tensor([ True, False])"),
    (lambda: mt.tensor([True, True]), "tensor([True, True])"),
    (lambda: mt.tensor([[1, 2], [3, 4]]), "tensor([[1, 2],\n        [3, 4]])"),
    (lambda: mt.tensor([1.0, 2.0], dtype=mt.float64), "tensor([1., 2.], dtype=minitensor.float64)"),
    (lambda: mt.tensor([1, 2], dtype=mt.int32), "tensor([1, 2], dtype=minitensor.int32)"),
    (lambda: mt.tensor([1e-5, 1e3]), "tensor([1.0000e-05, 1.0000e+03])"),
    (lambda: mt.tensor([float("nan"), 1.0]), "tensor([nan, 1.])"),
    (lambda: mt.tensor([float("inf"), 1.5]), "tensor([   inf, 1.5000])"),
    (lambda: mt.tensor([]), "tensor([])"),
    (lambda: mt.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda: mt.zeros(0, dtype=mt.int64), "tensor([], dtype=minitensor.int64)"),
    (
        lambda: mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).sum(),
        "tensor(10., grad_fn=<SumBackward0>)",
    ),
    (
        lambda: mt.arange(12.0).reshape(3, 4) / 7,
        "tensor([[0.0000, 0.1429, 0.2857, 0.4286],\n"
        "        [0.5714, 0.7143, 0.8571, 1.0000],\n"
        "        [1.1429, 1.2857, 1.4286, 1.5714]])",
    ),
    (
        lambda: mt.arange(2000.0),
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
        "        1.9990e+03])",
    ),
    (
        lambda: mt.arange(1001.0, dtype=mt.float64) * mt.tensor(1.0, requires_grad=True),
        "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.], dtype=minitensor.float64,\n"
        "       grad_fn=<MulBackward0>)",
    ),
]


@pytest.mark.parametrize(("make", "expected"), REPRS, ids=[e for _, e in REPRS])
def test_repr_matches_pytorchs(make, expected):
    assert repr(make()) == expected


def test_repr_of_a_device_tensor_names_the_device(standin_cuda):
    assert repr(mt.tensor([1.0, 2.0], device="cuda")) == "tensor([1., 2.], device='cuda:0')"


def test_max_with_dim_returns_values_and_indices_that_print_like_pytorch():
    values, indices = mt.tensor([[1.0, 5.0], [3.0, 4.0]]).max(1)
    assert values.tolist() == [5.0, 4.0] and indices.tolist() == [1, 1]
    result = mt.tensor([[1.0, 5.0]]).min(0)
    assert result.values.tolist() == [1.0, 5.0] and result.indices.tolist() == [0, 0]
    assert repr(result).startswith("minitensor.return_types.min(\nvalues=tensor(")


# ----------------------------------------------------------------------------- operators


def test_arithmetic_operators(device):
    a = mt.tensor([6.0, -3.0], device=device)
    b = mt.tensor([4.0, 2.0], device=device)
    assert host(a + b) == [10.0, -1.0] and host(a - b) == [2.0, -5.0]
    assert host(a * b) == [24.0, -6.0] and host(a / b) == [1.5, -1.5]
    assert host(a // b) == [1.0, -2.0] and host(a % b) == [2.0, 1.0]  # rounds down, as Python
    assert host(a**2) == [36.0, 9.0] and host(b**b) == [256.0, 4.0]
    assert host(-a) == [-6.0, 3.0] and host(abs(a)) == [6.0, 3.0]


def test_integer_floor_division_and_remainder_follow_pythons_signs():
    assert (mt.tensor([7, -7]) // 2).tolist() == [3, -4]
    assert (mt.tensor([7, -7]) % 3).tolist() == [1, 2]
    assert (7 % mt.tensor([-2])).tolist() == [-1]


def test_reflected_operators_with_python_numbers(device):
    t = mt.tensor([1.0, 2.0], device=device)
    assert host(1 + t) == [2.0, 3.0] and host(1 - t) == [0.0, -1.0]
    assert host(2 * t) == [2.0, 4.0] and host(2 / t) == [2.0, 1.0]
    assert host(2**t) == [2.0, 4.0] and host(5 // t) == [5.0, 2.0] and host(5 % t) == [0.0, 1.0]


def test_numpy_array_on_either_side_gives_a_tensor():
    t = mt.tensor([1.0, 2.0])
    for result in (np.ones(2) + t, t + np.ones(2), np.ones(2) * t, np.ones(2) - t, np.ones(2) / t):
        assert isinstance(result, mt.Tensor)
    assert (np.ones(2) - t).tolist() == [0.0, -1.0]
    assert (np.ones(2) + t).dtype == mt.float64, "a float64 array is a float64 tensor"
    assert (t + np.ones(2, dtype=np.float32)).dtype == mt.float32
    assert isinstance(np.eye(2) @ mt.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=mt.float64), mt.Tensor)


def test_comparisons_give_bool_tensors(device):
    t = mt.tensor([1.0, 2.0, 3.0], device=device)
    assert host(t > 2) == [False, False, True] and (t > 2).dtype == mt.bool
    assert host(t >= 2) == [False, True, True] and host(t < 2) == [True, False, False]
    assert host(t <= 2) == [True, True, False] and host(t == 2) == [False, True, False]
    assert host(t != 2) == [True, False, True] and host(2 < t) == [False, False, True]
    mask = t > 1
    assert host(mask & (t < 3)) == [False, True, False] and host(~mask) == [True, False, False]
    assert host(mask | (t < 2)) == [True, True, True]


def test_matmul_of_vectors_matrices_and_batches(device):
    m = mt.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    v = mt.tensor([1.0, -1.0], device=device)
    assert host(m @ m) == [[7.0, 10.0], [15.0, 22.0]]
    assert host(m @ v) == [-1.0, -1.0] and host(v @ m) == [-2.0, -2.0]
    assert host(v @ v) == 2.0 and (v @ v).shape == ()
    batch = mt.stack([m, 2 * m])
    assert host(batch @ v) == [[-1.0, -1.0], [-2.0, -2.0]]
    assert (batch @ m).shape == (2, 2, 2) and (mt.ones(5, 1, 2, 3) @ mt.ones(4, 3, 2)).shape == (
        5,
        4,
        2,
        2,
    )
    assert host(mt.mm(m, m)) == host(m.matmul(m)) and host(mt.dot(v, v)) == 2.0


# ----------------------------------------------------------------------------- maths


ELEMENTWISE = [
    (mt.exp, np.exp),
    (mt.log, np.log),
    (mt.sqrt, np.sqrt),
    (mt.sin, np.sin),
    (mt.cos, np.cos),
    (mt.tanh, np.tanh),
    (mt.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    (mt.relu, lambda a: np.maximum(a, 0)),
    (mt.abs, np.abs),
    (lambda t: t.pow(3), lambda a: a**3),
    (lambda t: t.clamp(0.5, 1.5), lambda a: np.clip(a, 0.5, 1.5)),
    (lambda t: t.clamp(min=1.0), lambda a: np.maximum(a, 1.0)),
    (lambda t: mt.clamp(t, max=1.0), lambda a: np.minimum(a, 1.0)),
]


@pytest.mark.parametrize(("function", "reference"), ELEMENTWISE)
def test_elementwise_math_matches_numpy(function, reference, device):
    values = np.array([[0.25, 1.0], [2.0, 3.5]])
    result = function(mt.tensor(values, device=device))
    np.testing.assert_allclose(np.array(host(result)), reference(values), rtol=1e-6)
    assert result.dtype == mt.float64


def test_relu_and_abs_of_negative_numbers():
    t = mt.tensor([-1.5, 0.0, 2.0])
    assert t.relu().tolist() == [0.0, 0.0, 2.0] and t.abs().tolist() == [1.5, 0.0, 2.0]
    assert t.sigmoid().tolist()[1] == 0.5


def test_maximum_minimum_where(device):
    a = mt.tensor([1.0, 5.0], device=device)
    b = mt.tensor([3.0, 2.0], device=device)
    assert host(mt.maximum(a, b)) == [3.0, 5.0] and host(mt.minimum(a, b)) == [1.0, 2.0]
    assert host(mt.where(a > b, a, b)) == [3.0, 5.0]
    assert host(mt.where(a > 2, a, 0.0)) == [0.0, 5.0]
    assert host(mt.where(a > 2, 1.0, 0.0)) == [0.0, 1.0]


# ----------------------------------------------------------------------------- reductions


def test_sum_mean_with_dim_tuple_and_keepdim(device):
    t = mt.tensor(X, device=device)
    assert host(t.sum()) == 5.0 and host(t.sum(0)) == [5.0, 3.0, -3.0]
    assert host(t.sum(-1)) == [2.0, 3.0] and host(t.sum((0, 1))) == 5.0
    assert host(t.sum(1, keepdim=True)) == [[2.0], [3.0]]
    assert t.sum((0, 1), keepdim=True).shape == (1, 1)
    assert host(t.mean()) == pytest.approx(5 / 6) and host(t.mean(0)) == [2.5, 1.5, -1.5]
    assert t.mean(1, keepdim=True).shape == (2, 1) and host(mt.sum(t, dim=0)) == host(t.sum(0))


def test_max_min_argmax_argmin(device):
    t = mt.tensor(X, device=device)
    assert host(t.max()) == 5.0 and host(t.min()) == -6.0
    assert host(t.max(0).values) == [4.0, 5.0, 3.0] and host(t.max(0).indices) == [1, 1, 0]
    assert host(t.min(1, keepdim=True).values) == [[-2.0], [-6.0]]
    assert host(t.argmax()) == 4 and host(t.argmin()) == 5
    assert host(t.argmax(1)) == [2, 1] and host(t.argmin(0, keepdim=True)) == [[0, 0, 1]]
    assert host(mt.max(t, mt.zeros(2, 3, device=device))) == [[1.0, 0.0, 3.0], [4.0, 5.0, 0.0]]


def test_reductions_of_empty_tensors():
    empty = mt.ones(2, 0)
    assert empty.sum().item() == 0.0 and empty.sum(1).tolist() == [0.0, 0.0]
    assert empty.prod(1).tolist() == [1.0, 1.0] and empty.max(0).values.shape == (0,)
    assert empty.softmax(1).shape == (2, 0) and empty.log_softmax(0).shape == (2, 0)
    with pytest.raises(IndexError, match="Expected reduction dim 1 to have non-zero size"):
        empty.max(1)
    with pytest.raises(IndexError, match="Expected reduction dim 1 to have non-zero size"):
        empty.argmin(1)
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        empty.max()


def test_prod_var_std(device):
    t = mt.tensor([[1.0, 2.0], [3.0, 5.0]], device=device)
    assert host(t.prod()) == 30.0 and host(t.prod(1)) == [2.0, 15.0]
    assert host(mt.tensor(I).prod(1)) == [-6, -120]
    assert host(t.var()) == pytest.approx(np.var([1, 2, 3, 5], ddof=1))
    assert host(t.var(0, unbiased=False)) == [1.0, 2.25]
    assert host(t.var(1, correction=0)) == [0.25, 1.0]
    assert host(t.std(1)) == pytest.approx([np.sqrt(0.5), np.sqrt(2.0)])
    assert t.std((0, 1), keepdim=True).shape == (1, 1)


def test_softmax_and_log_softmax():
    t = mt.tensor([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])
    s = t.softmax(-1)
    np.testing.assert_allclose(s.sum(1).tolist(), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(s[1].tolist(), [1 / 3] * 3, rtol=1e-6)  # no overflow
    np.testing.assert_allclose(mt.log_softmax(t, dim=1).exp().tolist(), s.tolist(), rtol=1e-5)
    np.testing.assert_allclose(mt.softmax(t, 0)[:, 0].tolist(), [0.0, 1.0])


def test_any_all():
    assert mt.tensor([True, False]).any().item() and not mt.tensor([True, False]).all().item()
    assert (mt.tensor(I) > 0).any(1).tolist() == [True, True]


# ----------------------------------------------------------------------------- shape ops


def test_reshape_view_flatten(device):
    t = mt.tensor(X, device=device)
    assert host(t.reshape(3, 2)) == [[1.0, -2.0], [3.0, 4.0], [5.0, -6.0]]
    assert t.reshape(-1).shape == (6,) and t.view(1, 6).shape == (1, 6)
    assert t.reshape((3, 2)).shape == (3, 2) and t.view(-1, 2).shape == (3, 2)
    assert t.flatten().shape == (6,) and mt.ones(2, 3, 4).flatten(1).shape == (2, 12)
    assert mt.ones(2, 3, 4).flatten(0, 1).shape == (6, 4)


def test_squeeze_unsqueeze():
    t = mt.ones(1, 2, 1)
    assert t.squeeze().shape == (2,) and t.squeeze(0).shape == (2, 1)
    assert t.squeeze(1).shape == (1, 2, 1), "a dim that is not 1 stays"
    assert mt.ones(2).unsqueeze(0).shape == (1, 2) and mt.ones(2).unsqueeze(-1).shape == (2, 1)


def test_transpose_permute_t():
    t = mt.arange(24).reshape(2, 3, 4)
    assert t.transpose(0, 2).shape == (4, 3, 2) and t.permute(2, 0, 1).shape == (4, 2, 3)
    assert t.T.shape == (4, 3, 2) and t.mT.shape == (2, 4, 3)
    assert t.permute(2, 0, 1)[1, 0, 2].item() == t[0, 2, 1].item()
    m = mt.tensor([[1, 2, 3]])
    assert m.t().tolist() == [[1], [2], [3]] and mt.t(m).shape == (3, 1)


def test_expand_and_repeat():
    col = mt.tensor([[1.0], [2.0]])
    assert col.expand(2, 3).tolist() == [[1.0] * 3, [2.0] * 3]
    assert mt.tensor([1.0, 2.0]).expand(2, -1).shape == (2, 2)
    assert mt.tensor([1, 2]).repeat(2).tolist() == [1, 2, 1, 2]
    assert mt.tensor([1, 2]).repeat(2, 2).tolist() == [[1, 2, 1, 2], [1, 2, 1, 2]]


def test_cat_and_stack(device):
    a = mt.tensor([[1.0, 2.0]], device=device)
    b = mt.tensor([[3.0, 4.0]], device=device)
    assert host(mt.cat([a, b])) == [[1.0, 2.0], [3.0, 4.0]]
    assert host(mt.cat((a, b), dim=1)) == [[1.0, 2.0, 3.0, 4.0]]
    assert host(mt.cat([a, b], -1)) == [[1.0, 2.0, 3.0, 4.0]]
    assert mt.stack([a, b]).shape == (2, 1, 2) and mt.stack([a, b], dim=2).shape == (1, 2, 2)
    assert host(mt.stack([a[0], b[0]], dim=1)) == [[1.0, 3.0], [2.0, 4.0]]


# ----------------------------------------------------------------------------- indexing


def test_basic_indexing_and_slicing(device):
    t = mt.tensor(X, device=device)
    assert host(t[1]) == [4.0, 5.0, -6.0] and host(t[:, 0]) == [1.0, 4.0]
    assert host(t[-1, -1]) == -6.0 and host(t[..., 1]) == [-2.0, 5.0]
    assert t[None].shape == (1, 2, 3) and t[:, None, :].shape == (2, 1, 3)
    assert host(t[::2]) == [[1.0, -2.0, 3.0]] and host(t[0, 1:]) == [-2.0, 3.0]
    assert host(t[mt.tensor(1)]) == [4.0, 5.0, -6.0]


def test_integer_array_and_boolean_mask_indexing(device):
    t = mt.tensor(X, device=device)
    assert host(t[[0, 1], [2, 0]]) == [3.0, 4.0]
    assert host(t[mt.tensor([1, 0], device=device)]) == [X[1], X[0]]
    assert host(t[t > 0]) == [1.0, 3.0, 4.0, 5.0]
    assert host(t[:, mt.tensor([True, False, True], device=device)]) == [[1.0, 3.0], [4.0, -6.0]]
    assert t[mt.tensor([[0, 1], [1, 1]])].shape == (2, 2, 3)
    assert host(t[np.array([1, 0])]) == [X[1], X[0]]
    assert host(t[1, [0, 2]]) == [4.0, -6.0]


def test_slices_are_views_and_array_indexing_copies():
    t = mt.tensor(X)
    view = t[0]
    view[0] = 100.0
    assert t[0, 0].item() == 100.0
    copy = t[[0]]
    copy[0, 0] = -1.0
    assert t[0, 0].item() == 100.0


def test_setitem(device):
    t = mt.tensor(X, device=device)
    t[0, 1] = 9.0
    t[t < 0] = 0.0
    t[:, 2] = mt.tensor([7.0, 8.0], device=device)
    assert host(t) == [[1.0, 9.0, 7.0], [4.0, 5.0, 8.0]]
    t[mt.tensor([True, False], device=device)] = mt.tensor([5.0, 5.0, 5.0], device=device)
    t[[1]] = 1.0
    assert host(t) == [[5.0, 5.0, 5.0], [1.0, 1.0, 1.0]]
    ints = mt.tensor(I)
    ints[0] = mt.tensor([1.9, 2.9, 3.9])  # stored in the tensor's own dtype
    assert ints[0].tolist() == [1, 2, 3] and ints.dtype == mt.int64


def test_setitem_records_for_autograd():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[0] = 0.0
    assert y.grad_fn.name() == "CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


# ----------------------------------------------------------------------------- in place


def test_in_place_ops_change_the_tensor_and_return_it(device):
    t = mt.tensor(X, device=device)
    assert t.add_(1) is t and host(t) == [[2.0, -1.0, 4.0], [5.0, 6.0, -5.0]]
    t.sub_(0.5).mul_(2).div_(4)
    assert host(t) == [[0.75, -0.75, 1.75], [2.25, 2.75, -2.75]]
    t.clamp_(-1, 1)
    assert host(t) == [[0.75, -0.75, 1.0], [1.0, 1.0, -1.0]]
    t.add_(mt.tensor([1.0, 2.0, 3.0], device=device), alpha=2)
    assert host(t[0]) == [2.75, 3.25, 7.0]
    t.zero_()
    assert host(t) == [[0.0] * 3] * 2
    t.fill_(3)
    assert host(t) == [[3.0] * 3] * 2
    t.copy_(mt.tensor([1.0, 2.0, 3.0], device=device))
    assert host(t) == [[1.0, 2.0, 3.0]] * 2
    assert t._version[0] == 9


def test_augmented_assignment_is_in_place():
    t = mt.tensor([1.0, 2.0])
    alias = t
    t += 1
    t *= 3
    t -= 1
    t /= 2
    assert alias is t and t.tolist() == [2.5, 4.0]


def test_in_place_keeps_the_integer_dtype():
    t = mt.tensor(I)
    t.add_(2).mul_(3)
    assert t.dtype == mt.int64 and t[0].tolist() == [9, 0, 15]
    t.copy_(mt.tensor([1.7, 2.2, -3.5]))
    assert t[1].tolist() == [1, 2, -3]
