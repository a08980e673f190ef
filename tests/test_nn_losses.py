"""Losses: values and gradients against PyTorch for every reduction, the numerically hard
cases (huge logits, probabilities of exactly 0 and 1), and every error message."""

import numpy as np
import pytest

import minitensor as mt
import minitensor.nn as nn
import minitensor.nn.functional as F

REDUCTIONS = ["mean", "sum", "none"]


def _np(t):
    return t.detach().cpu().numpy()


def _data(seed=0):
    """Logits (6, 4), class ids with one ignored (-100), class probabilities, a class weight."""
    mt.manual_seed(seed)
    logits = mt.randn(6, 4) * 3
    labels = mt.tensor([0, 3, 1, 2, -100, 3])
    probabilities = mt.softmax(mt.randn(6, 4), 1)
    weight = mt.tensor([1.0, 2.0, 0.5, 3.0])
    return logits, labels, probabilities, weight


def _compare(torch, ours_fn, theirs_fn, inputs, atol=1e-6):
    """Run the same loss on copies of `inputs` in both libraries; compare value and grads.

    `inputs` is a list of (tensor, needs_grad). The upstream gradient is random, so a
    'none' reduction checks every element's gradient, not just their sum.
    """
    ours = [x.detach().clone().requires_grad_(g) for x, g in inputs]
    theirs = [torch.tensor(_np(x), requires_grad=g) for x, g in inputs]
    out, out_t = ours_fn(*ours), theirs_fn(*theirs)
    assert out.shape == tuple(out_t.shape)
    assert np.allclose(_np(out), out_t.detach().numpy(), atol=atol, equal_nan=True)
    upstream = np.random.default_rng(0).standard_normal(tuple(out.shape)).astype(np.float32)
    (out * mt.tensor(upstream)).sum().backward()
    (out_t * torch.tensor(upstream)).sum().backward()
    for x, xt, (_, g) in zip(ours, theirs, inputs):
        if g:
            assert np.allclose(_np(x.grad), xt.grad.numpy(), atol=atol * 10)


# ----------------------------------------------------------------------------- parity


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_regression_losses_match_pytorch(name, reduction):
    torch = pytest.importorskip("torch")
    mt.manual_seed(1)
    x, y = mt.randn(5, 3), mt.randn(5, 3)
    _compare(
        torch,
        lambda a, b: getattr(F, name)(a, b, reduction=reduction),
        lambda a, b: getattr(torch.nn.functional, name)(a, b, reduction=reduction),
        [(x, True), (y, True)],
    )


CLASS_CASES = [
    {},
    {"weight": True},
    {"ignore_index": 3},
    {"label_smoothing": 0.1},
    {"label_smoothing": 0.2, "weight": True},
    {"label_smoothing": 0.3, "ignore_index": 1, "weight": True},
]


def _kwargs(case, weight, lib):
    kwargs = dict(case)
    if kwargs.pop("weight", False):
        kwargs["weight"] = weight if lib is mt else lib.tensor(_np(weight))
    return kwargs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CLASS_CASES)
