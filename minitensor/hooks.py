"""`RemovableHandle`: what registering a hook returns, as `torch.utils.hooks.RemovableHandle`.

`handle = t.register_hook(f)` then `handle.remove()` takes the hook off again; the same for
a module's forward hooks. It imports nothing, so every layer can use it.
"""


class RemovableHandle:
    """Takes `hook` out of the list `hooks` it was added to, when `remove()` is called."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
