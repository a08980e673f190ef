"""Jupyter widgets for the lessons: each a pure-Python model plus a thin ipywidgets view.

    from widgets import show_graph, step_backward

    show_graph(loss)        the live computation graph (graph_view.py, graph_model.py)
    step_backward(loss)     backpropagation one node at a time (stepper_view.py,
                            stepper_model.py)
    record_modules(net)     remember which submodule made which op (graph_modules.py)
    race("rosenbrock")      optimizers racing on a 2-D surface (race_view.py, race_model.py)
    TrainingMonitor(total=n)  live loss curve for a training loop (monitor_view.py,
                            monitor_model.py)
    style.set_default(font_scale=1.6)   bigger text everywhere, for a projector

The names are imported when first used (PEP 562 `__getattr__` below), so that importing a
model module (`widgets.graph_model`) does not pull in ipywidgets: the models are plain
Python and are tested without any display library.

Read next: graph_model.py, then stepper_model.py.
"""

import importlib

# public name -> the module that defines it
_EXPORTS = {
    "show_graph": "graph_view",
    "GraphView": "graph_view",
    "GraphModel": "graph_model",
    "step_backward": "stepper_view",
    "BackwardStepper": "stepper_view",
    "BackwardStepperModel": "stepper_model",
    "record_modules": "graph_modules",
    "race": "race_view",
    "OptimizerRace": "race_view",
    "RaceModel": "race_model",
    "Surface": "surfaces",
    "TrainingMonitor": "monitor_view",
    "MonitorModel": "monitor_model",
}

__all__ = [*_EXPORTS, "style"]


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        return getattr(module, name)
    if name == "style":
        return importlib.import_module(".style", __name__)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
