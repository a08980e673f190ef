"""Optimizer steps work on the parameters' arrays in place (see optim/optimizer.py): what
PyTorch guarantees around an in-place update must still hold.

- the parameter's version counter goes up, so a graph that saved the old value refuses
  to backpropagate through it (PyTorch raises the same error);
- p.grad is left as backward made it (maximize and weight_decay work on a new array);
- the state stays in tensors that a checkpoint (mt.save / mt.load) carries.
"""

import io

import numpy as np
import pytest

import minitensor as mt

OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {"lr": 0.1}),
    ("RMSprop", {"lr": 0.1, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
]


def optimizer_id(entry):
    name, options = entry
    return name + "".join(f"-{k}={v}" for k, v in options.items() if k != "lr")


def stepped(entry, steps=1):
    name, options = entry
    w = mt.tensor([0.5, -1.5, 2.0], requires_grad=True)
    opt = getattr(mt.optim, name)([w], **options)
    for _ in range(steps):
        opt.zero_grad()
        (w * w * w).sum().backward()
        opt.step()
    return w, opt


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_step_bumps_the_version_so_a_graph_that_saved_the_parameter_refuses_backward(entry):
    w, opt = stepped(entry)
    y = (w * w).sum()  # Mul saves w for its backward
    w.grad = mt.ones(3)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_step_leaves_the_gradient_as_backward_made_it(entry):
    w, opt = stepped(entry)
    w.grad = mt.tensor([1.0, -2.0, 3.0])
    opt.step()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, -2.0, 3.0])


@pytest.mark.parametrize("entry", OPTIMIZERS, ids=optimizer_id)
def test_a_checkpoint_of_the_state_resumes_training_bit_for_bit(entry):
    w, opt = stepped(entry, steps=3)
    buffer = io.BytesIO()
    mt.save({"w": w.detach(), "optimizer": opt.state_dict()}, buffer)
    buffer.seek(0)
    saved = mt.load(buffer)
    twin = mt.tensor(saved["w"].numpy(), requires_grad=True)
    twin_opt = getattr(mt.optim, entry[0])([twin], **entry[1])
    twin_opt.load_state_dict(saved["optimizer"])
    for p, o in ((w, opt), (twin, twin_opt)):
        o.zero_grad()
        (p * p * p).sum().backward()
        o.step()
    np.testing.assert_array_equal(twin.detach().numpy(), w.detach().numpy())
    for key, value in opt.state[w].items():
        assert isinstance(value, mt.Tensor)
        np.testing.assert_array_equal(twin_opt.state[twin][key].numpy(), value.numpy())
