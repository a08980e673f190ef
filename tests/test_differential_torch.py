"""Differential test: random straight-line programs, run with torch and with minitensor.

A program is a few lines of Python written against `lib` (and `F` for nn.functional):

    v0 = lib.tensor([[0.5, -1.0]], dtype=lib.float32, requires_grad=True)
    v1 = v0.sum(dim=0)
    with lib.no_grad(): v1.add_(1)
    v1.sum().backward()

Hypothesis draws it one line at a time from the vocabulary below (`EXPRESSIONS`,
`STATEMENTS`), and each line runs at once in two namespaces, one where `lib` is torch and
one where it is minitensor. After every line the two must agree on everything a learner can see:

- whether the line raised, the exception's family (its builtin base class: RuntimeError,
  IndexError, ...) and PyTorch's key phrase (`KEY_PHRASES`); a NumPy exception leaking
  out of minitensor is a failure of its own;
- for every variable: shape, dtype, values (NaN and inf at the same places),
  requires_grad, is_leaf, whether it has a grad_fn, and every leaf's `.grad`.

The next line is drawn from torch's state (which variables exist, their shapes and dtypes),
so most programs are valid; now and then an argument is drawn outside what an op accepts,
so the errors are compared too. On a difference the failure message is the program itself,
shrunk by hypothesis to a minimal one, ready to paste into a notebook with either library.

Budget: derandomized (the same programs on every run): 5000 programs under the default
profile (about a minute on 2 cores), twelve times as many with
`--hypothesis-profile=thorough`. Where minitensor deliberately differs (README,
"Differences from PyTorch"), the program stops there: at minitensor's documented errors
(`DOCUMENTED_DIFFERENCES`), at PyTorch's errors that minitensor does not raise
(`DOCUMENTED_TORCH_ERRORS`), where a view follows its base's requires_grad in PyTorch
(`_a_view_followed_its_base`) and where a leaf reshaped in place gets its gradient in its
old shape there (`_a_leaf_reshaped_in_place`). Values are compared with a float32
tolerance, since the two libraries round exp, pow, ... differently by an ulp; where such
an input reaches an op that jumps (x // y, x > 0: `DISCONTINUOUS`) and the results part
by a step, the program stops too.
"""

import re
import warnings

import numpy as np
import pytest
import strategies as S  # tests/strategies.py
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minitensor as mt
import minitensor.nn.functional as mt_functional

torch = pytest.importorskip("torch", reason="torch is the oracle of the differential test")
torch_functional = pytest.importorskip("torch.nn.functional")

# ----------------------------------------------------------------------------- vocabulary

# Each entry: (template, dtypes it is meant for: "f" float, "i" integer, "b" bool).
# `{x}` and `{y}` are variables; the other fields are drawn for x by `_field`.
# Expressions: their value becomes a new variable.
EXPRESSIONS = [
    # elementwise, one input
    ("-{x}", "fi"), ("{x}.exp()", "fib"), ("{x}.log()", "f"), ("{x}.sqrt()", "f"),
    ("{x}.sin()", "f"), ("{x}.cos()", "f"), ("{x}.tanh()", "f"), ("{x}.sigmoid()", "f"),
    ("{x}.relu()", "fi"), ("{x}.abs()", "fi"), ("{x}.sign()", "fi"), ("{x}.square()", "fi"),
    ("{x}.log1p()", "f"), ("{x}.clone()", "fib"),
    ("{x}.clamp({low}, {high})", "fi"), ("{x}.clamp(min={y})", "f"),
    ("lib.softmax({x}, dim={dim})", "f"), ("{x}.log_softmax({dim})", "f"),
    ("{x}.masked_fill({x} > 0, {number})", "fi"),
    # elementwise, two inputs or a number
    ("{x} + {y}", "fib"), ("{x} - {y}", "fi"), ("{x} * {y}", "fib"), ("{x} / {y}", "fi"),
    ("{x} ** {y}", "fi"), ("{x} // {y}", "fi"), ("{x} % {y}", "fi"),
    ("{x} + {number}", "fib"), ("{x} * {number}", "fib"), ("{x} ** {number}", "fib"),
    ("{number} / {x}", "fi"), ("{x} // {number}", "fi"), ("{x} % {number}", "fi"),
    ("lib.maximum({x}, {y})", "fi"), ("lib.minimum({x}, {y})", "fi"),
    ("lib.maximum({x}, {number})", "f"),
    ("{x} > {y}", "fi"), ("{x} == {number}", "fib"), ("lib.where({x} > 0, {x}, {y})", "fi"),
    # reductions
    ("{x}.sum({dim})", "fib"), ("{x}.sum(dim={dim}, keepdim=True)", "fi"),
    ("{x}.sum(axis={dim})", "fi"), ("{x}.mean({dim})", "f"), ("{x}.prod({dim})", "fi"),
    ("{x}.max()", "fi"), ("{x}.max({dim}).values", "fi"), ("{x}.min({dim}).values", "fi"),
    ("{x}.var({dim})", "f"), ("{x}.std({dim})", "f"), ("{x}.var(correction=2)", "f"),
    ("{x}.norm()", "f"), ("{x}.norm(dim={dim})", "f"), ("{x}.norm({p})", "f"),
    ("{x}.any({dim})", "b"), ("{x}.all({dim})", "b"), ("{x}.argmax({dim})", "fi"),
    ("{x}.amax({dim})", "fib"), ("{x}.amin()", "fi"), ("{x}.logsumexp({dim})", "fi"),
    ("{x}.cumsum({dim})", "fib"),
    # rounding (a zero gradient), 1 / x
    ("{x}.floor()", "fib"), ("{x}.round()", "fi"), ("{x}.round(decimals=1)", "fi"),
    ("{x}.reciprocal()", "fib"),
    # shapes and views
    ("{x}.reshape(-1)", "fib"), ("{x}.flatten()", "fib"), ("{x}.flatten({dim}, {dim2})", "fib"),
    ("{x}.transpose({dim}, {dim2})", "fib"), ("{x}.t()", "fi"), ("{x}.mT", "fi"),
    ("{x}.permute({permutation})", "fi"), ("{x}.unsqueeze({dim})", "fib"),
    ("{x}.squeeze()", "fib"), ("{x}.expand({expanded})", "fi"), ("{x}[{index}]", "fib"),
    ("lib.cat([{x}, {y}])", "fi"), ("lib.stack([{x}, {x}])", "fi"),
    # dtypes
    ("{x}.long()", "fib"), ("{x}.bool()", "fi"), ("{x}.float()", "fib"),
    ("{x}.double()", "fi"), ("{x}.to(lib.int64)", "f"), ("{x}.type_as({y})", "fib"),
    # matrix products: matmul, and nn.Linear's function (with a bias: Addmm, as PyTorch)
    ("{x} @ {y}", "fi"), ("F.linear({x}, {y})", "f"), ("F.linear({x}, {y}, {y}.sum(1))", "f"),
    # losses
    ("F.mse_loss({x}, {y})", "f"), ("F.binary_cross_entropy({x}.sigmoid(), {y}.sigmoid())", "f"),
    ("F.binary_cross_entropy_with_logits({x}, {y})", "f"),
    # autograd
    ("{x}.data", "fib"), ("{x}.detach()", "fib"),
]  # fmt: skip

# Statements: they change x in place (or its autograd flags) and make no new variable.
STATEMENTS = [
    ("{x}.add_({y})", "fi"), ("{x}.mul_({number})", "fi"), ("{x}.sub_(1)", "fi"),
    ("{x}.div_(2)", "f"), ("{x}.pow_(2)", "fi"), ("{x}.clamp_({low}, {high})", "fi"),
    ("{x}.zero_()", "fib"), ("{x}.fill_({number})", "fi"), ("{x}.copy_({y})", "fib"),
    ("{x}.relu_()", "fi"), ("{x}.exp_()", "f"), ("{x}.neg_()", "fi"), ("{x}.abs_()", "fi"),
    ("{x}.tanh_()", "f"), ("{x}.sigmoid_()", "f"), ("{x}.sqrt_()", "f"),
    ("{x}.unsqueeze_(0)", "fib"), ("{x}.masked_fill_({x} < 0, {number})", "fi"),
    ("{x}[{index}] = {number}", "fi"), ("{x}[{index}] = {y}", "fi"),
    ("{x}.detach_()", "f"), ("{x}.requires_grad_()", "f"), ("{x}.requires_grad = True", "f"),
    ("{x}.retain_grad()", "f"),
]  # fmt: skip

BACKWARD = ["{x}.sum().backward()", "{x}.sum().backward(retain_graph=True)", "{x}.backward()"]

# PyTorch's phrases that minitensor's message must contain too, when torch's does.
KEY_PHRASES = [
    "Dimension out of range",
    "one of the variables needed for gradient computation has been modified by an inplace",
    "a leaf Variable that requires grad is being used in an in-place operation",
    "Trying to backward through the graph a second time",
    "does not require grad and does not have a grad_fn",
    "grad can be implicitly created only for scalar outputs",
    "Only Tensors of floating point",
    "can't be cast to the desired output type",
    "must match the size of tensor",
    "you can only change requires_grad flags of leaf variables",
    "negative step",
    "is out of bounds",
    "created in no_grad mode and its base",
]

# minitensor's errors where it deliberately differs from PyTorch (README, "Differences from
# PyTorch"): the program stops there, since the two states part ways for a documented reason.
DOCUMENTED_DIFFERENCES = [
    "does not support in-place changes to a view",  # PyTorch's CopySlices rebasing
    "does not rebase views as PyTorch does",
    "Integers to negative integer powers are not allowed",  # int ** negative int tensor
    # fill_/zero_ of an expand()ed tensor (PyTorch writes the one value through)
    "more than one element of the written-to tensor refers to a single memory location",
    # a leaf reshaped in place (unsqueeze_) after it got a .grad, while a graph holds it:
    # PyTorch sums into the old shape; minitensor refuses, as both do without that graph
    "x.grad kept its old shape",
]

# torch's errors where minitensor deliberately goes on (README): (phrase, a word the program
# must contain for the difference to apply). The program stops there too.
DOCUMENTED_TORCH_ERRORS = [
    # a view taken under no_grad() whose base then changed in place: PyTorch refuses even
    # to read its flags (minitensor refuses to record it, compared when both raise)
    ("created in no_grad mode and its base", ""),
    # losses, and clamp with tensor bounds, are compositions: they save what their ops
    # need, not their inputs (nor the bounds)
    ("modified by an inplace operation", "mse_loss"),
    ("modified by an inplace operation", "clamp(min="),
    # norm(0) sends no gradient; torch still runs (and version-checks) the nodes behind it
    ("modified by an inplace operation", "norm(0)"),
    # torch's own bug: backward formulas that subtract from a bool operand (mse_loss of
    # bools, x ** bool_tensor); minitensor gives the gradient
    ("Subtraction, the `-` operator, with a bool tensor", ""),
    # a non-leaf detach_()ed after an op saved it: the graph keeps the value it saved
    ("saved tensor that has been detached in-place", ""),
    # torch's own slip: x_int[...] = y (y requiring grad) leaves an integer tensor that
    # requires grad, which its next recorded op then refuses; here x_int needs no grad
    ("Autograd not support dtype", ""),
    # writing a tensor into itself through an index or a partly overlapping view
    ("some elements of the input tensor and the written-to tensor refer to a single", ""),
]

# torch's errors that it raises before looking at the arguments (when it reads an input's
# grad_fn): where minitensor refuses the same line for a bad argument instead, both refuse.
CHECKED_FIRST_BY_TORCH = ["created in no_grad mode and its base"]

NUMBERS = [0, 1, 2, -1, 0.5, -1.5, 2.0]


def _dim_range(ndim):
    """Valid dims for a tensor of ndim dims (a 0-d tensor takes 0 and -1, as PyTorch)."""
    width = max(ndim, 1)
    return st.integers(-width, width - 1)


