"""Widget models are plain Python: importing one loads no display library.

Each import runs in a fresh interpreter (this test process has long since imported
ipywidgets), and the loaded modules are read from sys.modules there. The views are the
negative control: they do load ipywidgets, which proves the check can fail.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

DISPLAY_LIBRARIES = ["ipywidgets", "IPython", "graphviz", "matplotlib", "anywidget", "traitlets"]

WIDGETS = Path(__file__).resolve().parent.parent / "widgets"


def module_name(path):
    parts = path.relative_to(WIDGETS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


ALL_MODULES = sorted(module_name(path) for path in WIDGETS.rglob("*.py"))
# The display side of each widget folder: its view, and the race's matplotlib picture; and
# the fonts for Chinese in the matplotlib pictures, which only those use.
VIEWS = [name for name in ALL_MODULES if name.endswith(".view")]
DISPLAY_SIDE = [*VIEWS, "widgets.optimizer_race.plot", "widgets.common.fonts"]
# Everything else (every model, every helper, found by walking the folders so that a new
# file cannot be forgotten) is plain Python.
PURE_MODULES = [name for name in ALL_MODULES if name not in DISPLAY_SIDE]


def display_libraries_loaded_by(module):
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps([name for name in {DISPLAY_LIBRARIES!r} if name in sys.modules]))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", PURE_MODULES)
def test_model_module_imports_no_display_library(module):
    assert display_libraries_loaded_by(module) == []


def test_every_widget_model_and_helper_is_checked():
    assert {
        "widgets",
        "widgets.common.style",
        "widgets.common.png",
        "widgets.graph.model",
        "widgets.graph.modules",
        "widgets.graph.render",
        "widgets.stepper.model",
        "widgets.optimizer_race.model",
        "widgets.optimizer_race.simulation",
        "widgets.optimizer_race.surfaces",
        "widgets.optimizer_race.teaching_optimizers",
        "widgets.monitor.model",
        "widgets.optimizer_race.tuning",
        "widgets.momentum_rates.model",
    } <= set(PURE_MODULES)


def test_every_widget_has_its_folder_with_a_model_and_a_view():
    for widget in ("graph", "stepper", "optimizer_race", "monitor", "momentum_rates"):
        assert {f"widgets.{widget}.model", f"widgets.{widget}.view"} <= set(ALL_MODULES)


@pytest.mark.parametrize("module", VIEWS)
def test_view_modules_do_load_ipywidgets(module):
    assert "ipywidgets" in display_libraries_loaded_by(module)
