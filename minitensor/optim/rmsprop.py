"""`RMSprop`: divide each coordinate's gradient by a running root-mean-square of its history.

Read next: adam.py (RMSprop plus a momentum average and bias correction), adagrad.py.
"""

from .. import creation
from .optimizer import Optimizer, _array, _count_step, _state_array, _step_counter


class RMSprop(Optimizer):
    """RMSprop (Hinton, lecture 6e of his 2012 Coursera course). One step, for each `p`,
    with `param` its numbers and `grad` those of p.grad (the arrays `_update` works on):

        1. if maximize:          grad = -grad
        2. if weight_decay != 0: grad = grad + weight_decay * param
        3. step = step + 1                                  (counted, not used)
        4. square_avg = alpha * square_avg + (1 - alpha) * grad * grad
        5. if centered:  grad_avg = alpha * grad_avg + (1 - alpha) * grad
                         avg = sqrt(square_avg - grad_avg * grad_avg) + eps
           else:         avg = sqrt(square_avg) + eps
        6. if momentum > 0:  buf = momentum * buf + grad / avg      (state['momentum_buffer'])
                             param = param - lr * buf
           else:             param = param - lr * grad / avg

    State: state['step'], 'square_avg', and 'momentum_buffer' / 'grad_avg' when used.

    `centered` divides by an estimate of the gradient's standard deviation instead of its
    root mean square. There is no bias correction: square_avg starts at zero, so with the
    default alpha=0.99 the first step is lr * grad / sqrt(0.01 * grad^2) = 10 * lr * sign(grad),
    ten times the step Adam would take. Elsewhere you may meet eps inside the square root
    (sqrt(square_avg + eps)), lr inside the momentum buffer, and alpha (called rho or
    decay) = 0.9, as in Hinton's lecture.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        maximize=False,
    ):
        self._check_hyperparameters(
            lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha
        )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, p, grad, group):
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        state = self.state[p]
        if not state:
            state["step"] = _step_counter()
            state["square_avg"] = creation.zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = creation.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = creation.zeros_like(p)
        # from here on NumPy maths (CuPy's on a GPU), in place where p or the state changes
        xp = p.device.xp
        param, grad = _array(p), _array(grad)
        square_avg = _state_array(p, state, "square_avg")

        if group["maximize"]:  # 1.
            grad = -grad
        if group["weight_decay"] != 0:  # 2. (a new array: p.grad keeps what backward made)
            grad = grad + group["weight_decay"] * param
        _count_step(state)  # 3.
        square_avg *= alpha  # 4.
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:  # 5.
            grad_avg = _state_array(p, state, "grad_avg")
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            avg = xp.sqrt(square_avg - grad_avg * grad_avg) + eps
        else:
            avg = xp.sqrt(square_avg) + eps
        if momentum > 0:  # 6.
            buf = _state_array(p, state, "momentum_buffer")
            buf *= momentum
            buf += grad / avg
            param -= lr * buf
        else:
            param -= lr * (grad / avg)
