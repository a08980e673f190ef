"""Checks for lesson 9 (a real model end to end): an evaluation function, resuming from a
checkpoint, freezing a layer to fine-tune the rest, and a model that returns logits.

Each check builds a small model of the lesson's shape (`features` -> ReLU -> `classifier`)
with fixed weights, runs the learner's function on it, and looks at what happened: which
mode the model ran in, whether a graph was recorded, whether the resumed run matches the
uninterrupted one bit for bit, which tensors the optimizer holds and which ones changed,
and whether `forward`'s output is logits or (log-)probabilities.
The model, data and optimizers come from the learner's library (`library(answer)`), so
the checks grade a learner who follows along with `import torch as mt` the same way.
"""

import os
import tempfile

import numpy as np

from . import _, attempt, fail, library, passed, recorded_ops, run_it_yourself

_classes = {}  # library name -> (_Classifier, _WatchedClassifier) built on its nn.Module


def _classifier_classes(lib):
    """The check's two model classes, subclasses of `lib.nn.Module` (made once per library)."""
    if lib.__name__ in _classes:
        return _classes[lib.__name__]
    nn = lib.nn

    class _Classifier(nn.Module):
        """features -> ReLU -> dropout -> classifier, with fixed starting weights."""

        def __init__(self, dropout=0.5, shift=0.0):
            super().__init__()
            self.features = nn.Linear(4, 6)
            self.dropout = nn.Dropout(dropout)
            self.classifier = nn.Linear(6, 3)
            with lib.no_grad():
                for k, p in enumerate(self.parameters()):
                    values = np.sin(np.arange(p.numel()) * 1.3 + k + shift) * 0.8
                    p.copy_(lib.tensor(values.reshape(tuple(p.shape)), dtype=lib.float32))

        def forward(self, x):
            return self.classifier(self.dropout(lib.relu(self.features(x))))

    class _WatchedClassifier(_Classifier):
        """Writes down the mode (training or evaluation) of every forward pass."""

        def __init__(self):
            super().__init__()
            self.modes = []

        def forward(self, x):
            self.modes.append("training" if self.training else "evaluation")
            return super().forward(x)

    _classes[lib.__name__] = _Classifier, _WatchedClassifier
    return _classes[lib.__name__]


def _inputs(lib, n=10, seed=0):
    rng = np.random.default_rng(seed)
    return lib.tensor(rng.normal(size=(n, 4)), dtype=lib.float32)


def _loader(lib, x, y, batch_size=4):
    """Batches in a fixed order; with 10 samples and batch_size 4 the last one has 2."""
    data = lib.utils.data
    return data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size)


# --------------------------------------------------------------------------- exercise 1

# Wrong predictions at 0 (batch 1), 5 (batch 2) and 9 (batch 3, which has only 2 samples):
# 7 of 10 correct overall, while the mean of the batches' accuracies is (3/4+3/4+1/2)/3.
_WRONG_AT = (0, 5, 9)


def _ex1_data(lib, model):
    x = _inputs(lib)
    with lib.no_grad():
        predictions = model.eval()(x).argmax(dim=1)
    labels = predictions.clone()
    for i in _WRONG_AT:
        labels[i] = (labels[i] + 1) % 3
    return x, labels


def _mode_name(mode):
    """ "training" or "evaluation", in the language of the messages."""
    return _("training") if mode == "training" else _("evaluation")


