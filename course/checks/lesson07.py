"""Checks for lesson 7 (the GPU): a training function that runs on any device, and comparing
results with a tolerance.

Both checks also run the learner's code on a GPU: the real one when CUDA is available,
otherwise minitensor's stand-in (array_api_strict arrays behind device="cuda", which refuse
to mix with CPU arrays exactly like CuPy's). Without either, that part is skipped and the
success message says so.
"""

import contextlib

import numpy as np

import minitensor as mt
from minitensor import backend

from . import CheckFailed, NotDone, _, attempt, close, fail, library, passed


def device_errors():
    """What code on two devices may raise, and what it means (translated when a check runs)."""
    return {
        "same device": _(
            "the model (model.to(device)) and every tensor it meets (X.to(device), "
            "Y.to(device)) must be on the same device."
        ),
        "to numpy": _(
            "NumPy needs CPU numbers: loss.item() gives a Python float, t.cpu() a CPU tensor."
        ),
    }


@contextlib.contextmanager
def gpu(lib=mt):
    """Yields "cuda" (a real GPU, or minitensor's stand-in put behind it for the block), or
    None. With torch: "cuda" when torch has a GPU, else None."""
    if lib.cuda.is_available():
        yield "cuda"
        return
    if lib is not mt:
        yield None
        return
    try:
        stand_in = backend.ArrayApiStrictBackend()
    except ImportError:
        yield None
        return
    previous = backend.use_cuda_backend(stand_in)
    try:
        yield "cuda"
    finally:
        backend.use_cuda_backend(previous)


_X = [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-1.0, 1.0, 1.0], [2.0, 0.5, 0.0], [0.0, -2.0, 1.5]]
_Y = [[1.0], [2.5], [-0.5], [3.0], [-1.0]]


def _model(mt):
    model = mt.nn.Linear(3, 1)
    with mt.no_grad():
        model.weight.copy_(mt.tensor([[0.1, 0.2, -0.1]]))
        model.bias.fill_(0.0)
    return model


def _reference_losses(steps, mt):
    model, criterion = _model(mt), mt.nn.MSELoss()
    optimizer = mt.optim.SGD(model.parameters(), lr=0.1)
    x, y = mt.tensor(_X), mt.tensor(_Y)
    losses = []
    for _step in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _check_fit_on(fit, device, steps, expected, mt):
    """Run fit on `device` with fresh CPU inputs; fail with a reason, or return nothing."""
    model = _model(mt)
    on = _("on device {device!r}", device=device)
    try:
        losses = attempt(
            "ex1", fit, model, mt.tensor(_X), mt.tensor(_Y), device, steps, errors=device_errors()
        )
    except CheckFailed as failure:
        if isinstance(failure, NotDone):
            raise
        raise CheckFailed(
            "ex1", _("{on}, {what}", on=on, what=failure.what), failure.hints
        ) from None
    if not isinstance(losses, list):
        fail(
            "ex1",
            _("{on}, fit() returned {losses!r}; return the list of losses", on=on, losses=losses),
        )
    if len(losses) != steps:
        fail(
            "ex1",
            _(
                "{on}, fit() returned {count} losses for {steps} steps",
                on=on,
                count=len(losses),
                steps=steps,
            ),
        )
    if any(isinstance(value, mt.Tensor) for value in losses):
        fail(
            "ex1",
            _(
                "{on}, the losses you return are tensors (on the device, each with its graph)",
                on=on,
            ),
            _("append loss.item(): a Python float, copied to the host."),
            _("losses.append(loss.item()) inside the loop."),
        )
    if not all(isinstance(value, float) for value in losses):
        fail(
            "ex1",
            _(
                "{on}, fit() returned {losses!r}; the losses must be Python floats",
                on=on,
                losses=losses,
            ),
        )
    if model.weight.device.type != mt.device(device).type:
        fail(
            "ex1",
            _(
                "{on}, the model's weight is still on {device} after fit()",
                on=on,
                device=model.weight.device,
            ),
            _("move the model itself: model.to(device) moves its parameters in place."),
        )
    if not close(losses, expected):
        fail(
            "ex1",
            _(
                "{on}, the losses are {losses}...; expected {expected}...",
                on=on,
                losses=[round(v, 4) for v in losses[:4]],
                expected=[round(v, 4) for v in expected[:4]],
            ),
            _(
                "one full-batch step per iteration: zero_grad, loss = "
                "criterion(model(X), Y), backward, step, with "
                "optim.SGD(model.parameters(), lr=0.1)."
            ),
        )


