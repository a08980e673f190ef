# %% [markdown]
# # Lesson 9: A real model, end to end: handwritten digits
#
# Every lesson so far trained on small made-up data, mostly straight lines. This one does
# what a real project does, on real images: wrap the data in a `Dataset`, keep some of it
# aside for validation, write the model as an `nn.Module` subclass, train a classifier,
# measure its accuracy on images it never saw, watch it overfit, save checkpoints and
# resume from them, open a checkpoint in real PyTorch, freeze a layer to fine-tune the
# rest, and look at the mistakes it still makes.
#
# **Goals.** After this lesson you can
#
# - wrap data in a `Dataset` subclass, split it with `random_split` and batch it with
#   `DataLoader`s;
# - write a model as an `nn.Module` subclass, and say what `__init__` and `forward` do;
# - say what logits are, and why `CrossEntropyLoss` takes them without a softmax;
# - measure accuracy without recording a graph, and say why that needs both
#   `model.eval()` and `no_grad()`;
# - recognise overfitting on the training monitor, and say what weight decay and early
#   stopping do about it;
# - save a checkpoint, resume from it exactly, and open it in PyTorch;
# - freeze a layer with `requires_grad_(False)` and fine-tune the rest.
#
# **PyTorch.** Every code cell runs unchanged on PyTorch: replace `import minitensor as mt`
# by `import torch as mt`. Cells whose first line says `# minitensor only` use something
# PyTorch does not have.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import minitensor as mt

nn, optim = mt.nn, mt.optim
Dataset, DataLoader, Subset = mt.utils.data.Dataset, mt.utils.data.DataLoader, mt.utils.data.Subset
random_split = mt.utils.data.random_split

# %% [markdown]
# ## The data: 1,797 handwritten digits
#
# scikit-learn ships a small set of handwritten digits inside the package, so nothing is
# downloaded: 1,797 images of $8 \times 8$ pixels, each pixel a darkness from 0 to 16, and the
# digit each image shows. (PyTorch's own tutorials use MNIST: 70,000 images of $28 \times 28$.
# The same ideas, on 40 times more data.)

# %% check-output
digits = load_digits()
print("images:", digits.images.shape)
print("darkness from", digits.images.min(), "to", digits.images.max())
print("the first labels:", digits.target[:10].tolist())
print("images of each digit:", np.bincount(digits.target).tolist())

# %%
fig, axes = plt.subplots(3, 10, figsize=(8, 3.2), layout="constrained")
for ax, image, label in zip(axes.flat, digits.images, digits.target):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(str(label), fontsize=10, pad=3)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## A `Dataset` of your own
#
# A dataset is anything with `__len__` (how many samples) and `__getitem__(i)` (sample
# `i`). Subclassing `Dataset` is how PyTorch code wraps data that lives in files, in a
# database or, here, in NumPy arrays. Ours gives each image as 64 numbers between 0 and 1
# (the model takes a flat vector) and each label as an integer tensor: `CrossEntropyLoss`
# wants the *index* of the right class, as int64.


# %% check-output
class DigitsDataset(Dataset):
    def __init__(self, images, labels):
        # (1797, 8, 8) darkness 0..16  ->  (1797, 64) between 0 and 1
        self.images = mt.tensor(images.reshape(len(images), 64) / 16, dtype=mt.float32)
        self.labels = mt.tensor(labels)  # int64 class indices 0..9

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]


dataset = DigitsDataset(digits.images, digits.target)
image, label = dataset[0]
print(len(dataset), "samples; sample 0 is", tuple(image.shape), image.dtype, "and", label)

# %% [markdown]
# ## Training and validation data
#
# A model is judged on images it did not train on: a student who learned the answers by
# heart does well on the training images and badly on new ones, and only new ones show
# the difference. `random_split` shuffles the indices with the generator it is given and
# cuts them into two `Subset`s: 1,437 images (80 %) to train on, 360 to validate with. The
# seeded generator makes the split the same on every run. (PyTorch's generator draws
# other numbers from the same seed, so in PyTorch the split, and every number that depends
# on it below, differs a little; the conclusions do not.)
#
# The training loader shuffles: each epoch sees the images in a new order. The validation
# loader does not need to.

# %% check-output
train_set, validation_set = random_split(
    dataset, [1437, 360], generator=mt.Generator().manual_seed(0)
)
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
validation_loader = DataLoader(validation_set, batch_size=120)
print(len(train_set), "training images in", len(train_loader), "batches of up to 64")
print(len(validation_set), "validation images in", len(validation_loader), "batches of 120")
images, labels = next(iter(train_loader))
print("one batch:", tuple(images.shape), tuple(labels.shape))

