"""Negative controls: the browser checks fail where the widgets do not work.

With the widget manager disabled, the demo notebook still runs (its cells show the static
PNG/SVG copies), but the very checks of test_widgets_browser.py must report every widget
as missing. The check for the manager's error texts must see them on a page that has them.
"""

import pytest

from .chromium import open_browser
from .demo_flow import (
    CHECKS,
    WIDGET_FAILURES,
    WIDGET_ROOTS,
    check_no_widget_failures,
    run_checks,
    run_demo,
)
from .lab_server import WIDGET_MANAGER

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("failure", WIDGET_FAILURES)
def test_failure_check_reports_what_the_widget_manager_writes(playwright, tmp_path, failure):
    """check_no_widget_failures must see the manager's messages (here on a page of our own)."""
    with open_browser(playwright, tmp_path / "profile") as (page, _):
        page.set_content(
            '<div class="jp-NotebookPanel"><div class="jp-Notebook">'
            f"<div>[3]:</div><div>{failure}: model not found</div></div></div>"
        )
        assert check_no_widget_failures(page) == [f"the page still says {failure!r}"]


def test_checks_fail_when_the_widget_manager_is_disabled(playwright, tmp_path, artifacts):
    """Negative control: the notebook runs, but no widget can render; every check must say so."""
    flow = run_demo(playwright, tmp_path, [WIDGET_MANAGER], artifacts=artifacts, label="control")
    with flow as (page, run_problems):
        assert run_problems == [], "the notebook itself must run: only the widgets are missing"
        results = run_checks(page)
    assert set(results) == set(CHECKS)
    for check in WIDGET_ROOTS:
        assert results[check], f"the {check} check passed without a widget manager"
        assert "no live widget" in results[check][0]