def test_cross_entropy_with_class_indices_matches_pytorch(case, reduction):
    torch = pytest.importorskip("torch")
    logits, labels, _, weight = _data()
    if "ignore_index" in case:  # then -100 is an ordinary (out-of-range) label: use the new one
        labels = mt.where(labels == -100, case["ignore_index"], labels)
    labels_t = torch.tensor(_np(labels))
    _compare(
        torch,
        lambda x: F.cross_entropy(x, labels, reduction=reduction, **_kwargs(case, weight, mt)),
        lambda x: torch.nn.functional.cross_entropy(
            x, labels_t, reduction=reduction, **_kwargs(case, weight, torch)
        ),
        [(logits, True)],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", [{}, {"weight": True}, {"label_smoothing": 0.25, "weight": True}])
def test_cross_entropy_with_class_probabilities_matches_pytorch(case, reduction):
    torch = pytest.importorskip("torch")
    logits, _, probabilities, weight = _data()
    _compare(
        torch,
        lambda x, p: F.cross_entropy(x, p, reduction=reduction, **_kwargs(case, weight, mt)),
        lambda x, p: torch.nn.functional.cross_entropy(
            x, p, reduction=reduction, **_kwargs(case, weight, torch)
        ),
        [(logits, True), (probabilities, True)],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_on_extra_dimensions_matches_pytorch(reduction):
    torch = pytest.importorskip("torch")
    mt.manual_seed(4)
    logits = mt.randn(2, 3, 5)  # (N, C, d1): e.g. a class score per position
    labels = mt.randint(0, 3, (2, 5))
    labels_t = torch.tensor(_np(labels))
    _compare(
        torch,
        lambda x: F.cross_entropy(x, labels, reduction=reduction, label_smoothing=0.1),
        lambda x: torch.nn.functional.cross_entropy(
            x, labels_t, reduction=reduction, label_smoothing=0.1
        ),
        [(logits, True)],
    )


def test_cross_entropy_of_one_unbatched_sample_matches_pytorch():
    torch = pytest.importorskip("torch")
    _compare(
        torch,
        lambda x: F.cross_entropy(x, mt.tensor(2)),
        lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(2)),
        [(mt.tensor([0.5, -1.0, 2.0]), True)],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_matches_pytorch(weighted, reduction):
    torch = pytest.importorskip("torch")
    logits, labels, _, weight = _data(2)
    log_p = mt.log_softmax(logits, 1)
    labels_t = torch.tensor(_np(labels))
    case = {"weight": True} if weighted else {}
    _compare(
        torch,
        lambda x: F.nll_loss(x, labels, reduction=reduction, **_kwargs(case, weight, mt)),
        lambda x: torch.nn.functional.nll_loss(
            x, labels_t, reduction=reduction, **_kwargs(case, weight, torch)
        ),
        [(log_p, True)],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # NumPy's log(0)
def test_binary_cross_entropy_matches_pytorch_including_0_and_1(weighted, reduction):
    torch = pytest.importorskip("torch")
    # exact 0 and 1 inputs: PyTorch clamps the log at -100 and its gradient at 1e-12; the
    # gradient for the target is +-inf there (log(0)), in both libraries
    x = mt.tensor([0.0, 0.2, 0.5, 0.9, 1.0, 1.0, 0.0, 1e-30])
    y = mt.tensor([1.0, 0.0, 1.0, 0.3, 0.0, 1.0, 0.0, 1.0])
    w = mt.linspace(0.5, 2.0, 8)
    _compare(
        torch,
        lambda a, b: F.binary_cross_entropy(
            a, b, weight=w if weighted else None, reduction=reduction
        ),
        lambda a, b: torch.nn.functional.binary_cross_entropy(
            a, b, weight=torch.tensor(_np(w)) if weighted else None, reduction=reduction
        ),
        [(x, True), (y, True)],
        atol=1e-5,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, [3.0], [0.5, 2.0, 1.0]])
def test_binary_cross_entropy_with_logits_matches_pytorch(pos_weight, reduction):
    torch = pytest.importorskip("torch")
    x = mt.tensor([[-1000.0, -2.0, 0.0], [0.0, 3.0, 1000.0], [50.0, -50.0, 0.5]])
    y = mt.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.2, 0.7, 1.0]])
    weight = mt.tensor([1.0, 0.5, 2.0])

    def ours(a, b):
        pw = None if pos_weight is None else mt.tensor(pos_weight)
        return F.binary_cross_entropy_with_logits(
            a, b, weight=weight, pos_weight=pw, reduction=reduction
        )

    def theirs(a, b):
        pw = None if pos_weight is None else torch.tensor(pos_weight)
        return torch.nn.functional.binary_cross_entropy_with_logits(
            a, b, weight=torch.tensor(_np(weight)), pos_weight=pw, reduction=reduction
        )

    _compare(torch, ours, theirs, [(x, True), (y, True)], atol=1e-4)


