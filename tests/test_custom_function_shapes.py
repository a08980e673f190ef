"""A custom Function's backward may return a gradient of the broadcast shape: autograd sums it
back to the input's shape, as PyTorch does; a shape that cannot be broadcast is an error with
PyTorch's message. (Lesson 8 writes Mul as a custom Function and relies on this.)"""

import pytest

import minitensor as mt


class NaiveMul(mt.autograd.Function):
    """a * b with a backward that does not undo broadcasting itself."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * b, grad_output * a


class WrongShape(mt.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad_output):
        return mt.ones(2)


def test_broadcast_gradient_is_summed_to_the_input_shape():
    a = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mt.tensor([[4.0, 5.0, 6.0], [1.0, 1.0, 1.0]], requires_grad=True)
    NaiveMul.apply(a, b).sum().backward()
    assert a.grad.tolist() == [5.0, 6.0, 7.0]
    assert b.grad.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]


def test_size_one_axes_are_summed_with_keepdim():
    a = mt.tensor([[1.0], [2.0]], requires_grad=True)
    b = mt.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    NaiveMul.apply(a, b).sum().backward()
    assert a.grad.shape == (2, 1) and a.grad.tolist() == [[6.0], [6.0]]
    assert b.grad.shape == (1, 3) and b.grad.tolist() == [[3.0, 3.0, 3.0]]


def test_gradient_of_an_incompatible_shape_raises_pytorchs_message():
    a = mt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned an invalid gradient at index 0 - got \[2\] "
                       r"but expected shape compatible with \[3\]"):  # fmt: skip
        WrongShape.apply(a).sum().backward()


def test_same_gradients_as_pytorch():
    torch = pytest.importorskip("torch")

    class TorchNaiveMul(torch.autograd.Function):
        forward = NaiveMul.forward
        backward = NaiveMul.backward

    values_a, values_b = [[1.0], [2.0]], [[4.0, 5.0, 6.0], [1.0, -1.0, 2.0]]
    a, b = (mt.tensor(v, requires_grad=True) for v in (values_a, values_b))
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (values_a, values_b))
    (NaiveMul.apply(a, b) ** 2).sum().backward()
    (TorchNaiveMul.apply(ta, tb) ** 2).sum().backward()
    assert a.grad.tolist() == ta.grad.tolist() and b.grad.tolist() == tb.grad.tolist()
