"""Custom autograd Functions the tests share, written once for minitensor or for PyTorch.

    Cube = cube_function(mt)        # or cube_function(torch) in the parity tests
    y = Cube.apply(x)               # y = x³, dy/dx = 3x²

Each test file used to carry its own copy of these.
"""


def cube_function(lib):
    """Cube as a `lib.autograd.Function` (lib: minitensor or torch): the example from
    minitensor/autograd/custom_function.py, forward x³, backward grad_output · 3x²."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x**2

    return Cube
