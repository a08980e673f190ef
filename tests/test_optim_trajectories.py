"""Every optimizer and option, 50 steps, checked step by step against two references.

The gradients come from minitensor's autograd on two surfaces (an ill-conditioned
quadratic over two parameter tensors, and Rosenbrock's valley). At every step the same
gradients are fed to:

- minitensor.optim (under test),
- a plain-NumPy implementation written below from the published formulas, and
- torch.optim in float64, where PyTorch is installed.

All three must agree to 1e-10 relative at every step, so a wrong formula cannot hide
behind a trajectory that merely ends up near the same minimum.
"""

import math

import numpy as np
import pytest

import minitensor as mt

STEPS = 50
RTOL, ATOL = 1e-10, 1e-13

# ----------------------------------------------------------------------------- surfaces


def quadratic_start():
    return [np.array([1.5, -2.0, 0.5]), np.array([[0.3, -1.0], [2.0, 0.7]])]


def quadratic_loss(w, b):
    """0.5 * sum(scale * (x - target)^2) over two tensors: curvatures from 0.5 to 10."""
    scale_w = mt.tensor(np.array([10.0, 1.0, 0.5]))
    scale_b = mt.tensor(np.array([[2.0, 4.0], [0.5, 8.0]]))
    target_b = mt.tensor(np.array([[1.0, 0.0], [-1.0, 0.5]]))
    return 0.5 * (scale_w * w * w).sum() + 0.5 * (scale_b * (b - target_b) ** 2).sum()


def rosenbrock_start():
    return [np.array([-1.2, 1.0])]


def rosenbrock_loss(xy):
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


PROBLEMS = {
    "quadratic": (quadratic_start, quadratic_loss),
    "rosenbrock": (rosenbrock_start, rosenbrock_loss),
}

# ----------------------------------------------------------------------------- references
# One function per algorithm: (x, g, state, options) -> new x, written from the formulas
# with NumPy only. `state` is a dict per parameter, empty before the first step.


def reference_sgd(x, g, s, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                  maximize=False):  # fmt: skip
    if maximize:
        g = -g
    g = g + weight_decay * x
    if momentum:
        s["buf"] = g.copy() if "buf" not in s else momentum * s["buf"] + (1 - dampening) * g
        g = g + momentum * s["buf"] if nesterov else s["buf"]
    return x - lr * g


def reference_adam(x, g, s, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                   maximize=False, decoupled=False):  # fmt: skip
    b1, b2 = betas
    if maximize:
        g = -g
    if decoupled:
        x = x * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * x
    t = s["t"] = s.get("t", 0) + 1
    m = s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    v = s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    if amsgrad:
        v = s["vmax"] = np.maximum(s.get("vmax", 0.0), v)
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps)


def reference_adamw(x, g, s, lr, weight_decay=1e-2, **options):
    return reference_adam(x, g, s, lr, weight_decay=weight_decay, decoupled=True, **options)


def reference_rmsprop(x, g, s, lr, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                      centered=False, maximize=False):  # fmt: skip
    if maximize:
        g = -g
    g = g + weight_decay * x
    s["sq"] = alpha * s.get("sq", 0.0) + (1 - alpha) * g * g
    if centered:
        s["mean"] = alpha * s.get("mean", 0.0) + (1 - alpha) * g
        avg = np.sqrt(s["sq"] - s["mean"] ** 2) + eps
    else:
        avg = np.sqrt(s["sq"]) + eps
    if momentum > 0:
        s["buf"] = momentum * s.get("buf", 0.0) + g / avg
        return x - lr * s["buf"]
    return x - lr * g / avg


def reference_adagrad(x, g, s, lr, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                      eps=1e-10, maximize=False):  # fmt: skip
    if maximize:
        g = -g
    t = s["t"] = s.get("t", 0) + 1
    g = g + weight_decay * x
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    return x - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["sum"]) + eps)


REFERENCES = {
    "SGD": reference_sgd,
    "Adam": reference_adam,
    "AdamW": reference_adamw,
    "RMSprop": reference_rmsprop,
    "Adagrad": reference_adagrad,
}