# All validation images and labels in two tensors, for the pictures at the end.
validation_images = mt.stack([image for image, _ in validation_set])
validation_labels = mt.stack([label for _, label in validation_set])

# %% [markdown]
# ## A model of your own: an `nn.Module` subclass
#
# Every PyTorch model is a class like this one. `__init__` creates the layers and assigns
# them to attributes of `self`: assigning an `nn.Module` (or an `nn.Parameter`) *registers*
# it, so `model.parameters()` finds its weights, `model.eval()` reaches its dropout, and
# `state_dict()` names them `features.weight` and so on. `forward` says how data flows
# through the layers. Call `model(x)`, not `model.forward(x)`: the call also runs the
# module's hooks (the graph widget below uses them).
#
# Ours: 64 pixels -> 32 features (a `Linear` layer and ReLU) -> dropout -> 10 scores,
# one per digit.


# %% check-output
class DigitClassifier(nn.Module):
    def __init__(self, hidden=32, dropout=0.2):
        super().__init__()  # first: it makes the dictionaries that registration fills
        self.features = nn.Linear(64, hidden)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, 10)

    def forward(self, x):
        x = mt.relu(self.features(x))
        return self.classifier(self.dropout(x))


mt.manual_seed(0)
model = DigitClassifier()
print(model)
for name, param in model.named_parameters():
    print(f"{name:18} {tuple(param.shape)}")
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% [markdown]
# Here is the graph of one batch's loss. With the modules collapsed, each layer is one box
# (press a module's button to open it); between them, the ReLU that `forward` applies
# itself, and the loss at the bottom.

# %%
criterion = nn.CrossEntropyLoss()

# %% minitensor-only
# minitensor only: the graph widget
from widgets import record_modules, show_graph

with record_modules(model):  # remember which module made which op
    loss = criterion(model(images), labels)
show_graph(loss, model=model, collapse=True)

# %% [markdown]
# ## Logits, softmax and `CrossEntropyLoss`
#
# The 10 numbers the model gives for an image are *logits*: any real numbers, a larger one
# meaning "more likely this digit". Softmax turns them into probabilities (`exp` of each,
# divided by their sum). The prediction is the digit with the largest logit, `argmax`;
# softmax keeps the order, so predicting needs no softmax.
#
# `CrossEntropyLoss` takes the logits and the right class, and is
# $-\log(\text{probability of the right class})$: 0 when the model is sure and right, large when it is sure and wrong.

# %% check-output
logits = mt.tensor([[2.0, -1.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 4.0]])
target = mt.tensor([9])
probabilities = mt.softmax(logits, dim=1)
print("probabilities:", [round(p, 3) for p in probabilities[0].tolist()])
print("prediction:", logits.argmax(dim=1).item())
print(f"CrossEntropyLoss:          {criterion(logits, target).item():.4f}")
print(f"-log(probability of a 9):  {-mt.log(probabilities[0, 9]).item():.4f}")

# %% [markdown]
# So the softmax is already *inside* the loss (`CrossEntropyLoss` is `log_softmax`
# followed by `NLLLoss`). Add one yourself before it, and two things go wrong.
#
# The loss gets a floor. Softmax outputs lie between 0 and 1; taken as logits, they can
# never make one class much likelier than the others. A model that is sure and right
# should have a loss near 0:

# %% check-output
sure_nine = mt.tensor([[0.0] * 9 + [20.0]])
print(f"logits into the loss:          {criterion(sure_nine, target).item():.4f}")
print(
    f"softmax, then into the loss:   {criterion(mt.softmax(sure_nine, dim=1), target).item():.4f}"
)

# %% [markdown]
# 1.4612 is $\log(1 + 9 / e)$, the least it can ever be: training pushes against a floor,
# with gradients squeezed through two softmaxes. And computing $\log(\operatorname{softmax}(x))$
# in two steps loses numbers that the fused `log_softmax` keeps: with a logit of 1000, the
# other class's probability is $e^{-1000}$, which is exactly 0 in floating point, so
# $\log(\operatorname{softmax}(x))$ would give $\log(0) = -\infty$ for it, and a loss of
# infinity; `log_softmax` works with $x - \operatorname{logsumexp}(x)$ and never forms the
# tiny number.

