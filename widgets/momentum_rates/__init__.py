"""The momentum map: the convergence rate of SGD(lr, momentum=beta) on a quadratic.

    model.py   MomentumMapModel: the grid of rates, measured by running optim.SGD; plain
    view.py    MomentumMap and momentum_map(): the picture; a click races those settings

Read next: model.py.
"""
