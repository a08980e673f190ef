"""The training monitor, `TrainingMonitor(total=n)`: a live loss curve for your own loop.

    model.py     MonitorModel: the losses, progress, best value, redraw schedule; plain
    view.py      TrainingMonitor: the curve, a progress bar, the final picture kept

Read next: model.py.
"""
