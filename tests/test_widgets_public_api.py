"""The widgets use only minitensor's public API: no private name is imported or read.

A visualiser that reads the engine's private attributes breaks whenever the engine changes,
and teaches students to do the same. minitensor.autograd.graph gives the widgets what they
need instead. This reads the source of every file under widgets/ (an AST scan, so comments
and strings do not count) and fails on:

- importing a name that starts with "_" from minitensor, or a module under a "_" path;
- reading `something._name` on anything but the object's own `self` / `cls` / `super()`
  (the type of `something` is unknown to a static scan, so a widget reaching into another
  widget object's private parts counts too: it is the same habit);
- `getattr(x, "_name")`, `hasattr`, `setattr` with a private name spelled as a string.

Dunder names (`__class__`) and IPython's display protocol (`_repr_mimebundle_`) are public.
The negative control feeds the scanner the lines the stepper used to have.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

WIDGETS = Path(__file__).resolve().parent.parent / "widgets"
OWN = {"self", "cls"}
REFLECTION = {"getattr", "hasattr", "setattr", "delattr"}


def is_private(name):
    if name.startswith("__") and name.endswith("__"):
        return False
    if name.startswith("_repr_") and name.endswith("_"):
        return False  # IPython's display protocol: _repr_mimebundle_, _repr_svg_, ...
    return name.startswith("_")


def is_own(node):
    """self, cls, or super(): an object reaching into its own attributes is fine."""
    if isinstance(node, ast.Name):
        return node.id in OWN
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "super"


def private_uses(source, filename="<widget>"):
    """["file:line: what", ...] for every private name the source imports or reads."""
    found = []

    def report(node, what):
        found.append(f"{filename}:{node.lineno}: {what}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("minitensor"):
            if any(part.startswith("_") for part in node.module.split(".")):
                report(node, f"imports from private module {node.module}")
            for alias in node.names:
                if is_private(alias.name):
                    report(node, f"imports {alias.name} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "minitensor" and any(p.startswith("_") for p in parts):
                    report(node, f"imports private module {alias.name}")
        elif isinstance(node, ast.Attribute):
            if is_private(node.attr) and not is_own(node.value):
                report(node, f"reads .{node.attr} of {ast.unparse(node.value)}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in REFLECTION:
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                if is_private(name.value) and not is_own(node.args[0]):
                    report(node, f"{node.func.id}(..., {name.value!r})")
    return found


WIDGET_FILES = sorted(WIDGETS.rglob("*.py"))


def test_the_scan_covers_every_widget_file():
    names = {str(path.relative_to(WIDGETS)) for path in WIDGET_FILES}
    assert {"stepper/model.py", "stepper/view.py", "graph/model.py", "graph/modules.py"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize("path", WIDGET_FILES, ids=lambda p: str(p.relative_to(WIDGETS)))
def test_widget_uses_no_private_name(path):
    assert private_uses(path.read_text(encoding="utf-8"), path.name) == []


# What stepper_model.py did before minitensor.autograd.graph existed: each line must be caught.
OLD_STEPPER_LINES = [
    "from minitensor.autograd.engine import _accumulate_into_leaf",
    "kept = {t: t._grad for t in retained}",
    "root = self.loss.grad_fn if self.loss.grad_fn is not None else self.loss._edge()",
    "no_answer = (None,) * len(node._next)",
    "if out is not None and out._retains_grad:\n    pass",
    "t._grad._data = t._grad._data + arrived._data",
    "grads = stepper._gradients_after(position)",
    "import minitensor._formatting",
    "from minitensor._formatting import format_array",
    "value = getattr(node, '_saved_versions')",
]


@pytest.mark.parametrize("line", OLD_STEPPER_LINES)
def test_negative_control_each_private_use_is_caught(line):
    assert private_uses(line) != []


def test_own_attributes_dunders_and_display_protocol_are_allowed():
    source = (
        "class View(Base):\n"
        "    def _repr_mimebundle_(self, **kwargs):\n"
        "        bundle = super()._repr_mimebundle_(**kwargs)\n"
        "        self._cache = cls._registry = type(self).__name__\n"
        "        return getattr(self, '_cache')\n"
    )
    assert private_uses(source) == []


def _submodules():
    for path in WIDGET_FILES:
        parts = path.relative_to(WIDGETS.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_widget_folder_shadows_a_public_one_liner():
    """`from widgets import race` must give the function even after `widgets.<folder>` was
    imported: Python then sets the folder as an attribute of the package, which hides the
    lazy name of the same spelling. So no folder or module may share a public name."""
    import widgets

    folders = {path.parent.name for path in WIDGETS.glob("*/__init__.py")}
    modules = {path.stem for path in WIDGETS.glob("*.py")}
    assert not (set(widgets.__all__) - {"style"}) & (folders | modules)
    code = (
        "import importlib, types, widgets\n"
        f"for name in {sorted(_submodules())!r}:\n"
        "    importlib.import_module(name)\n"
        "print([n for n in widgets.__all__ if n != 'style'\n"
        "       and isinstance(getattr(widgets, n), types.ModuleType)])\n"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "[]"
