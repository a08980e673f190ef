"""What of a student's answer cells the grader runs, and what in them needs a teacher's eyes.

The grade of an exercise comes from calling the official check on the student's answer: the
functions and classes they wrote in the cells under `# YOUR CODE HERE`. Those cells are the
only student code the verdict process runs (course/verdict.py), and only the parts that
*define* something. Everything that would run at definition time is limited to things that
cannot act:

    kept                                       dropped (and reported)
    import x / from x import y                 any other statement: calls, loops, with,
    def f(a, b=0.5): ...                       try, assignments of computed values,
    class Model(mt.nn.Module): ...             attribute or subscript assignment (mt.x = 1)
    LR = 0.1, SHAPE = (3, 4)                   a def or class whose decorator, default
                                               value, base class or class body would run
                                               code (other than the few listed below)

Annotations are removed (they are evaluated when the function is defined). A function's
*body* is kept as written: it runs only when the check calls it, and then it is the
student's own answer.

Separately, `scan` reads the whole of the answer cells, bodies included, for code that
reaches for the grading machinery (the checks package, IPython, builtins, sys.modules, gc,
inspect, ctypes, processes, files, ...). Such an answer may still pass its check, but the
gradebook flags it "needs review" with the line, so a teacher can look. No scan can be
complete: a student who hides a trick from it can still only change their own row.
"""

import ast
from dataclasses import dataclass, field

# Decorators that only wrap the function: `@staticmethod`, `@x.setter`, `@mt.no_grad()` (with
# constant arguments, if any). Their first name must not be one the student defines, or
# `class mt: no_grad = ...` would turn `@mt.no_grad()` into student code run at definition.
SAFE_DECORATOR_NAMES = {"staticmethod", "classmethod", "property", "abstractmethod"}
SAFE_DECORATOR_ATTRIBUTES = {"setter", "getter", "deleter", "no_grad", "enable_grad"}
SAFE_DECORATOR_ATTRIBUTES |= {"inference_mode", "abstractmethod"}
# Defining one of these makes the class run code when another class is defined from it.
HOOK_METHODS = {"__init_subclass__", "__set_name__", "__class_getitem__", "__mro_entries__"}

# What a scan flags: modules, names and attributes that reach for the grading machinery,
# the interpreter's insides, processes or the file system.
SUSPICIOUS_MODULES = {
    "course": "the checks and grading package",
    "lessons": "the lessons folder",
    "IPython": "IPython's internals",
    "ipykernel": "the kernel's internals",
    "builtins": "builtins",
    "sys": "the interpreter (sys)",
    "gc": "the garbage collector (gc)",
    "inspect": "inspect",
    "ctypes": "ctypes",
    "cffi": "cffi",
    "importlib": "the import machinery",
    "imp": "the import machinery",
    "os": "the operating system (os)",
    "posix": "the operating system (posix)",
    "subprocess": "processes",
    "multiprocessing": "processes",
    "signal": "signals",
    "threading": "threads",
    "_thread": "threads",
    "socket": "the network",
    "shutil": "files",
    "pathlib": "files",
    "io": "files",
    "tempfile": "files",
    "glob": "files",
    "pickle": "pickle",
    "marshal": "marshal",
    "atexit": "exit hooks",
    "faulthandler": "faulthandler",
    "traceback": "tracebacks",
    "types": "the types module",
    "code": "the code module",
    "runpy": "runpy",
    "pty": "terminals",
}
SUSPICIOUS_NAMES = {
    "__import__": "the import machinery",
    "__builtins__": "builtins",
    "exec": "exec",
    "eval": "eval",
    "compile": "compile",
    "open": "files",
    "globals": "globals()",
    "locals": "locals()",
    "vars": "vars()",
    "get_ipython": "IPython's internals",
    "breakpoint": "the debugger",
    "setattr": "setattr",
    "delattr": "delattr",
    "getattr": "getattr",
}
# Dunder attributes that are ordinary in an answer (everything else is flagged).
ORDINARY_DUNDERS = {"__init__", "__name__", "__call__", "__len__", "__getitem__", "__repr__"}
SUSPICIOUS_ATTRIBUTES = {"modules": "sys.modules", "f_globals": "frame globals"}
# Names under which lessons import modules: storing to their attributes changes a library.
COMMON_MODULE_NAMES = {"mt", "torch", "np", "numpy", "nn", "optim", "F", "math", "json"}