# %% check-output
big = mt.tensor([[1000.0, 0.0]])
print("softmax(x):     ", mt.softmax(big, dim=1).tolist())
print("log_softmax(x): ", mt.log_softmax(big, dim=1).tolist())

# %% [markdown]
# Rule: the model returns logits; the loss gets logits; `argmax` of the logits predicts;
# apply softmax only to *show* probabilities.
#
# ## Accuracy, measured without a graph
#
# Accuracy is the fraction of images whose predicted digit is right. Measuring it takes two
# switches, and they do different things (lesson 3 showed them on a small example):
#
# - `model.eval()` changes what layers *do*. `Dropout` zeroes random features only in
#   training (so that the model cannot rely on any single one); in evaluation mode it passes
#   everything through. It does not stop autograd.
# - `with mt.no_grad():` stops autograd from recording: no graph, so less memory and time.
#   It does not change any layer.
#
# Both at work on five images:

# %% check-output
x = dataset.images[:5]
model.train()
print("training mode, two passes give the same logits:  ", mt.equal(model(x), model(x)))
model.eval()
print("evaluation mode, two passes give the same logits:", mt.equal(model(x), model(x)))
print("evaluation mode still records a graph:           ", model(x).grad_fn is not None)
with mt.no_grad():
    print("under no_grad(), a graph:                        ", model(x).grad_fn is not None)
model.train()
print("back in training mode:", model.training)

# %% [markdown]
# Evaluation therefore uses both: `eval()` for the right predictions, `no_grad()` for no
# wasted graph. (PyTorch also has `torch.inference_mode()`, a stricter and slightly faster
# `no_grad()` whose results can never join a graph later; minitensor treats it as
# `no_grad()`.) The function below returns the mean loss and the accuracy over every
# sample of a loader:


# %%
def evaluate(model, loader):
    """(mean loss, accuracy) over every sample of `loader`, without recording a graph."""
    model.eval()  # layers in evaluation behaviour: dropout off
    total_loss, correct = 0.0, 0
    with mt.no_grad():  # and nothing recorded
        for images, labels in loader:
            logits = model(images)
            total_loss += criterion(logits, labels).item() * len(labels)  # mean -> sum
            correct += (logits.argmax(dim=1) == labels).sum().item()
    model.train()  # back to training behaviour
    return total_loss / len(loader.dataset), correct / len(loader.dataset)


loss, accuracy = evaluate(model, validation_loader)
print(f"untrained: validation loss {loss:.3f}, accuracy {accuracy:.1%} (guessing: about 10 %)")

# %% [markdown]
# It has one flaw: it always ends in training mode, even for a model that was in
# evaluation mode before. Exercise 1 fixes that.
#
# ## Training, watched live
#
# > From the post 《深度学习(3):Tensor和Optimizer》: “Optimizer(优化器):在 PyTorch 中,优化器负责管理和更新模型的参数,特别是在训练过程中根据计算出的梯度来更新参数以最小化损失函数。” (Optimizer: in PyTorch, the optimizer manages and updates the model's parameters; above all, during training it updates the parameters from the computed gradients so as to minimise the loss function.)
#
# The loop is lesson 5's, with two additions. Once per epoch the training monitor gets the
# validation loss and accuracy (`monitor.validate`), drawn over the per-batch training
# curves. And every epoch starts with `mt.manual_seed(epoch)`: the epoch's shuffled order
# and dropout masks then depend on the epoch number alone, which is what makes a run
# resumable *exactly* (see "Checkpoints" below).

# %%
from widgets import TrainingMonitor


def train_epoch(model, optimizer, loader, epoch, monitor=None):
    """One epoch: one optimizer step per batch of `loader`."""
    mt.manual_seed(epoch)  # this epoch's shuffled order and dropout masks
    model.train()
    for images, labels in loader:
        optimizer.zero_grad()
        logits = model(images)
        loss = criterion(logits, labels)
        loss.backward()
        optimizer.step()
        if monitor is not None:
            batch_accuracy = (logits.argmax(dim=1) == labels).float().mean()
            monitor.update(loss, metric=batch_accuracy)


# %%
epochs = 15
mt.manual_seed(0)
model = DigitClassifier()
optimizer = optim.Adam(model.parameters(), lr=0.01)
monitor = TrainingMonitor(
    total=epochs * len(train_loader), metric="accuracy", title="digits: Adam, lr = 0.01"
)
for epoch in range(epochs):
    train_epoch(model, optimizer, train_loader, epoch, monitor)
    monitor.validate(*evaluate(model, validation_loader))