def check_ex1(accuracy):
    """Exercise 1: evaluation mode, no graph, the previous mode restored, a float."""
    lib = library(accuracy)
    expected = 1 - len(_WRONG_AT) / 10
    batch_mean = (0.75 + 0.75 + 0.5) / 3
    for start_mode in ("training", "evaluation"):
        model = _classifier_classes(lib)[1]()
        x, labels = _ex1_data(lib, model)
        model.train(start_mode == "training")
        model.modes.clear()
        with recorded_ops(lib) as recorded:
            result = attempt("ex1", accuracy, model, _loader(lib, x, labels))
        _check_ex1_mode(model, start_mode)
        if recorded.count:
            fail(
                "ex1",
                _(
                    "accuracy() recorded {count} graph node(s); evaluating should record "
                    "none (the graph costs memory and time, and nothing calls backward on it)",
                    count=recorded.count,
                ),
                _("run the forward passes inside `with mt.no_grad():`."),
                _(
                    "model.eval() does not stop autograd: it only changes what layers such "
                    "as Dropout do. Put the whole loop over the loader under `with "
                    "mt.no_grad():`."
                ),
            )
        _check_ex1_value(lib, result, expected, batch_mean)
    passed(
        "ex1",
        _(
            "accuracy {expected} in evaluation mode, no graph recorded, and the "
            "model is back in the mode it was in (training or evaluation)",
            expected=expected,
        ),
    )


def _check_ex1_mode(model, start_mode):
    if not model.modes:
        fail(
            "ex1",
            _("accuracy() never called the model"),
            _("loop over the loader and call model(images) for each batch."),
            _(
                "for images, labels in loader: logits = model(images); the prediction is "
                "logits.argmax(dim=1)."
            ),
        )
    if "training" in model.modes:
        fail(
            "ex1",
            _(
                "accuracy() ran the model in training mode ({count} of {total} "
                "forward passes): dropout was still switching off random features, so "
                "the predictions were noisy",
                count=model.modes.count("training"),
                total=len(model.modes),
            ),
            _(
                "call model.eval() before the loop: it changes what layers such as "
                "Dropout do. no_grad() alone does not."
            ),
            _(
                "no_grad() stops the recording of a graph and changes no layer; "
                "model.eval() switches dropout off and records nothing less. Evaluation "
                "needs both."
            ),
        )
    end_mode = "training" if model.training else "evaluation"
    if end_mode != start_mode:
        fail(
            "ex1",
            _(
                "the model was in {start_mode} mode before accuracy() and is in "
                "{end_mode} mode after it: a function that only evaluates should leave "
                "the model as it found it",
                start_mode=_mode_name(start_mode),
                end_mode=_mode_name(end_mode),
            ),
            _(
                "remember `was_training = model.training` first, and finish with "
                "model.train(was_training)."
            ),
            _(
                "model.train() always switches to training mode and model.eval() always "
                "to evaluation mode; model.train(False) is model.eval(), so "
                "model.train(was_training) puts back either one."
            ),
        )


def _check_ex1_value(lib, result, expected, batch_mean):
    if isinstance(result, lib.Tensor) or not isinstance(result, float):
        fail(
            "ex1",
            _("accuracy() returned {result!r}; return a Python float", result=result),
            _("count with `.sum().item()` and divide Python numbers."),
            _(
                "(predictions == labels).sum() is a tensor; .item() turns it into a "
                "Python int, and an int divided by an int is a float."
            ),
        )
    if abs(result - batch_mean) < 1e-6:
        fail(
            "ex1",
            _(
                "accuracy() returned {result:.4f}, the mean of the batches' accuracies; "
                "the last batch has only 2 samples, so that mean is not the accuracy "
                "over all samples ({expected})",
                result=result,
                expected=expected,
            ),
            _(
                "add up the correct predictions of all batches, then divide once by the "
                "number of samples, len(loader.dataset)."
            ),
            _(
                "a mean of means weighs the 2-sample batch like the 4-sample ones. Keep "
                "a running count: correct += (predictions == labels).sum().item()."
            ),
        )
    if abs(result - expected) > 1e-6:
        fail(
            "ex1",
            _(
                "accuracy() returned {result:.4f}; {expected} of the 10 samples are "
                "predicted right, so the accuracy is {accuracy}",
                result=result,
                expected=int(expected * 10),
                accuracy=expected,
            ),
            _("the prediction is logits.argmax(dim=1); compare it with the labels."),
            _(
                "divide the number of right predictions by len(loader.dataset), the "
                "number of samples (len(loader) is the number of batches)."
            ),
        )


# --------------------------------------------------------------------------- exercise 2

_EPOCHS, _SAVED_EPOCH = 5, 2


