"""`SGD`: stochastic gradient descent, with PyTorch's momentum, dampening and Nesterov options.

Read next: adam.py (momentum plus a per-coordinate step size), rmsprop.py, adagrad.py.
"""

from .. import creation
from .optimizer import Optimizer, _array, _state_array


class SGD(Optimizer):
    """Gradient descent, optionally with momentum. One step, for each parameter `p`, with
    `param` its numbers and `grad` those of p.grad (the arrays `_update` works on):

        1. if maximize:          grad = -grad
        2. if weight_decay != 0: grad = grad + weight_decay * param
        3. if momentum != 0:
               on the first step:  buf = grad                     (a copy, no dampening)
               on later steps:     buf = momentum * buf + (1 - dampening) * grad
               if nesterov:        grad = grad + momentum * buf
               else:               grad = buf
        4. param = param - lr * grad

    `buf` is kept as state['momentum_buffer'].

    Three ways to write momentum (the same idea, with different meanings for lr and mu):

        PyTorch (here):       v = mu * v + g             p = p - lr * v
        moving average:       v = mu * v + (1 - mu) * g  p = p - lr * v
        lr inside velocity:   v = mu * v + lr * g        p = p - v       (Sutskever et al. 2013)

    - Under a constant gradient g, PyTorch's v grows to g / (1 - mu), so the step settles
      at about lr / (1 - mu) times g: momentum=0.9 walks 10x further per step than plain
      SGD with the same lr. The moving average settles at g itself, so it matches PyTorch
      with lr_average = lr / (1 - mu). dampening=mu turns PyTorch's formula into the moving
      average, except on the first step, where buf = grad undamped.
    - Putting lr inside v gives the same path while lr is constant (v = lr * buf), but when
      a scheduler changes lr, PyTorch applies the new lr to the whole buffer at once, while
      that form changes only the newest contributions.
    - nesterov=True looks ahead: it steps along grad + mu * buf instead of buf.

    weight_decay adds the L2 penalty's gradient weight_decay * p to grad (for SGD this is the
    same as decaying p directly; for Adam it is not: see adamw.py).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
    ):
        self._check_hyperparameters(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={momentum}, dampening={dampening})"
            )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, p, grad, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay = group["weight_decay"]
        # from here on NumPy maths (CuPy's on a GPU), in place where p or the state changes
        param, grad = _array(p), _array(grad)

        if group["maximize"]:  # 1.
            grad = -grad
        if weight_decay != 0:  # 2. (a new array: p.grad keeps what backward put there)
            grad = grad + weight_decay * param
        if momentum != 0:  # 3.
            state = self.state[p]  # only now: plain SGD keeps no state at all
            if state.get("momentum_buffer") is None:
                state["momentum_buffer"] = creation.zeros_like(p)
                buf = _array(state["momentum_buffer"])
                buf[...] = grad  # the first step: a copy of grad, no dampening
            else:
                buf = _state_array(p, state, "momentum_buffer")
                buf *= momentum
                buf += (1 - dampening) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        param -= lr * grad  # 4.
