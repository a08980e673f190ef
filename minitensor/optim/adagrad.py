"""`Adagrad`: each coordinate's step shrinks with the sum of all its squared gradients so far.

Read next: rmsprop.py, which replaces the ever-growing sum by a moving average.
"""

from .. import creation
from .optimizer import Optimizer, _array, _count_step, _state_array, _step_counter


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011). One step, for each parameter `p`, with
    `param` its numbers and `grad` those of p.grad (the arrays `_update` works on):

        1. if maximize:          grad = -grad
        2. step = step + 1
        3. if weight_decay != 0: grad = grad + weight_decay * param
        4. clr = lr / (1 + (step - 1) * lr_decay)
        5. sum = sum + grad * grad
        6. param = param - clr * grad / (sqrt(sum) + eps)

    State: state['step'] and state['sum'], which starts at initial_accumulator_value. As
    in PyTorch, the state exists from construction on (the state dict of an Adagrad that
    never stepped is not empty).

    Because `sum` only grows, a coordinate with a steady gradient g takes steps of about
    clr / sqrt(step) (the first is exactly clr * sign(g), up to eps): large steps for rare
    features, ever smaller ones for frequent features, and in long runs training can stall.
    RMSprop and Adam replace the sum by a moving average for that reason. Elsewhere you may
    meet eps inside the square root and initial_accumulator_value=0.1 (TensorFlow/Keras).
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        maximize=False,
    ):
        self._check_hyperparameters(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        state["step"] = _step_counter()
        state["sum"] = creation.full_like(p, group["initial_accumulator_value"])

    def _update(self, p, grad, group):
        state = self.state[p]
        if not state:  # a parameter from add_param_group, after construction
            self._init_state(p, group)
        # from here on NumPy maths (CuPy's on a GPU), in place where p or the state changes
        xp = p.device.xp
        param, grad = _array(p), _array(grad)
        state_sum = _state_array(p, state, "sum")  # `sum` in the docstring (a builtin name)

        if group["maximize"]:  # 1.
            grad = -grad
        step = _count_step(state)  # 2.
        if group["weight_decay"] != 0:  # 3. (a new array: p.grad keeps what backward made)
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])  # 4.
        state_sum += grad * grad  # 5.
        param -= clr * (grad / (xp.sqrt(state_sum) + group["eps"]))  # 6.