def _ex2_batches(lib):
    x = _inputs(lib, 12, seed=1)
    labels = lib.tensor([0, 1, 2] * 4)
    return [(x[i : i + 4], labels[i : i + 4]) for i in range(0, 12, 4)]


def _run_epochs(lib, model, optimizer, first, last):
    """Epochs first..last (inclusive) over fixed batches; the lr drops after epoch 1."""
    criterion = lib.nn.CrossEntropyLoss()
    for epoch in range(first, last + 1):
        for inputs, labels in _ex2_batches(lib):
            optimizer.zero_grad()
            criterion(model(inputs), labels).backward()
            optimizer.step()
        if epoch == 1:  # what a scheduler would do: the checkpoint must carry this lr too
            optimizer.param_groups[0]["lr"] = 0.02


def _ex2_model_and_optimizer(lib, shift=0.0):
    model = _classifier_classes(lib)[0](dropout=0.0, shift=shift)
    return model, lib.optim.Adam(model.parameters(), lr=0.05)


def _ex2_errors():
    """What a learner's resume() may raise, and what it means."""
    whole_dict = _(
        "the checkpoint is a dict of three entries; load checkpoint['model'] into the model "
        "and checkpoint['optimizer'] into the optimizer, not the whole dict."
    )
    return {"Missing key": whole_dict, "Unexpected key": whole_dict}


def check_ex2(resume):
    """Exercise 2: model and optimizer restored, the right epoch returned, bit for bit."""
    lib = library(resume)
    reference, reference_optimizer = _ex2_model_and_optimizer(lib)
    _run_epochs(lib, reference, reference_optimizer, 0, _EPOCHS - 1)

    crashed, crashed_optimizer = _ex2_model_and_optimizer(lib)
    _run_epochs(lib, crashed, crashed_optimizer, 0, _SAVED_EPOCH)
    saved_weights = [p.detach().clone() for p in crashed.parameters()]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        checkpoint = {
            "epoch": _SAVED_EPOCH,
            "model": crashed.state_dict(),
            "optimizer": crashed_optimizer.state_dict(),
        }
        lib.save(checkpoint, path)
        model, optimizer = _ex2_model_and_optimizer(lib, shift=1.0)  # other weights, fresh
        next_epoch = attempt("ex2", resume, path, model, optimizer, errors=_ex2_errors())

    _check_ex2_restored(lib, model, optimizer, saved_weights)
    _check_ex2_epoch(next_epoch)
    _run_epochs(lib, model, optimizer, next_epoch, _EPOCHS - 1)
    differences = [
        (p - q).abs().max().item() for p, q in zip(model.parameters(), reference.parameters())
    ]
    if max(differences) != 0:
        fail(
            "ex2",
            _(
                "after resuming, the run ends with weights that differ from the "
                "uninterrupted run's by up to {difference:.3g}; a resumed run should match it "
                "exactly",
                difference=max(differences),
            ),
            _("load both state_dicts and change nothing else."),
            _(
                "do not set the lr, re-create the optimizer or step it inside resume(): "
                "the optimizer's state_dict already holds everything it needs."
            ),
        )
    passed(
        "ex2",
        _(
            "model and optimizer restored (Adam's step count, running averages and "
            "lr); epochs 3-4 then give exactly the uninterrupted run's weights"
        ),
    )