monitor.finish()

# %%
loss, accuracy = evaluate(model, validation_loader)
print(f"after {epochs} epochs: validation loss {loss:.3f}, validation accuracy {accuracy:.1%}")

# %% [markdown]
# About 97 % of images the model never saw, in a few seconds. The training curves (blue,
# and the dashed accuracy) jump from batch to batch; the validation points (orange, and the
# squares) follow them closely: on 1,437 images this small model does not learn the
# training images by heart.
#
# ## Overfitting, made visible
#
# Give a bigger model (128 features, no dropout) only 60 training images and it does learn
# them by heart. The training loss heads for 0 and the training accuracy reaches 100 %,
# while the validation loss stops falling and turns upwards: the model grows ever surer of
# answers that are wrong on new images. Two remedies, one run each:
#
# - **weight decay** pulls every weight towards 0 at every step (here Adam's
#   `weight_decay=0.003`, which adds $0.003 \cdot w$ to each gradient; lesson 6), so the
#   weights, and with them the model's certainty, cannot grow as freely;
# - **early stopping** watches the validation loss, stops when it has not improved for
#   `patience` epochs, and goes back to the best epoch's weights (a copy kept in memory).

# %%
small_loader = DataLoader(Subset(train_set, range(60)), batch_size=30, shuffle=True)


def fit(weight_decay=0.0, epochs=100, patience=None):
    """Train the big model on 60 images; the losses and accuracy of every epoch."""
    mt.manual_seed(0)
    model = DigitClassifier(hidden=128, dropout=0.0)
    optimizer = optim.Adam(model.parameters(), lr=0.01, weight_decay=weight_decay)
    history = {"training loss": [], "validation loss": [], "validation accuracy": []}
    best_loss, best_epoch, best_weights = float("inf"), 0, None
    for epoch in range(epochs):
        train_epoch(model, optimizer, small_loader, epoch)
        validation_loss, validation_accuracy = evaluate(model, validation_loader)
        history["training loss"].append(evaluate(model, small_loader)[0])
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(validation_accuracy)
        if validation_loss < best_loss:
            best_loss, best_epoch = validation_loss, epoch
            best_weights = {k: v.clone() for k, v in model.state_dict().items()}  # a copy
        elif patience is not None and epoch - best_epoch >= patience:
            model.load_state_dict(best_weights)  # back to the best epoch
            history["stopped"], history["best epoch"] = epoch, best_epoch
            break
    history["final"] = evaluate(model, validation_loader)
    return history


runs = {
    "no weight decay": fit(),
    "weight_decay=0.003": fit(weight_decay=0.003),
    "early stopping, patience 10": fit(patience=10),
}

# %%
fig, (validation, training, accuracy) = plt.subplots(1, 3, figsize=(11, 3.4), layout="constrained")
for name, history in runs.items():
    epochs_run = range(1, len(history["training loss"]) + 1)
    validation.plot(epochs_run, history["validation loss"], label=name)
    training.plot(epochs_run, history["training loss"], label=name)
    accuracy.plot(epochs_run, history["validation accuracy"], label=name)
validation.set_title("validation loss (360 new images)")
validation.set_ylim(0.3, 1.0)
training.set_title("training loss (the 60 images)")
training.set_yscale("log")
accuracy.set_title("validation accuracy")
validation.set_ylabel("cross-entropy loss")
training.set_ylabel("cross-entropy loss (log scale)")
accuracy.set_ylabel("fraction right")
for ax in (validation, training, accuracy):
    ax.set_xlabel("epoch")
validation.legend()
plt.show()

for name, history in runs.items():
    loss, accuracy = history["final"]
    best = min(history["validation loss"])
    stop = f", stopped after epoch {history['stopped'] + 1}" if "stopped" in history else ""
    print(
        f"{name:28} lowest validation loss {best:.3f}; at the end {loss:.3f}, {accuracy:.1%}{stop}"
    )

