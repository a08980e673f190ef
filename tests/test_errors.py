"""Errors: PyTorch's exception type and key phrase, plus the bad shapes or values by name.

A learner pastes the message into a search engine, so the phrase must be PyTorch's; then
reads it, so it must say *which* shapes or values were wrong. Each row of `ERRORS` checks
both: the exception type, PyTorch's phrase, and the details that name the culprit.
"""

import re

import numpy as np
import pytest

import minitensor as mt


def _second_backward():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _changed_after_save():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    y.sum().backward()


def _leaf_in_place():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    w.add_(1)


def _assign_grad():
    mt.zeros(2, requires_grad=True).grad = mt.zeros(3)


# (what to run, exception type, PyTorch's key phrase, details naming the bad input)
ERRORS = [
    (
        lambda: mt.ones(2, 3) + mt.ones(4, 3),
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0",
        ["[2, 3]", "[4, 3]"],
    ),
    (
        lambda: mt.ones(2, 3) * mt.ones(2),
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1",
        ["[2, 3]", "[2]"],
    ),
    (
        lambda: mt.ones(2, 3) @ mt.ones(4, 5),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
        [],
    ),
    (
        lambda: mt.ones(2, 2, dtype=mt.int64) @ mt.ones(2, 2),
        RuntimeError,
        "expected m1 and m2 to have the same dtype, but got: long int != float",
        [],
    ),
    (
        lambda: mt.ones(2, dtype=mt.int64) @ mt.ones(2),
        RuntimeError,
        "dot : expected both vectors to have same dtype, but found Long and Float",
        [],
    ),
    (
        lambda: mt.ones(2, 3, dtype=mt.bool) @ mt.ones(3, 2, dtype=mt.bool),
        NotImplementedError,
        "\"addmm_impl_cpu_\" not implemented for 'Bool'",
        [],
    ),
    (
        lambda: mt.nn.functional.linear(mt.ones(4, 3), mt.ones(2, 3), mt.ones(2).double()),
        RuntimeError,
        "self and mat2 must have the same dtype, but got Double and Float",
        [],
    ),
    (
        lambda: mt.nn.functional.linear(mt.ones(4, 3).double(), mt.ones(2, 3), mt.ones(2)),
        RuntimeError,
        "mat1 and mat2 must have the same dtype, but got Double and Float",
        [],
    ),
    (
        lambda: mt.ones(2, 3).sum((0, -2)),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
        [],
    ),
    (
        lambda: mt.zeros(0, 3).amax(),
        RuntimeError,
        "amax(): Expected reduction dim to be specified for input.numel() == 0",
        [],
    ),
    (
        lambda: mt.zeros(2, 0).amin(1),
        IndexError,
        "amin(): Expected reduction dim 1 to have non-zero size",
        ["[2, 0]"],
    ),
    (
        lambda: mt.ones(3) @ mt.ones(4, 5),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)",
        [],
    ),
    (
        lambda: mt.ones(2, 3) @ mt.ones(4),
        RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (4)",
        [],
    ),
    (
        lambda: mt.dot(mt.ones(2), mt.ones(3)),
        RuntimeError,
        "inconsistent tensor size",
        ["[2]", "[3]"],
    ),
    (
        lambda: mt.tensor(1.0) @ mt.ones(2),
        RuntimeError,
        "both arguments to matmul need to be at least 1D",
        ["0D and 1D"],
    ),
    (lambda: mt.zeros(2, dtype="float33"), TypeError, "dtype", ["'float33'", "float32"]),
    (lambda: mt.zeros(2, dtype=np.complex64), TypeError, "dtype", ["complex64"]),
    (
        lambda: mt.ones(2).item(),
        RuntimeError,
        "a Tensor with 2 elements cannot be converted to Scalar",
        [],
    ),
    (
        lambda: float(mt.ones(3)),
        ValueError,
        "only one element tensors can be converted to Python scalars",
        ["[3]"],
    ),
    (
        lambda: bool(mt.ones(2)),
        RuntimeError,
        "Boolean value of Tensor with more than one value is ambiguous",
        [],
    ),
    (
        lambda: mt.ones(2, 3)[5],
        IndexError,
        "index 5 is out of bounds for dimension 0 with size 2",
        ["[2, 3]"],
    ),
    (
        lambda: mt.ones(2, 3)[0, 7],
        IndexError,
        "index 7 is out of bounds for dimension 1 with size 3",
        ["[2, 3]"],
    ),
    (
        lambda: mt.ones(2, 3)[mt.tensor([0, 4])],
        IndexError,
        "index 4 is out of bounds for dimension 0 with size 2",
        [],
    ),
    (
        lambda: mt.ones(2, 3)[0, 0, 0],
        IndexError,
        "too many indices for tensor of dimension 2",
        [],
    ),
    (
        lambda: mt.ones(2, 3).view(4),
        RuntimeError,
        "shape '[4]' is invalid for input of size 6",
        ["[2, 3]"],
    ),
    (
        lambda: mt.ones(2, 3).reshape(-1, 4),
        RuntimeError,
        "shape '[-1, 4]' is invalid for input of size 6",
        [],
    ),
    (
        lambda: mt.ones(2, 3).view(-1, -1),
        RuntimeError,
        "only one dimension can be inferred",
        [],
    ),
    (
        lambda: mt.ones(2).sum().backward(),
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
        [],
    ),
    (
        lambda: (mt.ones(2, requires_grad=True) * 2).backward(),
        RuntimeError,
        "grad can be implicitly created only for scalar outputs",
        ["[2]"],
    ),
    (
        _second_backward,
        RuntimeError,
        "Trying to backward through the graph a second time",
        ["retain_graph=True", "MulBackward0"],
    ),
    (
        _changed_after_save,
        RuntimeError,
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation",
        ["SigmoidBackward0", "version 1", "version 0"],
    ),
    (
        _leaf_in_place,
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
        [],
    ),
    (
        lambda: mt.tensor([1, 2], requires_grad=True),
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
        ["int64"],
    ),
    (
        _assign_grad,
        RuntimeError,
        "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'",
        [],
    ),
    (
        lambda: mt.ones(2, requires_grad=True).numpy(),
        RuntimeError,
        "Can't call numpy() on Tensor that requires grad",
        ["detach()"],
    ),
    (
        lambda: mt.ones(2, 3).sum(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        [],
    ),
    (
        lambda: mt.cat([mt.ones(2, 3), mt.ones(2, 4)]),
        RuntimeError,
        "Sizes of tensors must match except in dimension 0",
        ["[2, 3]", "[2, 4]", "tensor number 1"],
    ),
    (
        lambda: mt.stack([mt.ones(2, 3), mt.ones(2, 4)]),
        RuntimeError,
        "stack expects each tensor to be equal size",
        ["[2, 3]", "[2, 4]", "entry 1"],
    ),
    (
        lambda: mt.ones(2, 3).expand(4, 3),
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (2) at "
        "non-singleton dimension 0",
        ["[4, 3]", "[2, 3]"],
    ),
    (
        lambda: mt.ones(2, 3).__setitem__(0, mt.ones(4)),
        RuntimeError,
        "The expanded size of the tensor (3) must match the existing size (4)",
        [],
    ),
    (
        lambda: mt.ones(2).copy_(mt.ones(3)),
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3)",
        [],
    ),
    (
        lambda: mt.ones(2).add_(mt.ones(2, 2)),
        RuntimeError,
        "output with shape [2] doesn't match the broadcast shape [2, 2]",
        [],
    ),
    (
        lambda: mt.tensor([1, 2]).add_(0.5),
        RuntimeError,
        "result type Float can't be cast to the desired output type Long",
        [],
    ),
    (
        lambda: mt.tensor([1, 2]).mean(),
        RuntimeError,
        "mean(): could not infer output dtype",
        ["Long"],
    ),
    (
        lambda: mt.where(mt.tensor([1, 0]), mt.ones(2), mt.zeros(2)),
        RuntimeError,
        "where expected condition to be a boolean tensor",
        ["Long"],
    ),
    (
        lambda: mt.tensor([True]) - mt.tensor([False]),
        RuntimeError,
        "Subtraction, the `-` operator, with two bool tensors is not supported",
        [],
    ),
    (
        lambda: mt.ones(2).clamp(),
        RuntimeError,
        "At least one of 'min' or 'max' must not be None",
        [],
    ),
    (
        lambda: mt.tensor([2]) ** -1,
        RuntimeError,
        "Integers to negative integer powers are not allowed.",
        [],
    ),
    (
        lambda: mt.zeros(-1),
        RuntimeError,
        "Trying to create tensor with negative dimension -1",
        [],
    ),
    (
        lambda: mt.randint(5, 2, (3,)),
        RuntimeError,
        "random_ expects 'from' to be less than 'to', but got from=5 >= to=2",
        [],
    ),
    (lambda: mt.tensor("abc"), TypeError, "new(): invalid data type 'str'", []),
    (lambda: mt.tensor([[1, 2], [3]]), ValueError, "rectangular", []),
    (lambda: mt.ones(2) + "a", TypeError, "unsupported operand type", ["str"]),
    (
        lambda: mt.ones(2).register_hook(lambda g: g),
        RuntimeError,
        "cannot register a hook on a tensor that doesn't require gradient",
        [],
    ),
    (
        lambda: mt.autograd.grad(mt.ones(2, requires_grad=True).sum(), mt.ones(2)),
        RuntimeError,
        "One of the differentiated Tensors does not require grad",
        [],
    ),
]