# Every option, alone and combined. lr is per surface: Rosenbrock's gradients are ~100x
# larger, and SGD must not diverge there within 50 steps.
CONFIGS = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"weight_decay": 0.1}),
    ("SGD", {"maximize": True}),
    ("SGD", {"momentum": 0.5, "dampening": 0.1, "weight_decay": 0.05, "maximize": True}),
    ("SGD", {"momentum": 0.8, "nesterov": True, "weight_decay": 0.2}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("Adam", {"weight_decay": 0.1}),
    ("Adam", {"maximize": True}),
    ("Adam", {"betas": (0.5, 0.9), "eps": 1e-3}),
    ("Adam", {"betas": (0.8, 0.95), "amsgrad": True, "weight_decay": 0.3, "maximize": True}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.5}),
    ("AdamW", {"weight_decay": 0}),
    ("AdamW", {"amsgrad": True, "maximize": True, "betas": (0.7, 0.99)}),
    ("RMSprop", {}),
    ("RMSprop", {"alpha": 0.9, "eps": 1e-4}),
    ("RMSprop", {"momentum": 0.9}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.5}),
    ("RMSprop", {"weight_decay": 0.1}),
    ("RMSprop", {"maximize": True}),
    ("RMSprop", {"centered": True, "momentum": 0.3, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr_decay": 0.05}),
    ("Adagrad", {"weight_decay": 0.1}),
    ("Adagrad", {"initial_accumulator_value": 0.5}),
    ("Adagrad", {"eps": 1e-3}),
    ("Adagrad", {"maximize": True}),
    (
        "Adagrad",
        {"lr_decay": 0.01, "weight_decay": 0.2, "initial_accumulator_value": 0.1, "maximize": True},
    ),  # fmt: skip
]

LR = {
    ("SGD", "quadratic"): 0.05,
    ("SGD", "rosenbrock"): 2e-4,
    ("RMSprop", "quadratic"): 0.01,
    ("RMSprop", "rosenbrock"): 0.003,
}


def config_id(config):
    name, options = config
    return name + "".join(f"-{k}={v}" for k, v in options.items())


def trajectory(name, options, problem):
    """Run minitensor for STEPS steps; return its parameters after each step and the grads."""
    start, loss_fn = PROBLEMS[problem]
    params = [mt.tensor(x, requires_grad=True) for x in start()]
    lr = LR.get((name, problem), 0.05)
    opt = getattr(mt.optim, name)(params, lr=lr, **options)
    # maximize=True climbs: give it the surface upside down, so it climbs towards the optimum
    sign = -1.0 if options.get("maximize") else 1.0
    grads, values = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        (sign * loss_fn(*params)).backward()
        grads.append([p.grad.numpy().copy() for p in params])
        opt.step()
        values.append([p.detach().numpy().copy() for p in params])
    return lr, grads, values


@pytest.fixture(scope="module")
def runs():
    """Each (optimizer, options, surface) trajectory, computed once for both references."""
    cache = {}

    def get(config, problem):
        key = (config_id(config), problem)
        if key not in cache:
            cache[key] = trajectory(*config, problem)
        return cache[key]

    return get


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_every_step_matches_the_numpy_formula(runs, config, problem):
    name, options = config
    lr, grads, values = runs(config, problem)
    xs = [x.copy() for x in PROBLEMS[problem][0]()]
    states = [{} for _ in xs]
    for step, (g_step, expected_step) in enumerate(zip(grads, values), start=1):
        xs = [REFERENCES[name](x, g, s, lr, **options) for x, g, s in zip(xs, g_step, states)]
        for x, got in zip(xs, expected_step):
            np.testing.assert_allclose(got, x, rtol=RTOL, atol=ATOL, err_msg=f"step {step}")
    # the run must really have moved (a no-op optimizer would match nothing above anyway)
    assert all(np.isfinite(v).all() for v in values[-1])
    assert not np.allclose(values[-1][0], PROBLEMS[problem][0]()[0])


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_every_step_matches_torch_optim(runs, config, problem):
    torch = pytest.importorskip("torch")
    name, options = config
    lr, grads, values = runs(config, problem)
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True)
              for x in PROBLEMS[problem][0]()]  # fmt: skip
    opt = getattr(torch.optim, name)(params, lr=lr, **options)
    for step, (g_step, expected_step) in enumerate(zip(grads, values), start=1):
        for p, g in zip(params, g_step):
            p.grad = torch.from_numpy(g.copy())
        opt.step()
        for p, got in zip(params, expected_step):
            np.testing.assert_allclose(
                got, p.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=f"step {step}"
            )


