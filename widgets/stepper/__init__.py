"""The backward-stepper widget, `step_backward(loss)`: backpropagation one node at a time.

    model.py     BackwardStepperModel: the engine's real steps (minitensor.autograd.graph),
                 the gradients so far at any step, the chain rule in numbers; plain Python
    view.py      BackwardStepper: Next / Prev / Play / Reset, a step slider, Apply

It draws with the graph widget (../graph/). Read next: model.py.
"""
