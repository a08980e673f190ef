"""`AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

Read next: adam.py, which this class reuses for everything but the weight decay.
"""

from .adam import Adam


class AdamW(Adam):
    """Adam whose weight decay shrinks the parameter directly. One step, for each `p`, with
    `param` its numbers and `grad` those of p.grad:

        1. if maximize: grad = -grad
        2. param = param * (1 - lr * weight_decay)         (decoupled: grad is not touched)
        3. step = step + 1
        4. exp_avg    = beta1 * exp_avg    + (1 - beta1) * grad
        5. exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
        6. bias_correction1 = 1 - beta1 ** step
           bias_correction2 = 1 - beta2 ** step
        7. if amsgrad: max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq), used below
        8. step_size = lr / bias_correction1
           denom = sqrt(exp_avg_sq) / sqrt(bias_correction2) + eps
        9. param = param - step_size * exp_avg / denom

    L2 in the gradient versus decoupled weight decay: for plain SGD they are the same thing
    (adding weight_decay * param to grad and then stepping by lr shrinks param by the factor
    1 - lr * weight_decay). Adam divides everything in the gradient by sqrt(v), the
    penalty's gradient included, so with Adam(weight_decay=...) parameters with large
    gradients are hardly decayed and the decay of a parameter whose gradient is zero is
    normalised into steps of about lr.
    AdamW keeps the decay out of the gradient: every parameter shrinks by the same factor
    (1 - lr * weight_decay) per step, whatever its gradient.

    PyTorch multiplies the decay by lr (so a scheduler scales both together); the paper
    writes a separate schedule multiplier. Note the default: weight_decay=1e-2 (Adam's is 0).
    AdamW(...) is Adam(..., decoupled_weight_decay=True), as in PyTorch 2.x.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