def _check_ex2_epoch(next_epoch):
    if next_epoch is None:
        fail(
            "ex2",
            _(
                "resume() returned None; the training loop needs the first epoch still "
                "to run (here {wanted}), to go on with `for epoch in range(start, "
                "epochs)`",
                wanted=_SAVED_EPOCH + 1,
            ),
            _("end resume() with a return statement."),
            _("return checkpoint['epoch'] + 1."),
        )
    if next_epoch == _SAVED_EPOCH:
        fail(
            "ex2",
            _(
                "resume() returned {next_epoch}, the epoch stored in the checkpoint; "
                "that epoch had finished when it was saved, so the resumed run would "
                "train it twice",
                next_epoch=next_epoch,
            ),
            _("return checkpoint['epoch'] + 1: the first epoch still to run."),
            _(
                "the loop saves the checkpoint at the end of an epoch, after its last "
                "step; `for epoch in range(resume(...), epochs)` must start with the "
                "next one."
            ),
        )
    if next_epoch != _SAVED_EPOCH + 1:
        fail(
            "ex2",
            _(
                "resume() returned {next_epoch!r}; the checkpoint was saved after epoch "
                "{saved}, so the next epoch to run is {wanted}",
                next_epoch=next_epoch,
                saved=_SAVED_EPOCH,
                wanted=_SAVED_EPOCH + 1,
            ),
            _("read the epoch from the checkpoint: checkpoint['epoch']."),
            _("return checkpoint['epoch'] + 1, a Python int."),
        )


def _check_ex2_restored(lib, model, optimizer, saved_weights):
    for (name, p), saved in zip(model.named_parameters(), saved_weights):
        if not lib.equal(p.detach(), saved):
            fail(
                "ex2",
                _("after resume(), model.{name} is not the checkpoint's {name}", name=name),
                _("model.load_state_dict(checkpoint['model']), with checkpoint = mt.load(path)."),
                _(
                    "load_state_dict copies the saved numbers into the model you were given; "
                    "a new model made inside resume() is not the caller's."
                ),
            )
    if not any(optimizer.state.get(p) for p in model.parameters()):
        fail(
            "ex2",
            _(
                "after resume(), the optimizer's state is empty: Adam would start again "
                "from step 1 with zero running averages, as if the optimizer were "
                "re-created, and the run would not continue where it stopped"
            ),
            _(
                "optimizer.load_state_dict(checkpoint['optimizer']) restores the step "
                "counts, exp_avg, exp_avg_sq and the learning rate."
            ),
            _(
                "load it into the optimizer you were given: a new optimizer made inside "
                "resume() (optimizer = optim.Adam(...)) only rebinds a local name, the "
                "caller's stays empty."
            ),
        )
    lr = optimizer.param_groups[0]["lr"]
    if lr != 0.02:
        fail(
            "ex2",
            _(
                "after resume(), the optimizer's lr is {lr}; the checkpoint's is 0.02 "
                "(lowered during training, as a scheduler would)",
                lr=lr,
            ),
            _("load the whole optimizer state_dict: param_groups carry the lr."),
            _("do not set the lr yourself after loading: the checkpoint's is the right one."),
        )


# --------------------------------------------------------------------------- exercise 3


def _ex3_loader(lib):
    x = _inputs(lib, 12, seed=2)
    return _loader(lib, x, lib.tensor([2, 0, 1] * 4), batch_size=6)


def _reference_fine_tune(lib, epochs, zero_grad=True):
    """A correct fine-tuning run (or, with zero_grad=False, one that never zeroes)."""
    model = _classifier_classes(lib)[0](dropout=0.0)
    model.features.requires_grad_(False)
    optimizer = lib.optim.Adam(model.classifier.parameters(), lr=0.01)
    criterion = lib.nn.CrossEntropyLoss()
    for _step in range(epochs):
        for inputs, labels in _ex3_loader(lib):
            if zero_grad:
                optimizer.zero_grad()
            criterion(model(inputs), labels).backward()
            optimizer.step()
    return model


def check_ex3(fine_tune):
    """Exercise 3: features frozen and untouched, the optimizer holds only the classifier."""
    lib = library(fine_tune)
    epochs = 3
    model = _classifier_classes(lib)[0](dropout=0.0)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = attempt("ex3", fine_tune, model, _ex3_loader(lib), epochs)
    _check_ex3_frozen(model, before)
    _check_ex3_optimizer(lib, model, optimizer)
    reference = _reference_fine_tune(lib, epochs)
    never_zeroed = _reference_fine_tune(lib, epochs, zero_grad=False)
    for name in ("weight", "bias"):
        got, wanted = getattr(model.classifier, name), getattr(reference.classifier, name)
        if lib.equal(got.detach(), before[f"classifier.{name}"]):
            fail(
                "ex3",
                _("model.classifier.{name} did not change: nothing was trained", name=name),
                _(
                    "train inside fine_tune(): for each epoch, for each batch of the loader, "
                    "one optimizer step."
                ),
                _(
                    "the optimizer must hold model.classifier's parameters, and each step "
                    "needs loss.backward() first."
                ),
            )
        if lib.allclose(got, wanted, atol=1e-5):
            continue
        if lib.allclose(got, getattr(never_zeroed.classifier, name), atol=1e-5):
            fail(
                "ex3",
                _(
                    "model.classifier.{name} is what a run that never calls zero_grad() "
                    "gives: every step used the sum of all the gradients so far",
                    name=name,
                ),
                _("call optimizer.zero_grad() once per batch, before backward()."),
                _(
                    "backward() adds into .grad; without zero_grad() each batch's gradient "
                    "is piled on the previous ones (lesson 3)."
                ),
            )
        fail(
            "ex3",
            _("model.classifier.{name} differs from a correct fine-tuning run's", name=name),
            _(
                "for {epochs} epochs, per batch: zero_grad, forward, CrossEntropyLoss, "
                "backward, step, with optim.Adam(..., lr=0.01).",
                epochs=epochs,
            ),
            _(
                "train for exactly `epochs` epochs, every batch of the loader, with the "
                "loss of the model's logits (no softmax before CrossEntropyLoss)."
            ),
        )
    passed(
        "ex3",
        _(
            "the features are frozen and unchanged, the optimizer holds only the "
            "classifier, and the classifier trained"
        ),
    )


def _check_ex3_frozen(model, before):
    if vars(model.features).get("requires_grad") is False:
        fail(
            "ex3",
            _(
                "fine_tune() set `model.features.requires_grad = False`: that makes a "
                "new attribute on the module and freezes nothing; its weight and bias "
                "still require grad"
            ),
            _("call the method: model.features.requires_grad_(False), with the underscore."),
            _(
                "requires_grad is a property of tensors, not of modules; the module's "
                "requires_grad_() sets it on every parameter of the layer."
            ),
        )
    for name in ("weight", "bias"):
        param = getattr(model.features, name)
        if param.requires_grad:
            fail(
                "ex3",
                _(
                    "model.features.{name}.requires_grad is still True: backward computes "
                    "its gradient for nothing, and any optimizer holding it may change it",
                    name=name,
                ),
                _("model.features.requires_grad_(False) freezes every parameter of the layer."),
                _("freeze before you make the optimizer and before the first backward()."),
            )
        change = (param.detach() - before[f"features.{name}"]).abs().max().item()
        if change != 0:
            fail(
                "ex3",
                _(
                    "model.features.{name} changed (by up to {change:.3g}): not frozen",
                    name=name,
                    change=change,
                ),
                _("freeze model.features before training, and do not give it to the optimizer."),
                run_it_yourself(),
            )


def _check_ex3_optimizer(lib, model, optimizer):
    if not isinstance(optimizer, lib.optim.Optimizer):
        fail(
            "ex3",
            _(
                "fine_tune() returned {optimizer!r}; return the optimizer you trained with",
                optimizer=optimizer,
            ),
            _("end fine_tune() with `return optimizer`."),
            _("the check reads which tensors the optimizer holds: its param_groups."),
        )
    held = [p for group in optimizer.param_groups for p in group["params"]]
    frozen = [n for n, p in model.features.named_parameters() if any(p is q for q in held)]
    if frozen:
        names = ", ".join(f"model.features.{n}" for n in frozen)
        fail(
            "ex3",
            _(
                "the optimizer holds {names}. It skips them while their .grad is None, "
                "but a leftover gradient (zero_grad(set_to_none=False)), weight decay or "
                "momentum could still move them; an optimizer that never sees them cannot",
                names=names,
            ),
            _(
                "pass only the trainable parameters: "
                "optim.Adam(model.classifier.parameters(), lr=0.01), or [p for p in "
                "model.parameters() if p.requires_grad]."
            ),
            _(
                "model.parameters() yields every parameter, frozen or not; filter it, or "
                "take only the classifier's."
            ),
        )
    missing = [n for n, p in model.classifier.named_parameters() if not any(p is q for q in held)]
    if missing:
        fail(
            "ex3",
            _(
                "the optimizer does not hold model.classifier.{missing}: it is not trained",
                missing=missing[0],
            ),
            _("give the optimizer every trainable parameter: model.classifier.parameters()."),
            _(
                "[p for p in model.parameters() if p.requires_grad] picks exactly the "
                "ones that train."
            ),
        )