# %% [markdown]
# Without weight decay the validation loss bottoms out after about 15 epochs and then
# climbs for the rest of the run, while the training loss keeps falling: overfitting, in
# one picture. With weight decay it climbs less and the run ends lower (about 0.49 against
# 0.55), though still above its own best epoch; the training loss stays higher, since the
# decay keeps pulling. How much decay is right is found by trying: run it with 0.01 and
# 0.03 and watch both curves.
# Early stopping stops ten epochs after the bottom and goes back to it. Neither makes 60
# images as good as 1,437: the cure for overfitting that beats all others is more data.
#
# ## Checkpoints: save every epoch, crash, resume
#
# Long runs get interrupted: a laptop sleeps, a cluster job hits its time limit, a kernel
# crashes. A *checkpoint* holds everything the run needs to go on where it stopped:
#
# - `model.state_dict()`: the weights, by name;
# - `optimizer.state_dict()`: for Adam, each parameter's step count and running averages
#   (`exp_avg`, `exp_avg_sq`), and the options of each group, `lr` included;
# - the epoch number.
#
# `mt.save` writes them to one file, `mt.load` reads it back. Here are three runs of six
# epochs: one uninterrupted; one that saves a checkpoint after every epoch and "crashes"
# after epoch 2 (index 2, the third); and one that starts fresh, as a new process would, and
# resumes from the file. The checkpoints go to a temporary folder.

# %%
checkpoint_path = Path(tempfile.mkdtemp(prefix="lesson09-")) / "checkpoint.pt"


def new_run(seed=0):
    """A fresh model and optimizer, as a new process would make them."""
    mt.manual_seed(seed)
    model = DigitClassifier()
    return model, optim.Adam(model.parameters(), lr=0.01)