def check_ex1(fit, steps=6):
    """Exercise 1: the same losses on the CPU and on a GPU (real or stand-in)."""
    lib = library(fit)
    expected = _reference_losses(steps, lib)
    _check_fit_on(fit, "cpu", steps, expected, lib)
    with gpu(lib) as device:
        if device is None:
            passed(
                "ex1",
                _(
                    "the right losses on the CPU (no GPU here, and no stand-in for it: the "
                    "GPU part was not checked)"
                ),
            )
            return
        _check_fit_on(fit, device, steps, expected, lib)
    passed("ex1", _("the same losses on the CPU and on the GPU, model moved to the device"))


def _as_bool(value, call):
    if hasattr(value, "numel") and hasattr(value, "item"):  # a tensor of either library
        if value.numel() != 1:
            fail(
                "ex2",
                _(
                    "{call} returned a tensor of shape {value_shape}; return one True or False",
                    call=call,
                    value_shape=list(value.shape),
                ),
                _("mt.allclose(a, b, ...) gives a single bool."),
            )
        value = value.item()
    if not isinstance(value, (bool, np.bool_)):
        fail("ex2", _("{call} returned {value!r}; return True or False", call=call, value=value))
    return bool(value)


def check_ex2(agree):
    """Exercise 2: rounding differences agree, real differences do not, devices may differ."""
    mt = library(agree)
    rng = np.random.default_rng(7)
    a = mt.tensor(rng.normal(size=(8, 300)), dtype=mt.float32)
    b = mt.tensor(rng.normal(size=(300, 8)), dtype=mt.float32)
    product = a @ b
    summed = (a[:, :, None] * b[None, :, :]).sum(dim=1)  # same maths, another summation order
    cases = [
        (_("a matrix product and the same product summed in another order"), product, summed, True),
        (_("a tensor and itself"), product, product.clone(), True),
        (_("a tensor and the same tensor times 1.001"), product, product * 1.001, False),
        (
            _("[1.0, 2.0, 3.0] and [1.0, 2.0, 3.01]"),
            mt.tensor([1.0, 2.0, 3.0]),
            mt.tensor([1.0, 2.0, 3.01]),
            False,
        ),
    ]
    for what, x, y, expected in cases:
        got = _as_bool(attempt("ex2", agree, x, y), "agree(...)")
        if got != expected:
            if expected:
                fail(
                    "ex2",
                    _(
                        "agree() says {what} differ, but they differ only by float32 rounding "
                        "(at most {difference:.2g})",
                        what=what,
                        difference=(x - y).abs().max().item(),
                    ),
                    _(
                        "== demands identical bits; mt.allclose(a, b, rtol=1e-4, atol=1e-6) "
                        "allows for rounding."
                    ),
                    _("return mt.allclose(a.cpu(), b.cpu(), rtol=1e-4, atol=1e-6)"),
                )
            fail(
                "ex2",
                _(
                    "agree() says {what} agree, but they really differ (by up to {difference:.2g})",
                    what=what,
                    difference=(x - y).abs().max().item(),
                ),
                _("use a tolerance that fits float32 rounding: rtol=1e-4, atol=1e-6."),
                _("return mt.allclose(a.cpu(), b.cpu(), rtol=1e-4, atol=1e-6)"),
            )
    with gpu(mt) as device:
        if device is None:
            passed(
                "ex2",
                _(
                    "rounding agrees, real differences do not (the two-device case was not "
                    "checked: no GPU or stand-in here)"
                ),
            )
            return
        got = _as_bool(
            attempt(
                "ex2",
                agree,
                summed.to(device),
                product,
                errors={"same device": _("compare on one device: a.cpu() and b.cpu().")},
            ),
            "agree(a_on_gpu, b_on_cpu)",
        )
        if not got:
            fail(
                "ex2",
                _(
                    "agree(a_on_gpu, b_on_cpu) returned False for results that differ only "
                    "by rounding"
                ),
            )
    passed("ex2", _("rounding agrees, real differences do not, across devices too"))