@dataclass
class Answers:
    """The runnable part of a submission's answer cells, and what was said about them."""

    code: str = ""  # the kept statements, one cell after another
    dropped: list = field(default_factory=list)  # "ex1 cell, line 3: `print(x)` ..."
    flags: list = field(default_factory=list)  # "ex1 cell, line 5: uses sys.modules ..."


def _is_constant(node):
    """A literal, or arithmetic/containers of literals: safe to evaluate at definition time."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_constant(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_constant(k) for k in node.keys) and all(
            _is_constant(v) for v in node.values
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_constant(node.operand)
    return _is_number(node)


def _is_number(node):
    """A number, or + - * / // of numbers (no ** or string repetition: no huge values)."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_number(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(
        node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv)
    ):
        return _is_number(node.left) and _is_number(node.right)
    return False


def _is_reference(node):
    """`name` or `name.attr.attr`: looking up a name runs no student code."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _root_name(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _safe_decorator(decorator, student_names):
    if isinstance(decorator, ast.Call):
        if not all(
            _is_constant(a) for a in [*decorator.args, *(k.value for k in decorator.keywords)]
        ):
            return False
        decorator = decorator.func
    if _root_name(decorator) in student_names:
        return False
    if isinstance(decorator, ast.Name):
        return decorator.id in SAFE_DECORATOR_NAMES
    return isinstance(decorator, ast.Attribute) and decorator.attr in SAFE_DECORATOR_ATTRIBUTES


def _why_unsafe_function(node, student_names):
    """Why defining this function would run code, or None."""
    if not all(_safe_decorator(d, student_names) for d in node.decorator_list):
        return "its decorator runs code when it is defined"
    arguments = node.args
    for default in [*arguments.defaults, *[d for d in arguments.kw_defaults if d is not None]]:
        if not (_is_constant(default) or _is_reference(default)):
            return "a default value is computed when it is defined; use a constant"
    return None


def _why_unsafe_class(node, student_names):
    """Why defining this class would run code, or None."""
    if node.keywords:
        return "a metaclass or class keyword runs code when it is defined"
    if any(not _is_reference(base) for base in node.bases):
        return "a base class is computed"
    if node.decorator_list:
        return "a class decorator runs code when it is defined"
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name in HOOK_METHODS:
                return f"{statement.name} runs code when other classes are defined"
            why = _why_unsafe_function(statement, student_names)
            if why:
                return f"method {statement.name}: {why}"
        elif not (_is_docstring(statement) or isinstance(statement, ast.Pass)):
            if not _is_constant_assignment(statement):
                return "its body does more than define methods and constants"
    return None


def _is_docstring(statement):
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def _is_constant_assignment(statement):
    if isinstance(statement, ast.Assign):
        targets_ok = all(_plain_names(target) for target in statement.targets)
        return targets_ok and _is_constant(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return (
            isinstance(statement.target, ast.Name)
            and statement.value is not None
            and _is_constant(statement.value)
        )
    return False


def _plain_names(target):
    """`a` or `a, b`: assigning to a name binds it; `mt.x = ...` would change a module."""
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, (ast.Tuple, ast.List)) and all(_plain_names(t) for t in target.elts)


class _StripAnnotations(ast.NodeTransformer):
    """Remove annotations: Python evaluates them when the function is defined."""

    def visit_arg(self, node):
        node.annotation = None
        return node

    def _function(self, node):
        node.returns = None
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_AnnAssign(self, node):
        # `x: int = 3` becomes `x = 3`; a bare `x: int` (no value) does nothing.
        if node.value is None:
            return ast.Pass()
        return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)


def _why_dropped(statement, student_names):
    """None when the statement is kept, else why it is not run."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        if isinstance(statement, ast.ImportFrom) and statement.level:
            return "a relative import"
        return None
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _why_unsafe_function(statement, student_names)
    if isinstance(statement, ast.ClassDef):
        return _why_unsafe_class(statement, student_names)
    if _is_constant_assignment(statement) or _is_docstring(statement):
        return None
    if isinstance(statement, ast.Pass):
        return None
    return "only imports, def, class and constant assignments are run for grading"