def same_weights(a, b):
    return all(mt.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


uninterrupted, uninterrupted_optimizer = new_run()
for epoch in range(6):
    train_epoch(uninterrupted, uninterrupted_optimizer, train_loader, epoch)

crashed, crashed_optimizer = new_run()
for epoch in range(6):
    train_epoch(crashed, crashed_optimizer, train_loader, epoch)
    checkpoint = {
        "epoch": epoch,
        "model": crashed.state_dict(),
        "optimizer": crashed_optimizer.state_dict(),
    }
    mt.save(checkpoint, checkpoint_path)  # overwrite: the latest epoch is what counts
    if epoch == 2:
        break  # the "crash": the process is gone, only the file is left
del crashed, crashed_optimizer, checkpoint

# %% check-output
checkpoint = mt.load(checkpoint_path)
print("in the file:", sorted(checkpoint), "- epoch", checkpoint["epoch"])
first = checkpoint["optimizer"]["state"][0]
print("Adam's state of the first weight:", sorted(first), "- step", first["step"].item())
print("lr in the file:", checkpoint["optimizer"]["param_groups"][0]["lr"])

# %% [markdown]
# Step 69: three epochs of 23 batches. Now resume, in a run that starts from other random
# weights to show that loading really replaces them:

# %% check-output
resumed, resumed_optimizer = new_run(seed=1)
checkpoint = mt.load(checkpoint_path)
resumed.load_state_dict(checkpoint["model"])
resumed_optimizer.load_state_dict(checkpoint["optimizer"])
for epoch in range(checkpoint["epoch"] + 1, 6):  # the epochs still to run: 3, 4, 5
    train_epoch(resumed, resumed_optimizer, train_loader, epoch)
print("resumed run = uninterrupted run, bit for bit:", same_weights(resumed, uninterrupted))

# %% [markdown]
# Exactly the same numbers. That takes three things: the weights, the optimizer's state,
# and the same randomness per epoch (our `mt.manual_seed(epoch)`; without it, save the
# random generator's state as well, `torch.get_rng_state()` in PyTorch).
#
# A common shortcut is to save only the model and make a new optimizer when resuming.
# Nothing fails, but the run is not the same run:

# %% check-output
restarted, _ = new_run(seed=1)
restarted.load_state_dict(checkpoint["model"])
restarted_optimizer = optim.Adam(restarted.parameters(), lr=0.01)  # step 0, no averages
for epoch in range(checkpoint["epoch"] + 1, 6):
    train_epoch(restarted, restarted_optimizer, train_loader, epoch)
print("new optimizer = uninterrupted run:", same_weights(restarted, uninterrupted))

# %%
for name, run in [
    ("uninterrupted", uninterrupted),
    ("resumed", resumed),
    ("new optimizer", restarted),
]:
    loss, accuracy = evaluate(run, validation_loader)
    print(f"{name:14} validation loss {loss:.4f}, accuracy {accuracy:.1%}")

# %% [markdown]
# A new Adam starts from step 1 with zero running averages: its bias correction makes the
# first steps move *every* weight by about `lr`, whatever its gradient (lesson 6), a jolt
# to a model that was settling down, and its averages must be built up again. Here the
# model recovers and ends about as good, but it is a different run: results can no longer
# be reproduced or compared, and with a learning-rate schedule (the lr lives in the
# optimizer's state_dict too: a new optimizer forgets where the scheduler had taken it),
# with momentum or in a long run the difference grows. Exercise 2 is the resume function.
#
# ## Open the checkpoint in real PyTorch
#
# The file is PyTorch's own format (`minitensor/serialization/` explains it: a zip archive
# with a pickle that refers to raw arrays of numbers), so `torch.load` opens it, with the
# safe `weights_only=True` that PyTorch uses by default. PyTorch needs a model whose
# parameters have the same names and shapes: the same class, written with `torch.nn`.
# This cell needs PyTorch, and says so and skips itself where it is not installed.

# %%
# needs PyTorch: skipped, with a message, where it is not installed
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed, so this cell skips itself (pip install torch to try it)")

if torch is not None:

    class TorchDigitClassifier(torch.nn.Module):
        def __init__(self, hidden=32, dropout=0.2):
            super().__init__()
            self.features = torch.nn.Linear(64, hidden)
            self.dropout = torch.nn.Dropout(dropout)
            self.classifier = torch.nn.Linear(hidden, 10)

        def forward(self, x):
            return self.classifier(self.dropout(torch.relu(self.features(x))))

    torch_model = TorchDigitClassifier()
    print(torch_model.load_state_dict(torch.load(checkpoint_path, weights_only=True)["model"]))
    ours = DigitClassifier()
    ours.load_state_dict(mt.load(checkpoint_path)["model"])
    torch_model.eval()
    ours.eval()
    with torch.no_grad():
        torch_logits = torch_model(torch.from_numpy(validation_images.numpy())).numpy()
    with mt.no_grad():
        our_logits = ours(validation_images).numpy()
    same = (torch_logits.argmax(axis=1) == our_logits.argmax(axis=1)).all()
    print(f"same predictions on all {len(our_logits)} validation images: {same}")
    print(f"largest difference between the logits: {np.abs(torch_logits - our_logits).max():.0e}")

# %% [markdown]
# The same predictions; the logits differ only in the last bits of float32 rounding. The
# other direction works too: `mt.load` opens a `state_dict` that PyTorch saved.
#
# ## Freezing a layer, fine-tuning the rest
#
# A trained first layer has learned features of digits (strokes, loops, corners). A common
# move: keep those features, *freeze* them, and train only a new last layer on a new,
# small set of data. That is fine-tuning. `requires_grad_(False)` on a module switches off
# `requires_grad` for all its parameters: backward computes no gradient for them, and
# their `.grad` stays `None`.

# %% check-output
mt.manual_seed(0)
tuned = DigitClassifier()
tuned.load_state_dict(model.state_dict())  # start from the model trained above
tuned.classifier.reset_parameters()  # a new, untrained last layer
tuned.features.requires_grad_(False)
print("trainable:", [name for name, p in tuned.named_parameters() if p.requires_grad])
print("frozen:   ", [name for name, p in tuned.named_parameters() if not p.requires_grad])

features_before = tuned.features.weight.detach().clone()
optimizer = optim.Adam(tuned.parameters(), lr=0.01)  # all parameters, the frozen ones too
train_epoch(tuned, optimizer, small_loader, epoch=0)
print("features.weight.grad after an epoch:", tuned.features.weight.grad)
print("features unchanged:", mt.equal(tuned.features.weight, features_before))

# %% [markdown]
# The optimizer was given every parameter, and still did the right thing: `step()` skips
# each parameter whose `.grad` is `None`. But "skipped while its `.grad` is `None`" is a
# weaker promise than "frozen". Freeze a layer in the middle of training, when Adam already
# keeps running averages for it, and clear gradients with `zero_grad(set_to_none=False)`
# (zeros instead of `None`): the "frozen" weights keep moving, pushed by Adam's memory of
# old gradients.

# %% check-output
mt.manual_seed(0)
model_e = DigitClassifier()
optimizer_e = optim.Adam(model_e.parameters(), lr=0.01)
train_epoch(model_e, optimizer_e, train_loader, epoch=0)  # Adam now has state for every weight
model_e.features.requires_grad_(False)  # freeze
before = model_e.features.weight.detach().clone()
for images, labels in train_loader:
    optimizer_e.zero_grad(set_to_none=False)  # zeros, not None: step() does not skip
    criterion(model_e(images), labels).backward()
    optimizer_e.step()
print("frozen features unchanged:", mt.equal(model_e.features.weight, before))

# %% [markdown]
# Weight decay would move them too. The clean way is to give the optimizer only the
# parameters that train, `optim.Adam(model.classifier.parameters())` or
# `[p for p in model.parameters() if p.requires_grad]`: an optimizer that never sees the
# frozen weights keeps no state for them and cannot move them, and the code says plainly
# what trains.
#
# Does fine-tuning pay? A model trained from scratch on the 60 images, against frozen
# features learned from all 1,437 training images plus a new last layer trained on the 60:


# %%
def train_on_60_images(pretrained_features):
    mt.manual_seed(0)
    model_60 = DigitClassifier(dropout=0.0)
    if pretrained_features:
        model_60.features.load_state_dict(model.features.state_dict())
        model_60.features.requires_grad_(False)
    trainable = [p for p in model_60.parameters() if p.requires_grad]
    optimizer_60 = optim.Adam(trainable, lr=0.01)
    for epoch in range(30):
        train_epoch(model_60, optimizer_60, small_loader, epoch)
    return evaluate(model_60, validation_loader)[1]


print(f"60 images, everything trained from scratch:        {train_on_60_images(False):.1%}")
print(f"60 images, frozen features and a new last layer:   {train_on_60_images(True):.1%}")

# %% [markdown]
# The frozen features carry what the big dataset taught; the new last layer only has to
# learn how to read them. That is why models pretrained on millions of images are
# fine-tuned rather than trained again (exercise 3).
#
# ## Where the model goes wrong
#
# Accuracy is one number. A *confusion matrix* shows which digits get mistaken for which:
# row = the true digit, column = the prediction, the diagonal the correct ones.

# %%
model.eval()
with mt.no_grad():
    predictions = model(validation_images).argmax(dim=1)
model.train()
truth, predicted = validation_labels.numpy(), predictions.numpy()
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (truth, predicted), 1)  # one count per (true, predicted) pair

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            color = "white" if confusion[i, j] > confusion.max() / 2 else "black"
            ax.text(j, i, confusion[i, j], ha="center", va="center", color=color, fontsize=8)
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
ax.set_title("validation images")
plt.show()

