"""The presentation app's pages and settings, without a browser (course/demo_app.py).

tests/browser/test_demo_app.py runs the app itself in chromium; these checks run
everywhere: the size each page asks for, the Voila command (127.0.0.1 only), and the pages
as notebooks: no stored outputs, a folded teacher's script, the size set first, and one
widget of each kind made when the page's code runs.
"""

import ast
import re

import nbformat
import pytest

from course.demo_app import DEMO, PAGES, SIZE_VARIABLE, demo_folder, voila_command, wanted_size


@pytest.mark.parametrize(
    ("environ", "size"),
    [
        ({}, "projector"),
        ({"QUERY_STRING": "size=normal"}, "normal"),
        ({"QUERY_STRING": "x=1&size=projector"}, "projector"),
        ({SIZE_VARIABLE: "normal"}, "normal"),
        ({SIZE_VARIABLE: "normal", "QUERY_STRING": "size=projector"}, "projector"),
        ({"QUERY_STRING": "size=huge"}, "projector"),  # unknown: the default
    ],
)
def test_the_page_address_then_the_app_option_decide_the_size(environ, size):
    assert wanted_size(environ) == size


def test_voila_listens_on_127_0_0_1_only_and_serves_the_demo_folder():
    command = voila_command(8999)
    assert "--Voila.ip=127.0.0.1" in command and "--Voila.port=8999" in command
    assert str(DEMO) in command and "--no-browser" in command


def test_there_is_one_page_per_widget():
    assert PAGES == ["1_graph.ipynb", "2_stepper.ipynb", "3_race.ipynb", "4_monitor.ipynb"]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_has_a_folded_script_sets_the_size_first_and_stores_no_output(page):
    notebook = nbformat.read(DEMO / page, as_version=4)
    intro, setup, *code = notebook.cells
    assert intro.cell_type == "markdown" and "<summary><b>Teacher's script</b>" in intro.source
    assert "apply_size()" in setup.source
    for cell in [setup, *code]:
        assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("page", PAGES)
def test_each_pages_code_makes_its_widget_at_projector_size(page, monkeypatch):
    pytest.importorskip("ipywidgets")
    import widgets
    from widgets.common.style import PROJECTOR_SCALE, default

    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    notebook = nbformat.read(DEMO / page, as_version=4)
    namespace = {"__name__": "page"}
    try:
        for cell in notebook.cells[1:]:
            exec(compile(cell.source, page, "exec"), namespace)
        assert default().font_scale == PROJECTOR_SCALE
        kind = {"1": "mt-graph", "2": "mt-stepper", "3": "mt-race", "4": "mt-monitor"}[page[0]]
        assert _finds(_last_value(notebook, namespace), kind)
    finally:
        widgets.set_presentation(False)


def _last_value(notebook, namespace):
    """What the page's last line displays (the widget or the box holding it)."""
    last = notebook.cells[-1].source.strip().splitlines()[-1]
    return eval(last, namespace)


def _finds(widget, css_class):
    """`widget` or one of its descendants has `css_class`."""
    if css_class in getattr(widget, "_dom_classes", ()):
        return True
    return any(_finds(child, css_class) for child in getattr(widget, "children", ()))


# ----------------------------------------------------------------------------- in Chinese

CJK = re.compile(r"[\u4e00-\u9fff]")


def _code_shape(page):
    """The page's code with every string blanked: the Chinese pages change only their labels."""
    shapes = []
    for cell in nbformat.read(page, as_version=4).cells:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    node.value = ""
            shapes.append(ast.dump(tree))
    return shapes


def test_every_page_has_a_chinese_edition_with_the_same_code():
    chinese = demo_folder("zh")
    assert sorted(path.name for path in chinese.glob("[0-9]_*.ipynb")) == PAGES
    for page in PAGES:
        assert _code_shape(chinese / page) == _code_shape(DEMO / page), page


@pytest.mark.parametrize("page", PAGES)
def test_each_chinese_page_has_a_folded_chinese_script_and_chinese_widgets(page, monkeypatch):
    pytest.importorskip("ipywidgets")
    import widgets

    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("MINITENSOR_LANG", "zh")  # what `--language zh` gives the kernels
    monkeypatch.delenv("QUERY_STRING", raising=False)
    notebook = nbformat.read(demo_folder("zh") / page, as_version=4)
    intro = notebook.cells[0].source
    assert "<summary><b>教师讲稿</b>" in intro and CJK.search(intro.split("<details")[0])
    assert notebook.metadata["lesson"]["language"] == "zh"
    namespace = {"__name__": "page"}
    try:
        for cell in notebook.cells[1:]:
            exec(compile(cell.source, page, "exec"), namespace)
        shown = _last_value(notebook, namespace)
        assert any(CJK.search(text) for text in _descriptions(shown)), page
    finally:
        widgets.set_presentation(False)


def _descriptions(widget):
    """The descriptions of `widget` and its descendants (buttons, sliders, toggles)."""
    yield str(getattr(widget, "description", ""))
    for child in getattr(widget, "children", ()):
        yield from _descriptions(child)
