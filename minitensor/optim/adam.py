"""`Adam`: momentum plus a step size per coordinate, from running averages of the gradient.

Read next: adamw.py (the same with decoupled weight decay), rmsprop.py (Adam without the
momentum average and without bias correction).
"""

import math

from .. import creation
from .optimizer import Optimizer, _array, _count_step, _state_array, _step_counter


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015). One step, for each parameter `p`, with `param` its numbers
    and `grad` those of p.grad (the arrays `_update` works on):

        1. if maximize:          grad = -grad
        2. if weight_decay != 0: grad = grad + weight_decay * param      (L2 in the gradient)
           or, with decoupled_weight_decay=True:
                                 param = param * (1 - lr * weight_decay)   (= AdamW)
        3. step = step + 1
        4. exp_avg    = beta1 * exp_avg    + (1 - beta1) * grad          (m: mean of grad)
        5. exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad   (v: mean of grad^2)
        6. bias_correction1 = 1 - beta1 ** step
           bias_correction2 = 1 - beta2 ** step
        7. if amsgrad: max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq), and use it in
           place of exp_avg_sq below (the step size can then only shrink)
        8. step_size = lr / bias_correction1
           denom = sqrt(exp_avg_sq) / sqrt(bias_correction2) + eps
        9. param = param - step_size * exp_avg / denom

    State: state['step'] (a 0-d float tensor), 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'.

    The paper writes it with corrected averages: m_hat = m / (1 - beta1^t),
    v_hat = v / (1 - beta2^t), p = p - lr * m_hat / (sqrt(v_hat) + eps). Steps 8-9 are the
    same numbers, with the corrections moved onto scalars. TensorFlow/Keras add eps to the
    uncorrected sqrt(v), which amounts to a larger eps during the first steps.

    Why bias correction: exp_avg and exp_avg_sq start at zero, so early on they are too
    small. After step 1, m = 0.1 * g and v = 0.001 * g^2 (default betas), and the
    uncorrected update lr * m / sqrt(v) = lr * 0.1 / 0.0316 * sign(g) is about 3x too large:
    v is shrunk more than m and sits under a square root. Corrected, the first update is
    exactly lr * sign(g) (up to eps): whatever the gradient's scale, Adam first moves each
    coordinate by about lr.

    weight_decay here is L2 regularisation: weight_decay * p joins the gradient and is then
    divided by sqrt(v) like the rest, so parameters with large gradients are hardly decayed.
    AdamW (adamw.py) decays p directly instead; so does Adam(decoupled_weight_decay=True),
    PyTorch 2.x's spelling of the same optimizer.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        self._check_hyperparameters(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _update(self, p, grad, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        state = self.state[p]
        if not state:  # first step for this parameter: state lives on p's device and dtype
            state["step"] = _step_counter()
            state["exp_avg"] = creation.zeros_like(p)
            state["exp_avg_sq"] = creation.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = creation.zeros_like(p)
        # from here on NumPy maths (CuPy's on a GPU), in place where p or the state changes
        xp = p.device.xp
        param, grad = _array(p), _array(grad)
        exp_avg = _state_array(p, state, "exp_avg")
        exp_avg_sq = _state_array(p, state, "exp_avg_sq")

        if group["maximize"]:  # 1.
            grad = -grad
        grad = self._weight_decay(param, grad, group)  # 2.
        step = _count_step(state)  # 3.
        exp_avg *= beta1  # 4.
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2  # 5.
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1**step  # 6.
        bias_correction2 = 1 - beta2**step
        if group["amsgrad"]:  # 7.
            max_exp_avg_sq = _state_array(p, state, "max_exp_avg_sq")
            max_exp_avg_sq[...] = xp.maximum(max_exp_avg_sq, exp_avg_sq)
            exp_avg_sq = max_exp_avg_sq
        step_size = lr / bias_correction1  # 8.
        denom = xp.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + eps
        param -= step_size * (exp_avg / denom)  # 9.

    def _weight_decay(self, param, grad, group):
        """Adam's weight decay (step 2): the L2 penalty's gradient, weight_decay * param,
        joins grad (a new array). Decoupled (AdamW's): param itself shrinks, in place, and
        the gradient stays as it is."""
        weight_decay = group["weight_decay"]
        if weight_decay == 0:
            return grad
        if group.get("decoupled_weight_decay", False):
            param *= 1 - group["lr"] * weight_decay
            return grad
        return grad + weight_decay * param
