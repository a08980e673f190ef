"""The backward-stepper widget: `step_backward(loss)` in a lesson, `BackwardStepper` underneath.

    from widgets import step_backward
    stepper = step_backward(loss)
    stepper                     # Next / Prev / Play / Reset, a step slider, Apply

The graph is redrawn at every step: the node that just ran has a thick vermillion border
and a ▶, processed nodes a green border and a ✓, every tensor shows the gradient that has
reached it so far, and the panel underneath spells out the chain rule with numbers.

Nothing changes your tensors until you press Apply (or call `stepper.apply()`), which adds
the gradients into `.grad` exactly like `loss.backward(retain_graph=True)`.

Play never blocks the kernel: it is an ipywidgets.Play (the browser ticks) linked to the
step slider, and every change of the slider redraws. Output from buttons goes through
`Output.append_stdout`, which behaves the same in JupyterLab and under nbval.

Read next: model.py (the state), ../graph/view.py (the drawing).
"""

import ipywidgets as ipw

from ..common import style as styles
from ..common.numbers import summarize, to_numpy
from ..common.translation import _
from ..common.view import sized
from ..graph.view import GraphPicture, _escape, names_or_callers, render
from .model import BackwardStepperModel


def _button(description, css_class, tooltip, icon=""):
    button = ipw.Button(description=description, tooltip=tooltip, icon=icon)
    return button.add_class(css_class)


class BackwardStepper(ipw.VBox):
    """Buttons, a slider and a graph over the real engine's backward steps.

    rankdir ("TB" or "LR"), interval_ms (Play's speed), style and font_scale are the
    view's; everything else (params, model, names, max_nodes, ...) is the model's: see
    BackwardStepperModel and GraphModel.
    """

    def __init__(
        self, loss, gradient=None, rankdir="TB", interval_ms=1000, style=None, font_scale=None,
        **graph_options,
    ):  # fmt: skip
        self.stepper = BackwardStepperModel(loss, gradient, **graph_options)
        self.display_style = styles.resolve(style, font_scale)
        self.rankdir = rankdir
        self._svg_cache = {}
        self._build_controls(interval_ms)
        self.picture = GraphPicture(self.display_style, css_class="mt-stepper-graph")
        self.panel = ipw.HTML().add_class("mt-stepper-panel")
        self.messages = ipw.Output().add_class("mt-stepper-log")
        controls = ipw.HBox(
            [self.reset_button, self.prev_button, self.next_button, self.play, self.apply_button]
        )
        super().__init__(
            children=[controls, ipw.HBox([self.slider, self.speed]), self.picture, self.panel,
                      self.messages]
        )  # fmt: skip
        self.add_class("mt-stepper")
        sized(self, self.display_style)  # buttons and sliders at the text's size
        self.rendering = None
        self.redraw()

    def _build_controls(self, interval_ms):
        """The buttons, Play, the step slider and the speed slider, wired to this widget."""
        steps = len(self.stepper)
        self.reset_button = _button(_("Reset"), "mt-stepper-reset", _("back to the start"), "undo")
        self.prev_button = _button(
            _("Prev"), "mt-stepper-prev", _("one step back"), "step-backward"
        )
        self.next_button = _button(_("Next"), "mt-stepper-next", _("run the next node"),
                                   "step-forward")  # fmt: skip
        self.apply_button = _button(
            _("Apply"),
            "mt-stepper-apply",
            _("add the gradients into .grad, as loss.backward() does"),
        )
        self.play = ipw.Play(value=0, min=0, max=steps, step=1, interval=interval_ms)
        self.play.add_class("mt-stepper-play")
        self.slider = ipw.IntSlider(value=0, min=0, max=steps, description=_("step"))
        self.slider.add_class("mt-stepper-slider")
        self.speed = ipw.IntSlider(
            value=interval_ms, min=100, max=3000, step=100, description=_("ms/step")
        ).add_class("mt-stepper-speed")
        # Kernel-side links (not jslink): Python must redraw when the Play widget ticks.
        ipw.link((self.play, "value"), (self.slider, "value"))
        ipw.link((self.speed, "value"), (self.play, "interval"))
        self.reset_button.on_click(lambda _: self.reset())
        self.prev_button.on_click(lambda _: self.prev())
        self.next_button.on_click(lambda _: self.next())
        self.apply_button.on_click(lambda _: self.apply())
        self.slider.observe(self._on_slider, "value")

    # ---------------------------------------------------------------- moving

    def next(self):
        """One node further (what the Next button does); returns the chain rule as text."""
        self._move_to(self.slider.value + 1)
        return self.stepper.chain_rule_text()

    def prev(self):
        self._move_to(self.slider.value - 1)
        return self.stepper.chain_rule_text()

    def reset(self):
        self._move_to(0)
        return self.stepper.chain_rule_text()

    def go_to(self, position):
        if not 0 <= position <= len(self.stepper):
            raise IndexError(f"step {position} is outside 0 ... {len(self.stepper)}")
        self._move_to(position)
        return self.stepper.chain_rule_text()

    def _move_to(self, position):
        position = max(0, min(position, len(self.stepper)))
        if position == 0:
            self.play.playing = False
        self.slider.value = position  # the slider's observer does the rest

    def _on_slider(self, change):
        self.stepper.go_to(change["new"])
        self.redraw()

    def redraw(self):
        """Draw the graph and the chain-rule panel for the current step."""
        stepper = self.stepper
        self.rendering = render(stepper.graph(), self.display_style, self.rankdir, self._svg_cache)
        self.picture.show(self.rendering)
        text = _escape(stepper.chain_rule_text()).replace("+=", "<b>+=</b>")
        font = self.display_style.css_font(14)
        self.panel.value = f'<pre style="font-size:{font}; white-space:pre-wrap">{text}</pre>'
        self.prev_button.disabled = self.reset_button.disabled = stepper.at_start
        self.next_button.disabled = stepper.at_end

    # ---------------------------------------------------------------- applying

    def apply(self):
        """Add the gradients into .grad (like loss.backward(retain_graph=True)); report it."""
        changed = self.stepper.apply()
        self._move_to(len(self.stepper))
        lines = [
            _("Applied (time {times}): the leaves' .grad now hold", times=self.stepper.applied)
        ]
        for leaf in changed:
            name = self.stepper.graph_model.name_of(leaf) or _("a leaf")
            lines.append(f"  {name}.grad = {summarize(to_numpy(leaf.grad))}")
        if self.stepper.applied > 1:
            lines.append(_("Applied again: gradients accumulate, as with a second backward()."))
        self.messages.append_stdout("\n".join(lines) + "\n")
        self.redraw()
        return changed

    # ---------------------------------------------------------------- static output

    def _repr_mimebundle_(self, **kwargs):
        """The live widget plus a static copy: the graph now, and the chain rule as text."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle.update(self.rendering.static_bundle())
        where = _("BackwardStepper at step {position} of {total}",
                  position=self.stepper.position, total=len(self.stepper))  # fmt: skip
        bundle["text/plain"] = where + "\n" + self.stepper.chain_rule_text()
        return bundle

    def __repr__(self):
        return f"<BackwardStepper: step {self.stepper.position} of {len(self.stepper)}>"


def step_backward(loss, gradient=None, names=None, **options):
    """Step through loss.backward() one node at a time (changes no .grad until Apply).

    names: default: the names your variables have where you call this; names=False: none.
    options: params, model, max_nodes (GraphModel's); rankdir, interval_ms, style,
             font_scale (BackwardStepper's).
    """
    names = names_or_callers(names)
    return BackwardStepper(loss, gradient, names=names, **options)
