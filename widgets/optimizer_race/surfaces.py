"""The 2-D loss surfaces the optimizer race runs on, written with minitensor ops.

Each surface is a function f(x, y) built from minitensor ops only, so the gradient an
optimizer sees comes from autograd, exactly as for a network's loss. The functions work
elementwise: x and y may be single numbers (0-d tensors), one entry per optimizer (the race
evaluates all optimizers in one graph), or a whole grid (the contour plot).

    quadratic   f = 1/2 (x^2 + 10 y^2)      ill-conditioned: gradient descent zigzags in y,
                                              and diverges once lr > 2 / lambda_max = 0.2
    rosenbrock  f = (1 - x)^2 + 100 (y - x^2)^2      a curved, flat-bottomed valley
    saddle      f = 1/2 x^2 - 1/2 y^2 + 1/4 y^4      a saddle at (0, 0), minima at (0, +-1)
    wells       a wide bowl with three dips of different depth: which one you end in depends
                on the optimizer
    noisy_bowl  f = 1/2 (x^2 + y^2), but each step sees the gradient of one random sample,
                1/2 |p - xi|^2 with xi ~ N(0, sigma^2 I): stochastic gradients, seeded

`Surface.from_function(f)` turns your own f(x, y) (or f(p) of a 2-element tensor) into a
surface. Read next: model.py, which runs the optimizers on these surfaces.
"""

import inspect
import math

import numpy as np

import minitensor as mt

from ..common.translation import _
from .tuning import best_gradient_descent, best_heavy_ball, best_nesterov_lr


class Surface:
    """A 2-D loss f(x, y) plus what the race needs to show it.

    name             short key ("quadratic")
    formula          the formula as text, for captions
    fn               f(x, y) with minitensor ops, elementwise in x and y
    xlim, ylim       the plotted region
    start            the default start point (x0, y0)
    default_lrs      a learning rate per optimizer name that shows something on this surface
    default_momentum the momentum the race starts with (0.9 unless the surface knows better)
    minima           known minima [(x, y), ...], marked on the plot
    min_value        the lowest value of f (None if unknown), for "loss - min" on a log axis
    hessian_eigenvalues  for a quadratic: the (constant) Hessian's eigenvalues, which give
                     gradient descent's divergence threshold lr = 2 / lambda_max
    noise_std        0 for exact gradients; else the std of xi in 1/2 |p - xi|^2
    batched          True when fn can take a batch of points at once (checked for your own f)
    """

    def __init__(
        self,
        name,
        formula,
        fn,
        xlim,
        ylim,
        start,
        default_lrs=None,
        minima=(),
        min_value=None,
        hessian_eigenvalues=None,
        noise_std=0.0,
        batched=True,
        description="",
        default_momentum=0.9,
    ):
        self.name = name
        self.formula = formula
        self.fn = fn
        self.xlim = _pair(xlim, "xlim")
        self.ylim = _pair(ylim, "ylim")
        if self.xlim[0] >= self.xlim[1] or self.ylim[0] >= self.ylim[1]:
            raise ValueError(f"xlim and ylim must be (low, high); got {xlim} and {ylim}")
        self.start = _pair(start, "start")
        self.default_lrs = dict(default_lrs or {})
        self.minima = [tuple(m) for m in minima]
        self.min_value = min_value
        self.hessian_eigenvalues = hessian_eigenvalues
        self.noise_std = float(noise_std)
        self.batched = batched
        self.description = description
        self.default_momentum = default_momentum
        self._grid = None

    def __repr__(self):
        return f"Surface({self.name!r}: {self.formula})"

    def words(self):
        """(name, formula, description) as shown, in the learner's language: the built-in
        surfaces are translated, your own surface shows the words you gave it."""
        if SURFACES.get(self.name) is self:
            return _builtin_words()[self.name]
        return self.name, self.formula, self.description

    @property
    def is_stochastic(self):
        return self.noise_std > 0

    @property
    def lambda_max(self):
        """The largest Hessian eigenvalue of a quadratic surface (None otherwise)."""
        if self.hessian_eigenvalues is None:
            return None
        return max(self.hessian_eigenvalues)

    # ------------------------------------------------------------------ evaluating f

    def loss(self, x, y, noise=None):
        """f(x, y); with `noise` (xi, shape (2,)) the stochastic loss 1/2 |p - xi|^2 instead.

        The noisy bowl's stochastic loss has the same gradient on average as f, which is
        what "stochastic gradient" means: each step sees one random sample of the data.
        """
        if noise is None:
            return self.fn(x, y)
        return 0.5 * ((x - noise[0]) ** 2 + (y - noise[1]) ** 2)

    def values(self, points):
        """f at each row of `points` (a NumPy array of shape (n, 2)), as a NumPy array (n,)."""
        points = np.asarray(points, dtype=np.float32)
        with mt.no_grad():
            if self.batched:
                x = mt.from_numpy(np.ascontiguousarray(points[:, 0]))
                y = mt.from_numpy(np.ascontiguousarray(points[:, 1]))
                return self.fn(x, y).numpy().astype(np.float64)
            out = np.empty(len(points))
            for i, (x, y) in enumerate(points):
                out[i] = self.fn(mt.tensor(float(x)), mt.tensor(float(y))).item()
            return out

    def grid(self, n=81):
        """(X, Y, Z) NumPy arrays of f on an n x n grid over xlim, ylim (computed once)."""
        if self._grid is None or self._grid[0].shape != (n, n):
            xs = np.linspace(*self.xlim, n)
            ys = np.linspace(*self.ylim, n)
            X, Y = np.meshgrid(xs, ys)
            Z = self.values(np.stack([X.ravel(), Y.ravel()], axis=1)).reshape(n, n)
            self._grid = (X, Y, Z)
        return self._grid

    def lowest_value(self):
        """min_value if known, else the lowest value on the plotted grid."""
        if self.min_value is not None:
            return self.min_value
        Z = self.grid()[2]
        return float(np.nanmin(Z))

    # ------------------------------------------------------------------ your own function

    @classmethod
    def from_function(cls, f, xlim=(-3, 3), ylim=(-3, 3), start=None, name=None, lr=None):
        """Make a surface from your own f(x, y) or f(p), written with minitensor ops.

        f(x, y): x and y are tensors; f(p): p is a 2-element tensor (p[0] is x, p[1] is y).
        f must return a tensor with one number, built with minitensor ops (mt.sin, not
        math.sin), so that autograd can differentiate it.
        """
        if isinstance(f, Surface):
            return f
        if not callable(f):
            raise TypeError(f"a surface must be a name or a function f(x, y); got {f!r}")
        arity = _count_positional(f)
        if arity == 2:
            fn = f
        elif arity == 1:

            def fn(x, y):
                return f(mt.stack([x, y]))

        else:
            raise TypeError(
                f"your function {_name(f)} takes {arity} arguments; the race needs f(x, y) "
                "(two tensors) or f(p) (one 2-element tensor)"
            )
        xlim, ylim = _pair(xlim, "xlim"), _pair(ylim, "ylim")
        if start is None:
            # a corner-ish point, so the path is long enough to see
            start = (xlim[0] + 0.2 * (xlim[1] - xlim[0]), ylim[0] + 0.8 * (ylim[1] - ylim[0]))
        label = name or _name(f)
        _check_scalar_output(fn, start, label)
        lrs = {} if lr is None else dict.fromkeys(OPTIMIZER_NAMES, lr)
        surface = cls(label, label, fn, xlim, ylim, start, default_lrs=lrs, batched=False)
        surface.batched = _works_batched(fn, surface)
        return surface


# The optimizer names the race knows (model.py builds them); surfaces give each a
# learning rate that shows something interesting.
OPTIMIZER_NAMES = ("SGD", "Momentum", "Nesterov", "Adam", "AdamW", "RMSprop", "Adagrad")


def _lrs(sgd, momentum, adaptive, adagrad=None):
    return {
        "SGD": sgd,
        "Momentum": momentum,
        "Nesterov": momentum,
        "Adam": adaptive,
        "AdamW": adaptive,
        # RMSprop's first steps are 10x lr (no bias correction), later ones about lr
        "RMSprop": adaptive / 3,
        "Adagrad": adagrad if adagrad is not None else adaptive * 5,
    }


def _quadratic(x, y):
    return 0.5 * (x * x + 10.0 * y * y)


def _quadratic_surface():
    # The race starts at each momentum method's best settings, computed from the
    # eigenvalues (tuning.py): a comparison at anyone's worse settings would be unfair.
    eigenvalues = (1.0, 10.0)
    momentum_lr, beta, _rate = best_heavy_ball(eigenvalues)
    lrs = _lrs(sgd=best_gradient_descent(eigenvalues)[0], momentum=momentum_lr, adaptive=0.3,
               adagrad=1.0)  # fmt: skip
    lrs["Nesterov"] = best_nesterov_lr(beta, eigenvalues)[0]
    return Surface(
        "quadratic",
        "f(x, y) = ½(x² + 10y²)",
        _quadratic,
        xlim=(-5, 5),
        ylim=(-2.5, 2.5),
        start=(-4.5, 1.5),
        default_lrs=lrs,
        default_momentum=beta,
        minima=[(0.0, 0.0)],
        min_value=0.0,
        hessian_eigenvalues=eigenvalues,
        description="an ill-conditioned bowl (condition number 10)",
    )


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def _rosenbrock_surface():
    return Surface(
        "rosenbrock",
        "f(x, y) = (1 − x)² + 100(y − x²)²",
        _rosenbrock,
        xlim=(-2, 2),
        ylim=(-1, 3),
        start=(-1.2, 1.0),
        default_lrs=_lrs(sgd=1.5e-3, momentum=1e-3, adaptive=0.1, adagrad=1.0),
        minima=[(1.0, 1.0)],
        min_value=0.0,
        description="a curved valley with a flat floor; the minimum is at (1, 1)",
    )


def _saddle(x, y):
    return 0.5 * x * x - 0.5 * y * y + 0.25 * y**4


def _saddle_surface():
    return Surface(
        "saddle",
        "f(x, y) = ½x² − ½y² + ¼y⁴",
        _saddle,
        xlim=(-2.5, 2.5),
        ylim=(-1.6, 1.6),
        start=(-2.0, 0.01),
        default_lrs=_lrs(sgd=0.05, momentum=0.02, adaptive=0.05, adagrad=0.5),
        minima=[(0.0, 1.0), (0.0, -1.0)],
        min_value=-0.25,
        description="a saddle point at (0, 0) between two minima at (0, ±1)",
    )


def _dip(x, y, cx, cy, depth, width):
    """A Gaussian dip of `depth` centred at (cx, cy): -depth exp(-|p - c|^2 / width)."""
    return -depth * mt.exp(-((x - cx) ** 2 + (y - cy) ** 2) / width)


def _wells(x, y):
    bowl = 0.08 * (x * x + y * y)
    return (
        bowl
        + _dip(x, y, 1.6, -1.0, 1.6, 0.9)
        + _dip(x, y, -1.5, 1.2, 1.0, 0.6)
        + _dip(x, y, 0.8, 2.2, 0.7, 0.4)
    )


def _wells_surface():
    return Surface(
        "wells",
        "f = 0.08(x² + y²) − three Gaussian dips",
        _wells,
        xlim=(-3.5, 3.5),
        ylim=(-3, 3.5),
        start=(-3.0, 3.0),
        default_lrs=_lrs(sgd=0.3, momentum=0.1, adaptive=0.1, adagrad=0.8),
        minima=[(1.54, -0.96), (-1.44, 1.14), (0.76, 2.1)],
        description="three dips of different depth; the deepest is near (1.5, −1.0)",
    )


def _bowl(x, y):
    return 0.5 * (x * x + y * y)


def _noisy_bowl_surface():
    return Surface(
        "noisy_bowl",
        "f = ½(x² + y²), noisy gradients p − ξ",
        _bowl,
        xlim=(-4, 4),
        ylim=(-4, 4),
        start=(-3.0, 3.0),
        default_lrs=_lrs(sgd=0.1, momentum=0.02, adaptive=0.1, adagrad=1.0),
        minima=[(0.0, 0.0)],
        min_value=0.0,
        hessian_eigenvalues=(1.0, 1.0),
        noise_std=1.0,
        description="a round bowl seen through noisy gradients: each step differentiates "
        "½|p − ξ|² for a fresh sample ξ ~ N(0, I)",
    )