# --------------------------------------------------------------------------- exercise 4

_EX4_LAYERS = {
    "features.weight": (32, 64),
    "features.bias": (32,),
    "classifier.weight": (10, 32),
    "classifier.bias": (10,),
}
_EX4_LABELS = [3, 0, 7, 9, 1, 4]
_FLOOR = float(np.log(1 + 9 / np.e))  # the least CrossEntropyLoss of softmax outputs


def _ex4_model(lib, FixedClassifier):
    model = attempt("ex4", FixedClassifier)
    shapes = {name: tuple(p.shape) for name, p in model.named_parameters()}
    if shapes != _EX4_LAYERS:
        fail(
            "ex4",
            _(
                "FixedClassifier() has the parameters {shapes}; keep SoftmaxClassifier's "
                "layers as they are: features = nn.Linear(64, 32) and classifier = "
                "nn.Linear(32, 10)",
                shapes=shapes,
            ),
            _("the bug is in forward; copy __init__ unchanged."),
            _("only the last line of forward changes: what it returns."),
        )
    with lib.no_grad():
        for k, p in enumerate(model.parameters()):
            values = np.sin(np.arange(p.numel()) * 0.7 + k) * 0.3
            p.copy_(lib.tensor(values.reshape(tuple(p.shape)), dtype=lib.float32))
    return model


def _ex4_logits(model, x):
    """The logits of the given architecture, in NumPy, from the model's own weights."""
    w = {name: p.detach().numpy().astype(np.float64) for name, p in model.named_parameters()}
    hidden = np.maximum(x @ w["features.weight"].T + w["features.bias"], 0)
    return hidden @ w["classifier.weight"].T + w["classifier.bias"]


def _ex4_call(lib, model, x):
    out = attempt("ex4", model, lib.tensor(x, dtype=lib.float32))
    if not isinstance(out, lib.Tensor):
        fail(
            "ex4",
            _(
                "model(x) returned {type}; forward should return a tensor of logits, one "
                "row of 10 per image",
                type=type(out).__name__,
            ),
            _("return self.classifier(...) as it is."),
            _("forward's last line: return self.classifier(mt.relu(self.features(x)))."),
        )
    return out


def check_ex4(FixedClassifier):
    """Exercise 4: the model returns logits: no softmax, log_softmax or log(softmax)."""
    lib = library(FixedClassifier)
    model = _ex4_model(lib, FixedClassifier)
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, size=(len(_EX4_LABELS), 64))
    out = _ex4_call(lib, model, x)
    n = len(_EX4_LABELS)
    if tuple(out.shape) != (n, 10) or not out.is_floating_point():
        fail(
            "ex4",
            _(
                "model(x) for {n} images returned shape {out_shape} ({out_dtype}); "
                "CrossEntropyLoss needs float logits of shape ({n}, 10), one score per "
                "digit",
                n=n,
                out_shape=tuple(out.shape),
                out_dtype=out.dtype,
            ),
            _(
                "return the 10 scores of the classifier layer, not the predicted digits: "
                "argmax belongs outside the model, to predict."
            ),
            _(
                "argmax has no gradient, so a model returning it cannot be trained; "
                "return self.classifier(mt.relu(self.features(x)))."
            ),
        )
    values = out.detach().numpy().astype(np.float64)
    logits = _ex4_logits(model, x)
    labels = lib.tensor(_EX4_LABELS)
    if np.allclose(values.sum(axis=1), 1, atol=1e-4) and values.min() >= 0:
        loss = lib.nn.CrossEntropyLoss()(out, labels).item()
        right = lib.nn.CrossEntropyLoss()(lib.tensor(logits, dtype=lib.float32), labels).item()
        fail(
            "ex4",
            _(
                "model(x) returns probabilities (every row sums to 1): the softmax is "
                "still there. CrossEntropyLoss applies its own softmax on top: its loss "
                "here is {loss:.4f} (the logits give {right:.4f}), and however sure and "
                "right the model gets it can never go below log(1 + 9/e) = {floor:.4f}, "
                "with gradients squeezed through two softmaxes",
                loss=loss,
                right=right,
                floor=_FLOOR,
            ),
            _(
                "drop the softmax: forward returns the logits, CrossEntropyLoss takes "
                "them as they are."
            ),
            _(
                "CrossEntropyLoss is log_softmax followed by NLLLoss. Apply "
                "mt.softmax(model(x), dim=1) outside the model, only to show "
                "probabilities; argmax of the logits predicts."
            ),
        )
    if np.allclose(np.exp(values).sum(axis=1), 1, atol=1e-4):
        with lib.no_grad():
            big = _ex4_call(lib, model, x * 1000).numpy()
        if np.isinf(big).any():
            fail(
                "ex4",
                _(
                    "model(x) returns log(softmax(...)): log-probabilities computed in two "
                    "steps. On inputs 1000 times larger some probabilities round to exactly "
                    "0, and model(x) holds -inf (log 0): the loss becomes inf"
                ),
                _(
                    "drop both: forward returns the logits; CrossEntropyLoss does the "
                    "log_softmax itself, the stable way."
                ),
                _(
                    "log_softmax works with x - logsumexp(x) and never forms the tiny "
                    "probability; but CrossEntropyLoss already does that, so the model "
                    "should return self.classifier(...) as it is."
                ),
            )
        fail(
            "ex4",
            _(
                "model(x) returns log-probabilities (log_softmax: the exponentials of "
                "each row sum to 1), not logits. CrossEntropyLoss applies log_softmax "
                "itself, so the model's log_softmax is done twice; the model no longer "
                "returns the logits that the lesson's rule (and every loop using "
                "CrossEntropyLoss) expects"
            ),
            _(
                "drop the log_softmax too: forward returns the logits, and "
                "CrossEntropyLoss takes them as they are."
            ),
            _(
                "log_softmax belongs with NLLLoss (CrossEntropyLoss = log_softmax + "
                "NLLLoss); with CrossEntropyLoss, the model ends in its last Linear "
                "layer."
            ),
        )
    if not out.requires_grad:
        fail(
            "ex4",
            _(
                "model(x) gives the right logits but without a graph (detach() or "
                "no_grad() in forward): loss.backward() could not reach the weights, so "
                "nothing would train"
            ),
            _("return the classifier's output as it is, without .detach() or no_grad()."),
            _("backward follows the graph that forward records; a detached result has none."),
        )
    if not np.allclose(values, logits, atol=1e-4):
        no_relu = x @ model.features.weight.detach().numpy().T.astype(np.float64)
        no_relu = no_relu + model.features.bias.detach().numpy()
        no_relu = no_relu @ model.classifier.weight.detach().numpy().T.astype(np.float64)
        no_relu = no_relu + model.classifier.bias.detach().numpy()
        what = _("model(x) differs from the logits self.classifier(mt.relu(self.features(x)))")
        if np.allclose(values, no_relu, atol=1e-4):
            what = _("{what} (they are what forward gives without the ReLU)", what=what)
        fail(
            "ex4",
            what,
            _("keep SoftmaxClassifier's forward and change only its last step: no softmax."),
            _("forward: return self.classifier(mt.relu(self.features(x)))."),
        )
    passed(
        "ex4",
        _(
            "the model returns logits (rows that are not probabilities or "
            "log-probabilities), with a graph, so CrossEntropyLoss applies the only "
            "softmax"
        ),
    )
