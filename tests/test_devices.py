"""The same minitensor code on every device: every op, its gradients, and PyTorch's device API.

The `device` fixture (conftest.py) runs each test on "cpu" and on "cuda": a real GPU
when CuPy finds one, else the array_api_strict stand-in, whose arrays refuse to become
NumPy arrays or to mix with CPU arrays. An op that leaks to NumPy therefore fails here
on any machine. Each op's numbers on "cuda" are compared with the same op on the CPU.

The stand-in's own machinery (fake CuPy, leak detection, indexing emulation) is tested in
test_device_standin.py.
"""

import numpy as np
import pytest
from device_training import train_classifier  # tests/device_training.py

import minitensor as mt
from minitensor import ops
from minitensor import tensor_functions as F
from minitensor.nn import functional as NN

RNG = np.random.default_rng(0)


def host(*shape, low=-2.0, high=2.0):
    """Seeded float64 numbers, made once at import so every run sees the same ones."""
    return RNG.uniform(low, high, shape)


A34, B4, B34 = host(3, 4), host(4), host(3, 4)
POS34 = host(3, 4, low=0.5, high=2.0)
COL31, ROW14 = host(3, 1), host(1, 4)
TIES = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 3.0]])  # with TIES_B: equal in three places
TIES_B = np.array([[1.0, 0.0, 3.0], [0.0, 2.0, 1.0]])
WITH_ZERO = np.array([[1.5, 0.0, -2.0], [0.5, 3.0, 1.0]])
M45, V4, V5, BATCH = host(4, 5), host(4), host(5), host(2, 3, 4)
CLASSES3, W4 = np.array([2, 0, 3]), host(4, low=0.5, high=2.0)  # class targets of A34's rows


def _setitem(x, index, value):
    y = x * 1  # a non-leaf copy, so the write is recorded (CopySlices)
    y[index] = value
    return y * x


def _inplace(method, *args):
    """x -> (copy of x changed in place by `method`) * x: the in-place op is recorded."""

    def run(x, *others):
        y = x * 1
        getattr(y, method)(*others, *args)
        return y * x

    return run


