"""`Optimizer`: the data model every optimizer shares, as PyTorch's `torch.optim.Optimizer`.

An optimizer holds three things (PyTorch's names):

    defaults      {'lr': 0.1, 'momentum': 0.9, ...}: the options given to the constructor
    param_groups  [{'params': [w, b], 'lr': 0.1, 'momentum': 0.9, ...}, ...]: parameters with
                  their options; options a group names itself override the defaults (a
                  smaller lr for one layer), the others are filled in from `defaults`
    state         {parameter: {'momentum_buffer': ..., 'step': ...}}: what the algorithm
                  remembers between steps, one dict per parameter, made on the first step

`step()` walks every parameter whose `.grad` is not None and calls the subclass's
`_update(p, grad, group)`: the only method that holds the algorithm. Updates run under
`no_grad()` and change each parameter in place, so `p` stays the same leaf tensor that
the model (and autograd) know.

The built-in algorithms do their arithmetic on the arrays behind the tensors (`_array(p)`,
a NumPy array on the CPU, a CuPy array on a GPU), in place: `exp_avg *= beta1` is one NumPy
call, where `exp_avg.mul_(beta1)` would also check grad mode, dtypes and devices and record
nothing. An Adam step is about ten such operations per parameter, so for small layers that
bookkeeping was most of the step's time; PyTorch's `foreach` and `fused` paths exist for the
same reason. The state stays in tensors (`state['exp_avg']`), so `state_dict()`, `mt.save`
and `load_state_dict()` see what they always did. Writing into an array skips the version
counter, so `step()` bumps each updated parameter's version itself, as any in-place op does.
A subclass may also write `_update` with tensor ops (`p.add_(grad, alpha=-lr)`), as the
race widget's teaching optimizers do: slower, same result.

Where minitensor differs: PyTorch's groups also carry `foreach`, `fused`, `differentiable`
and `capturable`, switches between faster implementations of the same formulas. There is
one implementation here, so those keys are absent (and missing from `repr` too).

Read next: sgd.py (the simplest algorithm), then adam.py.
"""

import copy
import itertools
import warnings
from collections import defaultdict

from .. import creation, dtypes, tensor
from ..autograd import grad_mode

# How PyTorch's "Invalid ..." messages name an option; the others read "Invalid <name> value".
_WORDS = {"lr": "learning rate", "eps": "epsilon value"}


class Optimizer:
    def __init__(self, params, defaults):
        if isinstance(params, tensor.Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got a single Tensor of shape {list(params.shape)} (wrap it in a "
                "list: [w])"
            )
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)  # a generator such as model.parameters() can be read only once
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @staticmethod
    def _check_hyperparameters(**options):
        """Raise PyTorch's ValueError for the first option out of range, checked in order.

        Every option named here must be >= 0, and each of `betas` in [0, 1). The messages are
        PyTorch's, word for word ("Invalid learning rate: -0.1"), so a search finds the same
        answers. Subclasses call it first thing in __init__.
        """
        for name, value in options.items():
            if name == "betas":
                for i, beta in enumerate(value):
                    if not 0.0 <= beta < 1.0:
                        raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
            elif not 0.0 <= value:
                raise ValueError(f"Invalid {_WORDS.get(name, name + ' value')}: {value}")

    def add_param_group(self, param_group):
        """Add {'params': [...], 'lr': ...} as a new group; missing options come from defaults.

        Used to train layers you unfreeze later, or to give one layer its own lr.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, tensor.Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        for p in params:
            if not isinstance(p, tensor.Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    "can't optimize a non-leaf Tensor (this one was computed by "
                    f"{p.grad_fn.name()}; optimize the leaf it came from)"
                )
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            group.setdefault(name, default)

        if len(params) != len({id(p) for p in params}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error",
                stacklevel=3,
            )
        seen = {id(p) for other in self.param_groups for p in other["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of the last backward (backward ADDS into .grad).

        set_to_none=True (the default since PyTorch 2.0) drops the tensor: `p.grad` becomes
        None, and the step after skips parameters that got no new gradient. False keeps the
        tensor and fills it with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a gradient; return closure()'s loss, if given.

        `closure` is a function that zeroes the gradients, recomputes the loss, calls
        backward and returns the loss (some algorithms, e.g. L-BFGS, need to re-evaluate).
        It runs with grad mode on, even when step() is called inside no_grad().
        """
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        with grad_mode.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad, group)
                        # p's numbers changed in place: a graph that saved p for backward
                        # must now refuse to use it ("... modified by an inplace operation")
                        _bump_version(p)
        return loss

    def _update(self, p, grad, group):
        """Change parameter `p` in place, given its gradient and its group's options.

        Subclasses write their algorithm here (see sgd.py), on the arrays `_array(p)` and
        `_array(grad)` or with tensor ops. Called under no_grad().
        """
        raise NotImplementedError(
            f"{type(self).__name__} must define _update(p, grad, group), or override step()"
        )

    # ------------------------------------------------------------------ saving and loading

    def state_dict(self):
        """{'state': {0: {...}, ...}, 'param_groups': [{'lr': ..., 'params': [0, 1]}, ...]}.

        Parameters are replaced by their position, counted across all groups in order, so
        the dict can be loaded into a new optimizer built over new (equally ordered) tensors.
        As in PyTorch, the state tensors are the optimizer's own (not copies): they keep
        changing as training goes on. Use copy.deepcopy(opt.state_dict()) for a snapshot.
        """
        index = {}  # id(parameter) -> its number
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: values for p, values in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take over options and state saved by state_dict(); this optimizer keeps its params.

        Tensors are copied to each parameter's device (and floating dtype, except 'step'), so
        loading never ties two optimizers to the same buffers.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)} saved, {len(self.param_groups)} here)"
            )
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group (group {i}: {len(saved['params'])} saved parameters, "
                    f"{len(group['params'])} here)"
                )
        param_of = dict(
            zip(
                itertools.chain.from_iterable(saved["params"] for saved in saved_groups),
                itertools.chain.from_iterable(group["params"] for group in self.param_groups),
            )
        )
        state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            if key in param_of:
                p = param_of[key]
                state[p] = {name: _copy_for(p, name, value) for name, value in values.items()}
            else:
                state[key] = copy.deepcopy(values)
        self.state = state
        self.param_groups = [
            {
                **copy.deepcopy({k: v for k, v in saved.items() if k != "params"}),
                "params": group["params"],
            }
            for group, saved in zip(self.param_groups, saved_groups)
        ]

    def __getstate__(self):
        """What pickle and copy.deepcopy keep: the data model only, as PyTorch. (Not, e.g., the
        wrapper a scheduler puts around step, which would still point at this optimizer.)"""
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __repr__(self):
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _copy_for(p, name, value):
    """A copy of one saved state value, placed where parameter `p` lives.

    'step' stays a CPU float tensor, as PyTorch keeps it; buffers follow p's device and, when
    p is floating point, p's dtype (loading float32 state into a float64 model works).
    """
    if not isinstance(value, tensor.Tensor):
        return copy.deepcopy(value)
    if name == "step":
        return value.clone()
    dtype = p.dtype if p.dtype.is_floating_point else value.dtype
    return value.to(device=p.device, dtype=dtype, copy=True)


def _array(tensor):
    """The array that holds a tensor's numbers: NumPy's on the CPU, CuPy's on a GPU.

    Not a copy: `a = _array(p); a -= 0.1 * g` changes p itself. Use the functions of
    `p.device.xp` (`xp.sqrt`, `xp.maximum`) on it, so the same code runs on every device.
    """
    return tensor._data


def _state_array(p, state, name):
    """The array of state[name] (not a copy), after checking it lives on p's device.

    The check matters when a model moves after its optimizer made state (Adagrad does so
    in __init__): NumPy and CuPy arrays cannot be mixed. PyTorch raises the same error; the
    cure is to move the model before making the optimizer, or load_state_dict() after.
    """
    tensor = state[name]
    if tensor.device is not p.device:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{tensor.device} and {p.device}! (optimizer state['{name}'] is on "
            f"{tensor.device}, its parameter on {p.device}: move the model before making the "
            "optimizer)"
        )
    return _array(tensor)


def _bump_version(tensor):
    """Count one more in-place change of `tensor` (what every in-place op does, see
    tensor_functions/inplace.py): backward then refuses values saved before the change."""
    tensor._version[0] += 1


def _count_step(state):
    """state['step'] += 1, in the counter's own array; returns the new count as a float."""
    counter = _array(state["step"])  # a 0-d array on the CPU
    counter += 1  # in place (`+=` on an array changes it; it does not make a new one)
    return float(counter)


def _step_counter():
    """state['step'] as PyTorch stores it: a 0-d float tensor on the CPU, starting at 0.

    float64 when the default dtype is float64, else float32 (PyTorch's rule).
    """
    dtype = dtypes.float64 if dtypes.get_default_dtype() is dtypes.float64 else dtypes.float32
    return creation.tensor(0.0, dtype=dtype)