def _field(name, x):
    """A strategy for the field `name` of a template, given x (a torch tensor)."""
    shape, ndim = tuple(x.shape), x.ndim
    if name == "number":
        return st.sampled_from(NUMBERS).map(repr)
    if name in ("dim", "dim2"):
        # now and then one past the end, to compare the errors
        return st.one_of(_dim_range(ndim), st.integers(-ndim - 2, ndim + 1)).map(repr)
    if name in ("low", "high"):
        return st.sampled_from(["None", "0", "1", "0.5", "-1.5"])
    if name == "p":
        return st.sampled_from(["0", "1", "2", "3"])
    if name == "permutation":
        return st.one_of(st.permutations(range(ndim)).map(lambda p: ", ".join(map(str, p))))
    if name == "expanded":
        grown = [2 if s == 1 else s for s in shape]
        return st.sampled_from([shape, tuple(grown), (2, *shape)]).map(
            lambda s: ", ".join(map(str, s)) if s else "()"
        )
    if name == "index":
        choices = ["...", "None"]
        # Array indices are drawn in range: out of range, PyTorch writes the part in range
        # before it raises (x[[0, 1]] = v on a 1-row x changes row 0), which is its quirk.
        if ndim:
            choices += ["0", "-1", "1:", "..., 0", "::-1", "{x} > 0"]
        if ndim and shape[0] >= 1:
            choices += ["[0, 0]"]
        if ndim >= 2:
            choices += [":, 0", "0, 1:"]
        if ndim >= 2 and shape[0] >= 2 and shape[1] >= 1:
            choices += ["[0, 1], 0"]
        return st.sampled_from(choices)
    raise KeyError(name)


FIELDS = ("number", "dim", "dim2", "low", "high", "p", "permutation", "expanded", "index")


def _kind(t):
    if t.dtype == torch.bool:
        return "b"
    return "f" if t.dtype.is_floating_point else "i"


# ----------------------------------------------------------------------------- drawing


def _tensors(env):
    return {name: v for name, v in env.items() if isinstance(v, torch.Tensor)}


@st.composite
def _leaf_line(draw, name):
    shape = draw(st.sampled_from([(), (1,), (3,), (2, 3), (1, 3), (2, 1), (0,), (2, 0)]))
    kind = draw(st.sampled_from(["float32", "float32", "float32", "float64", "int64", "bool"]))
    count = int(np.prod(shape))
    if kind == "bool":
        values = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    elif kind == "int64":
        values = draw(st.lists(st.integers(-3, 3), min_size=count, max_size=count))
    else:  # quarters: exact in float32, with zeros and ties
        values = [k / 4 for k in draw(st.lists(st.integers(-8, 8), min_size=count, max_size=count))]
    data = repr(np.array(values, dtype=object).reshape(shape).tolist())
    grad = kind.startswith("float") and draw(st.booleans())
    options = f", dtype=lib.{kind}" + (", requires_grad=True" if grad else "")
    return f"{name} = lib.tensor({data}{options})"


@st.composite
def _step_line(draw, env, name):
    """One line: an op, an in-place change or a backward, on variables that exist in `env`."""
    tensors = _tensors(env)
    names = sorted(tensors)
    if draw(st.integers(0, 9)) == 0:
        x = draw(st.sampled_from(names))
        return draw(st.sampled_from(BACKWARD)).format(x=x)
    statement = draw(st.integers(0, 2)) == 0
    template, kinds = draw(st.sampled_from(STATEMENTS if statement else EXPRESSIONS))
    fitting = [n for n in names if _kind(tensors[n]) in kinds]
    if not fitting or draw(st.integers(0, 9)) == 0:  # sometimes a dtype the op may refuse
        fitting = names
    x = draw(st.sampled_from(fitting))
    fields = {"x": x, "y": draw(st.sampled_from(names))}
    for field in FIELDS:
        if "{" + field + "}" in template:
            fields[field] = draw(_field(field, tensors[x])).replace("{x}", x)
    line = template.format(**fields)
    if not statement:
        line = f"{name} = {line}"
    if draw(st.integers(0, 5)) == 0:
        line = f"with lib.no_grad(): {line}"
    return line


# ----------------------------------------------------------------------------- running


def _namespace(lib, functional):
    return {"lib": lib, "F": functional}


