"""`Module`: the base class of every layer, loss and model.

A Module is a Python object that *finds its own tensors*. Assigning an attribute sorts the
value into one of three dictionaries (this happens in `__setattr__`):

    self.weight = Parameter(...)     -> self._parameters["weight"]   (trained)
    self.layer = Linear(2, 3)        -> self._modules["layer"]       (searched recursively)
    self.register_buffer("n", t)     -> self._buffers["n"]           (saved, not trained)

Everything else is a walk over those dictionaries: `parameters()` gives every parameter
of the module and its submodules (dotted names such as "0.weight" from
`named_parameters()`), `state_dict()` collects parameters and buffers for saving,
`to(device)` moves them, `train()`/`eval()` flips the `training` flag everywhere.

Calling `model(x)` runs `forward(x)` (plus any forward hooks). `model.eval()` changes what
some layers do (Dropout stops dropping); it does NOT stop autograd recording: that is
`with minitensor.no_grad():`.

Read next: linear.py (the simplest real Module), container.py (Sequential).
"""

import collections
import collections.abc

from .. import backend, dtypes
from ..autograd import grad_mode
from ..hooks import RemovableHandle
from ..tensor import Tensor
from .parameter import Parameter

# PyTorch's legacy type names, used in its error messages ("cannot assign 'torch.FloatTensor'")
_LEGACY_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
}  # fmt: skip


def _typename(value):
    if isinstance(value, Tensor):
        return f"minitensor.{_LEGACY_NAMES[value.dtype.name]}"
    return type(value).__name__


class _IncompatibleKeys(
    collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
):
    """What load_state_dict returns: the keys that did not line up (empty when all did)."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )


class Module:
    """Base class for all neural network modules: subclass it, assign layers and parameters
    in `__init__` (after `super().__init__()`), and write `forward`."""

    def __init__(self):
        # object.__setattr__: our own __setattr__ needs these dictionaries to exist already.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_pre_hooks", [])
        object.__setattr__(self, "_forward_hooks", [])

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        for hook in self._forward_pre_hooks:
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        output = self.forward(*args, **kwargs)
        for hook in self._forward_hooks:
            changed = hook(self, args, output)
            if changed is not None:
                output = changed
        return output

    def register_forward_pre_hook(self, hook):
        """Call `hook(module, args)` before forward; a returned value replaces the args."""
        self._forward_pre_hooks.append(hook)
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook):
        """Call `hook(module, args, output)` after forward; a returned value replaces output."""
        self._forward_hooks.append(hook)
        return RemovableHandle(self._forward_hooks, hook)

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' "
                    "(minitensor.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' "
                    "(minitensor.nn.Module or None expected)"
                )
            self._modules[name] = value
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' "
                    "(minitensor.Tensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        """Remove `name` from wherever it was, so one name lives in exactly one place."""
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup failed: look in the three dictionaries.
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        # Tab completion in Jupyter shows parameters, buffers and submodules too.
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )

    def _check_new_name(self, kind, name):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got "{name}"')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')

    def register_parameter(self, name, param):
        """Add `param` (a Parameter, or None for "no parameter here") under `name`."""
        self._check_new_name("parameter", name)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(minitensor.nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must "
                f"be created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method."
            )
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not trained (saved in state_dict if persistent)."""
        self._check_new_name("buffer", name)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                "(minitensor Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module under `name` (what `self.name = module` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        self._check_new_name("module", name)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    # ------------------------------------------------------------------ walking the tree

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module ("") and every module below it, once each."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            child_prefix = f"{prefix}.{name}" if prefix else name
            yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """(name, module) for the direct submodules only."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, table, prefix, recurse, remove_duplicate):
        """(dotted name, tensor) from `table` ("_parameters"/"_buffers") of every module."""
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        if not recurse:
            modules = [(prefix, self)]
        seen = set()  # ids: a tensor's == compares numbers, so a set of tensors would not do
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """("0.weight", param), ...: every parameter once, named by where it lives."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every parameter of this module and its submodules (what an optimizer needs)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target):
        """The module at a dotted path such as "encoder.0"."""
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def apply(self, fn):
        """Call fn(m) on every submodule, then on self (handy for custom initialisation)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and grads

    def train(self, mode=True):
        """Set training mode here and below (Dropout drops only in training mode)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """train(False). Changes layer behaviour only; use no_grad() to stop recording."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient: `.grad = None` (default) or fill it with 0."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.detach_().zero_()

    # ------------------------------------------------------------------ saving and loading

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """OrderedDict name -> tensor of every parameter and persistent buffer.

        Values are detached but share memory with the model (as PyTorch): copy them
        (`{k: v.clone() ...}`) to keep a snapshot that later training does not change.
        """
        if destination is None:
            destination = collections.OrderedDict()
        # remove_duplicate=False: a module used twice is saved under both names, as PyTorch.
        walk = self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False)
        for name, module in walk:
            dot = f"{name}." if name else ""
            for key, param in module._parameters.items():
                if param is not None:
                    destination[dot + key] = param if keep_vars else param.detach()
            for key, buffer in module._buffers.items():
                if buffer is not None and key not in module._non_persistent_buffers_set:
                    destination[dot + key] = buffer if keep_vars else buffer.detach()
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy numbers from `state_dict` into this module's parameters and buffers.

        With strict=True (default) the keys must match exactly; a shape that differs is
        always an error. Returns (missing_keys, unexpected_keys).
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors = []
        with grad_mode.no_grad():
            for key, target in own.items():
                if key in state_dict:
                    errors += _copy_into(key, target, state_dict[key])
        if strict and unexpected:
            keys = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
        if strict and missing:
            keys = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            details = "\n\t".join(errors)
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t{details}"
            )
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ devices and dtypes

    def to(self, *args, **kwargs):
        """Move and/or convert every parameter and buffer: `to("cuda")`, `to(mt.float64)`.

        Parameters are changed IN PLACE (the same Parameter objects, now holding converted
        numbers), so an optimizer made before `to()` still updates the right tensors. Only
        floating-point tensors change dtype, as in PyTorch.
        """
        device, dtype = _parse_to(args, kwargs)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        return self._convert(device, dtype)

    def cpu(self):
        return self._convert(backend.device("cpu"), None)

    def cuda(self, device=None):
        return self._convert(backend.device("cuda" if device is None else device), None)

    def float(self):
        return self._convert(None, dtypes.float32)

    def double(self):
        return self._convert(None, dtypes.float64)

    def half(self):
        return self._convert(None, dtypes.float16)

    def _convert(self, device, dtype):
        for module in self.modules():
            for param in module._parameters.values():
                if param is not None:
                    _convert_in_place(param, device, dtype)
                    if param._grad is not None:
                        _convert_in_place(param._grad, device, dtype)
            for key, buffer in module._buffers.items():
                if buffer is not None:
                    # Buffers are replaced, as PyTorch does; only parameters keep identity.
                    module._buffers[key] = _converted(buffer, device, dtype)
        return self

    # ------------------------------------------------------------------ printing

    def extra_repr(self):
        """The text inside the parentheses of this module's repr, e.g. "in_features=10, ..."."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        # One line when there is nothing nested: "Linear(in_features=10, out_features=2, ...)".
        # Otherwise the extra_repr lines and one "(name): child" line per child, indented.
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): {_indent(repr(module))}" for name, module in self._modules.items()]
        if not children and len(lines) <= 1:
            return f"{self._get_name()}({''.join(lines)})"
        body = "".join(f"\n  {line}" for line in lines + children)
        return f"{self._get_name()}({body}\n)"


