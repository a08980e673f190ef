"""`Parameter`: a tensor that a Module registers as something to train.

A Parameter is an ordinary leaf Tensor with `requires_grad=True` plus one extra meaning:
assigning it as an attribute of a Module (`self.weight = Parameter(...)`) adds it to
`module.parameters()`, which is what an optimizer is given. That is all the class does.

Results of maths on a Parameter are plain Tensors (`(w * 2)` is not a Parameter), as in
PyTorch: only the leaf you created is a parameter.

Read next: module.py (where the registration happens).
"""

from .. import creation
from ..tensor import Tensor


class Parameter(Tensor):
    """Parameter(data=None, requires_grad=True): `data`'s numbers as a trainable leaf.

    The parameter shares memory (and the version counter) with `data`, as PyTorch's does.
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = creation.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__} "
                "(wrap numbers with minitensor.tensor(...) first)"
            )
        param = cls._from_array(data._data, data.device)
        param._version = data._version  # like detach(): same numbers, same counter
        param.requires_grad = requires_grad  # raises for integer dtypes, as PyTorch
        return param

    def __init__(self, data=None, requires_grad=True):
        # Everything happened in __new__; Tensor.__init__ would build a second copy.
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        """copy.deepcopy(model) copies the numbers only: no .grad, no graph (as PyTorch)."""
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        """Pickle as (numbers on the host, device, requires_grad): no graph, no hooks."""
        host = self.device.backend.to_numpy(self._data)
        return (_rebuild_parameter, (host, str(self.device), self.requires_grad))


def _rebuild_parameter(host_array, device, requires_grad):
    return Parameter(creation.tensor(host_array, device=device), requires_grad)
