"""A small training loop shared by the device tests (test_devices.py, test_gpu_matches_cpu.py).

The loop every lesson teaches: zero_grad, forward, loss, backward, step, over a shuffling
DataLoader whose generator is seeded, so two devices see the same batches in the same order.
"""

import minitensor as mt


def train_classifier(model, optimizer, x, y, *, batch_size, epochs, seed):
    """Train with cross-entropy; returns the loss of every step as Python floats."""
    loader = mt.utils.data.DataLoader(
        mt.utils.data.TensorDataset(x, y),
        batch_size=batch_size,
        shuffle=True,
        generator=mt.Generator().manual_seed(seed),
    )
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = mt.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses
