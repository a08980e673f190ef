"""The race's inner loop: live parameters and optimizers, stepped together, numbers copied out.

A `Track` is one optimizer's run in progress: its parameter p (a 2-element tensor), its
optimizer, and NumPy arrays with a copy of everything worth showing after each step.
`advance(tracks, steps, ...)` steps every track that is behind until it has `steps` steps.
Each round is the ordinary training loop:

    loss = f(x, y);  loss.backward();  optimizer.step();  optimizer.zero_grad()

except that all tracks share one forward and one backward: their parameters are stacked
into one (2, k) tensor, f is evaluated for all k at once (it works elementwise), and the sum
of the k losses is differentiated. The losses do not interact, so each parameter receives
exactly the gradient of its own loss; the race just pays for one graph instead of k.

Tracks are kept alive between settings, so a longer race continues where the last one
stopped, and changing one optimizer's lr re-runs only that optimizer (model.py keeps
them in a small cache, keyed by everything that determines the path).

Read next: model.py (which tracks to run, and what the results mean).
"""

import numpy as np

import minitensor as mt

# A run counts as diverged once it is this many plot-widths away from the plotted region:
# from there its numbers only grow to inf.
DIVERGED_WIDTHS = 100.0


class Track:
    """One runner's simulation so far. Row t of each array is "after t steps"."""

    def __init__(self, runner, optimizer, p):
        self.runner = runner
        self.optimizer = optimizer
        self.p = p
        self.steps_done = 0
        self.diverged_at = None
        self.positions = np.full((1, 2), np.nan)
        self.positions[0] = p.detach().numpy()
        self.grads = np.full((1, 2), np.nan)  # row t: the gradient step t used
        self.losses = np.full(1, np.nan)
        self.states = {}  # state key -> array of copies, e.g. "exp_avg" -> (rows, 2)
        self._losses_done = -1

    def needs(self, steps):
        return self.diverged_at is None and self.steps_done < steps

    def _grow(self, rows):
        """Make room for `rows` rows (doubling, so a long race does not copy each step)."""
        old = len(self.positions)
        if rows <= old:
            return
        rows = max(rows, 2 * old)

        def grow(array):
            bigger = np.full((rows,) + array.shape[1:], np.nan)
            bigger[:old] = array
            return bigger

        self.positions, self.grads, self.losses = (
            grow(self.positions), grow(self.grads), grow(self.losses)
        )  # fmt: skip
        self.states = {key: grow(value) for key, value in self.states.items()}

    def step(self, box):
        """optimizer.step() with the gradient already in p.grad; copy out the numbers."""
        t = self.steps_done + 1
        self._grow(t + 1)
        # numpy(force=True): the numbers without making a detached tensor first (this runs
        # thousands of times per race); assigning into the arrays copies them
        self.grads[t] = self.p.grad.numpy(force=True)
        self.optimizer.step()
        self.optimizer.zero_grad()
        self.positions[t] = self.p.numpy(force=True)
        for key, value in self.optimizer.state[self.p].items():
            number = value.numpy(force=True) if isinstance(value, mt.Tensor) else value
            if key not in self.states:
                self.states[key] = np.full((len(self.positions),) + np.shape(number), np.nan)
            self.states[key][t] = number
        self.steps_done = t
        x, y = self.positions[t]
        if not (box[0] <= x <= box[1] and box[2] <= y <= box[3]):  # also catches nan
            self.diverged_at = t
            self.positions[t] = np.nan

    def losses_up_to(self, surface, steps):
        """f at positions 0..steps (noise-free), computed once per row, all rows in one call."""
        last = min(steps, self.steps_done)
        if last > self._losses_done:
            rows = slice(self._losses_done + 1, last + 1)
            points = self.positions[rows]
            finite = np.isfinite(points).all(axis=1)
            values = np.full(len(points), np.nan)
            if finite.any():
                values[finite] = surface.values(points[finite])
            self.losses[rows] = values
            self._losses_done = last
        return self.losses[: steps + 1]


class NoiseTable:
    """The noisy bowl's samples xi_t, one row per step, drawn in order from a seeded
    minitensor Generator: every optimizer sees the same xi_t at its step t."""

    def __init__(self, seed, std):
        self.seed, self.std = seed, std
        self._generator = mt.Generator().manual_seed(seed)
        self._rows = [np.full(2, np.nan)]  # row 0: no step, no sample

    def rows(self, steps):
        """A (2, k) tensor whose column j is xi at step steps[j]."""
        while len(self._rows) <= max(steps):
            xi = mt.randn(2, generator=self._generator) * self.std
            self._rows.append(xi.numpy())
        return mt.tensor(np.stack([self._rows[t] for t in steps], axis=1))


def divergence_box(surface):
    """The region outside which a run counts as diverged (see DIVERGED_WIDTHS)."""
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    margin_x, margin_y = DIVERGED_WIDTHS * (x1 - x0), DIVERGED_WIDTHS * (y1 - y0)
    return (x0 - margin_x, x1 + margin_x, y0 - margin_y, y1 + margin_y)


def advance(tracks, steps, surface, noise_table=None):
    """Step every track that is behind until it has `steps` steps (or has diverged).

    Returns how many optimizer steps were taken (0 when everything was already there).
    """
    box = divergence_box(surface)
    taken = 0
    with np.errstate(all="ignore"):  # a diverging run overflows on purpose: no warnings
        while True:
            active = [track for track in tracks if track.needs(steps)]
            if not active:
                return taken
            noise = None
            if noise_table is not None:
                noise = noise_table.rows([track.steps_done + 1 for track in active])
            _backward(surface, [track.p for track in active], noise)
            for track in active:
                track.step(box)
            taken += len(active)


def _backward(surface, params, noise):
    """One forward and one backward that fill p.grad for every p in `params`."""
    if surface.batched:
        stacked = mt.stack(params, dim=1)  # (2, k): row 0 holds every run's x
        losses = surface.loss(stacked[0], stacked[1], noise)
        losses.sum().backward()
        return
    total = None
    for j, p in enumerate(params):
        loss = surface.loss(p[0], p[1], None if noise is None else noise[:, j])
        total = loss if total is None else total + loss
    total.backward()
