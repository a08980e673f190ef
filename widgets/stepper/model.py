"""Backpropagation one node at a time: the state behind the backward-stepper widget.

    stepper = BackwardStepperModel(loss)
    stepper.next()                  # run one more node of the real engine
    stepper.chain_rule_text()       # upstream x local derivative = contribution, in numbers
    stepper.graph()                 # the graph with the current node and gradients so far
    stepper.apply()                 # only now: leaf.grad += ..., exactly like loss.backward()

The steps are the real engine's, recorded once when the stepper is made with
`minitensor.autograd.graph.record_backward(loss, gradient)`: the same generator that
`loss.backward()` drains (autograd/engine.py), walked to the end.
- The saved tensors are kept (`retain_graph=True`), so your graph can still be
  backpropagated (or stepped again) afterwards.
- No `.grad` changes (`accumulate=False`, and retain_grad() tensors are put back):
  stepping, even to the end, changes none of your tensors. `apply()` adds the gradients
  with `graph.accumulate(step)`, backward's own rules for leaves and retain_grad()
  tensors: call it once, as you would call backward once.
- Tensor hooks (`register_hook`) run while the steps are recorded, as in backward.

Everything is read through minitensor's public API (`next_functions`,
`minitensor.autograd.graph`), never its private attributes: copy from here to write your
own visualiser.

Position k (0 ... number of steps) means "k nodes have run". The state at k is computed
from the recorded steps alone, so going back to k gives exactly what was shown at k.

Pure Python: no display library is imported here.

Read next: view.py (the buttons), ../../minitensor/autograd/graph.py (the engine's public
steps this replays).
"""

import numpy as np

from minitensor import Tensor
from minitensor.autograd import AccumulateGrad
from minitensor.autograd import graph as autograd_graph

from ..common.numbers import format_number, summarize, to_numpy
from ..common.translation import _
from ..graph.model import GraphModel, formula_of


class RecordedStep:
    """One engine step, its arrays copied to NumPy for display.

    engine_step is the engine's own BackwardStep (arrays on the tensors' device): apply()
    hands it to `graph.accumulate`. inputs are the nodes it sent gradient to (None: an
    input that needs no grad). local[i] is d out / d input i as a number, when the op is
    scalar (else None).
    """

    __slots__ = ("node", "inputs", "grad_output", "grad_inputs", "accumulated", "engine_step",
                 "local")  # fmt: skip

    def __init__(self, step, backend):
        self.node = step.node
        self.inputs = autograd_graph.input_nodes(step.node)
        self.engine_step = step
        self.grad_output = _copy(backend, step.grad_output)
        self.grad_inputs = tuple(_copy(backend, g) for g in step.grad_inputs)
        self.accumulated = step.accumulated
        self.local = _local_derivatives(step, backend)

    @property
    def is_leaf(self):
        return isinstance(self.node, AccumulateGrad)


def _copy(backend, array):
    return None if array is None else np.array(backend.to_numpy(array), copy=True)


def _local_derivatives(step, backend):
    """For a scalar op: d out / d input, by running its backward on an upstream of 1.

    That is the local derivative itself (exact even when the real upstream is 0). Only
    built-in ops: a custom Function's backward is the user's code and may have effects.
    """
    node = step.node
    no_answer = (None,) * len(autograd_graph.input_nodes(node))
    if step.grad_output.size != 1 or isinstance(node, AccumulateGrad):
        return no_answer
    if hasattr(node, "function"):
        return no_answer
    ones = node.xp.ones_like(step.grad_output)
    result = node.backward(ones)
    result = result if isinstance(result, tuple) else (result,)
    local = []
    for value in result:
        value = _copy(backend, value) if value is not None and not _is_number(value) else value
        single = value is not None and np.size(value) == 1
        local.append(float(np.asarray(value).reshape(-1)[0]) if single else None)
    return tuple(local)


def _is_number(value):
    return isinstance(value, (int, float))


