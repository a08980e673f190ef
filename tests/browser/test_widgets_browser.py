"""The widgets in a real browser: the demo notebook run in JupyterLab, clicked through.

One JupyterLab and one chromium serve every test here (the notebook runs once, in
conftest.demo_page); each test then checks one widget as a user would: the graph's SVG and a
module button, the stepper's Next and slider, the race's Play and an optimizer toggle, the
training monitor's curve. test_browser_controls.py proves that these checks can fail.
The Chinese demo (lessons/zh/) runs in a second tab of the same JupyterLab.
"""

import pytest

from .demo_flow import (
    WIDGET_ROOTS,
    ZH_DEMO_NOTEBOOK,
    check_chinese,
    check_graph,
    check_monitor,
    check_no_widget_failures,
    check_race,
    check_stepper,
)

pytestmark = pytest.mark.browser


def test_demo_notebook_runs_every_cell_without_errors(demo_page):
    page, run_problems = demo_page
    assert run_problems == []


# Each check clicks as a user would and waits for the kernel's redraw (see its docstring).
WIDGET_CHECKS = {
    "graph_svg_redraws_when_a_module_is_expanded": ("graph", check_graph),
    "stepper_next_and_slider_move_the_highlighted_node": ("stepper", check_stepper),
    "race_play_and_an_optimizer_toggle_change_the_picture": ("race", check_race),
    "monitor_shows_its_curve_and_progress": ("monitor", check_monitor),
}


@pytest.mark.parametrize("behaviour", WIDGET_CHECKS)
def test_widget_works_when_clicked_in_the_browser(page, artifacts, behaviour):
    name, check = WIDGET_CHECKS[behaviour]
    problems = check(page)
    widget = page.locator(f".{WIDGET_ROOTS[name]}")
    if widget.count():  # a picture of it for whoever reads a failure
        widget.first.screenshot(path=artifacts / f"demo-{name}.png")
    assert problems == []


def test_no_cell_says_error_displaying_widget_or_loading(page):
    assert check_no_widget_failures(page) == []


def test_chinese_demo_shows_chinese_buttons_and_captions(lab, artifacts):
    """The Chinese demo, run in a second tab of the same JupyterLab: its kernel speaks
    Chinese because the notebook lies in a folder named zh (no code asks for it)."""
    page, run_problems = lab.run(ZH_DEMO_NOTEBOOK, folder="zh")
    try:
        assert run_problems == []
        assert check_chinese(page) == []
    finally:
        page.screenshot(path=artifacts / "demo-zh-page.png")
        page.close()


def test_chinese_check_finds_the_english_demo_not_chinese(page):
    """The negative control of check_chinese: English buttons and captions are reported."""
    problems = check_chinese(page)
    assert any("下一步" in problem for problem in problems)
    assert any("每次运行都从" in problem for problem in problems)
