"""The demo app (`make demo`: Voila serving course/demo/) in headless chromium.

One Voila server and one chromium serve every test here; each page is opened once, in its
own tab (its kernel stays alive for the clicks). Checked as a teacher would use it: every
page renders with no error and no "Error displaying widget"; a click on the page's main
control changes the picture (forward + backward(), Next and the step slider, Play and an
optimizer toggle, Train); the widgets are at projector size, and `?size=normal` in the
address gives the normal size (the negative control for the size check). The Chinese
edition (course/demo/zh/, `--language zh`) is checked on one page, from the same server.
"""

import pytest

from course.demo_app import PAGES as PAGE_FILES
from widgets.common.style import CONTROL_SIZES_PX, PROJECTOR_SCALE

from .chromium import open_browser
from .demo_app_flow import CLICKS, PAGES, control_font_size, open_page
from .demo_flow import check_stepper
from .voila_server import DemoApp

pytestmark = pytest.mark.browser

# Voila's page template links Font Awesome from a CDN, though its own bundle already
# carries the icons: offline (and in these tests) the request fails and nothing is missing.
HARMLESS_REQUESTS = "https://cdn.jsdelivr.net/npm/@fortawesome/"
NORMAL_PX = CONTROL_SIZES_PX["font-size"]
PROJECTOR_PX = round(NORMAL_PX * PROJECTOR_SCALE)


@pytest.fixture(scope="module")
def app_browser(playwright, tmp_path_factory, artifacts):
    """(app, first tab, blocked URLs): the demo app and a browser on it."""
    folder = tmp_path_factory.mktemp("demo-app")
    with DemoApp(folder) as app:
        try:
            with open_browser(playwright, folder / "profile") as (tab, blocked):
                yield app, tab, blocked
                others = [url for url in blocked if not url.startswith(HARMLESS_REQUESTS)]
                assert others == [], f"the pages asked for other addresses: {others}"
        finally:
            (artifacts / "demo-app-voila.log").write_text(app.log_tail(400))


@pytest.fixture(scope="module")
def tabs(app_browser, artifacts):
    """{page name: (tab, problems while loading)}, each page loaded once, on first use."""
    app, first_tab, _ = app_browser
    opened = {}

    def open_tab(name, query=""):
        key = name + query
        if key not in opened:
            tab = first_tab if not opened else first_tab.context.new_page()
            problems = open_page(tab, app, name, query)
            tab.screenshot(path=artifacts / f"demo-app-{name}{query.replace('?', '-')}.png")
            opened[key] = tab, problems
        return opened[key]

    return open_tab


def test_the_app_serves_one_page_per_widget():
    assert [name.removesuffix(".ipynb") for name in PAGE_FILES] == list(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_its_widget_without_errors(tabs, name):
    _, problems = tabs(name)
    assert problems == []


@pytest.mark.parametrize("name", PAGES)
def test_clicking_the_pages_control_changes_the_picture(tabs, artifacts, name):
    tab, _ = tabs(name)
    problems = CLICKS[name](tab)
    tab.screenshot(path=artifacts / f"demo-app-{name}-after-click.png")
    assert problems == []


@pytest.mark.parametrize("name", PAGES)
def test_controls_are_at_projector_size(tabs, name):
    tab, _ = tabs(name)
    assert control_font_size(tab) == PROJECTOR_PX


def test_size_normal_in_the_address_gives_normal_controls_and_a_smaller_picture(tabs):
    big, _ = tabs("3_race")
    normal, problems = tabs("3_race", "?size=normal")
    assert problems == []
    assert control_font_size(normal) == NORMAL_PX

    def picture_width(tab):
        return tab.locator("img.mt-race-image").first.evaluate("img => img.naturalWidth")

    assert picture_width(big) > 1.2 * picture_width(normal)


def test_chinese_page_speaks_chinese_and_steps(tabs, artifacts):
    """course/demo/zh/ served by the same app: the page's text and its widget in Chinese
    (its kernel starts in a folder named zh), and Next still steps."""
    tab, problems = tabs("zh/2_stepper")
    assert problems == []
    assert "反向传播，一次一个节点" in tab.locator("body").inner_text()
    assert tab.locator(".mt-stepper-next").first.inner_text().strip() == "下一步"
    assert check_stepper(tab) == []
