"""Writing data.pkl: a pickle (protocol 2) of the checkpoint, tensors as references.

A pickle is a small program for a stack machine; unpickling runs it. For example the dict
`{"epoch": 3}` is

    EMPTY_DICT  MARK  BINUNICODE "epoch"  BININT1 3  SETITEMS  STOP

(push an empty dict, mark the stack, push a key and a value, add everything above the mark
to the dict). Two instructions do the interesting work in a checkpoint:

    GLOBAL "torch._utils" "_rebuild_tensor_v2"    push the function with that name
    ... arguments as a tuple ...  REDUCE          call it: the result is the tensor
    ... a tuple ...  BINPERSID                    "persistent id": ask the loader for the
                                                  object this tuple names (a storage)

Python's own `pickle.Pickler` writes GLOBAL only for functions it can import, to make sure
the name leads back to them, and minitensor never imports torch. So this module writes the
few instructions a checkpoint needs itself, using the opcode constants of the `pickle`
module. It writes what state_dicts and checkpoints hold: tensors, numbers, strings, bytes,
None, dtypes, devices, and lists, tuples and dicts of them. Anything else is refused with
a TypeError (PyTorch pickles any object; loading those needs weights_only=False anyway).

Read next: unpickler.py (reading it back, and why loading is the dangerous direction).
"""

import collections
import pickle
import struct

from .. import backend, dtypes
from ..nn.parameter import Parameter
from ..tensor import Size, Tensor


class CheckpointPickler:
    """Turns one object into the bytes of data.pkl; tensors go into `storages`."""

    def __init__(self, storages):
        self.storages = storages  # a StorageTable (storages.py)
        self.out = bytearray()

    def dumps(self, obj):
        self.out += pickle.PROTO + b"\x02"
        self.save(obj)
        self.out += pickle.STOP
        return bytes(self.out)

    def save(self, obj):
        # bool before int: True is an int in Python. Tensor subclasses (Parameter) first.
        if obj is None:
            self.out += pickle.NONE
        elif obj is True or obj is False:
            self.out += pickle.NEWTRUE if obj else pickle.NEWFALSE
        elif isinstance(obj, int):
            self.save_int(obj)
        elif isinstance(obj, float):
            self.out += pickle.BINFLOAT + struct.pack(">d", obj)
        elif isinstance(obj, str):
            self.save_str(obj)
        elif isinstance(obj, bytes):
            # protocol 2 has no bytes opcode: PyTorch's pickles call _codecs.encode(s, "latin1")
            self.save_call("_codecs", "encode", (obj.decode("latin1"), "latin1"))
        elif isinstance(obj, Tensor):
            self.save_tensor(obj)
        elif isinstance(obj, dtypes.dtype):
            self.save_global("torch", obj.name)  # mt.float32 -> torch.float32
        elif isinstance(obj, backend.device):
            self.save_call("torch", "device", (str(obj),))
        elif isinstance(obj, Size):
            self.save_call("torch", "Size", (tuple(obj),))
        elif isinstance(obj, tuple):
            self.save_tuple(obj)
        elif isinstance(obj, list):
            self.out += pickle.EMPTY_LIST + pickle.MARK
            for item in obj:
                self.save(item)
            self.out += pickle.APPENDS
        elif isinstance(obj, dict):
            self.save_dict(obj)
        else:
            raise TypeError(
                f"minitensor.save can save tensors, numbers, strings, None, and lists, tuples "
                f"and dicts of them; got an object of type {type(obj).__name__}. Save its "
                "state instead (model.state_dict(), optimizer.state_dict(), number.item())"
            )

    def save_int(self, n):
        if 0 <= n < 2**8:
            self.out += pickle.BININT1 + struct.pack("<B", n)
        elif 0 <= n < 2**16:
            self.out += pickle.BININT2 + struct.pack("<H", n)
        elif -(2**31) <= n < 2**31:
            self.out += pickle.BININT + struct.pack("<i", n)
        else:  # any size: two's complement, little-endian, length first
            data = n.to_bytes(n.bit_length() // 8 + 1, "little", signed=True)
            self.out += pickle.LONG1 + struct.pack("<B", len(data)) + data

    def save_str(self, text):
        data = text.encode("utf-8", "surrogatepass")
        self.out += pickle.BINUNICODE + struct.pack("<I", len(data)) + data

    def save_tuple(self, items):
        self.out += pickle.MARK
        for item in items:
            self.save(item)
        self.out += pickle.TUPLE

    def save_dict(self, mapping):
        if isinstance(mapping, collections.OrderedDict):  # a state_dict: keep its type
            self.save_call("collections", "OrderedDict", ())
        else:
            self.out += pickle.EMPTY_DICT
        self.out += pickle.MARK
        for key, value in mapping.items():
            self.save(key)
            self.save(value)
        self.out += pickle.SETITEMS

    def save_global(self, module, name):
        self.out += pickle.GLOBAL + f"{module}\n{name}\n".encode("ascii")

    def save_call(self, module, name, args):
        """Instructions that make the loader call module.name(*args)."""
        self.save_global(module, name)
        self.save_tuple(args)
        self.out += pickle.REDUCE

    def save_tensor(self, tensor):
        """_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict()),
        and for a Parameter _rebuild_parameter(that tensor, requires_grad, OrderedDict())."""
        view = self.storages.add(tensor)
        if isinstance(tensor, Parameter):
            self.save_global("torch._utils", "_rebuild_parameter")
            self.out += pickle.MARK
        self.save_global("torch._utils", "_rebuild_tensor_v2")
        self.out += pickle.MARK
        self.save_persistent_id(view)
        self.save(view.offset)
        self.save_tuple(view.size)
        self.save_tuple(view.stride)
        # The graph is not saved: a tensor that required grad loads as a leaf that does.
        self.save(tensor.requires_grad and not isinstance(tensor, Parameter))
        self.save_call("collections", "OrderedDict", ())  # backward hooks: none are saved
        self.out += pickle.TUPLE + pickle.REDUCE
        if isinstance(tensor, Parameter):
            self.save(tensor.requires_grad)
            self.save_call("collections", "OrderedDict", ())
            self.out += pickle.TUPLE + pickle.REDUCE

    def save_persistent_id(self, view):
        """("storage", torch.FloatStorage, key, location, numel), then BINPERSID."""
        self.out += pickle.MARK
        self.save("storage")
        self.save_global("torch", view.storage_name)
        self.save(view.key)
        self.save(view.location)
        self.save(view.numel)
        self.out += pickle.TUPLE + pickle.BINPERSID
