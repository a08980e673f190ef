"""`minitensor.optim`: PyTorch's optimizers and learning-rate schedulers.

    opt = mt.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        opt.zero_grad()                # backward ADDS into .grad: forget the last batch's
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()                     # change each parameter in place, under no_grad()

Files: optimizer.py (the shared data model: defaults, param_groups, state, state_dict),
then one small file per algorithm, each with its formula at the top of its docstring:
sgd.py, adam.py, adamw.py, rmsprop.py, adagrad.py. lr_scheduler.py changes group['lr']
over time.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