def _indent(text, spaces=2):
    """Indent every line but the first (the first follows "(name): ")."""
    return text.replace("\n", "\n" + " " * spaces)


def _copy_into(key, target, source):
    """Copy one checkpoint tensor into the model's tensor; a list of error messages."""
    if not isinstance(source, Tensor):
        return [
            f'While copying the parameter named "{key}", expected minitensor.Tensor or '
            f"Tensor-like object from checkpoint but received {type(source)}"
        ]
    if source.shape != target.shape:
        return [
            f"size mismatch for {key}: copying a param with shape {source.shape} from "
            f"checkpoint, the shape in current model is {target.shape}."
        ]
    target.copy_(source)
    return []


def _parse_to(args, kwargs):
    """The device and dtype in any of PyTorch's spellings of `.to(...)`."""
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    unknown = set(kwargs) - {"device", "dtype", "non_blocking"}
    if unknown:
        raise TypeError(f"to() got an unexpected keyword argument '{sorted(unknown)[0]}'")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, backend.device)):
            device = arg
        elif isinstance(arg, dtypes.dtype):
            dtype = arg
        elif not isinstance(arg, bool):  # non_blocking given positionally
            raise TypeError(f"to() received an invalid combination of arguments: {arg!r}")
    if device is not None:
        device = backend.device(device)
    return device, None if dtype is None else dtypes.as_dtype(dtype)


def _converted(tensor, device, dtype):
    """A tensor's numbers on `device` in `dtype` (dtype only for floating-point tensors)."""
    if dtype is not None and not tensor.dtype.is_floating_point:
        dtype = None
    with grad_mode.no_grad():
        return tensor.detach().to(device=device or tensor.device, dtype=dtype or tensor.dtype)


def _convert_in_place(tensor, device, dtype):
    """Give `tensor` converted numbers without replacing the object (optimizers hold it)."""
    moved = _converted(tensor, device, dtype)
    if moved._data is not tensor._data:
        tensor._data, tensor.device, tensor.dtype = moved._data, moved.device, moved.dtype
