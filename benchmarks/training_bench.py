"""Training benchmarks (issue: nn/optim): a digits MLP and the seed post's training loop.

1. MLP 64-128-64-10, ReLU, CrossEntropyLoss, Adam(1e-3), batch 64, on scikit-learn's bundled
   digits (1,797 8x8 images, no download), 5 epochs: seconds per epoch, final accuracy.
2. The seed's loop (nn.Linear(10, 2), MSELoss, Adam(lr=0.001)) over 10,000 samples, batch 32,
   one epoch through each library's own DataLoader.

Three implementations each: minitensor, a hand-written NumPy floor (manual backward and
Adam, no graph, no data loader: the least work the arithmetic needs), and PyTorch on the CPU.
"""

import numpy as np

import minitensor as mt

from .harness import Table, best_time, torch_or_none

# ----------------------------------------------------------------------------- data


def digits():
    """Digits standardised per pixel (mean 0, std 1), in a fixed shuffled order (seed 0).

    Standardising matters: with pixels merely scaled to [0, 1], 5 epochs of Adam(1e-3)
    reach about 0.93 train accuracy; standardised, about 0.97.
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.target))
    x = data.data[order]
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
    return x.astype(np.float32), data.target[order].astype(np.int64)


def regression_set(n=10_000):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 10)).astype(np.float32)
    true_w = rng.standard_normal((10, 2)).astype(np.float32)
    y = (x @ true_w + 0.1 * rng.standard_normal((n, 2))).astype(np.float32)
    return x, y


# ----------------------------------------------------------------------------- NumPy floor


class NumpyAdam:
    """Adam on a list of NumPy arrays, PyTorch's formula, updated in place."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        beta1, beta2 = self.betas
        correction1, correction2 = 1 - beta1**self.t, 1 - beta2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            p -= (self.lr / correction1) * m / (np.sqrt(v) / np.sqrt(correction2) + self.eps)


def _init_linear(rng, fan_in, fan_out):
    bound = 1 / np.sqrt(fan_in)
    w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
    b = rng.uniform(-bound, bound, fan_out).astype(np.float32)
    return w, b


def numpy_mlp_epochs(x, y, epochs, batch=64):
    """Forward, manual backward of CE(softmax), Adam: one list of arrays, no graph."""
    rng = np.random.default_rng(0)
    sizes = [64, 128, 64, 10]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params += _init_linear(rng, fan_in, fan_out)
    adam = NumpyAdam(params)
    for _ in range(epochs):
        for start in range(0, len(x), batch):
            xb, yb = x[start : start + batch], y[start : start + batch]
            w1, b1, w2, b2, w3, b3 = params
            h1 = np.maximum(xb @ w1.T + b1, 0)
            h2 = np.maximum(h1 @ w2.T + b2, 0)
            logits = h2 @ w3.T + b3
            shifted = logits - logits.max(axis=1, keepdims=True)
            probs = np.exp(shifted)
            probs /= probs.sum(axis=1, keepdims=True)
            grad_logits = probs
            grad_logits[np.arange(len(yb)), yb] -= 1
            grad_logits /= len(yb)
            g_w3, g_b3 = grad_logits.T @ h2, grad_logits.sum(0)
            grad_h2 = (grad_logits @ w3) * (h2 > 0)
            g_w2, g_b2 = grad_h2.T @ h1, grad_h2.sum(0)
            grad_h1 = (grad_h2 @ w2) * (h1 > 0)
            g_w1, g_b1 = grad_h1.T @ xb, grad_h1.sum(0)
            adam.step([g_w1, g_b1, g_w2, g_b2, g_w3, g_b3])
    w1, b1, w2, b2, w3, b3 = params
    h = np.maximum(np.maximum(x @ w1.T + b1, 0) @ w2.T + b2, 0) @ w3.T + b3
    return float((h.argmax(1) == y).mean())


def numpy_seed_loop(x, y, batch=32):
    rng = np.random.default_rng(0)
    w, b = _init_linear(rng, 10, 2)
    adam = NumpyAdam([w, b])
    for start in range(0, len(x), batch):
        xb, yb = x[start : start + batch], y[start : start + batch]
        out = xb @ w.T + b
        grad_out = 2 * (out - yb) / out.size
        adam.step([grad_out.T @ xb, grad_out.sum(0)])


# ----------------------------------------------------------------------------- frameworks


def framework_mlp_epochs(lib, x, y, epochs, batch=64):
    """The same MLP in minitensor or PyTorch (identical code: the API is the same)."""
    nn, optim = lib.nn, lib.optim
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    )
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    inputs, targets = lib.tensor(x), lib.tensor(y)
    for _ in range(epochs):
        for start in range(0, len(x), batch):
            optimizer.zero_grad()
            loss = criterion(model(inputs[start : start + batch]), targets[start : start + batch])
            loss.backward()
            optimizer.step()
    with lib.no_grad():
        return (model(inputs).argmax(1) == targets).float().mean().item()


def framework_seed_loop(lib, data_module, x, y, batch=32):
    """The post's loop verbatim, with the library's own DataLoader."""
    nn, optim = lib.nn, lib.optim
    lib.manual_seed(0)
    model = nn.Linear(10, 2)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    dataset = data_module.TensorDataset(lib.tensor(x), lib.tensor(y))
    data_loader = data_module.DataLoader(dataset, batch_size=batch)
    for inputs, targets in data_loader:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()


def run(quick=False):
    table = Table("Training (CPU)")
    epochs = 1 if quick else 5
    repeats = 1 if quick else 3
    x, y = digits()
    accuracy = {}

    def timed(name, function):
        result = {}

        def once():
            result["accuracy"] = function()

        seconds = best_time(once, repeats, warmup=0) / epochs
        accuracy[name] = result["accuracy"]
        return seconds

    per_epoch = {
        "numpy floor": timed("numpy floor", lambda: numpy_mlp_epochs(x, y, epochs)),
        "minitensor": timed("minitensor", lambda: framework_mlp_epochs(mt, x, y, epochs)),
    }
    torch = torch_or_none()
    if torch is not None:
        per_epoch["pytorch"] = timed("pytorch", lambda: framework_mlp_epochs(torch, x, y, epochs))
    table.add(
        f"digits MLP 64-128-64-10, Adam, batch 64: s/epoch ({epochs} epochs)",
        per_epoch,
        "s",
        "numpy floor",
        "<= 1.3x numpy",
    )
    table.add("digits MLP: final train accuracy", accuracy, "", "numpy floor", ">= 0.97")

    xs, ys = regression_set(2_000 if quick else 10_000)
    loop = {
        "numpy floor": best_time(lambda: numpy_seed_loop(xs, ys), repeats),
        "minitensor": best_time(lambda: framework_seed_loop(mt, mt.utils.data, xs, ys), repeats),
    }
    if torch is not None:
        import torch.utils.data as torch_data

        loop["pytorch"] = best_time(lambda: framework_seed_loop(torch, torch_data, xs, ys), repeats)
    table.add(
        f"seed loop: Linear(10, 2) + MSE + Adam, {len(xs):,} samples, batch 32, 1 epoch",
        loop,
        "s",
        "numpy floor",
        "<= 2x numpy",
    )
    return table
