"""Jupyter widgets for the lessons: each a pure-Python model plus a thin ipywidgets view.

    from widgets import show_graph, step_backward

    show_graph(loss)        the live computation graph (graph/view.py, graph/model.py)
    step_backward(loss)     backpropagation one node at a time (stepper/view.py,
                            stepper/model.py)
    record_modules(net)     remember which submodule made which op (graph/modules.py)
    race("rosenbrock")      optimizers racing on a 2-D surface (optimizer_race/view.py,
                            optimizer_race/model.py)
    TrainingMonitor(total=n)  live loss curve for a training loop (monitor/view.py,
                            monitor/model.py)
    set_presentation(True)  projector sizes (text, pictures, controls) for every widget
                            made afterwards (common/style.py); False: normal sizes
    sized(ipw.HBox([...]))  your own buttons and sliders at the widgets' size (common/view.py)
    set_language("zh")      widgets and exercise checks in Simplified Chinese from now on
                            (common/language.py; lessons/zh/ notebooks need no call)
    momentum_map()          the (lr, β) map of momentum on a quadratic; a click races a
                            cell's settings (momentum_rates/view.py, momentum_rates/model.py)

One folder per widget (graph, stepper, optimizer_race, monitor, momentum_rates; not `race`
or `momentum_map`, which would shadow the one-liners of those names), each with its
`model.py` (the state, plain Python), its `view.py` (the ipywidgets around it) and its
helpers; `common/` holds what several widgets
share (style, PNG encoding, numbers as text). In every folder only `view.py` (and
optimizer_race/plot.py, the matplotlib picture) imports a display library;
tests/test_widgets_purity.py checks it.
The widgets read the autograd graph only through minitensor's public API
(minitensor/autograd/graph.py); tests/test_widgets_public_api.py checks that.

The names are imported when first used (PEP 562 `__getattr__` below), so that importing a
model module (`widgets.graph.model`) does not pull in ipywidgets: the models are plain
Python and are tested without any display library.

Read next: graph/model.py, then stepper/model.py.
"""

import importlib

# public name -> the module that defines it
_EXPORTS = {
    "show_graph": "graph.view",
    "GraphView": "graph.view",
    "GraphModel": "graph.model",
    "step_backward": "stepper.view",
    "BackwardStepper": "stepper.view",
    "BackwardStepperModel": "stepper.model",
    "record_modules": "graph.modules",
    "race": "optimizer_race.view",
    "OptimizerRace": "optimizer_race.view",
    "RaceModel": "optimizer_race.model",
    "Surface": "optimizer_race.surfaces",
    "TrainingMonitor": "monitor.view",
    "MonitorModel": "monitor.model",
    "set_presentation": "common.style",
    "sized": "common.view",
    "set_language": "common.language",
    "get_language": "common.language",
    "momentum_map": "momentum_rates.view",
    "MomentumMap": "momentum_rates.view",
    "MomentumMapModel": "momentum_rates.model",
}

__all__ = [*_EXPORTS, "style"]


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        return getattr(module, name)
    if name == "style":
        return importlib.import_module(".common.style", __name__)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