@pytest.mark.parametrize(
    ("action", "kind", "phrase", "details"), ERRORS, ids=[row[2][:50] for row in ERRORS]
)
def test_error_has_pytorchs_type_and_phrase_and_names_the_culprit(action, kind, phrase, details):
    with pytest.raises(kind, match=re.escape(phrase)) as caught:
        action()
    message = str(caught.value)
    for detail in details:
        assert detail in message, f"{detail!r} missing from: {message}"


# ----------------------------------------------------------------------------- devices


MIXED_DEVICES = [
    lambda cpu, gpu: cpu + gpu,
    lambda cpu, gpu: gpu * cpu,
    lambda cpu, gpu: mt.ones(2, 2) @ gpu,
    lambda cpu, gpu: mt.cat([cpu, gpu]),
    lambda cpu, gpu: mt.stack([gpu, cpu]),
    lambda cpu, gpu: mt.where(cpu > 0, gpu, cpu),
    lambda cpu, gpu: mt.maximum(gpu, cpu),
    lambda cpu, gpu: gpu > cpu,
    lambda cpu, gpu: cpu + mt.tensor(2.0, device="cuda"),  # only CPU numbers may join
]


@pytest.mark.parametrize("action", MIXED_DEVICES)
def test_mixing_devices_raises_naming_both(standin_cuda, action):
    cpu, gpu = mt.ones(2), mt.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device") as e:
        action(cpu, gpu)
    assert "cpu" in str(e.value) and "cuda:0" in str(e.value)


def test_a_cpu_scalar_tensor_may_join_a_device_op(standin_cuda):
    gpu = mt.ones(2, device="cuda")
    assert (gpu + mt.tensor(2.0)).tolist() == [3.0, 3.0]


def test_assigning_a_grad_on_another_device_raises(standin_cuda):
    w = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        w.grad = mt.ones(2, device="cuda")


def test_numpy_of_a_device_tensor_says_to_copy_to_the_host_first(standin_cuda):
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy"):
        mt.ones(2, device="cuda").numpy()


def test_backward_with_a_gradient_on_another_device_raises(standin_cuda):
    y = mt.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        y.backward(mt.ones(2, device="cuda"))