def test_adam_first_step_is_lr_times_sign_of_gradient():
    """Bias correction at work: step 1 moves every coordinate by lr, whatever |grad|."""
    w = mt.tensor([1.0, -1.0, 3.0], requires_grad=True)
    opt = mt.optim.Adam([w], lr=0.1, eps=0.0)
    w.grad = mt.tensor([1e-3, -50.0, 7.0])
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.9, -0.9, 2.9], rtol=1e-6)


def test_uncorrected_adam_first_step_would_be_about_three_times_larger():
    """The docstring's claim, checked: (1 - beta1) / sqrt(1 - beta2) = 3.16..."""
    w = mt.tensor([0.0], requires_grad=True)
    opt = mt.optim.Adam([w], lr=1.0, eps=0.0)
    w.grad = mt.tensor([2.0])
    opt.step()
    m, v = opt.state[w]["exp_avg"].item(), opt.state[w]["exp_avg_sq"].item()
    assert m / math.sqrt(v) == pytest.approx(3.162, abs=1e-3)
    assert w.item() == pytest.approx(-1.0)


def test_sgd_momentum_step_approaches_lr_over_one_minus_momentum():
    w = mt.tensor([0.0], dtype=mt.float64, requires_grad=True)
    opt = mt.optim.SGD([w], lr=0.01, momentum=0.9)
    before = 0.0
    for _ in range(200):
        w.grad = mt.tensor([1.0], dtype=mt.float64)
        opt.step()
        step, before = before - w.item(), w.item()
    assert step == pytest.approx(0.01 / (1 - 0.9), rel=1e-6)


def test_adamw_shrinks_a_parameter_whose_gradient_is_zero_by_a_constant_factor():
    decoupled = mt.tensor([2.0], requires_grad=True)
    coupled = mt.tensor([2.0], requires_grad=True)
    adamw = mt.optim.AdamW([decoupled], lr=0.1, weight_decay=0.5)
    adam = mt.optim.Adam([coupled], lr=0.1, weight_decay=0.5)
    for _ in range(3):
        decoupled.grad = mt.tensor([0.0])
        coupled.grad = mt.tensor([0.0])
        adamw.step()
        adam.step()
    assert decoupled.item() == pytest.approx(2.0 * (1 - 0.1 * 0.5) ** 3)
    # Adam normalises the L2 term: each step is about lr, whatever weight_decay * p is
    assert coupled.item() == pytest.approx(2.0 - 3 * 0.1, abs=2e-3)


def test_adam_with_decoupled_weight_decay_is_adamw_and_matches_torch():
    """PyTorch 2.x: Adam(decoupled_weight_decay=True) is AdamW, step for step."""
    start = [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]
    ours = {
        "Adam(decoupled)": lambda ps: mt.optim.Adam(
            ps, lr=0.05, weight_decay=0.3, decoupled_weight_decay=True
        ),
        "AdamW": lambda ps: mt.optim.AdamW(ps, lr=0.05, weight_decay=0.3),
    }
    paths = {}
    for name, make in ours.items():
        w = mt.tensor(start, requires_grad=True)
        opt = make([w])
        for step in range(20):
            opt.zero_grad()
            ((w * w * (step % 3)).sum() + w[0].sum()).backward()
            opt.step()
        paths[name] = w.detach().numpy().copy()
    np.testing.assert_array_equal(paths["Adam(decoupled)"], paths["AdamW"])
    coupled = mt.tensor(start, requires_grad=True)
    opt = mt.optim.Adam([coupled], lr=0.05, weight_decay=0.3)
    for step in range(20):
        opt.zero_grad()
        ((coupled * coupled * (step % 3)).sum() + coupled[0].sum()).backward()
        opt.step()
    assert not np.allclose(coupled.detach().numpy(), paths["AdamW"], atol=1e-3)

    torch = pytest.importorskip("torch")
    w = torch.tensor(start, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.05, weight_decay=0.3, decoupled_weight_decay=True)
    for step in range(20):
        opt.zero_grad()
        ((w * w * (step % 3)).sum() + w[0].sum()).backward()
        opt.step()
    np.testing.assert_allclose(paths["Adam(decoupled)"], w.detach().numpy(), rtol=1e-5, atol=1e-6)
