"""What a user does with the widgets demo notebook in JupyterLab, and the checks.

    with run_demo(playwright, folder) as (page, problems):  # JupyterLab, chromium, Run All
        problems += check_graph(page) + check_stepper(page) + ...

run_demo copies the notebook with its outputs cleared (prepare_notebook), opens it
(open_notebook, which accepts a "Select Kernel" dialog) and runs it from the Run menu
(run_all). Underneath, demo_lab starts one JupyterLab and one chromium that can run more
notebooks in further tabs (`lab.run(ZH_DEMO_NOTEBOOK, folder="zh")`): the Chinese demo
reuses the English demo's server.

Every check returns a list of problems in words (empty: all good) instead of raising, so the
same functions serve the tests, the negative control (where they must report problems),
and tools/screenshots.py. They look for the widgets' own DOM classes (`mt-graph`,
`mt-stepper-next`, ...: see widgets/README.md); the static PNG/SVG copies that a notebook
shows without a widget manager carry none of them, so a dead widget cannot pass.

Read next: test_widgets_browser.py.
"""

import contextlib
import json
import re
import time
from pathlib import Path

from .chromium import open_browser
from .lab_server import JupyterLab

REPO = Path(__file__).resolve().parents[2]
DEMO_NOTEBOOK = REPO / "lessons" / "00_widgets_demo.ipynb"
# The same demo in Chinese; in a folder named zh, so its kernel speaks Chinese by itself.
ZH_DEMO_NOTEBOOK = REPO / "lessons" / "zh" / "00_widgets_demo.ipynb"
# What ipywidgets' JupyterLab manager writes into a cell when a widget cannot be shown.
WIDGET_FAILURES = ("Error displaying widget", "Loading widget")
WIDGET_ROOTS = {  # check name -> the widget's outer DOM class
    "graph": "mt-graph",
    "stepper": "mt-stepper",
    "race": "mt-race",
    "monitor": "mt-monitor",
}
CHANGE_TIMEOUT = 15  # seconds a click may take to come back from the kernel redrawn


