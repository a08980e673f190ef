"""The seed post's training loop, verbatim with torch replaced by minitensor, end to end.

    model = nn.Linear(10, 2)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    for inputs, targets in data_loader:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()

On a seeded synthetic regression set it must converge, and PyTorch running the same code
from the same starting weights on the same batches must see the same losses.
"""

import numpy as np
import pytest

import minitensor as mt
from minitensor.utils.data import DataLoader, TensorDataset

SAMPLES, BATCH, EPOCHS = 512, 32, 8


def regression_data():
    """y = x W + 0.1 noise, seeded (the loss could fall to about 0.01, the noise level)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, 10)).astype(np.float32)
    true_w = (0.3 * rng.standard_normal((10, 2))).astype(np.float32)
    y = (x @ true_w + 0.1 * rng.standard_normal((SAMPLES, 2))).astype(np.float32)
    return x, y


def the_seed_loop(nn, optim, model, epochs_of_batches):
    """The post's code, word for word, once per epoch; returns every batch's loss.

    Works for `nn, optim` of minitensor and of torch: the API is the same.
    """
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    losses = []
    for data_loader in epochs_of_batches:
        for inputs, targets in data_loader:
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def minitensor_run(seed=0, shuffle=True):
    mt.manual_seed(seed)
    x, y = regression_data()
    model = mt.nn.Linear(10, 2)
    start = {name: p.detach().clone() for name, p in model.named_parameters()}
    data_loader = DataLoader(
        TensorDataset(mt.tensor(x), mt.tensor(y)),
        batch_size=BATCH,
        shuffle=shuffle,
        generator=mt.Generator().manual_seed(seed),
    )
    return the_seed_loop(mt.nn, mt.optim, model, [data_loader] * EPOCHS), start


def epoch_means(losses):
    return np.asarray(losses).reshape(EPOCHS, -1).mean(axis=1)


def test_the_seed_loop_converges():
    losses, _ = minitensor_run()
    means = epoch_means(losses)
    assert np.all(np.isfinite(losses))
    assert np.all(np.diff(means) < 0), f"epoch losses should fall every epoch: {means}"
    # Adam with lr=0.001 moves each weight by about 0.001 per step, so 128 steps take the
    # loss down by about a third (2.2 -> 1.5 here), not to the noise floor.
    assert means[-1] < 0.75 * means[0], f"the loss should fall clearly: {means}"


def test_the_seed_loop_repeats_with_the_same_seed():
    assert minitensor_run(seed=3)[0] == minitensor_run(seed=3)[0]
    assert minitensor_run(seed=3)[0] != minitensor_run(seed=4)[0]


@pytest.mark.parametrize("shuffle", [False, True])
def test_the_seed_loop_gives_pytorchs_losses(shuffle):
    torch = pytest.importorskip("torch")
    ours, start = minitensor_run(seed=1, shuffle=shuffle)

    # The same batches for PyTorch: the sample order our loader used in each epoch, read
    # back from an identical loader (same generator seed) over the sample indices.
    order_loader = DataLoader(
        TensorDataset(mt.arange(SAMPLES)),
        batch_size=BATCH,
        shuffle=shuffle,
        generator=mt.Generator().manual_seed(1),
    )
    orders = [[i for (batch,) in order_loader for i in batch.tolist()] for _ in range(EPOCHS)]

    x, y = regression_data()
    dataset = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    loaders = [torch.utils.data.DataLoader(dataset, BATCH, sampler=order) for order in orders]
    model = torch.nn.Linear(10, 2)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.tensor(start[name].numpy()))
    theirs = the_seed_loop(torch.nn, torch.optim, model, loaders)

    assert len(ours) == len(theirs) == EPOCHS * SAMPLES // BATCH
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
