"""`gradcheck`: is backward right? Compare it with finite differences, as PyTorch does.

For each input element x[i] the numerical derivative is the central difference

    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

computed in float64 (float32 rounding would swamp eps = 1e-6). The analytical derivative
comes from backward with one output element seeded at a time (a row of the Jacobian).
They must agree within  |analytical - numerical| <= atol + rtol * |numerical|.

Read next: custom_function.py (the Functions you would check), ../ops/ (the built-in ops).
"""

import numpy as np

from ..tensor import Tensor
from ..tensor_functions.autograd import grad as autograd_grad
from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when backward disagrees with finite differences."""


def _host_float64(t):
    """A tensor's numbers as a flat float64 NumPy array (copied from the GPU if need be)."""
    return t.device.backend.to_numpy(t._data).astype(np.float64).reshape(-1)


def _jacobians(fn, inputs, eps):
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    with no_grad():
        out = fn(*inputs)
    n_out = out.numel()
    numerical = {i: np.zeros((inputs[i].numel(), n_out)) for i in wanted}
    analytical = {i: np.zeros((inputs[i].numel(), n_out)) for i in wanted}
    for i in wanted:
        data = inputs[i]._data
        for k in range(inputs[i].numel()):
            # Write through an index tuple, not a flattened copy: a transposed or sliced
            # input is not contiguous, and reshape(-1) would perturb a copy nobody reads.
            position = tuple(int(p) for p in np.unravel_index(k, tuple(data.shape)))
            original = float(data[position])
            with no_grad():
                data[position] = original + eps
                plus = _host_float64(fn(*inputs))
                data[position] = original - eps
                minus = _host_float64(fn(*inputs))
                data[position] = original
            numerical[i][k] = (plus - minus) / (2 * eps)
    out = fn(*inputs)
    for j in range(n_out):
        seed = np.zeros(n_out)
        seed[j] = 1.0
        seed_array = out.device.backend.asarray(seed.reshape(tuple(out.shape)), out.dtype)
        seed_tensor = Tensor._from_array(seed_array, out.device)
        grads = autograd_grad(
            out, [inputs[i] for i in wanted], seed_tensor, retain_graph=True, allow_unused=True
        )
        for i, g in zip(wanted, grads, strict=True):
            if g is not None:
                analytical[i][:, j] = _host_float64(g)
    return wanted, numerical, analytical


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if backward matches finite differences for every input that requires grad.

    Use float64 inputs (PyTorch warns otherwise; here it is an error, because in float32
    the finite differences are too noisy to say anything). On a mismatch the report names
    the input, the element and both derivatives.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for x in inputs:
        if isinstance(x, Tensor) and x.requires_grad and x.dtype.name != "float64":
            raise GradcheckError(
                f"gradcheck needs float64 inputs that require grad, got {x.dtype}; use x.double()"
            )
    wanted, numerical, analytical = _jacobians(fn, inputs, eps)
    for i in wanted:
        error = np.abs(analytical[i] - numerical[i])
        allowed = atol + rtol * np.abs(numerical[i])
        if np.any(error > allowed) or not np.all(np.isfinite(analytical[i])):
            worst = np.unravel_index(np.argmax(error - allowed), error.shape)
            message = (
                f"Jacobian mismatch for output {worst[1]} with respect to input {i}, element "
                f"{worst[0]}:\n  numerical (finite differences): {numerical[i][worst]:.6g}\n"
                f"  analytical (backward):          {analytical[i][worst]:.6g}\n"
                f"  max abs difference over all elements: {error.max():.3g}"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
