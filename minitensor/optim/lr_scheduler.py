"""Learning-rate schedulers: change each param group's 'lr' as training goes on.

    opt = mt.optim.SGD(params, lr=0.1)
    scheduler = mt.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(opt)           # opt.step() many times, with the current lr
        scheduler.step()               # then move the schedule on by one epoch

A scheduler only writes `group['lr']`; the optimizer reads it on its next step. Call
`scheduler.step()` after `optimizer.step()` (the other order skips the first lr; a
warning says so). Every scheduler counts `last_epoch` and remembers `base_lrs`, the lrs
it started from (also stored in each group as 'initial_lr').

Most schedulers here compute the next lr from the current one (lr * gamma, ...), as
PyTorch's do, so that they compose with other changes to lr; the docstrings give the closed
form they follow. ReduceLROnPlateau is different: it watches a metric (step(val_loss)).

Where minitensor differs: step() takes no `epoch` argument (deprecated in PyTorch).

Read next: optimizer.py, for param_groups.
"""

import math
import types
import warnings
from collections import Counter

from .optimizer import Optimizer


class LRScheduler:
    """The base class: keeps the count and writes the lrs; subclasses define get_lr().

    Construction stores each group's lr as group['initial_lr'] (unless resuming, with
    last_epoch >= 0) and performs one step, so last_epoch goes from -1 to 0 and the lr
    of epoch 0 is already in place before training starts.
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming scheduler with last_epoch >= 0 (load the optimizer's "
                        "state_dict first, or leave last_epoch at -1 for a fresh run)"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        _record_optimizer_steps(optimizer)
        self._step_count = 0
        self._is_initial = True  # get_lr() of the constructor's step keeps the current lrs
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The lrs for epoch `last_epoch`, one per param group (subclasses define it)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self):
        """Move on by one epoch and write the new lrs into the optimizer's groups."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. You should "
                "call them in the opposite order: `optimizer.step()` before "
                "`lr_scheduler.step()`. Failure to do this will result in skipping the first "
                "value of the learning rate schedule.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self):
        """The lrs the last step() set, one per param group."""
        return self._last_lr

    def state_dict(self):
        """Everything the scheduler knows (its attributes), except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


def _record_optimizer_steps(optimizer):
    """Wrap optimizer.step so that the scheduler can tell whether it was ever called.

    Only for the "scheduler.step() before optimizer.step()" warning. Wrapping (rather than
    a flag set by Optimizer.step) also covers optimizers that define their own step().
    """
    if getattr(optimizer.step, "_records_calls", False):
        return
    original_step = optimizer.step

    def step(*args, **kwargs):
        optimizer._opt_called = True
        return original_step(*args, **kwargs)

    step._records_calls = True
    optimizer.step = step


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch): any schedule you can write as a function.

    `lr_lambda` is one function for all groups, or a list with one per group, e.g.
    LambdaLR(opt, lambda epoch: 0.95 ** epoch). Warm-up: lambda e: min(1.0, (e + 1) / 10).
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"Expected {groups} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [
            base_lr * lr_lambda(self.last_epoch)
            for lr_lambda, base_lr in zip(self.lr_lambdas, self.base_lrs)
        ]

    def state_dict(self):
        """As PyTorch: functions cannot be saved, so a plain function (or lambda) is stored as
        None; a callable object is stored as its attributes (its __dict__)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        saved_lambdas = state_dict.pop("lr_lambdas")
        self.__dict__.update(state_dict)
        for fn, saved in zip(self.lr_lambdas, saved_lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class StepLR(LRScheduler):
    """Multiply lr by gamma every step_size epochs: lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply lr by gamma at each epoch listed in milestones (e.g. [30, 80]).

    Closed form: lr = base_lr * gamma ** (number of milestones <= epoch). A milestone
    listed twice multiplies by gamma twice.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply lr by gamma every epoch: lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from base_lr down to eta_min over T_max epochs.

    Closed form (SGDR, Loshchilov & Hutter 2017, without restarts), at epoch t:

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    As in PyTorch, each step computes lr_t from lr_{t-1} (multiplying the distance to
    eta_min by the ratio of consecutive cosine terms) so that changes made to lr from
    outside carry on. Past T_max the lr climbs back up along the same cosine (a period of
    2 * T_max): schedule exactly T_max epochs for a single decay.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:  # resumed at epoch t: use the closed form
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T_max)) / 2
                for base_lr in self.base_lrs
            ]
        if (t - 1 - T_max) % (2 * T_max) == 0:
            # at the bottom, cos(pi * (t-1) / T_max) = -1 and the ratio below would divide
            # by zero: add the closed form's difference instead
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                for lr, base_lr in zip(self._current_lrs(), self.base_lrs)
            ]
        ratio_now = 1 + math.cos(math.pi * t / T_max)
        ratio_before = 1 + math.cos(math.pi * (t - 1) / T_max)
        return [ratio_now / ratio_before * (lr - eta_min) + eta_min for lr in self._current_lrs()]


class ReduceLROnPlateau(LRScheduler):
    """Multiply lr by `factor` when a metric has stopped improving: step(metric) each epoch.

    mode='min' for a loss (lower is better), 'max' for an accuracy. A metric counts as an
    improvement only if it beats the best so far by the threshold:

        threshold_mode='rel':  metric < best * (1 - threshold)   ('max': best * (1 + threshold))
        threshold_mode='abs':  metric < best - threshold         ('max': best + threshold)

    After more than `patience` epochs in a row without improvement, lr = max(lr * factor,
    min_lr) (skipped when that changes lr by less than eps), and then `cooldown` epochs
    pass in which bad epochs are not counted.

    It subclasses LRScheduler only so that isinstance checks work: it keeps no base_lrs and
    does no step at construction.
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0,
        eps=1e-8,
    ):
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0. (got factor={factor})")
        self.factor = factor
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(f"expected {groups} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * groups
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._set_mode(mode, threshold, threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _set_mode(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown! (use 'min' or 'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown! (use 'rel' or 'abs')")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def step(self, metrics):
        """Record this epoch's metric (a number or a 0-d tensor) and maybe lower the lr."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    "usually due to a new param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length of the `optimizer` param "
                    "groups."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_mode(self.mode, self.threshold, self.threshold_mode)
