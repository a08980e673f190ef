"""What a teacher does with the demo app (`make demo`) in a browser, and the checks.

    with DemoApp(folder) as app, open_browser(playwright, profile) as (page, blocked):
        problems = open_page(page, app, "3_race") + check_race(page)

open_page loads one Voila page and waits until its widget is drawn; the checks click as a
teacher would and return problems in words (empty: all good), like demo_flow.py's, whose
stepper and race checks they reuse: the widgets are the same, only the page around them
differs. The demo pages' own buttons carry `mt-demo-*` classes (course/demo/*.ipynb).

Read next: test_demo_app.py.
"""

from .demo_flow import CHANGE_TIMEOUT, _changed, check_race, check_stepper, wait_until

PAGES = {  # page -> the DOM class of the widget it shows
    "1_graph": "mt-graph",
    "2_stepper": "mt-stepper",
    "3_race": "mt-race",
    "4_monitor": "mt-monitor",
}
# What Voila or the widget manager write where a cell or a widget failed.
PAGE_FAILURES = ("Error displaying widget", "Traceback", "There was an error when executing")
PAGE_TIMEOUT = 90  # seconds: a page starts a kernel and runs its cells before it shows


def open_page(page, app, name, query=""):
    """Load `name` in Voila and wait for its widget; return problems (empty: it rendered).
    `name` may be in a folder: "zh/2_stepper" is the Chinese edition of "2_stepper"."""
    page.goto(app.url(f"voila/render/{name}.ipynb{query}"), timeout=PAGE_TIMEOUT * 1000)
    css = PAGES[name.rsplit("/", 1)[-1]]
    root = page.locator(f".{css}")
    if not wait_until(lambda: root.count() and root.first.is_visible(), PAGE_TIMEOUT):
        return [f"{name}: no visible .{css} within {PAGE_TIMEOUT} s"] + page_failures(page, name)
    return page_failures(page, name)


def page_failures(page, name):
    text = page.locator("body").inner_text()
    return [f"{name}: the page says {failure!r}" for failure in PAGE_FAILURES if failure in text]


def control_font_size(page):
    """The CSS font size of the page's first stock button, in px (e.g. 21.0)."""
    button = page.locator(".jupyter-button").first
    return float(button.evaluate("b => getComputedStyle(b).fontSize").removesuffix("px"))


def check_graph_page(page):
    """forward + backward() draws the gradients; a second press doubles them (accumulates)."""
    graph = page.locator(".mt-graph").first
    grads = page.locator(".mt-demo-grads").first
    button = page.locator(".mt-demo-backward").first
    problems = []
    for expected in ("-3.", "-6."):  # w.grad = [-3, -1], then [-6, -2]
        before = graph.locator("svg").first.inner_html()
        button.click()
        graph = page.locator(".mt-graph").first  # the page draws a new graph view
        if _changed(lambda: page.locator(".mt-graph svg").first.inner_html(), before) is None:
            problems.append("graph page: forward + backward() did not redraw the graph")
        if not wait_until(lambda e=expected: e in grads.inner_text(), CHANGE_TIMEOUT):
            problems.append(f"graph page: w.grad does not read {expected}: {grads.inner_text()}")
    return problems


def check_monitor_page(page):
    """Training again without zero_grad() draws a different curve."""
    image = page.locator("img.mt-monitor-image").first
    before = image.get_attribute("src")
    page.locator(".mt-demo-zero-grad input").first.uncheck()
    page.locator(".mt-demo-train").first.click()
    read = lambda: page.locator("img.mt-monitor-image").first.get_attribute("src")  # noqa: E731
    if _changed(read, before) is None:
        return ["monitor page: Train without zero_grad() did not draw a new curve"]
    return []


CLICKS = {
    "1_graph": check_graph_page,
    "2_stepper": check_stepper,  # Next, then the step slider one step back
    "3_race": check_race,  # Play, then an optimizer toggle
    "4_monitor": check_monitor_page,
}
