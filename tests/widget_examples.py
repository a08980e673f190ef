"""Small graphs the widget tests draw and step through (shared by the test_widgets_* files)."""

import minitensor as mt


def scalar_expression():
    """c = a * b; d = c + a with a = 2, b = -3: a is used twice (fan-out), b once."""
    a = mt.tensor(2.0, requires_grad=True)
    b = mt.tensor(-3.0, requires_grad=True)
    c = a * b
    d = c + a
    return a, b, c, d


def two_layer_net(seed=0):
    """nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 1)), seeded."""
    mt.manual_seed(seed)
    return mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.ReLU(), mt.nn.Linear(4, 1))


def hand_built_mlp(seed=0):
    """A 2-layer MLP written with tensors only: loss = mean((relu(x W1 + b1) W2 + b2 - y)^2)."""
    mt.manual_seed(seed)
    x, y = mt.randn(6, 3), mt.randn(6, 1)
    params = {
        "W1": mt.randn(3, 4, requires_grad=True),
        "b1": mt.zeros(4, requires_grad=True),
        "W2": mt.randn(4, 1, requires_grad=True),
        "b2": mt.zeros(1, requires_grad=True),
    }
    hidden = (x @ params["W1"] + params["b1"]).relu()
    loss = ((hidden @ params["W2"] + params["b2"] - y) ** 2).mean()
    return loss, params
