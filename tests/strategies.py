"""Hypothesis strategies shared by the tests: shapes, broadcast pairs, arrays, dims.

Values are drawn where finite differences are meaningful: a kink (relu at 0, abs at 0, a
clamp bound, a tie in max) makes the numerical derivative disagree with any backward, so
the strategies for those ops keep values off the kinks rather than the tests skipping them.

    shapes()            0 to 3 dims of 0 to 3 elements (size-0 and size-1 edges included)
    broadcast_shapes()  two shapes that broadcast, biased towards the awkward pairs
    arrays(shape)       float64 arrays with smooth values in [-2, 2]
    off_grid(shape)     values (k + 1/2) / 8: never 0, never a multiple of 1/8, all distinct
                        steps apart, so relu/abs/clamp/maximum never sit on a kink
    distinct(shape)     all different values (no ties for max/min)
    dims(ndim)          None, an int or a tuple of ints, as `dim=` accepts
"""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 3  # keep gradcheck cheap: one backward pass per output element


def examples(count):
    """`count` examples under the default profile (25), scaled with the profile in use, so
    `pytest --hypothesis-profile=thorough` (300) runs every test 12 times as long."""
    return max(1, count * settings().max_examples // 25)


# Pairs that broke broadcasting code before: scalars, size 0 against size 1, both sides
# stretched, a missing leading dim.
EDGE_PAIRS = (
    ((), ()),
    ((0,), ()),
    ((1,), (3,)),
    ((2, 0), (1,)),
    ((0, 3), (0, 1)),
    ((3, 1), (1, 2)),
    ((2, 3), (3,)),
    ((1, 1), ()),
    ((2, 1, 3), (2, 1)),
)


def shapes(min_dims=0, max_dims=3, min_side=0, max_side=MAX_SIDE):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcast_shapes(min_side=0):
    """Two shapes that broadcast against each other, e.g. (2, 1, 3) and (2, 1)."""
    drawn = hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=3, min_side=min_side, max_side=MAX_SIDE
    ).map(lambda result: result.input_shapes)
    edges = [pair for pair in EDGE_PAIRS if min(min(p, default=1) for p in pair) >= min_side]
    return st.one_of(st.sampled_from(edges), drawn)


def arrays(shape, low=-2.0, high=2.0):
    """float64 values in [low, high]."""
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=elements)


def positive(shape):
    """Values in [0.25, 3]: safe for log, sqrt and fractional powers."""
    return arrays(shape, 0.25, 3.0)


def off_grid(shape):
    """(k + 1/2) / 8 for k in [-16, 15]: in (-2, 2), never 0, never on a multiple of 1/8."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-16, 15).map(lambda k: (k + 0.5) / 8))


def on_grid(shape):
    """Multiples of 1/8 in [-2, 2]: bounds that off_grid values never touch."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-16, 16).map(lambda k: k / 8))


def distinct(shape):
    """All values different (at least 1/8 apart), so max/min have no ties."""
    elements = st.integers(-40, 40).map(lambda k: k / 8)
    return hnp.arrays(np.float64, shape, elements=elements, unique=True)


@st.composite
def dims(draw, ndim, allow_none=True, allow_tuple=True):
    """A `dim=` argument for a tensor with `ndim` dims: None, an int (maybe negative), a tuple."""
    if ndim == 0:
        return None if allow_none else draw(st.sampled_from([0, -1]))
    choices = []
    if allow_none:
        choices.append(st.none())
    choices.append(st.integers(-ndim, ndim - 1))
    if allow_tuple:
        choices.append(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
        )
    return draw(st.one_of(choices))


def normalised_axes(dim, ndim):
    """The NumPy `axis=` for a `dim=` argument (None stays None)."""
    if dim is None:
        return None
    if isinstance(dim, tuple):
        return tuple(d % ndim for d in dim)
    return dim % max(ndim, 1)