# name -> (function of tensors, host inputs). Every float input requires grad.
CASES = {
    "add_broadcast": (lambda a, b: a + b, [A34, B4]),
    "add_number": (lambda a: a + 1.5, [A34]),
    "sub": (lambda a, b: a - b, [A34, B34]),
    "rsub_number": (lambda a: 2 - a, [A34]),
    "mul_outer": (lambda a, b: a * b, [COL31, ROW14]),
    "div": (lambda a, b: a / b, [A34, POS34]),
    "rdiv_number": (lambda b: 3 / b, [POS34]),
    "neg": (lambda a: -a, [A34]),
    "pow_number": (lambda a: a**3, [A34]),
    "pow_zero": (lambda a: a**0, [A34]),
    "pow_tensor": (lambda a, b: a**b, [POS34, B34]),
    "rpow_number": (lambda b: 2**b, [B34]),
    "exp": (lambda a: a.exp(), [A34]),
    "log": (lambda a: a.log(), [POS34]),
    "sqrt": (lambda a: a.sqrt(), [POS34]),
    "sin": (lambda a: a.sin(), [A34]),
    "cos": (lambda a: a.cos(), [A34]),
    "tanh": (lambda a: a.tanh(), [A34]),
    "sigmoid": (lambda a: a.sigmoid(), [A34]),
    "relu": (lambda a: a.relu(), [A34]),
    "leaky_relu": (lambda a: F.leaky_relu(a, 0.1), [A34]),
    "abs": (lambda a: a.abs(), [A34]),
    "sign": (lambda a: a.sign(), [A34]),
    "clamp_both": (lambda a: a.clamp(-1.0, 0.5), [A34]),
    "clamp_min": (lambda a: a.clamp(min=0.0), [A34]),
    "clamp_max": (lambda a: a.clamp(max=0.0), [A34]),
    "clamp_tensor_bounds": (lambda a, b: a.clamp(min=b), [A34, B34]),
    "maximum_ties": (lambda a, b: mt.maximum(a, b), [TIES, TIES_B]),
    "minimum_ties": (lambda a, b: mt.minimum(a, b), [TIES, TIES_B]),
    "where": (lambda a, b: mt.where(a > 0, a, b), [A34, B34]),
    "where_number": (lambda a: mt.where(a > 0, a, 0.0), [A34]),
    "clone": (lambda a: a.clone() * 2, [A34]),
    "to_float64": (lambda a: a.double() * 2, [A34]),
    "fill_": (_inplace("fill_", 2.5), [A34]),
    "zero_": (_inplace("zero_"), [A34]),
    "copy_": (_inplace("copy_"), [A34, B4]),
    "add_": (_inplace("add_"), [A34, B34]),
    "mul_": (_inplace("mul_"), [A34, B34]),
    "setitem_row": (lambda a, b: _setitem(a, 0, b), [A34, B4]),
    "setitem_mask": (lambda a: _setitem(a, a > 0, 0.0), [A34]),
    "setitem_list": (lambda a, b: _setitem(a, [2, 0], b), [A34, B4]),
    "sum": (lambda a: a.sum(), [A34]),
    "sum_dim_keepdim": (lambda a: a.sum(1, keepdim=True), [A34]),
    "sum_dims": (lambda a: a.sum((0, 2)), [BATCH]),
    "mean": (lambda a: a.mean(), [A34]),
    "mean_dim": (lambda a: a.mean(0), [A34]),
    "max": (lambda a: a.max(), [TIES]),
    "max_dim": (lambda a: a.max(1).values, [TIES]),
    "min": (lambda a: a.min(), [TIES]),
    "min_dim_keepdim": (lambda a: a.min(0, keepdim=True)[0], [TIES]),
    "prod": (lambda a: a.prod(), [A34]),
    "prod_with_zero": (lambda a: a.prod(1), [WITH_ZERO]),
    "var": (lambda a: a.var(), [A34]),
    "std_dim": (lambda a: a.std(0), [A34]),
    "norm": (lambda a: a.norm(), [A34]),
    "matmul": (lambda a, b: a @ b, [A34, M45]),
    "matmul_vector_vector": (lambda a, b: a @ b, [V4, B4]),
    "matmul_matrix_vector": (lambda a, b: a @ b, [A34, V4]),
    "matmul_vector_matrix": (lambda a, b: a @ b, [V4, M45]),
    "matmul_batched": (lambda a, b: a @ b, [BATCH, M45]),
    # nn.Linear on a batch: Addmm (bias + x @ W^T); W of shape (5, 4) is M45's transpose
    "linear": (lambda x, w, b: mt.nn.functional.linear(x, w, b), [A34, M45.T.copy(), V5]),
    "reshape": (lambda a: a.reshape(4, 3), [A34]),
    "view_infer": (lambda a: a.view(-1), [A34]),
    "flatten": (lambda a: a.flatten(), [BATCH]),
    "unsqueeze": (lambda a: a.unsqueeze(1), [A34]),
    "squeeze": (lambda a: a.squeeze(1), [COL31]),
    "permute": (lambda a: a.permute(2, 0, 1), [BATCH]),
    "transpose": (lambda a: a.transpose(0, 2), [BATCH]),
    "t": (lambda a: a.t(), [A34]),
    "expand": (lambda a: a.expand(3, 4), [ROW14]),
    "repeat": (lambda a: a.repeat(2, 1, 3), [A34]),
    "index_int": (lambda a: a[1], [A34]),
    "index_negative_pair": (lambda a: a[-1, -2], [A34]),
    "index_slice_step": (lambda a: a[::2, 1:3], [A34]),
    "index_none": (lambda a: a[None, 1], [A34]),
    "index_ellipsis": (lambda a: a[..., 2], [BATCH]),
    "index_list_repeats": (lambda a: a[[0, 2, 0]], [A34]),
    "index_tensor": (lambda a: a[mt.tensor([1, 1, 0], device=a.device)], [A34]),
    "index_two_arrays": (lambda a: a[[0, 2, 2], [3, 1, 1]], [A34]),
    "index_slice_then_array": (lambda a: a[:, [3, 0, 3]], [A34]),
    "index_mask": (lambda a: a[a > 0], [A34]),
    "index_row_mask": (lambda a: a[mt.tensor([True, False, True], device=a.device)], [A34]),
    "cat": (lambda a, b: mt.cat([a, b, a], dim=1), [A34, B34]),
    "stack": (lambda a, b: mt.stack([a, b], dim=1), [A34, B34]),
    "softmax": (lambda a: a.softmax(1), [A34]),
    "log_softmax": (lambda a: a.log_softmax(0), [A34]),
    "mse_loss": (lambda a, b: NN.mse_loss(a, b), [A34, B34]),
    "mse_loss_broadcast_none": (lambda a, b: NN.mse_loss(a, b, reduction="none"), [A34, B4]),
    "cross_entropy": (lambda a: NN.cross_entropy(a, mt.tensor(CLASSES3, device=a.device)), [A34]),
    "nll_loss_weighted": (
        lambda a: NN.nll_loss(
            a,
            mt.tensor(CLASSES3, device=a.device),
            mt.tensor(W4, dtype=a.dtype, device=a.device),
            ignore_index=0,
            reduction="none",
        ),
        [A34],
    ),
    "log1p": (lambda a: a.log1p(), [POS34]),
    "amax_amin": (lambda a: a.amax(0) + a.amin(dim=(0, 1), keepdim=True), [A34]),
    "logsumexp": (lambda a: a.logsumexp(1) + a.logsumexp((0, 1)), [A34]),
    "rounding": (lambda a: a * (a.floor() + a.ceil() + a.trunc() + a.round(decimals=1)), [A34]),
    "cumsum": (lambda a: a.cumsum(1) * a.cumsum(-2), [A34]),
    "remainder": (lambda a, b: a % b, [A34, POS34]),
    "remainder_number": (lambda a: a % 0.75, [A34]),
    "masked_fill": (lambda a: a.masked_fill(a > 0, 0.5), [A34]),
    "norm_dim": (lambda a: a.norm(1, dim=0), [A34]),
    "in_place_unary": (lambda a: ((a * 1).tanh_() + (a * 1).abs_().sqrt_()) * a, [A34]),
}