def test_bce_with_logits_is_finite_for_huge_logits():
    x = mt.tensor([-1e4, 1e4], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, mt.tensor([1.0, 0.0]), reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(2e4) and x.grad.tolist() == [-1.0, 1.0]


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_target():
    x = mt.zeros(3, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, mt.tensor([0.0, 1.0, 0.25]), reduction="sum").backward()
    assert np.allclose(_np(x.grad), [0.5, -0.5, 0.25])


def test_cross_entropy_of_huge_logits_is_finite():
    x = mt.tensor([[1000.0, -1000.0]], requires_grad=True)
    loss = F.cross_entropy(x, mt.tensor([1]))
    loss.backward()
    assert loss.item() == pytest.approx(2000.0) and np.allclose(_np(x.grad), [[1.0, -1.0]])


def test_cross_entropy_equals_nll_of_log_softmax():
    logits, labels, _, _ = _data(3)
    assert F.cross_entropy(logits, labels).item() == pytest.approx(
        F.nll_loss(F.log_softmax(logits, 1), labels).item()
    )


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NumPy's 0 / 0
def test_all_ignored_targets_give_nan_as_pytorch():
    assert np.isnan(F.cross_entropy(mt.randn(2, 3), mt.tensor([-100, -100])).item())


# ----------------------------------------------------------------------------- modules


@pytest.mark.parametrize(
    ("module", "function", "target"),
    [
        (nn.MSELoss, F.mse_loss, "values"),
        (nn.L1Loss, F.l1_loss, "values"),
        (nn.CrossEntropyLoss, F.cross_entropy, "labels"),
        (nn.NLLLoss, F.nll_loss, "labels"),
        (nn.BCELoss, F.binary_cross_entropy, "probabilities"),
        (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, "probabilities"),
    ],
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_modules_call_their_functions(module, function, target, reduction):
    mt.manual_seed(0)
    x = mt.rand(4, 3)
    y = {
        "values": mt.randn(4, 3),
        "labels": mt.tensor([0, 2, 1, 2]),
        "probabilities": mt.rand(4, 3),
    }[target]
    expected = function(x, y, reduction=reduction)
    assert np.allclose(_np(module(reduction=reduction)(x, y)), _np(expected))


def test_loss_weights_are_buffers_in_state_dict_and_move(device):
    criterion = nn.CrossEntropyLoss(weight=mt.tensor([1.0, 2.0]))
    assert list(criterion.state_dict()) == ["weight"]
    criterion.to(device)
    assert criterion.weight.device.type == device
    logits = mt.tensor([[1.0, 2.0], [0.5, -1.0]], device=device)
    expected = F.cross_entropy(logits.cpu(), mt.tensor([1, 0]), weight=mt.tensor([1.0, 2.0]))
    got = criterion(logits, mt.tensor([1, 0], device=device))
    assert got.item() == pytest.approx(expected.item())


@pytest.mark.parametrize(
    "loss",
    [
        lambda d: F.cross_entropy(mt.randn(3, 4, device=d), mt.tensor([0, 3, 1], device=d)),
        lambda d: F.cross_entropy(mt.randn(3, 4, device=d), mt.rand(3, 4, device=d)),
        lambda d: F.binary_cross_entropy(mt.rand(5, device=d), mt.rand(5, device=d)),
        lambda d: F.binary_cross_entropy_with_logits(mt.randn(5, device=d), mt.rand(5, device=d)),
        lambda d: F.mse_loss(mt.randn(5, device=d), mt.randn(5, device=d)),
        lambda d: F.l1_loss(mt.randn(5, device=d), mt.randn(5, device=d)),
    ],
)
def test_losses_give_the_same_numbers_on_the_device(loss, device):
    mt.manual_seed(7)
    expected = loss("cpu").item()
    mt.manual_seed(7)
    assert loss(device).item() == pytest.approx(expected, rel=1e-6)


def test_seeded_training_step_with_cross_entropy_reduces_the_loss():
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = mt.randn(30, 4), mt.randint(0, 3, (30,))
    first = F.cross_entropy(model(x), y)
    first.backward()
    with mt.no_grad():
        for p in model.parameters():
            p -= 0.5 * p.grad
    assert F.cross_entropy(model(x), y).item() < first.item()


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call",
    [
        lambda r: F.mse_loss(mt.ones(2), mt.ones(2), reduction=r),
        lambda r: F.cross_entropy(mt.ones(2, 2), mt.tensor([0, 1]), reduction=r),
        lambda r: F.binary_cross_entropy(mt.ones(2) / 2, mt.ones(2), reduction=r),
        lambda r: nn.L1Loss(reduction=r),
        lambda r: nn.BCEWithLogitsLoss(reduction=r),
    ],
)
def test_invalid_reduction_is_a_value_error(call):
    with pytest.raises(ValueError, match="^avg is not a valid value for reduction$"):
        call("avg")


def test_legacy_size_average_and_reduce_still_work_with_a_warning():
    x, y = mt.zeros(3), mt.ones(3)
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        assert F.mse_loss(x, y, size_average=False).item() == 3.0
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.L1Loss(reduce=False)(x, y).shape == (3,)


def test_mse_with_a_different_target_size_warns_like_pytorch():
    phrase = (
        r"Using a target size \(minitensor.Size\(\[3\]\)\) that is different to the input "
        r"size \(minitensor.Size\(\[3, 1\]\)\)"
    )
    with pytest.warns(UserWarning, match=phrase):
        out = F.mse_loss(mt.zeros(3, 1), mt.zeros(3))
    assert out.item() == 0.0


def test_mse_with_shapes_that_cannot_broadcast_names_both():
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match=r"\[3, 2\] and \[4\]"):
        F.mse_loss(mt.zeros(3, 2), mt.zeros(4))