def _run(line, env):
    """Run one line; the exception it raised, or None."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            exec(line, env)
        except Exception as error:  # what is raised is part of the comparison
            return error
    return None


def _family(error):
    """The builtin exception class an error belongs to (NumPy's AxisError is a ValueError)."""
    for cls in type(error).__mro__:
        if cls.__module__ == "builtins":
            return cls.__name__
    return type(error).__name__


def _describe_error(error):
    return f"{type(error).__module__}.{type(error).__name__}: {str(error)[:300]}"


def _compare_errors(ours, theirs):
    """None when the two lines ended alike, else what differed, in words."""
    if ours is None and theirs is None:
        return None
    if theirs is None:
        return f"minitensor raised {_describe_error(ours)}; torch did not"
    if ours is None:
        return f"torch raised {_describe_error(theirs)}; minitensor did not"
    module = type(ours).__module__.split(".")[0]
    if module not in ("builtins", "minitensor"):
        return f"minitensor leaked {_describe_error(ours)} (torch: {_describe_error(theirs)})"
    if _family(ours) != _family(theirs):
        return f"minitensor raised {_describe_error(ours)}; torch {_describe_error(theirs)}"
    for phrase in KEY_PHRASES:
        if phrase in str(theirs) and phrase not in str(ours):
            return f"minitensor's message lacks {phrase!r}: {_describe_error(ours)}"
    return None


def _host(t):
    values = t.detach().cpu().numpy()
    return values if t.dtype in (mt.bool, torch.bool) else values.astype(np.float64)


def _tensor_difference(ours, theirs):
    """None when two tensors look alike to a learner, else what differed."""
    if tuple(ours.shape) != tuple(theirs.shape):
        return f"shape {list(ours.shape)} != torch's {list(theirs.shape)}"
    if str(ours.dtype).split(".")[-1] != str(theirs.dtype).split(".")[-1]:
        return f"dtype {ours.dtype} != torch's {theirs.dtype}"
    ours_values, theirs_values = _host(ours), _host(theirs)
    # float32 maths differs by an ulp or so between libraries; sin(exp(exp(2))) makes that
    # 1e-4. A real difference (a wrong formula, nan, inf, a sign) is far larger.
    # float64 results may come from float32 ones (x64 % tanh(x32)): 1e-5 for them.
    tolerance = 1e-3 if theirs.dtype in (torch.float32, torch.float16) else 1e-5
    try:
        np.testing.assert_allclose(
            ours_values, theirs_values, rtol=tolerance, atol=tolerance, equal_nan=True
        )
    except AssertionError:
        return f"values {ours_values.tolist()} != torch's {theirs_values.tolist()}"
    return None


def _state_difference(ours_env, theirs_env):
    """Compare every variable of the two namespaces; None, or the first difference."""
    theirs = _tensors(theirs_env)
    ours = {k: v for k, v in ours_env.items() if isinstance(v, mt.Tensor)}
    if sorted(ours) != sorted(theirs):
        return f"variables {sorted(ours)} != torch's {sorted(theirs)}"
    for name in sorted(theirs):
        a, b = ours[name], theirs[name]
        try:
            b.requires_grad, b.is_leaf, b.grad_fn  # noqa: B018
        except RuntimeError:
            # torch refuses to read the flags of a view taken under no_grad whose base was
            # then changed in place with grad on; the variable is unusable there, skip it
            continue
        difference = _tensor_difference(a, b)
        if not b.dtype.is_floating_point and b.requires_grad:
            continue  # torch's own slip: an integer tensor that requires grad (x_int[1:] = y)
        if difference is None:
            for attribute in ("requires_grad", "is_leaf"):
                if getattr(a, attribute) != getattr(b, attribute):
                    difference = f"{attribute} {getattr(a, attribute)} != torch's "
                    difference += f"{getattr(b, attribute)}"
                    break
        if difference is None and (a.grad_fn is None) != (b.grad_fn is None):
            difference = f"grad_fn {a.grad_fn} but torch's {b.grad_fn}"
        if difference is None and b.is_leaf:
            if (a.grad is None) != (b.grad is None):
                difference = f"grad {a.grad} but torch's {b.grad}"
            elif b.grad is not None:
                difference = _tensor_difference(a.grad, b.grad)
                difference = difference and f"grad: {difference}"
        if difference:
            return f"{name}: {difference}"
    return None


def _a_view_followed_its_base(problem, line, theirs):
    """A view of x taken before x began to require grad (x.requires_grad_(), x[0] = y)
    follows x in PyTorch: its requires_grad turns True. minitensor's view keeps its own
    flags (documented): is that the difference, on a view other than the line's target?"""
    name, target = problem.split(":")[0], _target(line)
    flags = ("requires_grad", "is_leaf", "grad_fn")
    view = getattr(theirs.get(name), "_base", None) is not None
    base_of_target = getattr(theirs.get(target), "_base", None) is theirs.get(name)
    related = (view and name != target) or base_of_target  # and a base follows its view
    return related and any(flag in problem for flag in flags)


# Ops whose result jumps where an input crosses a point (x // y at a multiple of y, x > 0 at
# 0, the largest of two equal values): an ulp of float32 difference in an input, which the
# value comparison forgives (libraries round exp, pow, ... differently), can move their
# result by a whole step (3 // 2.9999998 is 1, 3 // 3.0000002 is 0).
DISCONTINUOUS = (
    "//", "%", ">", "<", "==", ".long()", ".bool()", "int64", "type_as", "argmax", "amax",
    "amin", "max", "min", "sign", "clamp", "relu", "where", "masked_fill", "floor", "round",
)  # fmt: skip


def _reads_inexact_input(line, ours, theirs):
    """Does the line hold a discontinuous op and read a variable whose values are close to
    torch's but not the same bits?"""
    if not any(op in line for op in DISCONTINUOUS):
        return False
    for name in set(re.findall(r"\bv\d+\b", line)):
        a, b = ours.get(name), theirs.get(name)
        if isinstance(a, mt.Tensor) and isinstance(b, torch.Tensor) and b.dtype.is_floating_point:
            if tuple(a.shape) == tuple(b.shape) and not np.array_equal(
                _host(a), _host(b), equal_nan=True
            ):
                return True
    return False


def _a_leaf_reshaped_in_place(problem, lines):
    """A leaf reshaped in place (x.unsqueeze_(0)) while another graph holds it: PyTorch sums
    its gradient into the old shape, minitensor gives it the new one (documented)."""
    name = problem.split(":")[0]
    return ": grad: shape" in problem and any(f"{name}.unsqueeze_(" in line for line in lines)


def _target(line):
    """The variable a statement works on: `v3` in `with lib.no_grad(): v3.requires_grad_()`."""
    return line.split(": ")[-1].split(".")[0].split("[")[0].split(" ")[0]


class Program:
    """The lines run so far, in both libraries; `run` adds one and compares the states."""

    def __init__(self):
        self.lines = []
        self.ours = _namespace(mt, mt_functional)
        self.theirs = _namespace(torch, torch_functional)
        self.stopped = False

    def listing(self, problem):
        body = "\n".join(f"    {line}" for line in self.lines)
        return (
            "torch and minitensor disagree. The program (run it with `import torch as lib; "
            "import torch.nn.functional as F`, then with minitensor):\n"
            f"{body}\n  after the last line: {problem}"
        )

    def run(self, line):
        self.lines.append(line)
        inexact = _reads_inexact_input(line, self.ours, self.theirs)
        ours, theirs = _run(line, self.ours), _run(line, self.theirs)
        if ours is not None:  # (torch may refuse the line too, for its own reason)
            if any(phrase in str(ours) for phrase in DOCUMENTED_DIFFERENCES):
                self.stopped = True
                return
        if ours is not None and any(p in str(theirs) for p in CHECKED_FIRST_BY_TORCH):
            self.stopped = True  # both refuse the line; torch checks this before the arguments
            return
        if theirs is not None and ours is None:
            program = "\n".join(self.lines)
            for phrase, word in DOCUMENTED_TORCH_ERRORS:
                if phrase in str(theirs) and word in program:
                    self.stopped = True
                    return
        problem = _compare_errors(ours, theirs) or _state_difference(self.ours, self.theirs)
        if problem and _a_view_followed_its_base(problem, line, self.theirs):
            self.stopped = True
            return
        if problem and _a_leaf_reshaped_in_place(problem, self.lines):
            self.stopped = True
            return
        if problem and inexact and ": values " in problem:
            self.stopped = True  # an ulp apart going in, a step apart coming out: rounding
            return
        assert problem is None, self.listing(problem)


@settings(
    max_examples=S.examples(5000),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_programs_agree_with_pytorch(data):
    program = Program()
    for k in range(data.draw(st.integers(1, 3), label="leaves")):
        program.run(data.draw(_leaf_line(f"v{k}")))
    for _ in range(data.draw(st.integers(1, 12), label="steps")):
        name = f"v{len(program.lines)}"
        program.run(data.draw(_step_line(program.theirs, name)))
        if program.stopped:
            return
