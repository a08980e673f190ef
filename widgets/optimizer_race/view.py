"""The optimizer race widget: `race(...)` in a lesson, `OptimizerRace` underneath.

    from widgets import race
    race("rosenbrock", optimizers=("SGD", "Momentum", "Adam"))
    race(lambda x, y: (x - 1) ** 2 + 10 * (y - x * x) ** 2, xlim=(-2, 2), ylim=(-1, 3))

What you get: the surface's contour plot with every optimizer's path, the loss against the
step, sliders for each learning rate, momentum, betas, weight decay, number of steps and the
start point; a step slider with Play to scrub through time (each optimizer's position, its
momentum or Adam step as an arrow, and its state in the table on the right); toggles that
switch to the teaching comparisons (momentum conventions, Adam's bias correction, Adam's L2
against AdamW). The settings and a caption generated from them sit next to the picture.

Sliders that change the race recompute when released; the step slider only redraws (every
number it shows was recorded during the run). The picture is a PNG in an `Image` widget,
drawn with matplotlib's Agg canvas: no ipympl, and nothing printed into the cell, so the
widget behaves the same in JupyterLab, Notebook 7, and under nbval. Messages from callbacks
go through `Output.append_stdout`. The displayed output also carries the PNG and the caption
as static copies for GitHub, nbviewer and exported HTML.

Read next: model.py (what is computed), plot.py (how it is drawn).
"""

import base64
import html

import ipywidgets as ipw

from ..common import style as styles
from ..common.translation import _
from ..common.view import sized
from .model import COMPARISONS, RaceModel
from .plot import MARKER_SYMBOLS, RacePicture, look
from .surfaces import OPTIMIZER_NAMES, SURFACES


def compare_labels():
    """{comparison: the words on its button}, in the learner's language."""
    return {
        "optimizers": _("optimizers"),
        "momentum": _("momentum conventions"),
        "bias_correction": _("Adam bias correction"),
        "weight_decay": _("Adam L2 vs AdamW"),
    }


def state_rows():
    """Rows of the state table: (name in Run.quantities_at, what the table calls it).
    PyTorch's state keys (momentum_buffer, exp_avg, ...) stay as they are: they are what
    a learner finds in `optimizer.state[p]`."""
    return [
        ("position", _("position p")),
        ("loss", _("loss f(p)")),
        ("gradient", _("gradient g")),
        ("update", _("update p_t − p_(t−1)")),
        ("momentum_buffer", "momentum_buffer v"),
        ("step", _("Adam step t")),
        ("exp_avg", "exp_avg m"),
        ("exp_avg_sq", "exp_avg_sq v"),
        ("m_hat", "m̂"),
        ("v_hat", "v̂"),
        ("effective lr", "lr / (√v̂ + ε)"),
        ("square_avg", "square_avg"),
        ("sum", _("sum of g²")),
    ]