# %%
wrong = np.flatnonzero(truth != predicted)
print(len(wrong), "of", len(truth), "validation images are misclassified")
shown = wrong[:16]
fig, axes = plt.subplots(
    1,
    max(len(shown), 1),
    figsize=(1.1 * max(len(shown), 1), 1.9),
    squeeze=False,
    layout="constrained",
)
fig.suptitle("true digit → the model's prediction", fontsize=10)
for ax in axes[0]:
    ax.axis("off")
for ax, i in zip(axes[0], shown):
    ax.imshow(validation_images[i].numpy().reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{truth[i]} → {predicted[i]}", fontsize=9)
plt.show()

# %% [markdown]
# Each picture: the true digit → what the model said. Some are honest mistakes on badly
# written digits; at $8 \times 8$ pixels, some are hard for people too.
#
# ## Read the source
#
# - `minitensor/nn/module.py`, class `Module`: `__setattr__` (how assigning a layer
#   registers it), `state_dict`, `load_state_dict`, `requires_grad_`, `train` and `eval`.
# - `minitensor/nn/dropout.py`, class `Dropout`: the one layer here that `eval()` changes.
# - `minitensor/nn/loss_functions.py`, `cross_entropy`: `log_softmax` then the negative
#   log-likelihood.
# - `minitensor/utils/data.py`: `Dataset`, `Subset`, `random_split`, `DataLoader`.
# - `minitensor/serialization/__init__.py`: the checkpoint format, with `archive.py` (the
#   zip), `storages.py` (tensors as views of flat storages), `pickler.py` (writing
#   data.pkl) and `unpickler.py` (reading it, and why `weights_only=True` is the safe
#   default).
#
# ## Summary
#
# - A `Dataset` subclass has `__len__` and `__getitem__`; `random_split` with a seeded
#   generator makes training and validation `Subset`s; `DataLoader`s batch them.
# - A model is an `nn.Module` subclass: layers assigned in `__init__` are registered;
#   `forward` uses them; call `model(x)`.
# - The model returns logits. `CrossEntropyLoss` takes logits (it has the softmax inside);
#   a softmax before it puts a floor under the loss and loses precision. `argmax` of the
#   logits is the prediction.
# - Evaluation needs `model.eval()` (layers such as dropout behave for evaluation) *and*
#   `no_grad()` (no graph recorded); neither does the other's job.
# - Overfitting: training loss falls while validation loss rises. Weight decay keeps
#   weights small; early stopping keeps the best epoch's weights; more data helps most.
# - A checkpoint holds the model's and the optimizer's `state_dict()` and the epoch;
#   resuming loads both and continues bit for bit. A new optimizer is a different run.
#   minitensor's checkpoints are PyTorch files, and PyTorch's open in minitensor.
# - `requires_grad_(False)` freezes parameters: no gradient, `.grad` stays `None`. Give the
#   optimizer only the trainable parameters.
#
# ## Exercises
#
# ### Exercise 1 (fix the bug)
#
# `evaluate` above always leaves the model in training mode. Write
# `accuracy(model, loader)`: the fraction (a Python float) of all samples in `loader` whose
# predicted class (`argmax` of the logits) equals the label, computed in evaluation mode,
# without recording a graph, and leaving the model in the mode it was in before (training
# or evaluation). The check runs it on a model with dropout, starting in each mode.


# %% ex1 solution
def accuracy(model, loader):
    ### BEGIN SOLUTION
    was_training = model.training
    model.eval()
    correct = 0
    with mt.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    model.train(was_training)
    return correct / len(loader.dataset)
    ### END SOLUTION


# %% ex1 check
from course.checks.lesson09 import check_ex1

check_ex1(accuracy)

# %% [markdown]
# ### Exercise 2 (implement it)
#
# Write `resume(path, model, optimizer)`: `path` is a checkpoint saved as above, a dict
# with `"epoch"` (the last finished epoch), `"model"` and `"optimizer"` (the two
# `state_dict`s). Load it into the given `model` and `optimizer`, and return the number of
# the first epoch still to run. The check saves a checkpoint halfway through a run, calls
# your function with a freshly made model and optimizer, trains on from the epoch you
# return, and compares the result with the uninterrupted run, bit for bit.


# %% ex2 solution
def resume(path, model, optimizer):
    ### BEGIN SOLUTION
    checkpoint = mt.load(path)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"] + 1
    ### END SOLUTION


# %% ex2 check
from course.checks.lesson09 import check_ex2

check_ex2(resume)

# %% [markdown]
# ### Exercise 3 (implement it)
#
# Write `fine_tune(model, loader, epochs)` for a model with a `features` layer and a
# `classifier` layer, like `DigitClassifier`: freeze `model.features`, then train the rest
# for `epochs` epochs over `loader` (one step per batch: `zero_grad`, forward,
# `nn.CrossEntropyLoss()`, `backward`, `step`) with `optim.Adam(..., lr=0.01)` given only
# the trainable parameters. Return the optimizer. The check looks at which weights changed,
# and at which tensors the optimizer holds.


# %% ex3 solution
def fine_tune(model, loader, epochs):
    ### BEGIN SOLUTION
    model.features.requires_grad_(False)
    optimizer = optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.01)
    loss_function = nn.CrossEntropyLoss()
    for _ in range(epochs):
        for images, labels in loader:
            optimizer.zero_grad()
            loss_function(model(images), labels).backward()
            optimizer.step()
    return optimizer
    ### END SOLUTION


# %% ex3 check
from course.checks.lesson09 import check_ex3

check_ex3(fine_tune)

# %% [markdown]
# ### Exercise 4 (fix the bug)
#
# A colleague wants the model to "give probabilities", and ends its `forward` in a softmax:
#
# ```python
# class SoftmaxClassifier(nn.Module):
#     def __init__(self, hidden=32):
#         super().__init__()
#         self.features = nn.Linear(64, hidden)
#         self.classifier = nn.Linear(hidden, 10)
#
#     def forward(self, x):
#         scores = self.classifier(mt.relu(self.features(x)))
#         return mt.softmax(scores, dim=1)
# ```
#
# It is trained with `nn.CrossEntropyLoss()`, and the loss never gets below 1.46. Write
# `FixedClassifier`, the same model with the bug fixed, so that it trains properly with
# `CrossEntropyLoss`. The check gives it fixed weights and looks at what `forward`
# returns.


# %% ex4 solution
class FixedClassifier(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.features = nn.Linear(64, hidden)
        self.classifier = nn.Linear(hidden, 10)

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.classifier(mt.relu(self.features(x)))
        ### END SOLUTION


# %% ex4 check
from course.checks.lesson09 import check_ex4

check_ex4(FixedClassifier)
