"""Containers: `Sequential` (run modules one after another) and `ModuleList` (hold modules).

Both register their modules under the names "0", "1", ..., which is why parameters of
`Sequential(Linear(2, 3), ReLU(), Linear(3, 1))` are called "0.weight", "0.bias",
"2.weight", "2.bias" (ReLU has none). A plain Python list of layers would NOT register
them: model.parameters() would miss them, and so would the optimizer.

Read next: module.py (registration), linear.py.
"""

import collections

from .module import Module


def _index(idx, size):
    """A valid non-negative position for idx in a container of `size`, else IndexError."""
    idx = int(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range")
    return idx % size


class _NumberedModules(Module):
    """What Sequential and ModuleList share: children named "0", "1", ... kept in order."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __setitem__(self, idx, module):
        setattr(self, list(self._modules)[_index(idx, len(self))], module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        doomed = keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys))]]
        self._renumber([m for k, m in self._modules.items() if k not in doomed])

    def _renumber(self, modules):
        """Re-register `modules` as "0", "1", ... (after a delete or insert, as PyTorch)."""
        self._modules.clear()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        if isinstance(modules, Module) and not isinstance(modules, _NumberedModules):
            raise TypeError(
                f"{type(self).__name__}.extend should be called with an iterable, but got "
                + type(modules).__name__
            )
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        size = len(self)
        if not -size <= index <= size:
            raise IndexError(f"Index out of range: {index}")
        modules = list(self._modules.values())
        modules.insert(index + size if index < 0 else index, module)
        self._renumber(modules)
        return self


class Sequential(_NumberedModules):
    """Sequential(m0, m1, ...) or Sequential(OrderedDict(name=module, ...)).

    forward(x) = ... m1(m0(x)): the output of each module is the input of the next.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self:
            input = module(input)
        return input

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(collections.OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self))]


class ModuleList(_NumberedModules):
    """A list of modules that registers them (so their parameters are found).

    It has no forward: you decide in your own forward how to use its modules.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self)))]

    def __iadd__(self, modules):
        return self.extend(modules)

    def __repr__(self):
        # PyTorch groups runs of identical children: "(0-2): 3 x Linear(...)".
        runs = []  # [first index, last index, repr]
        for i, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        if not runs:
            return f"{self._get_name()}()"
        lines = []
        for first, last, text in runs:
            text = text.replace("\n", "\n  ")
            if first == last:
                lines.append(f"({first}): {text}")
            else:
                lines.append(f"({first}-{last}): {last - first + 1} x {text}")
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