def run_case(name, device, dtype=mt.float32):
    """Forward and backward of one case on `device`; results as host NumPy arrays."""
    fn, arrays = CASES[name]
    inputs = [mt.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in arrays]
    out = fn(*inputs)
    assert out.device == mt.device("cuda:0" if device == "cuda" else "cpu")
    seed = np.random.default_rng(1).uniform(0.5, 1.5, tuple(out.shape))
    out.backward(mt.tensor(seed, dtype=out.dtype, device=device))
    for x in inputs:
        assert x.grad is not None and x.grad.device == x.device and x.grad.dtype == x.dtype
    return out.detach().cpu().numpy(), [x.grad.cpu().numpy() for x in inputs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_forward_and_backward_match_the_cpu(name, device):
    out, grads = run_case(name, device)
    cpu_out, cpu_grads = run_case(name, "cpu")
    np.testing.assert_allclose(out, cpu_out, rtol=1e-5, atol=1e-6)
    for grad, cpu_grad in zip(grads, cpu_grads):
        np.testing.assert_allclose(grad, cpu_grad, rtol=1e-5, atol=1e-6)


def test_device_cases_cover_every_primitive_op():
    """A new op in ops.PRIMITIVES needs a case above, or this fails."""
    seen = set()
    for fn, arrays in CASES.values():
        out = fn(*[mt.tensor(a, dtype=mt.float32, requires_grad=True) for a in arrays])
        stack, visited = [out.grad_fn], set()
        while stack:
            node = stack.pop()
            if node is not None and id(node) not in visited:
                visited.add(id(node))
                seen.add(type(node))
                stack.extend(n for n, _ in node.next_functions)
    assert {op.__name__ for op in ops.PRIMITIVES} - {kind.__name__ for kind in seen} == set()


@pytest.mark.parametrize("name", ["matmul", "softmax", "index_list_repeats", "var"])
def test_float64_stays_float64_on_every_device(name, device):
    out, grads = run_case(name, device, dtype=mt.float64)
    assert out.dtype == np.float64 and all(g.dtype == np.float64 for g in grads)


def test_gradcheck_passes_on_every_device(device):
    x = mt.tensor(A34, dtype=mt.float64, device=device, requires_grad=True)
    w = mt.tensor(M45, dtype=mt.float64, device=device, requires_grad=True)
    assert mt.autograd.gradcheck(lambda x, w: (x @ w).tanh().log_softmax(1), (x, w))


# ----------------------------------------------------------------------------- untracked ops


def _values(t):
    return t.cpu().tolist()


UNTRACKED = {
    "eq": lambda a, b: a == b,
    "lt_number": lambda a, b: a < 0.5,
    "ge": lambda a, b: a >= b,
    "logical": lambda a, b: ((a > 0) & (b > 0)) | ~(a > 1),
    "floor_divide": lambda a, b: a // 0.7,
    "remainder": lambda a, b: a % 0.7,
    "sign": lambda a, b: a.sign(),
    "argmax": lambda a, b: a.argmax(1),
    "argmin_all": lambda a, b: a.argmin(),
    "all_any": lambda a, b: mt.stack([(a > -3).all(), (a > 1).any()]),
    "isnan_isfinite": lambda a, b: (a / (b - b)).isnan() | (a / b).isfinite(),
    "sum_of_bools": lambda a, b: (a > 0).sum(),
    "int_true_division": lambda a, b: (a * 10).long() / 3,
    "int_plus_float": lambda a, b: (a * 10).long() + 0.5,
}


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize("name", sorted(UNTRACKED))
def test_untracked_op_matches_the_cpu(name, device):
    fn = UNTRACKED[name]
    result = fn(mt.tensor(A34, device=device), mt.tensor(B34, device=device))
    expected = fn(mt.tensor(A34), mt.tensor(B34))
    assert result.device.type == device and result.dtype is expected.dtype
    np.testing.assert_allclose(np.asarray(_values(result)), np.asarray(_values(expected)))


def test_allclose_and_equal_work_on_every_device(device):
    a = mt.tensor(A34, device=device)
    assert mt.allclose(a, a + 1e-9) and not mt.allclose(a, a + 1)
    assert mt.equal(a, a.clone()) and not mt.equal(a, -a)


def test_grad_accumulates_across_backward_calls_on_every_device(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 8.0] and x.grad.device.type == device


def test_hooks_retain_grad_and_autograd_grad_on_every_device(device):
    x = mt.tensor([1.0, -2.0], device=device, requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    y = x.exp()
    y.retain_grad()
    (y * 2).sum().backward()
    assert y.grad.tolist() == [2.0, 2.0] and y.grad.device.type == device
    np.testing.assert_allclose(x.grad.tolist(), 20 * np.exp([1.0, -2.0]), rtol=1e-6)
    handle.remove()
    (g,) = mt.autograd.grad((x**2).sum(), x)
    assert g.tolist() == [2.0, -4.0] and g.device.type == device


def test_custom_function_runs_on_every_device(device):
    class Scale(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.factor, None

    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = Scale.apply(x, 3.0)
    assert y.device.type == device and y.grad_fn.name() == "ScaleBackward"
    (y * y).sum().backward()
    assert x.grad.tolist() == [18.0, 36.0] and x.grad.device.type == device


def test_backward_stepper_steps_carry_arrays_of_the_device(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    steps = list(mt.autograd.backward_steps((x * x).sum()))
    assert [s.node.name() for s in steps] == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    assert mt.device(device).backend.is_array(steps[-1].grad_output)


def test_saved_tensor_modified_in_place_is_caught_on_every_device(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x * 1
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_optimizer_style_update_under_no_grad_on_every_device(device):
    w = mt.tensor([1.0, -1.0], device=device, requires_grad=True)
    (w * w).sum().backward()
    with mt.no_grad():
        w -= 0.25 * w.grad
    w.grad.zero_()
    assert w.tolist() == [0.5, -0.5] and w.grad.tolist() == [0.0, 0.0]


# ----------------------------------------------------------------------------- creation


def _created(device):
    mt.manual_seed(7)
    like = mt.tensor(A34, device=device)
    return {
        "tensor": mt.tensor([[1, 2], [3, 4]], device=device),
        "zeros": mt.zeros(2, 3, device=device),
        "ones": mt.ones((2,), dtype=mt.int64, device=device),
        "full": mt.full((2, 2), 3.5, device=device),
        "empty": mt.empty(3, device=device),
        "eye": mt.eye(3, device=device),
        "arange": mt.arange(1, 7, 2, device=device),
        "linspace": mt.linspace(0, 1, 5, device=device),
        "rand": mt.rand(2, 3, device=device),
        "randn": mt.randn(4, device=device),
        "randint": mt.randint(0, 10, (5,), device=device),
        "randperm": mt.randperm(6, device=device),
        "zeros_like": mt.zeros_like(like),
        "ones_like": mt.ones_like(like),
        "full_like": mt.full_like(like, 2.0),
        "empty_like": mt.empty_like(like),
        "rand_like": mt.rand_like(like),
        "randn_like": mt.randn_like(like),
        "as_tensor": mt.as_tensor([1.0, 2.0], device=device),
        "Tensor": mt.Tensor([1, 2], device=device),
    }


def test_every_creation_function_takes_device_and_makes_the_cpu_numbers(device):
    made, on_cpu = _created(device), _created("cpu")
    for name, t in made.items():
        assert t.device == mt.device("cuda:0" if device == "cuda" else "cpu"), name
        assert t.dtype is on_cpu[name].dtype, name
        assert t.tolist() == on_cpu[name].tolist(), name


def test_creation_with_requires_grad_on_device_is_a_leaf(device):
    t = mt.zeros(2, device=device, requires_grad=True)
    assert t.is_leaf and t.requires_grad and t.device.type == device


def test_creation_accepts_device_objects_and_cpu_index(device):
    t = mt.ones(2, device=mt.device(device))
    assert t.device.type == device
    assert mt.ones(2, device="cpu:0").device == mt.device("cpu")


# ----------------------------------------------------------------------------- moving


def test_to_cpu_and_back_keeps_numbers_and_dtype(cuda_device):
    x = mt.tensor([[1.5, 2.0]], dtype=mt.float64)
    on_gpu = x.to(cuda_device)
    assert on_gpu.device == mt.device("cuda:0") and on_gpu.is_cuda and not x.is_cuda
    assert on_gpu.dtype is mt.float64 and on_gpu.tolist() == [[1.5, 2.0]]
    back = on_gpu.cpu()
    assert back.device == mt.device("cpu") and back.numpy().tolist() == [[1.5, 2.0]]


def test_cuda_method_and_to_spellings(cuda_device):
    x = mt.tensor([1.0, 2.0])
    spellings = (x.cuda(), x.cuda(0), x.cuda("cuda:0"), x.to("cuda"), x.to(0), x.to(mt.device(0)))
    for moved in spellings:
        assert moved.device == mt.device("cuda:0")
    y = x.to("cuda", mt.float64)
    assert y.device.type == "cuda" and y.dtype is mt.float64
    z = x.to(device="cuda", dtype=mt.int64)
    assert z.device.type == "cuda" and z.tolist() == [1, 2]
    assert x.to(y).device.type == "cuda" and x.to(y).dtype is mt.float64  # .to(other)


def test_to_with_nothing_to_change_returns_the_same_tensor(device):
    x = mt.ones(2, device=device)
    assert x.to(device) is x and x.to(mt.float32) is x and x.to(x) is x
    if device == "cpu":
        assert x.cpu() is x
    else:
        assert x.cuda() is x


def test_to_dtype_on_the_device_stays_on_the_device(device):
    x = mt.tensor([1.7, -2.2], device=device)
    assert x.to(mt.int64).tolist() == [1, -2] and x.long().device.type == device
    assert x.double().dtype is mt.float64 and x.double().device.type == device


def test_gradients_flow_through_to_across_devices(cuda_device):
    x = mt.tensor([1.0, 2.0], requires_grad=True)  # on the CPU
    y = x.cuda()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.device == mt.device("cpu") and x.grad.tolist() == [2.0, 4.0]
    w = mt.tensor([3.0], device=cuda_device, requires_grad=True)
    (w.cpu() * 2).sum().backward()
    assert w.grad.device == mt.device("cuda:0") and w.grad.tolist() == [2.0]


def test_numpy_of_a_cuda_tensor_says_to_call_cpu_first(cuda_device):
    x = mt.ones(2, device=cuda_device)
    with pytest.raises(
        TypeError, match=r"can't convert cuda:0 device type tensor to numpy.*cpu\(\)"
    ):
        x.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0"):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 1.0]


def test_item_tolist_float_and_bool_work_on_every_device(device):
    x = mt.tensor([[2.5, -1.0]], device=device)
    assert x[0, 0].item() == 2.5 and isinstance(x.sum().item(), float)
    assert x.tolist() == [[2.5, -1.0]] and float(x[0, 1]) == -1.0
    assert bool(x[0, 0] > 0) and int(mt.tensor(3, device=device)) == 3
    assert [row.tolist() for row in x] == [[2.5, -1.0]]


def test_tensor_repr_and_device_print_like_pytorch(cuda_device):
    x = mt.tensor([1.0, 2.0], device=cuda_device, requires_grad=True)
    assert repr(x) == "tensor([1., 2.], device='cuda:0', requires_grad=True)"
    assert repr(x.device) == "device(type='cuda', index=0)" and str(x.device) == "cuda:0"
    assert repr(mt.ones(1).device) == "device(type='cpu')"


def test_tensor_of_a_device_tensor_copies_on_its_device(device):
    x = mt.tensor([1.0, 2.0], device=device)
    for copy in (mt.tensor(x), mt.as_tensor(x), x.clone()):
        assert copy.device == x.device and copy.tolist() == [1.0, 2.0]
    y = mt.tensor(x)
    y.add_(1)
    assert x.tolist() == [1.0, 2.0]  # tensor() copies


# ----------------------------------------------------------------------------- mixing


@pytest.mark.parametrize(
    "op",
    [
        lambda g, c: g + c,
        lambda g, c: c * g,
        lambda g, c: g @ c,
        lambda g, c: mt.cat([g, c]),
        lambda g, c: mt.stack([c, g]),
        lambda g, c: mt.where(g > 0, g, c),
        lambda g, c: mt.maximum(g, c),
        lambda g, c: g.add_(c),
    ],
    ids=["add", "mul", "matmul", "cat", "stack", "where", "maximum", "add_"],
)
def test_mixing_cpu_and_cuda_tensors_raises_naming_both_devices(op, cuda_device):
    on_gpu = mt.ones(2, 2, device=cuda_device)
    on_cpu = mt.ones(2, 2)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device") as info:
        op(on_gpu, on_cpu)
    assert "cuda:0" in str(info.value) and "cpu" in str(info.value)


def test_a_zero_dim_cpu_tensor_joins_a_cuda_op_like_a_number(cuda_device):
    # PyTorch allows this one mix: a 0-dim CPU tensor is treated as a scalar.
    x = mt.tensor([1.0, 2.0], device=cuda_device)
    assert (x * mt.tensor(3.0)).tolist() == [3.0, 6.0]
    assert (mt.tensor(1.0) + x).device == mt.device("cuda:0")


def test_indexing_a_cuda_tensor_with_a_cpu_index_tensor_works(cuda_device):
    x = mt.tensor([10.0, 20.0, 30.0], device=cuda_device)
    assert x[mt.tensor([2, 0])].tolist() == [30.0, 10.0]


def test_assigning_a_grad_from_another_device_raises(cuda_device):
    x = mt.ones(2, device=cuda_device, requires_grad=True)
    with pytest.raises(RuntimeError, match="same device"):
        x.grad = mt.ones(2)


def test_backward_with_a_gradient_on_another_device_raises(cuda_device):
    y = mt.ones(2, device=cuda_device, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="same device"):
        y.backward(mt.ones(2))


# ----------------------------------------------------------------------------- device objects


def test_device_objects_print_and_compare_like_pytorch():
    assert repr(mt.device("cuda")) == "device(type='cuda')"
    assert repr(mt.device("cuda:0")) == "device(type='cuda', index=0)"
    assert repr(mt.device("cuda", 1)) == "device(type='cuda', index=1)"
    assert repr(mt.device("cpu")) == "device(type='cpu')" and str(mt.device("cpu")) == "cpu"
    assert mt.device("cuda:0") == mt.device("cuda", 0) == mt.device(0)
    assert mt.device("cuda") != mt.device("cuda:0")  # as torch: no index != index 0
    assert mt.device("cpu") != "cpu"  # as torch: compare .type with strings
    assert mt.device("cuda:0").type == "cuda" and mt.device("cuda:0").index == 0
    assert mt.device(mt.device("cpu")) is mt.device("cpu")


def test_device_objects_survive_pickling():
    import pickle

    for spec in ("cpu", "cuda", "cuda:0"):
        assert pickle.loads(pickle.dumps(mt.device(spec))) == mt.device(spec)


@pytest.mark.parametrize(
    "spec, error, phrase",
    [
        ("gpu", RuntimeError, "Expected one of cpu, cuda device type at start of device string"),
        ("CUDA", RuntimeError, "Expected one of cpu, cuda"),
        ("cuda:x", RuntimeError, "Invalid device string: 'cuda:x'"),
        ("cuda:-1", RuntimeError, "Invalid device string"),
        (" cuda", RuntimeError, "Expected one of cpu, cuda"),
        (3.5, TypeError, "invalid argument 3.5"),
    ],
)
def test_bad_device_strings_raise_pytorchs_errors(spec, error, phrase):
    with pytest.raises(error, match=phrase):
        mt.device(spec)


def test_a_second_gpu_is_refused_with_a_clear_message(cuda_device):
    with pytest.raises(RuntimeError, match="invalid device ordinal.*one GPU.*cuda:1"):
        mt.zeros(2, device="cuda:1")
    with pytest.raises(RuntimeError, match="cuda:1"):
        mt.zeros(2).to("cuda:1")


def test_cuda_functions_report_the_device_in_use(cuda_device):
    assert mt.cuda.is_available() and mt.cuda.unavailable_reason() is None
    assert mt.cuda.device_count() >= 1 and mt.cuda.current_device() == 0
    assert isinstance(mt.cuda.get_device_name(), str) and mt.cuda.get_device_name()
    mt.cuda.synchronize()


def test_cuda_manual_seed_gives_the_cpu_numbers(cuda_device):
    mt.cuda.manual_seed(3)
    on_gpu = mt.randn(4, device=cuda_device).tolist()
    mt.manual_seed(3)
    assert mt.randn(4).tolist() == on_gpu


# ----------------------------------------------------------------------------- nn, optim, data


def _mlp(seed=0):
    mt.manual_seed(seed)
    return mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.Tanh(), mt.nn.Linear(8, 3))


def _host_values(tensors):
    return [t.detach().cpu().numpy() for t in tensors]


def test_module_to_moves_parameters_and_buffers_in_place(device):
    model = _mlp()
    model.register_buffer("scale", mt.ones(3))
    before = list(model.parameters())
    values = _host_values(before)
    assert model.to(device) is model
    after = list(model.parameters())
    assert all(a is b for a, b in zip(after, before))  # the same Parameter objects
    for p, value in zip(after, values):
        assert isinstance(p, mt.nn.Parameter) and p.is_leaf and p.requires_grad
        assert p.device.type == device and np.array_equal(p.detach().cpu().numpy(), value)
    assert model.scale.device.type == device
    assert all(t.device.type == device for t in model.state_dict().values())


def test_module_cuda_and_cpu_round_trip_keeps_the_numbers(cuda_device):
    model = _mlp()
    values = _host_values(model.parameters())
    assert all(p.is_cuda for p in model.cuda().parameters())
    assert not any(p.is_cuda for p in model.cpu().parameters())
    for p, value in zip(model.parameters(), values):
        np.testing.assert_array_equal(p.detach().numpy(), value)


def test_module_to_moves_existing_gradients_too(cuda_device):
    model = _mlp()
    model(mt.ones(2, 4)).sum().backward()
    model.to(cuda_device)
    assert all(p.grad.device == p.device == mt.device("cuda:0") for p in model.parameters())


OPTIMIZERS = {
    "SGD": lambda p: mt.optim.SGD(p, lr=0.1),
    "SGD_nesterov": lambda p: mt.optim.SGD(
        p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01
    ),
    "Adam": lambda p: mt.optim.Adam(p, lr=0.01),
    "Adam_amsgrad": lambda p: mt.optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=0.1),
    "AdamW": lambda p: mt.optim.AdamW(p, lr=0.01),
    "RMSprop": lambda p: mt.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda p: mt.optim.Adagrad(p, lr=0.1),
}


def _train(device, make_optimizer, optimizer_first, steps=4):
    """A few steps of a small classifier; the optimizer is made before or after `to()`."""
    model = _mlp()
    if optimizer_first:
        optimizer = make_optimizer(model.parameters())
        model.to(device)
    else:
        optimizer = make_optimizer(model.to(device).parameters())
    mt.manual_seed(1)
    x, y = mt.randn(16, 4, device=device), mt.randint(0, 3, (16,), device=device)
    loss_fn, losses = mt.nn.CrossEntropyLoss(), []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, optimizer, losses


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("optimizer_first", [True, False], ids=["made_before_to", "made_after_to"])
def test_optimizer_trains_on_the_device_as_on_the_cpu(name, optimizer_first, device):
    if name == "Adagrad" and optimizer_first and device != "cpu":
        # Adagrad makes its state in __init__ (as PyTorch's does), on the CPU here; PyTorch's
        # docs say to move the model before constructing optimizers. As PyTorch, it raises:
        with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
            _train(device, OPTIMIZERS[name], optimizer_first)
        return
    model, optimizer, losses = _train(device, OPTIMIZERS[name], optimizer_first)
    cpu_model, _, cpu_losses = _train("cpu", OPTIMIZERS[name], True)
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-5)
    assert losses[-1] < losses[0]  # it trained: the moved parameters are the optimized ones
    for p, q in zip(model.parameters(), cpu_model.parameters()):
        assert p.device.type == device
        np.testing.assert_allclose(
            p.detach().cpu().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6
        )
        for key, value in optimizer.state[p].items():
            if isinstance(value, mt.Tensor) and value.shape == p.shape:
                assert value.device == p.device, key  # state made on the parameter's device


def test_optimizer_state_lives_on_the_parameters_device(cuda_device):
    model = _mlp().to(cuda_device)
    optimizer = mt.optim.Adam(model.parameters())
    model(mt.ones(2, 4, device=cuda_device)).sum().backward()
    optimizer.step()
    for p in model.parameters():
        state = optimizer.state[p]
        assert state["exp_avg"].device == state["exp_avg_sq"].device == mt.device("cuda:0")


def test_state_dict_from_the_cpu_loads_into_a_cuda_model(cuda_device):
    saved = _mlp(seed=5).state_dict()
    model = _mlp(seed=6).to(cuda_device)
    model.load_state_dict(saved)
    for name, p in model.named_parameters():
        assert p.device == mt.device("cuda:0")
        np.testing.assert_array_equal(p.detach().cpu().numpy(), saved[name].numpy())


LOSSES = {
    "MSELoss": (mt.nn.MSELoss(), lambda d: mt.randn(5, 3, device=d)),
    "L1Loss": (mt.nn.L1Loss(reduction="sum"), lambda d: mt.randn(5, 3, device=d)),
    "CrossEntropyLoss": (mt.nn.CrossEntropyLoss(), lambda d: mt.randint(0, 3, (5,), device=d)),
    "CrossEntropyLoss_smoothed": (
        mt.nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=1),
        lambda d: mt.randint(0, 3, (5,), device=d),
    ),
    "NLLLoss": (mt.nn.NLLLoss(), lambda d: mt.randint(0, 3, (5,), device=d)),
    "BCELoss": (mt.nn.BCELoss(), lambda d: mt.rand(5, 3, device=d)),
    "BCEWithLogitsLoss": (mt.nn.BCEWithLogitsLoss(), lambda d: mt.rand(5, 3, device=d)),
}


def _loss_and_grad(name, device):
    loss_fn, make_target = LOSSES[name]
    mt.manual_seed(2)
    logits = mt.randn(5, 3, device=device, requires_grad=True)
    target = make_target(device)
    if name == "BCELoss":
        prediction = logits.sigmoid()
    elif name == "NLLLoss":
        prediction = logits.log_softmax(1)
    else:
        prediction = logits
    loss = loss_fn(prediction, target)
    loss.backward()
    assert loss.device.type == device and logits.grad.device.type == device
    return loss.item(), logits.grad.cpu().numpy()


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_and_its_gradient_match_the_cpu(name, device):
    loss, grad = _loss_and_grad(name, device)
    cpu_loss, cpu_grad = _loss_and_grad(name, "cpu")
    np.testing.assert_allclose(loss, cpu_loss, rtol=1e-5)
    np.testing.assert_allclose(grad, cpu_grad, rtol=1e-5, atol=1e-7)


def test_class_weights_on_the_device_work_and_mixing_devices_raises(cuda_device):
    weight = mt.tensor([1.0, 2.0, 0.5], device=cuda_device)
    logits = mt.randn(4, 3, device=cuda_device)
    target = mt.tensor([0, 2, 1, 1], device=cuda_device)
    assert mt.nn.CrossEntropyLoss(weight=weight)(logits, target).device.type == "cuda"
    with pytest.raises(RuntimeError, match="same device"):
        mt.nn.CrossEntropyLoss()(logits, target.cpu())


def test_dropout_init_and_clip_grad_work_on_the_device(device):
    layer = mt.nn.Linear(6, 6).to(device)
    with mt.no_grad():
        mt.nn.init.normal_(layer.weight, std=0.1)
        mt.nn.init.zeros_(layer.bias)
    assert layer.weight.device.type == device and layer.bias.abs().sum().item() == 0
    mt.manual_seed(3)
    out = mt.nn.Dropout(0.5)(layer(mt.ones(4, 6, device=device)))
    out.sum().backward()
    total = mt.nn.utils.clip_grad_norm_(layer.parameters(), max_norm=0.01)
    assert total.device.type == device and total.item() > 0.01
    norm = mt.norm(mt.stack([mt.norm(p.grad) for p in layer.parameters()])).item()
    assert norm == pytest.approx(0.01, rel=1e-3)


class _Pairs(mt.utils.data.Dataset):
    """Not a TensorDataset, so the DataLoader takes the general path (collate by stacking)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


@pytest.mark.parametrize("dataset", ["TensorDataset", "custom Dataset"])
def test_dataloader_serves_device_batches_in_the_cpu_order(dataset, device):
    def batches(on):
        x = mt.arange(20.0).reshape(10, 2).to(on)
        y = mt.arange(10).to(on)
        data = mt.utils.data.TensorDataset(x, y) if dataset == "TensorDataset" else _Pairs(x, y)
        loader = mt.utils.data.DataLoader(
            data, batch_size=4, shuffle=True, generator=mt.Generator().manual_seed(0)
        )
        return list(loader)

    on_device, on_cpu = batches(device), batches("cpu")
    assert [len(b[1]) for b in on_device] == [4, 4, 2]
    for (x, y), (cpu_x, cpu_y) in zip(on_device, on_cpu):
        assert x.device.type == device and y.device.type == device and y.dtype is mt.int64
        assert x.tolist() == cpu_x.tolist() and y.tolist() == cpu_y.tolist()


def test_a_training_loop_with_dataloader_matches_the_cpu(device):
    def train(on):
        model = _mlp(seed=4).to(on)
        optimizer = mt.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        mt.manual_seed(5)
        x, y = mt.randn(32, 4).to(on), mt.randint(0, 3, (32,)).to(on)
        losses = train_classifier(model, optimizer, x, y, batch_size=8, epochs=3, seed=6)
        return losses, _host_values(model.parameters())

    losses, values = train(device)
    cpu_losses, cpu_values = train("cpu")
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-4)
    for value, cpu_value in zip(values, cpu_values):
        np.testing.assert_allclose(value, cpu_value, rtol=1e-4, atol=1e-6)
