"""The optimizer race, `race("rosenbrock")`: real optimizers side by side on a 2-D surface.

    model.py                 RaceModel: what to run, the recorded runs, the caption; plain
    simulation.py            the training loop each optimizer runs; plain Python
    surfaces.py              the 2-D loss functions, written with minitensor ops; plain
    teaching_optimizers.py   three small variants (not PyTorch classes) to compare with
    plot.py                  the matplotlib picture: contours, paths, loss curves (display)
    view.py                  OptimizerRace and race(): sliders, Play, the state table

Read next: model.py.
"""