def prepare_notebook(source, folder):
    """Copy `source` into `folder` with outputs and execution counts cleared.

    Cleared, so that everything on the page after Run All comes from this run, and a cell
    that never ran is visible as one without an execution count.
    """
    notebook = json.loads(Path(source).read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    target = Path(folder) / Path(source).name
    target.write_text(json.dumps(notebook, indent=1))
    return target


def wait_until(condition, timeout, interval=0.25):
    """Call `condition()` until it returns something truthy; return that, or None at timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result or None
        time.sleep(interval)


# ----------------------------------------------------------------------------- the notebook


class DemoLab:
    """One JupyterLab (`server`) and one chromium (`page`, its first tab) for the demos."""

    def __init__(self, server, page, notebooks):
        self.server, self.page, self.notebooks = server, page, notebooks

    def run(self, source, folder="", page=None, hide_file_browser=False):
        """Copy notebook `source` into `folder` (under the server's root), open it in `page`
        (default: a new tab) and Run All: return (page, problems of the run)."""
        where = self.notebooks / folder
        where.mkdir(parents=True, exist_ok=True)
        notebook = prepare_notebook(source, where)
        page = page or self.page.context.new_page()
        open_notebook(page, self.server, f"{folder}/{notebook.name}" if folder else notebook.name)
        if hide_file_browser:
            page.keyboard.press("Control+b")  # more width for the notebook
        return page, run_all(page)


@contextlib.contextmanager
def demo_lab(
    playwright, folder, disabled_extensions=(), viewport=(1400, 1000), artifacts=None,
    label="demo",
):  # fmt: skip
    """JupyterLab in `folder` and chromium: yield a DemoLab. With `artifacts` (a folder),
    leave a screenshot of the first tab and the server's log there, whatever happens."""
    notebooks = Path(folder) / "notebooks"
    notebooks.mkdir()
    with JupyterLab(notebooks, disabled_extensions=disabled_extensions) as server:
        with open_browser(playwright, Path(folder) / "profile", viewport) as (page, blocked):
            try:
                yield DemoLab(server, page, notebooks)
            finally:
                if artifacts is not None:
                    page.screenshot(path=Path(artifacts) / f"{label}-page.png")
                    log = server.log_tail(400)
                    (Path(artifacts) / f"{label}-jupyterlab.log").write_text(log)
            if blocked:
                raise RuntimeError(f"the page asked for addresses other than 127.0.0.1: {blocked}")


@contextlib.contextmanager
def run_demo(
    playwright, folder, disabled_extensions=(), viewport=(1400, 1000), artifacts=None,
    label="demo", hide_file_browser=False,
):  # fmt: skip
    """JupyterLab in `folder`, the demo notebook opened in chromium and Run All: yield
    (page, problems of the run). With `artifacts`, as demo_lab."""
    with demo_lab(playwright, folder, disabled_extensions, viewport, artifacts, label) as lab:
        yield lab.run(DEMO_NOTEBOOK, page=lab.page, hide_file_browser=hide_file_browser)


def open_notebook(page, lab, name, timeout=90):
    """Open `name` in JupyterLab and wait for its kernel; accept "Select Kernel" if asked."""
    page.goto(lab.url(f"lab/tree/{name}"), timeout=timeout * 1000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=timeout * 1000)

    def kernel_ready():
        # The dialog can race the kernelspec load; accepting it picks the default kernel.
        dialog = page.locator(".jp-Dialog")
        if dialog.count() and "Select Kernel" in dialog.first.inner_text():
            dialog.first.locator(".jp-mod-accept").click()
        name = page.locator(".jp-NotebookPanel .jp-KernelName")
        status = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator")
        return (
            name.count()
            and "No Kernel" not in name.first.inner_text()
            and status.count()
            and status.first.get_attribute("data-status") == "idle"
        )

    if not wait_until(kernel_ready, timeout):
        raise TimeoutError(f"the kernel of {name} was not idle within {timeout} s")


def run_all(page, timeout=120):
    """Run > Run All Cells, and wait until every code cell has run; return problems."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    def finished():
        prompts = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        status = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator")
        return (
            prompts
            and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts)
            and status.first.get_attribute("data-status") == "idle"
        )

    problems = []
    if not wait_until(finished, timeout, interval=0.5):
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        problems.append(f"Run All did not finish within {timeout} s (prompts: {prompts})")
    for text in page.locator(".jp-OutputArea-output").all_inner_texts():
        if "Traceback (most recent call last)" in text:
            problems.append(f"a cell raised:\n{text[-1500:]}")
    return problems


def wait_for_widgets(page, timeout=15):
    """Wait until every widget kind is on the page: views render a moment after Run.

    Returns at once when no output went to the widget manager (their output boxes are the
    ones without a data-mime-type): then nothing will come, and the checks say what is missing.
    """

    def settled():
        if all(page.locator(f".{css}").count() for css in WIDGET_ROOTS.values()):
            return True
        return page.locator(".jp-OutputArea-output:not([data-mime-type])").count() == 0

    wait_until(settled, timeout)


def _missing(page, check):
    css = WIDGET_ROOTS[check]
    if page.locator(f".{css}").count() == 0:
        return [f"{check}: no live widget on the page (no element with class {css})"]
    return []


def _first(page, check):
    """The first widget of this kind on the page, scrolled into view (None if there is none)."""
    widgets = page.locator(f".{WIDGET_ROOTS[check]}")
    if widgets.count() == 0:
        return None
    widgets.first.scroll_into_view_if_needed()
    return widgets.first


def _changed(read, before, timeout=CHANGE_TIMEOUT):
    """Wait until `read()` differs from `before`; return the new value, or None."""
    return wait_until(lambda: (value := read()) != before and value, timeout)


def _svg_problems(page, check):
    """Every widget of this kind shows its graph as a visible SVG."""
    problems = []
    widgets = page.locator(f".{WIDGET_ROOTS[check]}")
    for i in range(widgets.count()):
        svg = widgets.nth(i).locator("svg").first
        svg.scroll_into_view_if_needed()
        if not svg.is_visible():
            problems.append(f"{check} {i}: the graph's SVG is not visible")
    return problems


def _image_problems(where, image):
    """An <img> of an Image widget: visible, with a non-empty src."""
    if image.count() == 0:
        return [f"{where}: no picture"]
    if not image.first.is_visible():
        return [f"{where}: the picture is not visible"]
    if not image.first.get_attribute("src"):
        return [f"{where}: the picture has an empty src"]
    natural_w, natural_h, shown_w, shown_h = image.first.evaluate(
        "img => [img.naturalWidth, img.naturalHeight, img.clientWidth, img.clientHeight]"
    )
    if min(natural_w, natural_h, shown_w, shown_h) < 50:
        return [f"{where}: the picture is too small to see ({shown_w}x{shown_h} px)"]
    # A flex layout can squeeze an <img> in one direction only, or stretch it to the width
    # of the notebook: the plot then looks distorted, or blurred.
    if abs((shown_w / shown_h) / (natural_w / natural_h) - 1) > 0.03:
        return [
            f"{where}: the {natural_w}x{natural_h} picture is shown distorted, at "
            f"{shown_w}x{shown_h} px"
        ]
    if shown_w > 1.25 * natural_w:
        return [
            f"{where}: the {natural_w}x{natural_h} picture is blown up to {shown_w}x{shown_h} "
            "px (blurred)"
        ]
    return []


# ----------------------------------------------------------------------------- the checks


def check_graph(page):
    """Every graph shows an SVG; a module button expands a module (the SVG changes)."""
    problems = _missing(page, "graph")
    if problems:
        return problems
    problems += _svg_problems(page, "graph")
    module_buttons = page.locator(".mt-graph .mt-graph-module")
    if module_buttons.count() == 0:
        return problems + ["graph: no module button (.mt-graph-module) to click"]
    graph = page.locator(".mt-graph", has=page.locator(".mt-graph-module")).first
    button = module_buttons.first
    button.scroll_into_view_if_needed()

    def drawing():
        return graph.locator("svg").first.inner_html()

    before = drawing()
    button.click()
    if _changed(drawing, before) is None:
        problems.append("graph: clicking a module button did not redraw the graph")
    button.click()  # and back, so the page looks as the notebook left it
    return problems


def _stepper_state(stepper):
    """(first line of the chain-rule panel, <title> of the node marked ▶ in the SVG)."""
    panel = stepper.locator(".mt-stepper-panel").inner_text().strip().splitlines()
    marked = stepper.locator("svg g.node", has_text="▶")
    title = marked.first.locator("title").text_content() if marked.count() else None
    return (panel[0] if panel else "", title)


def check_stepper(page):
    """Next moves one step (the panel's step and the ▶ node change); so does the slider."""
    problems = _missing(page, "stepper")
    if problems:
        return problems
    problems += _svg_problems(page, "stepper")
    # A stepper that is not at its end yet, so Next can move.
    stepper = page.locator(".mt-stepper", has=page.locator(".mt-stepper-next:enabled")).first
    if stepper.count() == 0:
        return problems + ["stepper: every Next button is disabled"]
    stepper.scroll_into_view_if_needed()
    before = _stepper_state(stepper)
    step = _step_number(before[0])
    stepper.locator(".mt-stepper-next").click()

    def one_step_on():
        panel, marked = state = _stepper_state(stepper)
        return _step_number(panel) == step + 1 and marked not in (None, before[1]) and state

    after = wait_until(one_step_on, CHANGE_TIMEOUT)
    if after is None:
        now = _stepper_state(stepper)
        return problems + [f"stepper: after Next the panel and ▶ node read {now}, before {before}"]
    # The step slider, with the keyboard as a user would: one step back.
    handle = stepper.locator(".mt-stepper-slider .noUi-handle")
    handle.focus()
    handle.press("ArrowLeft")
    if not wait_until(lambda: _stepper_state(stepper) == before, CHANGE_TIMEOUT):
        problems.append(
            f"stepper: one step back on the slider shows {_stepper_state(stepper)}, not {before}"
        )
    return problems


def _step_number(panel_line):
    """The step a chain-rule panel's first line is about ("Step 4 of 14: ..." -> 4), in
    English or Chinese ("第 4 步，共 14 步：...", "开始（第 0 步，共 14 步）...")."""
    found = re.match(r"(?:Step |Start \()(\d+) of \d+|(?:开始（)?第 (\d+) 步", panel_line)
    if found:
        return int(found.group(1) or found.group(2))
    return None


def _race_image_src(race):
    return race.locator("img.mt-race-image").first.get_attribute("src")


def check_race(page):
    """The race picture shows; Play animates it; an optimizer toggle reruns the race."""
    race = _first(page, "race")
    if race is None:
        return _missing(page, "race")
    problems = _image_problems("race", race.locator("img.mt-race-image"))
    if problems:
        return problems
    play = race.locator(".mt-race-play button").first
    src = _race_image_src(race)
    play.click()
    moved = _changed(lambda: _race_image_src(race), src)
    play.click()  # pause: the kernel need not draw every remaining frame
    if moved is None:
        problems.append("race: Play did not change the picture")
    # Toggle an optimizer that is not in the race yet: it must appear in the state table.
    toggles = race.locator(".mt-race-optimizer:not(.mod-active)")
    if toggles.count() == 0:
        return problems + ["race: no optimizer toggle (.mt-race-optimizer) to switch on"]
    name = toggles.first.inner_text().strip()
    src = _race_image_src(race)
    toggles.first.click()
    if _changed(lambda: _race_image_src(race), src) is None:
        problems.append(f"race: switching {name} on did not redraw the picture")
    state = race.locator(".mt-race-state")
    if not wait_until(lambda: name in state.inner_text(), CHANGE_TIMEOUT):
        problems.append(f"race: {name} is not in the state table after switching it on")
    return problems


def check_monitor(page):
    """The training monitor shows its curve and a progress bar."""
    monitor = _first(page, "monitor")
    if monitor is None:
        return _missing(page, "monitor")
    problems = _image_problems("monitor", monitor.locator("img.mt-monitor-image"))
    if not monitor.locator(".mt-monitor-progress").first.is_visible():
        problems.append("monitor: the progress bar is not visible")
    if not monitor.locator(".mt-monitor-label").first.inner_text().strip():
        problems.append("monitor: the label next to the progress bar is empty")
    return problems


def check_no_widget_failures(page):
    """No cell says "Error displaying widget" or "Loading widget..."."""
    text = page.locator(".jp-NotebookPanel .jp-Notebook").inner_text()
    return [f"the page still says {failure!r}" for failure in WIDGET_FAILURES if failure in text]


CHECKS = {
    "graph": check_graph,
    "stepper": check_stepper,
    "race": check_race,
    "monitor": check_monitor,
    "widget failures": check_no_widget_failures,
}


def run_checks(page):
    """{check name: problems} for every check, each run even if an earlier one failed."""
    wait_for_widgets(page)
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check(page)
        except Exception as error:  # a missing element times out: that is a problem found
            results[name] = [f"{name}: {type(error).__name__}: {error}".splitlines()[0]]
    return results


# ----------------------------------------------------------------------------- in Chinese

# What the Chinese demo must show, by where it is: buttons by their DOM class, and texts
# anywhere in the notebook (labels, captions, the graph's legend, the stepper's panel).
CHINESE_BUTTONS = {
    "mt-graph-refresh": "刷新",
    "mt-stepper-reset": "重置",
    "mt-stepper-next": "下一步",
    "mt-stepper-apply": "应用",
    "mt-race-best": "最佳设置",
}
CHINESE_TEXTS = [
    "一页看完所有控件",  # the notebook's own title (markdown)
    "图例",  # the graph's legend, inside its SVG
    re.compile(r"第 3 步，共 \d+ 步"),  # the stepper's chain-rule panel (steps: the graph's)
    "动量的三种写法",  # the race's comparison buttons
    "每次运行都从",  # the race's caption
    "之后的状态",  # the race's state table
    "进度",  # the monitor's progress bar
    "第 150/150 步",  # the monitor's label
]


def check_chinese(page):
    """Every widget of the Chinese demo shows Chinese on its buttons and in its captions."""
    wait_for_widgets(page)
    problems = []
    for css, words in CHINESE_BUTTONS.items():
        buttons = page.locator(f".{css}")
        if buttons.count() == 0:
            problems.append(f"no button .{css} on the page")
        elif buttons.first.inner_text().strip() != words:
            problems.append(f".{css} says {buttons.first.inner_text().strip()!r}, not {words!r}")
    text = page.locator(".jp-NotebookPanel .jp-Notebook").inner_text()
    problems += [
        f"the page does not say {getattr(words, 'pattern', words)!r}"
        for words in CHINESE_TEXTS
        if not (words.search(text) if isinstance(words, re.Pattern) else words in text)
    ]
    return problems + check_no_widget_failures(page)