@pytest.mark.parametrize(
    ("call", "error", "phrase"),
    [
        (lambda: F.cross_entropy(mt.zeros(3, 4), mt.tensor([0, 1, 5])), IndexError,
         "^Target 5 is out of bounds.$"),
        (lambda: F.nll_loss(mt.zeros(3, 4), mt.tensor([0, -1, 1])), IndexError,
         "^Target -1 is out of bounds.$"),
        (lambda: F.cross_entropy(mt.zeros(3, 4), mt.tensor([0, 1])), ValueError,
         r"^Expected input batch_size \(3\) to match target batch_size \(2\).$"),
        (lambda: F.cross_entropy(mt.zeros(3, 4), mt.tensor([0.0, 1.0, 1.0])), RuntimeError,
         "^expected target dtype to be Long or Byte, but got Float$"),
        (lambda: F.cross_entropy(mt.zeros(3, 4), mt.zeros(3, 4, dtype=mt.int64)), RuntimeError,
         "^Expected floating point type for target with class probabilities, got Long$"),
        (lambda: F.cross_entropy(mt.zeros(3, 4), mt.zeros(3, 4), ignore_index=1), RuntimeError,
         "^ignore_index is not supported for floating point target$"),
        (lambda: F.cross_entropy(mt.zeros(3, 4), mt.tensor([0, 1, 1]), label_smoothing=1.5),
         RuntimeError, r"^label_smoothing must be between 0.0 and 1.0. Got: 1.5$"),
        (lambda: F.nll_loss(mt.zeros(3, 4), mt.tensor([0, 1, 1]), weight=mt.ones(3)),
         RuntimeError, r"for all 4 classes or no classes but got weight tensor of shape: \[3\]$"),
        (lambda: F.nll_loss(mt.zeros(3, 4, 5), mt.zeros(3, 4, dtype=mt.int64)), RuntimeError,
         r"^Expected target size \[3, 5\], got \[3, 4\]$"),
        (lambda: F.nll_loss(mt.zeros(4), mt.tensor([1, 2])), ValueError,
         "^For 1D input, 1D target must have size 1, but got target size: 2$"),
        (lambda: F.nll_loss(mt.tensor(1.0), mt.tensor(1)), ValueError,
         r"^Expected 1 or more dimensions \(got 0\)$"),
        (lambda: F.binary_cross_entropy(mt.zeros(3, 1) + 0.5, mt.zeros(3)), ValueError,
         r"Using a target size \(minitensor.Size\(\[3\]\)\) that is different to the input "
         r"size \(minitensor.Size\(\[3, 1\]\)\) is deprecated"),
        (lambda: F.binary_cross_entropy(mt.zeros(3) + 1.5, mt.zeros(3)), RuntimeError,
         "^all elements of input should be between 0 and 1$"),
        (lambda: F.binary_cross_entropy(mt.tensor([float("nan")]), mt.zeros(1)), RuntimeError,
         "^all elements of input should be between 0 and 1$"),
        (lambda: F.binary_cross_entropy(mt.zeros(3) + 0.5, mt.zeros(3, dtype=mt.int64)),
         RuntimeError, "^Found dtype Long but expected Float$"),
        (lambda: F.binary_cross_entropy_with_logits(mt.zeros(3, 1), mt.zeros(3)), ValueError,
         r"^Target size \(minitensor.Size\(\[3\]\)\) must be the same as input size "
         r"\(minitensor.Size\(\[3, 1\]\)\)$"),
    ],
)  # fmt: skip
def test_loss_errors_use_pytorchs_phrases(call, error, phrase):
    with pytest.raises(error, match=phrase):
        call()