class Overlay:
    """What GraphModel.build (../graph/model.py) draws for a half-done backward at one position."""

    def __init__(self, stepper, position):
        self.position = position
        steps = stepper.steps
        self.current = steps[position - 1].node if position > 0 else None
        self.done = {s.node for s in steps[: max(position - 1, 0)]}
        self.grads, self.counts, self.sent = stepper.gradients_after(position)

    def state(self, node):
        if node is self.current:
            return "current"
        return "done" if node in self.done else None

    def grad(self, node):
        return self.grads.get(node)

    def contributions(self, node):
        return self.counts.get(node, 0)

    def edge_label(self, op, i):
        sent = self.sent.get((op, i))
        if sent is None or sent.size != 1:
            return ""
        return _("grad {values}", values=summarize(sent))


class BackwardStepperModel:
    """Step through `loss.backward(gradient)` node by node; see the module docstring.

    graph_options go to the GraphModel that draws each step (params, model, names,
    max_nodes, ...: see ../graph/model.py), so the two cannot drift apart.
    """

    def __init__(self, loss, gradient=None, **graph_options):
        if not isinstance(loss, Tensor):
            raise TypeError(f"step_backward expects a minitensor Tensor, got {type(loss).__name__}")
        self.loss = loss
        self.graph_model = GraphModel(loss, **graph_options)
        self._labels = self.graph_model.build().label_of
        self._seeds = {}
        self.steps = []
        self._record(gradient)
        self.position = 0
        self.applied = 0  # how many times apply() ran

    # ---------------------------------------------------------------- recording

    def _record(self, gradient):
        """Run the engine's steps once, to the end, keeping every .grad as it was."""
        backend = self.loss.device.backend
        for step in autograd_graph.record_backward(self.loss, gradient):
            self.steps.append(RecordedStep(step, backend))
        root = autograd_graph.get_gradient_edge(self.loss).node
        if gradient is None:  # backward_steps has checked that loss is a single number
            dtype = self.steps[0].grad_output.dtype
            self._seeds[root] = np.ones(tuple(self.loss.shape), dtype=dtype)
        else:
            self._seeds[root] = to_numpy(gradient)

    # ---------------------------------------------------------------- moving

    def __len__(self):
        return len(self.steps)

    @property
    def at_start(self):
        return self.position == 0

    @property
    def at_end(self):
        return self.position == len(self.steps)

    def go_to(self, position):
        if not 0 <= position <= len(self.steps):
            raise IndexError(f"step {position} is outside 0 ... {len(self.steps)}")
        self.position = int(position)

    def next(self):
        if not self.at_end:
            self.position += 1
        return self.position

    def prev(self):
        if not self.at_start:
            self.position -= 1
        return self.position

    def reset(self):
        self.position = 0

    @property
    def current(self):
        """The step that just ran (None at the start)."""
        return self.steps[self.position - 1] if self.position > 0 else None

    # ---------------------------------------------------------------- what is known

    def gradients_after(self, position):
        """({node: gradient so far}, {node: number of contributions}, {(op, i): sent})."""
        grads = {root: seed for root, seed in self._seeds.items() if seed is not None}
        counts = dict.fromkeys(grads, 1)
        sent = {}
        for step in self.steps[:position]:
            for i, (child, g) in enumerate(zip(step.inputs, step.grad_inputs)):
                if child is None or g is None:
                    continue
                sent[(step.node, i)] = g
                grads[child] = grads[child] + g if child in grads else g
                counts[child] = counts.get(child, 0) + 1
        return grads, counts, sent

    def gradient_so_far(self, tensor, position=None):
        """The gradient that has reached `tensor` after `position` steps (None: not yet)."""
        node = autograd_graph.get_gradient_edge(tensor).node
        grads = self.gradients_after(self.position if position is None else position)[0]
        return grads.get(node)

    def overlay(self, position=None):
        return Overlay(self, self.position if position is None else position)

    def graph(self, position=None):
        """The Graph to draw at `position` (default: the current one)."""
        return self.graph_model.build(overlay=self.overlay(position))

    def label(self, node):
        if node is None:
            return _("(needs no grad)")
        return self._labels.get(node, node.name())

    def final_grads(self):
        """{leaf tensor: gradient array} that backward() would add into each leaf's .grad."""
        return {s.node.variable: s.grad_output for s in self.steps if s.is_leaf}

    # ---------------------------------------------------------------- the chain rule in words

    def chain_rule_text(self, position=None):
        """What happened at `position`, with numbers: upstream x local = contribution."""
        position = self.position if position is None else position
        total = len(self.steps)
        if position == 0:
            seed = next(iter(self._seeds.values()))
            seed_text = summarize(seed) if seed is not None else _("(none)")
            output = self.label(self.steps[0].node) if self.steps else _("the output")
            return _(
                "Start (0 of {total} steps). The seed gradient d loss/d loss = {seed} sits at "
                "{output}. Next runs the first node.",
                total=total,
                seed=seed_text,
                output=output,
            )
        step = self.steps[position - 1]
        after = self.gradients_after(position)[0]
        if step.is_leaf:
            return self._leaf_text(step, position, total)
        formula = formula_of(step.node)
        lines = [
            _("Step {position} of {total}: {op}", position=position, total=total,
              op=step.node.name()),
            _("formula: {formula}", formula=formula) if formula else "",
            _("upstream gradient (d loss / d {name}): {values}", name=self.label(step.node),
              values=_array_text(step.grad_output)),
        ]  # fmt: skip
        for i, child in enumerate(step.inputs):
            lines.append(self._term_text(step, i, child, after))
        return "\n".join(line for line in lines if line)

    def _term_text(self, step, i, child, after):
        name = self.label(child)
        contribution = step.grad_inputs[i] if i < len(step.grad_inputs) else None
        if child is None or contribution is None:
            return "  " + _("input {i} {name}: no gradient needed", i=i, name=name)
        local = step.local[i]
        if local is not None and contribution.size == 1:
            upstream = step.grad_output.reshape(-1)[0]
            value = format_number(contribution.reshape(-1)[0])
            maths = _(
                "upstream {upstream} × local {local} = {value}",
                upstream=format_number(upstream),
                local=format_number(local),
                value=value,
            )
        else:
            value = _("this contribution")
            maths = _("contribution {values}", values=_array_text(contribution))
        text = "  " + _("{name} (input {i}): {maths}", name=name, i=i, maths=maths)
        text += f"   → d loss/d {name} "
        if step.accumulated[i]:
            return text + _(
                "+= {value}   (fan-out: another path already sent some; now {total})",
                value=value,
                total=_array_text(after[child]),
            )
        return text + f"= {value}"

    def _leaf_text(self, step, position, total):
        leaf = step.node.variable
        name = self.label(step.node)
        arrived = _array_text(step.grad_output)
        now = "None" if leaf.grad is None else _array_text(to_numpy(leaf.grad))
        lines = [
            _("Step {position} of {total}: AccumulateGrad for leaf {name}", position=position,
              total=total, name=name),
            _("all gradient has arrived: d loss / d {name} = {values}", name=name,
              values=arrived),
        ]  # fmt: skip
        if self.applied:
            lines.append(_("apply() has added it ({times}x): {name}.grad is now {now}.",
                           times=self.applied, name=name, now=now))  # fmt: skip
        else:
            lines += [
                _("loss.backward() would now do {name}.grad += that ({name}.grad is {now} now).",
                  name=name, now=now),
                _("The stepper changes no .grad: call apply() (or the Apply button) to add it."),
            ]  # fmt: skip
        return "\n".join(lines)

    # ---------------------------------------------------------------- applying

    def apply(self):
        """Add the gradients into .grad, as loss.backward(retain_graph=True) would.

        Moves to the end (the whole backward pass is what gets applied). Returns the
        leaf tensors that were changed.
        """
        self.go_to(len(self.steps))
        changed = []
        for step in self.steps:
            # backward's own rule: into a leaf's .grad, or a retain_grad() tensor's
            landed = autograd_graph.accumulate(step.engine_step)
            if step.is_leaf:
                changed.append(landed)
        self.applied += 1
        return changed


def _array_text(values):
    values = np.asarray(values)
    shape = "" if values.ndim == 0 else " " + _("(shape {shape})", shape=tuple(values.shape))
    return summarize(values) + shape