def _builtin_words():
    """{name: (name, formula, description)} of the built-in surfaces, looked up now (the
    English is the same as in the Surface objects above)."""
    return {
        "quadratic": (
            _("quadratic"),
            "f(x, y) = ½(x² + 10y²)",
            _("an ill-conditioned bowl (condition number 10)"),
        ),
        "rosenbrock": (
            _("rosenbrock"),
            "f(x, y) = (1 − x)² + 100(y − x²)²",
            _("a curved valley with a flat floor; the minimum is at (1, 1)"),
        ),
        "saddle": (
            _("saddle"),
            "f(x, y) = ½x² − ½y² + ¼y⁴",
            _("a saddle point at (0, 0) between two minima at (0, ±1)"),
        ),
        "wells": (
            _("wells"),
            _("f = 0.08(x² + y²) − three Gaussian dips"),
            _("three dips of different depth; the deepest is near (1.5, −1.0)"),
        ),
        "noisy_bowl": (
            _("noisy_bowl"),
            _("f = ½(x² + y²), noisy gradients p − ξ"),
            _(
                "a round bowl seen through noisy gradients: each step differentiates "
                "½|p − ξ|² for a fresh sample ξ ~ N(0, I)"
            ),
        ),
    }


def _builtin_surfaces():
    """The race's surfaces by name, each made by the function under its f(x, y) above."""
    made = [_quadratic_surface(), _rosenbrock_surface(), _saddle_surface(), _wells_surface(),
            _noisy_bowl_surface()]  # fmt: skip
    return {surface.name: surface for surface in made}


# ----------------------------------------------------------------------------- helpers


def _pair(value, what):
    try:
        a, b = value
        return (float(a), float(b))
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be two numbers, like (-2, 2); got {value!r}") from None


def _name(f):
    return getattr(f, "__name__", type(f).__name__)


def _count_positional(f):
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return 2  # builtins without a signature: assume f(x, y)
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in parameters if p.kind in kinds and p.default is p.empty]
    return len(required)


def _check_scalar_output(fn, start, label):
    x = mt.tensor(start[0], requires_grad=True)
    y = mt.tensor(start[1], requires_grad=True)
    out = fn(x, y)
    if not isinstance(out, mt.Tensor):
        raise TypeError(
            f"{label} must return a minitensor Tensor built with minitensor ops, so autograd "
            f"can differentiate it; it returned {type(out).__name__} {out!r}. Use mt.sin, "
            "mt.exp, ... instead of math.sin, and keep x and y as tensors."
        )
    if out.numel() != 1:
        raise ValueError(
            f"{label} must return a single number (a loss), but at the start point it "
            f"returned a tensor of shape {list(out.shape)}"
        )
    if not out.requires_grad:
        raise ValueError(
            f"{label} does not depend on x and y through minitensor ops (its result has no "
            "grad_fn), so there is no gradient to follow"
        )
    if not math.isfinite(out.item()):
        raise ValueError(f"{label} is {out.item()} at the start point {start}; pick another")


def _works_batched(fn, surface):
    """Does fn give, for a batch of points at once, what it gives for each point alone?

    The race evaluates all optimizers in one call when it can (much faster). A function that
    mixes entries (say with .sum()) would silently give wrong numbers batched, so we compare
    a few points both ways and use the batched call only when they agree.
    """
    rng = np.random.default_rng(0)
    lows = np.array([surface.xlim[0], surface.ylim[0]])
    highs = np.array([surface.xlim[1], surface.ylim[1]])
    points = np.vstack([surface.start, rng.uniform(lows, highs, size=(4, 2))])
    one_by_one = surface.values(points)  # surface.batched is False here
    try:
        with mt.no_grad():
            x = mt.tensor(points[:, 0].tolist())
            y = mt.tensor(points[:, 1].tolist())
            together = fn(x, y)
    except Exception:  # any failure just means "evaluate one point at a time"
        return False
    if not isinstance(together, mt.Tensor) or tuple(together.shape) != (len(points),):
        return False
    return bool(np.allclose(together.numpy(), one_by_one, rtol=1e-4, atol=1e-6, equal_nan=True))


SURFACES = _builtin_surfaces()


def get_surface(surface, **options):
    """A Surface from a name ("rosenbrock"), a Surface, or your own function."""
    if isinstance(surface, (Surface, str)) and options:
        raise TypeError(
            f"{sorted(options)} only apply to your own function f(x, y); the surface "
            f"{getattr(surface, 'name', surface)!r} has its own"
        )
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(
                f"unknown surface {surface!r}; choose one of {sorted(SURFACES)} "
                "or pass your own function f(x, y)"
            )
        return SURFACES[surface]
    return Surface.from_function(surface, **options)
