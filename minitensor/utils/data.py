"""`utils.data`: datasets and the DataLoader that cuts them into (shuffled) mini-batches.

    dataset = TensorDataset(inputs, targets)          # sample i is (inputs[i], targets[i])
    loader = DataLoader(dataset, batch_size=32, shuffle=True)
    for x, y in loader:                               # x: (32, ...), y: (32, ...)
        ...

A Dataset is anything with `__getitem__(i)` and `__len__()`. The DataLoader asks for the
samples of one batch and glues them together with `collate_fn` (default_collate stacks
tensors along a new first dimension, and turns numbers into tensors). With shuffle=True
each epoch (each `for` over the loader) uses a new random order drawn from `generator`
(the default generator when None, so `mt.manual_seed` makes it repeatable).

What differs from PyTorch: everything runs in the main process (num_workers and
pin_memory are accepted and change nothing but PyTorch's speed), samplers are not
supported, and a TensorDataset takes a fast path (see DataLoader.__iter__).

Read next: ../nn/module.py, then the training loop in the lessons.
"""

import collections.abc
import math
import numbers
import warnings

import numpy as np

from .. import creation, dtypes
from ..tensor import Tensor
from ..tensor_functions import stack

# ----------------------------------------------------------------------------- datasets


class Dataset:
    """Base class: subclass it with `__getitem__(index)` and `__len__()`."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")


class TensorDataset(Dataset):
    """Sample i is (t[i] for t in tensors): inputs and targets indexed together."""

    def __init__(self, *tensors):
        sizes = [t.shape[0] if t.ndim else None for t in tensors]
        if any(size != sizes[0] for size in sizes):
            # PyTorch asserts this; an explicit raise also works under `python -O`.
            raise AssertionError(
                f"Size mismatch between tensors: their first dimensions are {sizes}; every "
                "tensor needs one entry per sample"
            )
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at positions `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


def _lengths_from_fractions(fractions, total):
    """[0.8, 0.2] of 10 samples -> [8, 2]; leftovers go one by one to the first splits."""
    lengths = [int(math.floor(total * f)) for f in fractions]
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                UserWarning,
                stacklevel=3,
            )
    return lengths


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random Subsets of the given lengths.

    `lengths` are counts summing to len(dataset), or fractions summing to 1
    (`random_split(ds, [0.8, 0.2])`).
    """
    total = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, total)
    if sum(lengths) != total:
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset! "
            f"(lengths {list(lengths)} sum to {sum(lengths)}; the dataset has {total} samples)"
        )
    order = creation.randperm(total, generator=generator).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start : start + length]))
        start += length
    return subsets


# ----------------------------------------------------------------------------- collate


def default_collate(batch):
    """Glue a list of samples into one batch, keeping the samples' structure.

    tensors -> stacked (new first dim)      numbers -> one tensor (floats as float64)
    tuples/lists -> a list, collated per position     dicts -> a dict, collated per key
    strings -> left as a list
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        return stack([creation.as_tensor(b) for b in batch], 0)
    if isinstance(elem, (bool, np.bool_)):
        return creation.tensor(batch)
    if isinstance(elem, float):
        return creation.tensor(batch, dtype=dtypes.float64)
    if isinstance(elem, (numbers.Number, np.number)):
        return creation.tensor(np.asarray(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type
        return type(elem)(*(default_collate(list(column)) for column in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(column)) for column in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem)}"
    )


# ----------------------------------------------------------------------------- loader


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` samples.

    len(loader) is the number of batches: ceil(n / batch_size), or floor with
    drop_last=True (which skips a last, smaller batch).
    """

    # The fast path gathers this many bytes of samples at a time (see _tensor_batches).
    CHUNK_BYTES = 4 * 2**20

    def __init__(
        self, dataset, batch_size=1, shuffle=False, *, num_workers=0, collate_fn=None,
        pin_memory=False, drop_last=False, generator=None,
    ):  # fmt: skip
        # Keyword-only after `shuffle`: PyTorch's 4th and 5th positions are sampler and
        # batch_sampler, which minitensor does not have, so a positional call must not
        # silently bind them to something else.
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0
        ):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.drop_last = drop_last
        self.generator = generator

    def __len__(self):
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        if self.drop_last:
            return n // self.batch_size
        return math.ceil(n / self.batch_size)

    def _order(self):
        """This epoch's sample order: a fresh permutation when shuffling, else 0..n-1."""
        n = len(self.dataset)
        if self.shuffle:
            return creation.randperm(n, generator=self.generator).numpy()
        return np.arange(n)

    def __iter__(self):
        order = self._order()
        if self.batch_size is None:  # no batching: samples one by one, as they are
            for i in order.tolist():
                yield self.dataset[i]
            return
        n, size = len(order), self.batch_size
        last = n - n % size if self.drop_last else n  # drop_last: stop before a short batch
        spans = [(start, min(start + size, n)) for start in range(0, last, size)]
        if self._fast_path():
            yield from self._tensor_batches(order, spans)
            return
        collate = self.collate_fn or default_collate
        for start, stop in spans:
            yield collate([self.dataset[i] for i in order[start:stop].tolist()])

    def _fast_path(self):
        return (
            type(self.dataset) is TensorDataset
            and self.collate_fn is None
            and not any(t.requires_grad for t in self.dataset.tensors)
        )

    def _tensor_batches(self, order, spans):
        """Batches of a TensorDataset without a Python loop over samples.

        The result is identical to the general path: the same numbers, dtypes and devices,
        in the same list [inputs, targets] that default_collate makes by stacking samples
        one at a time. Only the work differs. Each tensor's rows for several batches at a
        time (a chunk of about CHUNK_BYTES) are gathered with ONE `take` in this epoch's
        order; each batch is then a slice of that chunk. `take` copies, so changing a batch
        never changes the dataset, as with stacking.
        """
        tensors = self.dataset.tensors
        row_bytes = sum(t.numel() // max(len(t), 1) * t.dtype.itemsize for t in tensors)
        batches_per_chunk = max(1, self.CHUNK_BYTES // max(row_bytes * self.batch_size, 1))
        index_on = {}  # the epoch's order as an index array, once per device
        for t in tensors:
            if t.device not in index_on:
                index_on[t.device] = t.device.backend.asarray(order, dtypes.int64)
        for first in range(0, len(spans), batches_per_chunk):
            group = spans[first : first + batches_per_chunk]
            low, high = group[0][0], group[-1][1]
            chunks = [
                (t.device.xp.take(t._data, index_on[t.device][low:high], axis=0), t.device)
                for t in tensors
            ]
            for start, stop in group:
                rows = slice(start - low, stop - low)
                yield [Tensor._from_array(chunk[rows, ...], device) for chunk, device in chunks]
