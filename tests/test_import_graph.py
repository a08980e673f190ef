"""The shape of minitensor's imports: layers a reader can follow from the bottom up.

Read from the source with `ast` (nothing is imported): which module imports which at the
top of the file, and which imports hide inside functions.

- No import of a minitensor module inside a function: every dependency is at the top of
  the file, where a reader looks for it. (CuPy and array_api_strict, optional packages,
  are still imported on first use: that is what lets `import minitensor` work without
  them.)
- One circle only: tensor.py <-> tensor_functions/ (the Tensor methods call the functions,
  the functions return Tensors; tensor.py says so at its bottom import). Without that one
  edge the import graph has no cycle.
- The core below Tensor: autograd/node.py and autograd/engine.py work on nodes and arrays
  and import nothing of minitensor's but hooks.py.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "minitensor"
ALLOWED_EDGE = ("minitensor.tensor", "minitensor.tensor_functions")


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _imported(module, path, node):
    """The minitensor modules an import statement names (a submodule where it is one)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if path.name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    return {name for name in names if name in MODULES}


def _imports():
    """{module: modules it imports at the top}, and [(module, line)] of imports in functions."""
    top, hidden = {}, []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top[module] = set()
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = _imported(module, path, node)
            if node in tree.body:
                top[module] |= targets
            elif targets:
                hidden.append((module, node.lineno))
    return top, hidden


def _find_cycle(graph):
    """One cycle as a list of modules, or None (iterative depth-first search)."""
    state = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path, stack = [], [(start, iter(sorted(graph[start])))]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child) :] + [child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_no_minitensor_module_is_imported_inside_a_function():
    _, hidden = _imports()
    assert hidden == []


def test_the_only_import_circle_is_tensor_and_its_functions():
    top, _ = _imports()
    assert ALLOWED_EDGE[1] in top[ALLOWED_EDGE[0]]
    top[ALLOWED_EDGE[0]].discard(ALLOWED_EDGE[1])
    assert _find_cycle(top) is None


def test_node_and_engine_sit_below_tensor():
    top, _ = _imports()
    for module in ("minitensor.autograd.node", "minitensor.autograd.engine"):
        assert top[module] <= {"minitensor.hooks", "minitensor.autograd.node"}, module
    assert not any(name.startswith("minitensor.autograd") for name in top["minitensor.tensor"])
