"""The presentation size: one setting (widgets.set_presentation) that every view reads.

Headless: each widget is built at the normal and at the projector size, and the sizes it
would show are compared: the graph's DOT font, the panels' CSS font sizes, the pictures'
pixel widths, and the CSS rule that scales ipywidgets' own buttons and sliders. The browser
test of the demo app (tests/browser/test_demo_app.py) checks the same in chromium.
"""

import re

import pytest
from widget_examples import hand_built_mlp, scalar_expression, two_layer_net

import minitensor as mt
import widgets
from widgets.common import style as styles

pytest.importorskip("ipywidgets")


@pytest.fixture
def presentation():
    """Projector sizes for the widgets made inside the test; normal sizes again afterwards."""
    widgets.set_presentation(True)
    yield styles.default()
    widgets.set_presentation(False)


def png_width(png):
    return int.from_bytes(png[16:20], "big")


def make_all():
    """One widget of each kind, at the current default size."""
    _, _, _, d = scalar_expression()
    loss, params = hand_built_mlp()
    monitor = widgets.TrainingMonitor(total=2, min_interval=0, display=False)
    monitor.update(1.0)
    monitor.update(0.5)
    return {
        "graph": widgets.show_graph(d, names=False),
        "stepper": widgets.step_backward(loss, params=params),
        "race": widgets.race("saddle", steps=5),
        "monitor": monitor,
    }


def size_rule(widget):
    """The CSS text of the hidden size rule that common/view.py appended, or None."""
    rules = [c for c in widget.children if "mt-size-css" in c._dom_classes]
    return rules[0].value if rules else None


def test_set_presentation_is_one_switch_for_the_default_style(presentation):
    assert presentation.font_scale == styles.PROJECTOR_SCALE
    assert widgets.set_presentation(False).font_scale == 1.0
    assert widgets.set_presentation(True).font_scale == styles.PROJECTOR_SCALE


def test_the_size_rule_scales_the_stock_controls_css_variables():
    css = styles.Style(font_scale=1.5).controls_css()
    assert css.startswith(".mt-size-150 {")
    assert "--jp-widgets-font-size: 20px;" in css  # 13 px x 1.5, rounded
    assert "--jp-widgets-inline-height: 42px;" in css
    assert "--jp-widgets-inline-width: 450px;" in css
    assert "--jp-widgets-slider-handle-size: 24px;" in css
    assert "--jp-widgets-inline-width-short: calc(var(--jp-widgets-inline-width)" in css


def test_every_widget_at_normal_size_carries_no_size_rule():
    for name, widget in make_all().items():
        assert size_rule(widget) is None, name
        assert not any(c.startswith("mt-size-") for c in widget._dom_classes), name


def test_every_widget_made_in_presentation_mode_gets_the_projector_rule(presentation):
    for name, widget in make_all().items():
        assert presentation.size_class in widget._dom_classes, name
        rule = size_rule(widget)
        assert rule is not None, f"{name} has no size rule"
        assert rule == f"<style>{presentation.controls_css()}</style>", name
        assert rule and "--jp-widgets-font-size: 21px;" in rule  # 13 px x 1.6


def test_presentation_mode_makes_text_and_pictures_bigger():
    normal = make_all()
    widgets.set_presentation(True)
    try:
        big = make_all()
    finally:
        widgets.set_presentation(False)
    assert "fontsize=12.0" in normal["graph"].rendering.dot
    assert "fontsize=19.2" in big["graph"].rendering.dot  # 12 pt x 1.6
    assert "font-size:14px" in normal["stepper"].panel.value
    assert "font-size:22px" in big["stepper"].panel.value
    assert png_width(big["race"].png) > png_width(normal["race"].png)
    assert png_width(big["monitor"].png) > png_width(normal["monitor"].png)


def test_an_explicit_font_scale_still_wins_over_presentation_mode(presentation):
    _, _, _, d = scalar_expression()
    view = widgets.show_graph(d, names=False, font_scale=1.0)
    assert "fontsize=12.0" in view.rendering.dot
    assert size_rule(view) is None


def test_the_graph_keeps_its_size_rule_when_module_buttons_rebuild_its_toolbar(presentation):
    net = two_layer_net()
    loss = net(mt.randn(2, 3)).sum()
    view = widgets.show_graph(loss, model=net)
    assert view.module_buttons.children, "the example needs collapsible modules"
    view.toggle_module(view.module_buttons.children[0].description)
    assert size_rule(view) is not None
    assert len([c for c in view.children if "mt-size-css" in c._dom_classes]) == 1


def test_size_classes_are_valid_css_names():
    for scale in (0.5, 1.25, 1.6, 4):
        assert re.fullmatch(r"mt-size-\d+", styles.Style(font_scale=scale).size_class)