class OptimizerRace(ipw.VBox):
    """The race widget. `model` is its RaceModel; `picture` draws it. See the module docstring."""

    def __init__(self, model=None, font_scale=None, style=None, log_scale=True, **settings):
        self.model = model if model is not None else RaceModel(**settings)
        self.display_style = styles.resolve(style, font_scale)
        self.picture = RacePicture(font_scale=self.display_style.font_scale)
        self._syncing = False
        self.png = b""
        self._build_controls(log_scale)
        super().__init__(children=self._layout())
        self.add_class("mt-race")
        sized(self, self.display_style)  # buttons and sliders at the text's size
        self._sync_controls()
        self.step_slider.max = self.model.steps
        self.step_slider.value = self.model.steps  # start by showing the whole race
        self.refresh()

    # ------------------------------------------------------------------ controls

    def _build_controls(self, log_scale):
        self._build_choices()
        self._build_sliders()
        self._build_timeline_and_panels(log_scale)
        self._observe_controls()

    def _build_choices(self):
        """The comparison buttons, the surface menu and one toggle per optimizer."""
        m = self.model
        self.compare = ipw.ToggleButtons(
            options=[(compare_labels()[c], c) for c in COMPARISONS],
            value=m.compare,
            style={"button_width": "auto"},  # whole labels, not "momentum conv..."
        ).add_class("mt-race-compare")
        self.surfaces = dict(SURFACES)
        if m.surface.name not in SURFACES:
            self.surfaces[m.surface.name] = m.surface  # your own function
        self.surface = ipw.Dropdown(
            options=[(surface.words()[0], name) for name, surface in self.surfaces.items()],
            value=m.surface.name,
            description=_("surface"),
        )
        self.best = ipw.Button(
            description=_("best settings"),
            tooltip=_(
                "every optimizer at its best lr (and momentum): from the eigenvalues on a "
                "quadratic, else by a sweep; the settings panel says how"
            ),
        ).add_class("mt-race-best")
        self.optimizer_toggles = {
            name: ipw.ToggleButton(value=name in m.optimizers, description=name).add_class(
                "mt-race-optimizer"
            )
            for name in OPTIMIZER_NAMES
        }

    def _build_sliders(self):
        """The settings: they re-run the race when let go (continuous_update=False)."""
        m = self.model
        recompute = {"continuous_update": False, "style": {"description_width": "initial"}}
        self.lr_sliders = {
            name: ipw.FloatLogSlider(
                value=m.lrs[name], base=10, min=-5, max=1, step=0.05,
                description=_("lr {name}", name=name), readout_format=".3g", **recompute,
            ).add_class("mt-race-lr")
            for name in OPTIMIZER_NAMES
        }  # fmt: skip
        self.momentum = ipw.FloatSlider(
            value=m.momentum,
            min=0,
            max=0.99,
            step=0.01,
            description=_("momentum μ"),
            **recompute,
        )
        self.beta1 = ipw.FloatSlider(
            value=m.betas[0], min=0, max=0.99, step=0.01, description="β1", **recompute
        )
        self.beta2 = ipw.FloatSlider(
            value=m.betas[1], min=0.9, max=0.9999, step=0.0001, readout_format=".4f",
            description="β2", **recompute,
        )  # fmt: skip
        self.weight_decay = ipw.FloatSlider(
            value=m.weight_decay, min=0, max=1, step=0.01, description=_("weight_decay"),
            **recompute,
        )  # fmt: skip
        self.steps = ipw.IntSlider(value=m.steps, min=1, max=1000, description=_("steps"),
                                   **recompute)  # fmt: skip
        self.start_x = ipw.FloatSlider(description=_("start x"), readout_format=".2f", **recompute)
        self.start_y = ipw.FloatSlider(description=_("start y"), readout_format=".2f", **recompute)
        self.seed = ipw.BoundedIntText(value=m.seed, min=0, max=2**31 - 1, description=_("seed"))
        self.rescale_lr = ipw.Checkbox(value=m.rescale_lr, description=_("rescale lr to match"))

    def _build_timeline_and_panels(self, log_scale):
        """Play and the step slider (they only redraw), the picture and the text panels."""
        m = self.model
        self.log_scale = ipw.Checkbox(value=log_scale, description=_("log-scale loss"))
        self.step_slider = ipw.IntSlider(value=0, min=0, max=m.steps, description=_("step"))
        self.step_slider.add_class("mt-race-step")
        self.play = ipw.Play(value=0, min=0, max=m.steps, step=1, interval=80)
        self.play.add_class("mt-race-play")
        # link, not jslink: Python must see every step to draw it
        ipw.link((self.play, "value"), (self.step_slider, "value"))
        self.image = ipw.Image(format="png").add_class("mt-race-image")
        self.settings_box = ipw.HTML().add_class("mt-race-settings")
        self.state_box = ipw.HTML().add_class("mt-race-state")
        self.caption_box = ipw.HTML().add_class("mt-race-caption")
        self.messages = ipw.Output().add_class("mt-race-messages")

    def _observe_controls(self):
        for control in self._setting_controls():
            control.observe(self._on_setting, "value")
        for toggle in self.optimizer_toggles.values():
            toggle.observe(self._on_setting, "value")
        for slider in self.lr_sliders.values():
            slider.observe(self._on_setting, "value")
        self.log_scale.observe(lambda _: self.refresh(), "value")
        self.best.on_click(lambda _: self.use_best_settings())
        self.step_slider.observe(self._on_step, "value")

    def _setting_controls(self):
        return [
            self.compare, self.surface, self.momentum, self.beta1, self.beta2,
            self.weight_decay, self.steps, self.start_x, self.start_y, self.seed,
            self.rescale_lr,
        ]  # fmt: skip

    def _layout(self):
        """Rows that wrap: on a narrow screen the panels move under the picture."""
        wrap = {"flex_flow": "row wrap", "align_items": "flex-start"}
        for toggle in self.optimizer_toggles.values():
            toggle.layout.width = "auto"
        self.optimizer_row = ipw.HBox(list(self.optimizer_toggles.values()), layout=wrap)
        self.lr_box = ipw.VBox()
        self.hyper_box = ipw.VBox()
        self.image.layout.max_width = "100%"  # shrink rather than overflow the notebook
        self.step_slider.layout.width = "420px"
        top = ipw.HBox([self.surface, self.log_scale, self.best], layout=wrap)
        timeline = ipw.HBox([self.play, self.step_slider]).add_class("mt-race-timeline")
        side = ipw.VBox([self.settings_box, self.state_box], layout={"padding": "0 0 0 12px"})
        sliders = ipw.HBox([self.lr_box, self.hyper_box], layout=wrap)
        return [
            self.compare, top, self.optimizer_row, ipw.HBox([self.image, side], layout=wrap),
            timeline, sliders, self.caption_box, self.messages,
        ]  # fmt: skip

    def _sync_controls(self):
        """Make the controls show the model's settings (after a surface change, say)."""
        m = self.model
        self._syncing = True
        try:
            for name, slider in self.lr_sliders.items():
                slider.value = m.lrs[name]
            self.momentum.value = m.momentum
            (x0, x1), (y0, y1) = m.surface.xlim, m.surface.ylim
            for slider, low, high, value in (
                (self.start_x, x0, x1, m.start[0]),
                (self.start_y, y0, y1, m.start[1]),
            ):
                slider.min, slider.max = -1e9, 1e9  # widen first: min must stay below max
                slider.min, slider.max = low, high
                slider.step = (high - low) / 400
                slider.value = value
            self.surface.value = m.surface.name
            self.lr_box.children = [self.lr_sliders[key] for key in m.lr_keys()]
            plain = m.compare == "optimizers"
            self.optimizer_row.layout.display = None if plain else "none"
            hyper = [self.steps, self.start_x, self.start_y]
            uses = {runner.lr_key for runner in m.runners()}
            if uses & {"Momentum", "Nesterov"}:
                hyper.insert(0, self.momentum)
            if m.compare == "momentum":
                hyper.insert(1, self.rescale_lr)
            if uses & {"Adam", "AdamW"}:
                hyper[0:0] = [self.beta1, self.beta2]
            if m.compare == "weight_decay" or (plain and "AdamW" in m.optimizers):
                hyper.insert(0, self.weight_decay)
            if m.surface.is_stochastic:
                hyper.append(self.seed)
            self.hyper_box.children = hyper
        finally:
            self._syncing = False

    def _on_setting(self, change):
        if self._syncing:
            return
        m = self.model
        chosen = tuple(name for name, t in self.optimizer_toggles.items() if t.value)
        try:
            if change["owner"] is self.surface:
                m.set(surface=self.surfaces[self.surface.value])
            elif change["owner"] in self.optimizer_toggles.values() and not chosen:
                change["owner"].value = True  # keep at least one optimizer in the race
                self.messages.append_stdout(_("Keep at least one optimizer in the race.") + "\n")
                return
            else:
                m.set(
                    compare=self.compare.value,
                    optimizers=chosen,
                    lr={name: s.value for name, s in self.lr_sliders.items()},
                    momentum=self.momentum.value,
                    betas=(self.beta1.value, self.beta2.value),
                    weight_decay=self.weight_decay.value,
                    steps=self.steps.value,
                    start=(self.start_x.value, self.start_y.value),
                    seed=self.seed.value,
                    rescale_lr=self.rescale_lr.value,
                )
        except (ValueError, TypeError) as error:
            self.messages.append_stdout(f"{error}\n")
            return
        self._sync_controls()
        self.refresh()

    def use_best_settings(self):
        """The "best settings" button: every optimizer at its best lr, then redraw."""
        self.model.use_best_settings()
        self._sync_controls()
        return self.refresh()

    def race_settings(self, lr, momentum, optimizers=("SGD", "Momentum")):
        """Race these momentum settings (the momentum map's click) against the others."""
        chosen = tuple(dict.fromkeys((*self.model.optimizers, *optimizers)))
        self.model.set(compare="optimizers", optimizers=chosen, lr={"Momentum": lr},
                       momentum=momentum)  # fmt: skip
        self._syncing = True
        try:
            self.compare.value = "optimizers"
            for name, toggle in self.optimizer_toggles.items():
                toggle.value = name in chosen
        finally:
            self._syncing = False
        self._sync_controls()
        return self.refresh()

    # ------------------------------------------------------------------ drawing

    def _on_step(self, change):
        if not self._syncing:
            self.refresh_frame()

    def refresh(self):
        """Recompute if a setting changed, redraw everything, update the texts."""
        m = self.model
        result = m.result
        self._syncing = True  # moving the step slider's ends must not draw frames
        try:
            at_end = self.step_slider.value >= self.step_slider.max
            self.play.max = self.step_slider.max = result.steps
            if at_end:
                self.step_slider.value = result.steps
        finally:
            self._syncing = False
        self.settings_box.value = self._settings_html()
        self.caption_box.value = (
            f'<p style="font-size:{self.display_style.css_font(13)}; max-width:70em">'
            f"{html.escape(m.caption())}</p>"
        )
        self.refresh_frame()
        return self

    def refresh_frame(self):
        """Redraw for the current step only (no recomputation)."""
        t = self.step_slider.value
        self.png = self.picture.draw(self.model, t, log_scale=self.log_scale.value)
        self.image.value = self.png
        self.state_box.value = self._state_html(t)

    def _settings_html(self):
        font = self.display_style.css_font(13)
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in self.model.settings_lines())
        return (
            f'<div style="font-size:{font}; line-height:1.4"><b>{html.escape(_("Settings"))}</b>'
            f'<ul style="margin:0.2em 0; padding-left:1.2em">{lines}</ul></div>'
        )

    def _state_html(self, t):
        runs = self.model.result.runs
        table = [dict((name, value) for name, _, value in run.quantities_at(t)) for run in runs]
        font = self.display_style.css_font(12)
        heads = []
        for run in runs:
            colour, marker = look(run.runner.key)
            heads.append(
                f'<th style="color:{colour}">{MARKER_SYMBOLS[marker]} '
                f"{html.escape(run.runner.key)}</th>"
            )
        head = "".join(heads)
        rows = []
        for name, label in state_rows():
            if not any(name in values for values in table):
                continue
            cells = "".join(f"<td>{_number(values.get(name))}</td>" for values in table)
            rows.append(f"<tr><td>{html.escape(label)}</td>{cells}</tr>")
        return (
            f'<div style="font-size:{font}"><b>{html.escape(_("State after step {t}", t=t))}</b>'
            f'<table style="border-collapse:collapse"><tr><th></th>{head}</tr>'
            f"{''.join(rows)}</table></div>"
        )

    # ------------------------------------------------------------------ static output

    def _repr_mimebundle_(self, **kwargs):
        """The live widget plus a static PNG and the caption, for viewers without a kernel."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        bundle["text/plain"] = self.model.caption()
        return bundle

    def _repr_png_(self):
        return self.png

    def __repr__(self):
        m = self.model
        return f"<OptimizerRace: {m.surface.name}, {len(m.runners())} runs, {m.steps} steps>"


def race(
    surface="quadratic",
    optimizers=("SGD", "Momentum", "Adam"),
    font_scale=None,
    log_scale=True,
    **settings,
):
    """An optimizer race on `surface` (a name or your own f(x, y)); see RaceModel's settings.

    race("rosenbrock", optimizers=("SGD", "Adam"), lr={"SGD": 1e-3, "Adam": 0.05}, steps=300)
    race(compare="momentum")      # the three momentum conventions, overlaid
    race(lambda x, y: x**2 + 5 * y**2, xlim=(-2, 2), ylim=(-1, 1), start=(1.5, 0.8))
    """
    model = RaceModel(surface, optimizers=optimizers, **settings)
    return OptimizerRace(model, font_scale=font_scale, log_scale=log_scale)


def _number(value):
    """A table cell: '(-1.23, 0.456)' for a pair, '0.0123' for a number, '' for nothing."""
    if value is None:
        return ""
    try:
        values = [float(v) for v in value]
    except TypeError:
        values = [float(value)]
    text = ", ".join(f"{v:.3g}" for v in values)
    return f"({text})" if len(values) > 1 else text
