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

# Every widget model (found by file name, so a new one cannot be forgotten) and the plain
# helpers the models use.
PURE_MODULES = [
    "widgets",
    "widgets.style",
    "widgets.graph_modules",
    "widgets.graph_render",
    "widgets.surfaces",
    "widgets.teaching_optimizers",
    "widgets.race_simulation",
    "widgets.png",
] + sorted(f"widgets.{path.stem}" for path in WIDGETS.glob("*_model.py"))


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


def test_every_widget_model_is_checked():
    assert {
        "widgets.graph_model",
        "widgets.stepper_model",
        "widgets.race_model",
        "widgets.monitor_model",
    } <= set(PURE_MODULES)


@pytest.mark.parametrize(
    "module",
    ["widgets.graph_view", "widgets.stepper_view", "widgets.race_view", "widgets.monitor_view"],
)
def test_view_modules_do_load_ipywidgets(module):
    assert "ipywidgets" in display_libraries_loaded_by(module)