def _defined_names(tree):
    """Names a cell binds by def, class or assignment, at top level or in a class body."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _first_line(source, statement):
    line = source.split("\n")[statement.lineno - 1].strip()
    return line if len(line) <= 60 else line[:57] + "..."


def select(cells):
    """The runnable part of the answer cells: `cells` is [(label, source)] in notebook order.

    Returns Answers: the kept code (annotations stripped), the dropped statements with the
    reason, and the scan's flags. A cell that does not parse is dropped whole.
    """
    answers = Answers()
    trees = []
    for label, source in cells:
        try:
            trees.append((label, source, ast.parse(source)))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            answers.dropped.append(f"{label}: does not parse ({error.__class__.__name__})")
    student_names = set().union(*(_defined_names(tree) for _, _, tree in trees))
    kept_modules = []
    for label, source, tree in trees:
        try:
            kept_modules += _select_cell(label, source, tree, student_names, answers)
        except RecursionError:  # nested deeper than the reader (or Python) follows
            answers.dropped.append(f"{label}: nested too deeply to be read")
            answers.flags.append(f"{label}: nested too deeply to be read")
    answers.code = "\n\n".join(kept_modules)
    return answers


def _select_cell(label, source, tree, student_names, answers):
    """The kept code of one cell (a list of one text, or empty); adds drops and flags."""
    flags = [f"{label}, {flag}" for flag in scan(tree, source)]
    kept, dropped = [], []
    for statement in tree.body:
        why = _why_dropped(statement, student_names)
        if why is None:
            kept.append(statement)
        else:
            line = _first_line(source, statement)
            dropped.append(f"{label}, line {statement.lineno}: `{line}`: {why}")
    code = []
    if kept:
        module = _StripAnnotations().visit(ast.Module(body=kept, type_ignores=[]))
        code.append(f"# {label}\n{ast.unparse(ast.fix_missing_locations(module))}")
    answers.flags += flags
    answers.dropped += dropped
    return code


def _module_root(name):
    return (name or "").split(".")[0]


def _imported_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _changes_shared_attribute(node, modules):
    """Why storing to (or deleting) this attribute changes what the checks rely on, or None.

    `np.allclose = ...` or `mt.Tensor.item = ...` would change the library for the check
    that runs next; `type(x).item = ...` too. `self.w = ...` or `p.grad = None` would not.
    """
    if not isinstance(node.ctx, (ast.Store, ast.Del)):
        return None
    root = node.value
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return "a class or object it did not name"
    if root.id in modules:
        return f"the module {root.id}"
    return None


def scan(tree, source):
    """Flags for code that reaches beyond the answer: 'line N: uses X (why)'."""
    flags = []
    modules = COMMON_MODULE_NAMES | _imported_names(tree)

    def flag(node, what, verb="uses"):
        text = f"line {node.lineno}: {verb} {what}: `{_first_line(source, node)}`"
        if text not in flags:
            flags.append(text)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _module_root(alias.name) in SUSPICIOUS_MODULES:
                    flag(node, SUSPICIOUS_MODULES[_module_root(alias.name)])
        elif isinstance(node, ast.ImportFrom):
            root = _module_root(node.module)
            if node.level or root in SUSPICIOUS_MODULES:
                flag(node, SUSPICIOUS_MODULES.get(root, "a relative import"))
        elif isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            flag(node, SUSPICIOUS_NAMES[node.id])
        elif isinstance(node, ast.Attribute):
            dunder = node.attr.startswith("__") and node.attr.endswith("__")
            changed = _changes_shared_attribute(node, modules)
            if changed:
                flag(node, changed, verb="changes")
            elif dunder and node.attr not in ORDINARY_DUNDERS:
                flag(node, f"the special attribute {node.attr}")
            elif node.attr in SUSPICIOUS_ATTRIBUTES:
                flag(node, SUSPICIOUS_ATTRIBUTES[node.attr])
            elif isinstance(node.value, ast.Name) and node.value.id in SUSPICIOUS_MODULES:
                flag(node, SUSPICIOUS_MODULES[node.value.id])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            flag(node, "a global statement")
    return flags
