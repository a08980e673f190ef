"""Checks for lesson 1 (tensors): broadcast shapes, standardize, as_numpy."""

import numpy as np

from . import _, attempt, close, fail, library, passed


def check_ex1(predicted_shape):
    """Exercise 1: the shape of mt.ones(3, 1) + mt.ones(4)."""
    mt = library(predicted_shape)
    prediction = attempt("ex1", predicted_shape)
    actual = tuple((mt.ones(3, 1) + mt.ones(4)).shape)
    if not isinstance(prediction, (tuple, list)) or not all(isinstance(n, int) for n in prediction):
        fail(
            "ex1",
            _(
                "predicted_shape() returned {prediction!r}; return a tuple of sizes, "
                "such as (2, 5)",
                prediction=prediction,
            ),
            _("one int per dimension, in a tuple: return (7,) for a vector of 7."),
            _("a 2-D result: return (rows, columns)."),
        )
    if tuple(prediction) != actual:
        fail(
            "ex1",
            _(
                "you predicted {prediction}; mt.ones(3, 1) + mt.ones(4) has shape {actual}",
                prediction=tuple(prediction),
                actual=actual,
            ),
            _("line the shapes up from the right: (3, 1) and (4,) become (3, 1) and (1, 4)."),
            _(
                "a size-1 dimension is stretched to the other size: max(3, 1) rows and "
                "max(1, 4) columns."
            ),
        )
    passed(
        "ex1", _("the sum has shape {actual}: (3, 1) and (4,) broadcast to (3, 4)", actual=actual)
    )


# A small table with columns on very different scales, so a mistake is easy to see.
_TABLE = [
    [1.0, 10.0, 100.0],
    [2.0, 30.0, 300.0],
    [3.0, 20.0, 100.0],
    [4.0, 60.0, 500.0],
    [5.0, 30.0, 200.0],
]


def _standardized_ok(result, x):
    """A message saying what is wrong with standardize(x) = result, or None."""
    if not isinstance(result, type(x)):
        return _("standardize() returned a {type}; return a tensor", type=type(result).__name__)
    if tuple(result.shape) != tuple(x.shape):
        return _(
            "standardize(x) has shape {result_shape}; x has shape {x_shape}",
            result_shape=tuple(result.shape),
            x_shape=tuple(x.shape),
        )
    values = np.array(result.tolist())
    if not np.allclose(values.mean(axis=0), 0.0, atol=1e-4):
        if np.allclose(values.mean(axis=1), 0.0, atol=1e-4):
            return _("each *row* of your result has mean 0; the columns should")
        return _(
            "the column means of your result are {means}",
            means=np.round(values.mean(axis=0), 4).tolist(),
        )
    stds = values.std(axis=0, ddof=1)
    biased = values.std(axis=0, ddof=0)
    if not (np.allclose(stds, 1.0, atol=1e-3) or np.allclose(biased, 1.0, atol=1e-3)):
        return _(
            "the column standard deviations of your result are {stds}",
            stds=np.round(stds, 4).tolist(),
        )
    return None


def check_ex2(standardize):
    """Exercise 2: standardize the columns of a 2-D tensor, without changing it."""
    mt = library(standardize)
    x = mt.tensor(_TABLE)
    before = x.tolist()
    result = attempt(
        "ex2",
        standardize,
        x,
        errors={
            "must match the size": _(
                "x.mean(dim=1) has shape (5,), which broadcasting lines up with x's "
                "*last* dimension; the columns are reduced with dim=0."
            ),
        },
    )
    if x.tolist() != before:
        fail(
            "ex2",
            _("standardize() changed its input x in place; return a new tensor instead"),
            _("x - m makes a new tensor; x -= m changes x."),
            _("(x - mean) / std, without -= or /=."),
        )
    problem = _standardized_ok(result, x)
    if problem:
        fail(
            "ex2",
            problem,
            _("reduce over the rows, dim=0, to get one mean (and one std) per column."),
            _("(x - x.mean(dim=0, keepdim=True)) / x.std(dim=0, keepdim=True)"),
        )
    passed("ex2", _("every column has mean 0 and standard deviation 1, and x is unchanged"))


def check_ex2_differentiable(standardize):
    """Hidden test: another shape, and the result must stay in the graph."""
    mt = library(standardize)
    x = mt.tensor([[1.0, -2.0, 0.5, 4.0], [3.0, 2.0, -0.5, 0.0]], requires_grad=True)
    result = attempt("ex2", standardize, x, errors={"numpy": _("stay with tensor operations.")})
    problem = _standardized_ok(result, x.detach())
    if problem:
        fail(
            "ex2",
            _("on a 2 x 4 tensor: {problem}", problem=problem),
            _("reduce with dim=0 whatever the number of rows and columns."),
            _("(x - x.mean(dim=0, keepdim=True)) / x.std(dim=0, keepdim=True)"),
        )
    if result.grad_fn is None:
        fail(
            "ex2",
            _(
                "standardize() of a tensor that requires grad returned a tensor without "
                "a grad_fn: the result is cut off from the graph (did you go through "
                "NumPy?)"
            ),
            _("stay with tensor operations: x.mean(...), x.std(...), -, /."),
            _(
                "anything through .numpy() or .detach() leaves the graph; tensor "
                "arithmetic records it."
            ),
        )
    passed("ex2", _("also right on a 2 x 4 tensor, and differentiable"))


def check_ex3(as_numpy):
    """Exercise 3: a NumPy copy of any CPU tensor that leaves the tensor as it was."""
    mt = library(as_numpy)
    plain = mt.tensor([1.0, 2.0, 3.0])
    result = attempt("ex3", as_numpy, plain)
    if not isinstance(result, np.ndarray):
        fail(
            "ex3",
            _("as_numpy() returned a {type}; return a NumPy array", type=type(result).__name__),
            _("np.ndarray is what .numpy() gives."),
            _("return t.detach().numpy()"),
        )
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    result = attempt(
        "ex3",
        as_numpy,
        w,
        errors={
            "requires grad": _(
                "the error message itself says how: cut the tensor off from the graph first."
            ),
        },
    )
    if not w.requires_grad:
        fail(
            "ex3",
            _(
                "as_numpy(w) switched off requires_grad on the tensor it was given: the "
                "caller's w would silently stop getting gradients"
            ),
            _("t.detach() gives a new tensor with the same numbers and no graph; t stays as is."),
            _("return t.detach().numpy()"),
        )
    if not isinstance(result, np.ndarray) or not close(result, [1.0, 2.0]):
        fail(
            "ex3",
            _("as_numpy(w) with w = tensor([1., 2.]) returned {result!r}", result=result),
            _("return the same numbers as a NumPy array."),
            _("return t.detach().numpy()"),
        )
    y = w * 3  # a tensor computed from w: not a leaf
    if not close(attempt("ex3", as_numpy, y), [3.0, 6.0]):
        fail(
            "ex3",
            _("as_numpy(w * 3) did not return [3., 6.]"),
            _("a non-leaf works the same way as a leaf."),
            _("return t.detach().numpy()"),
        )
    y.sum().backward()
    if w.grad is None or not close(w.grad.tolist(), [3.0, 3.0]):
        fail(
            "ex3",
            _("after as_numpy(y), y.sum().backward() did not give w the gradient [3., 3.]"),
            _("leave the tensor and its graph as they are: work on t.detach()."),
            _("return t.detach().numpy()"),
        )
    passed("ex3", _("works with and without requires_grad, and leaves the graph intact"))
