"""On a real GPU: gradients, optimizer trajectories and a training run match the CPU's.

Same formulas, different hardware: the GPU adds and multiplies in another order, so the
numbers differ in the last bits of float32 (learner misconception 23: compare with a
tolerance, never with ==). These tests run models large enough for that to show, and
check the differences stay at float32 rounding level.

Skipped without CuPy and a GPU (`make gpu-check` runs them on a GPU machine). To check
the test logic itself on a CPU-only machine, run them on the array_api_strict stand-in:

    MINITENSOR_GPU_TESTS_ON_STANDIN=1 python -m pytest tests/test_gpu_matches_cpu.py
"""

import os

import numpy as np
import pytest
from device_training import train_classifier  # tests/device_training.py

import minitensor as mt
from minitensor import backend

pytestmark = pytest.mark.gpu

# float32 keeps ~7 significant digits; after sums over hundreds of terms and a few dozen
# optimizer steps, agreement to ~1e-4 relative is what "the same computation" means.
RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(scope="module")
def gpu():
    if mt.cuda.is_available() and backend.cuda_backend().name == "cupy":
        yield "cuda"
        return
    if os.environ.get("MINITENSOR_GPU_TESTS_ON_STANDIN") != "1":
        pytest.skip(f"no usable GPU: {mt.cuda.unavailable_reason() or 'no CuPy backend'}")
    pytest.importorskip("array_api_strict")
    previous = backend.use_cuda_backend(backend.ArrayApiStrictBackend())
    yield "cuda"
    backend.use_cuda_backend(previous)


def close(on_gpu, on_cpu, scale=None):
    """Element-wise closeness, with atol relative to the array's own magnitude."""
    on_gpu = on_gpu.detach().cpu().numpy() if isinstance(on_gpu, mt.Tensor) else on_gpu
    on_cpu = on_cpu.detach().cpu().numpy() if isinstance(on_cpu, mt.Tensor) else on_cpu
    assert np.isfinite(on_cpu).all(), "compare finite numbers (a test bug otherwise)"
    scale = np.abs(on_cpu).max() if scale is None else scale
    np.testing.assert_allclose(on_gpu, on_cpu, rtol=RTOL, atol=ATOL * max(scale, 1.0))


def mlp(seed, sizes):
    mt.manual_seed(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [mt.nn.Linear(n_in, n_out), mt.nn.ReLU()]
    return mt.nn.Sequential(*layers[:-1])


def test_mlp_gradients_match(gpu):
    sizes = (256, 512, 512, 10)
    mt.manual_seed(0)
    x, y = mt.randn(128, sizes[0]), mt.randint(0, sizes[-1], (128,))
    grads = {}
    for device in ("cpu", gpu):
        model = mlp(1, sizes).to(device)
        loss = mt.nn.functional.cross_entropy(model(x.to(device)), y.to(device))
        loss.backward()
        grads[device] = (loss, [p.grad for p in model.parameters()])
    close(grads[gpu][0], grads["cpu"][0])
    for on_gpu, on_cpu in zip(grads[gpu][1], grads["cpu"][1]):
        assert on_gpu.device == mt.device("cuda:0")
        close(on_gpu, on_cpu)


def test_every_op_family_matches_on_large_inputs(gpu):
    mt.manual_seed(2)
    a, b = mt.randn(300, 200), mt.randn(200, 300)
    for fn in (
        lambda a, b: (a @ b / 16).softmax(1).log().mean(0),
        lambda a, b: (a.tanh() * b.T).sum(1).sigmoid(),
        lambda a, b: a.var(0) + a.std(1).sum() + a.abs().max(1).values.sum(),
        lambda a, b: mt.cat([a, b.T]).log_softmax(0)[[0, 5, 5, 299]].exp(),
        lambda a, b: mt.where(a > 0, a.abs().sqrt().clamp(max=1.2), b.T.exp())[:6].prod(0),
    ):
        results = {}
        for device in ("cpu", gpu):
            x = a.detach().to(device).requires_grad_()
            y = b.detach().to(device).requires_grad_()
            out = fn(x, y)
            out.sum().backward()
            results[device] = (out, x.grad, y.grad)
        for on_gpu, on_cpu in zip(results[gpu], results["cpu"]):
            if on_cpu is None:  # an input the function does not use gets no gradient
                assert on_gpu is None
            else:
                close(on_gpu, on_cpu)


OPTIMIZERS = {
    "SGD_momentum": lambda p: mt.optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True),
    "Adam": lambda p: mt.optim.Adam(p, lr=1e-3),
    "AdamW_amsgrad": lambda p: mt.optim.AdamW(p, lr=1e-3, amsgrad=True),
    "RMSprop": lambda p: mt.optim.RMSprop(p, lr=1e-3, momentum=0.5),
    "Adagrad": lambda p: mt.optim.Adagrad(p, lr=1e-2),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_trajectories_match(name, gpu):
    """30 steps on Rosenbrock's valley in float32, compared after every step."""
    trajectories = {}
    for device in ("cpu", gpu):
        xy = mt.tensor([-1.2, 1.0], device=device, requires_grad=True)
        optimizer = OPTIMIZERS[name]([xy])
        path = []
        for _ in range(30):
            optimizer.zero_grad()
            loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
            loss.backward()
            optimizer.step()
            path.append(xy.detach().cpu().numpy().copy())
        trajectories[device] = np.array(path)
    close(trajectories[gpu], trajectories["cpu"])


def test_short_training_run_matches(gpu):
    """Two epochs of an MLP classifier with Adam and a shuffling DataLoader."""
    mt.manual_seed(3)
    x = mt.randn(1024, 64)
    y = (x[:, :10].sum(1) > 0).long() + (x[:, 10:20].sum(1) > 0).long()  # 3 classes
    runs = {}
    for device in ("cpu", gpu):
        model = mlp(4, (64, 128, 3)).to(device)
        optimizer = mt.optim.Adam(model.parameters(), lr=1e-3)
        losses = train_classifier(
            model, optimizer, x.to(device), y.to(device), batch_size=64, epochs=2, seed=5
        )
        with mt.no_grad():
            accuracy = (model(x.to(device)).argmax(1) == y.to(device)).float().mean().item()
        runs[device] = (np.array(losses), accuracy, list(model.parameters()))
    close(runs[gpu][0], runs["cpu"][0])
    assert abs(runs[gpu][1] - runs["cpu"][1]) <= 2 / 1024  # at most a couple of flips
    assert runs["cpu"][0][-1] < runs["cpu"][0][0]
    for on_gpu, on_cpu in zip(runs[gpu][2], runs["cpu"][2]):
        close(on_gpu, on_cpu)
