"""`minitensor.nn`: layers, losses and the Module machinery, as `torch.nn`.

    import minitensor.nn as nn
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
    criterion = nn.MSELoss()

Where things live (read module.py first):

    module.py      Module: registration, parameters(), state_dict, to(), train/eval, repr
    parameter.py   Parameter: the tensors a Module trains
    linear.py      Linear, Identity           activation.py   ReLU, Tanh, Softmax, ...
    container.py   Sequential, ModuleList     dropout.py      Dropout
    flatten.py     Flatten                    loss.py         MSELoss, CrossEntropyLoss, ...
    functional.py  F.relu, F.linear, ...      loss_functions.py  F.mse_loss, F.cross_entropy
    init.py        nn.init.kaiming_uniform_, ...      utils/  nn.utils.clip_grad_norm_
"""

from . import functional, init, utils
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter
