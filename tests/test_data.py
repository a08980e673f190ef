"""utils.data: datasets, DataLoader batches / shuffling / len / drop_last, collate, splits."""

import collections

import numpy as np
import pytest

import minitensor as mt
from minitensor.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def _np(t):
    return t.detach().cpu().numpy()


def _dataset(n=10, device="cpu"):
    x = mt.arange(n * 3, dtype=mt.float32, device=device).reshape(n, 3)
    y = mt.arange(n, device=device)
    return TensorDataset(x, y)


class Squares(Dataset):
    """A map-style dataset written by hand: sample i is (i, i * i) as Python numbers."""

    def __getitem__(self, i):
        return i, float(i * i)

    def __len__(self):
        return 7


class Wrapped(Dataset):
    """The same samples as a TensorDataset, but not one: forces the general path."""

    def __init__(self, inner):
        self.inner = inner

    def __getitem__(self, i):
        return self.inner[i]

    def __len__(self):
        return len(self.inner)


# ----------------------------------------------------------------------------- datasets


def test_tensor_dataset_indexes_all_tensors_together():
    ds = _dataset()
    x, y = ds[4]
    assert len(ds) == 10 and x.tolist() == [12.0, 13.0, 14.0] and y.item() == 4


def test_tensor_dataset_needs_equal_first_dimensions():
    with pytest.raises(AssertionError, match=r"Size mismatch between tensors.*\[3, 4\]"):
        TensorDataset(mt.zeros(3, 2), mt.zeros(4))


def test_dataset_base_class_needs_getitem():
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]


def test_subset_picks_positions_in_order():
    sub = Subset(_dataset(), [7, 2])
    assert len(sub) == 2 and sub[0][1].item() == 7 and sub[1][1].item() == 2


# ----------------------------------------------------------------------------- batches


def test_batches_in_order_without_shuffle():
    batches = list(DataLoader(_dataset(), batch_size=4))
    assert [len(y) for _, y in batches] == [4, 4, 2]
    assert [y.tolist() for _, y in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    x, y = batches[1]
    assert isinstance(batches[1], list) and x.shape == (4, 3) and x.dtype is mt.float32
    assert y.dtype is mt.int64 and x[0].tolist() == [12.0, 13.0, 14.0]


@pytest.mark.parametrize(("n", "size", "drop_last", "expected"), [
    (10, 4, False, 3), (10, 4, True, 2), (8, 4, True, 2), (3, 5, False, 1), (3, 5, True, 0),
])  # fmt: skip
def test_len_is_the_number_of_batches(n, size, drop_last, expected):
    loader = DataLoader(_dataset(n), batch_size=size, drop_last=drop_last)
    assert len(loader) == expected == len(list(loader))


def test_drop_last_skips_only_the_short_batch():
    loader = DataLoader(_dataset(10), batch_size=4, drop_last=True, shuffle=True)
    assert [len(y) for _, y in loader] == [4, 4]


def test_len_matches_pytorch():
    torch = pytest.importorskip("torch")
    for n, size, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (1, 2, False)]:
        theirs = torch.utils.data.DataLoader(list(range(n)), batch_size=size, drop_last=drop)
        assert len(DataLoader(list(range(n)), batch_size=size, drop_last=drop)) == len(theirs)


def test_fast_path_gives_the_same_batches_as_stacking_samples():
    mt.manual_seed(0)
    ds = TensorDataset(mt.randn(100, 3), mt.randint(0, 5, (100,)), mt.randn(100))
    for shuffle in (False, True):
        mt.manual_seed(1)
        fast = list(DataLoader(ds, batch_size=7, shuffle=shuffle))
        mt.manual_seed(1)
        general = list(DataLoader(Wrapped(ds), batch_size=7, shuffle=shuffle))
        assert len(fast) == len(general) == 15
        for a, b in zip(fast, general):
            assert type(a) is type(b) is list
            for s, t in zip(a, b):
                assert s.dtype is t.dtype and s.shape == t.shape
                assert np.array_equal(_np(s), _np(t))


def test_fast_path_across_several_chunks(monkeypatch):
    monkeypatch.setattr(DataLoader, "CHUNK_BYTES", 64)  # a chunk of just a few batches
    ds = _dataset(50)
    mt.manual_seed(2)
    small = [y.tolist() for _, y in DataLoader(ds, batch_size=3, shuffle=True)]
    monkeypatch.setattr(DataLoader, "CHUNK_BYTES", 2**20)
    mt.manual_seed(2)
    assert small == [y.tolist() for _, y in DataLoader(ds, batch_size=3, shuffle=True)]


def test_changing_a_batch_leaves_the_dataset_alone():
    ds = _dataset(4)
    x, _ = next(iter(DataLoader(ds, batch_size=2)))
    x.fill_(-1.0)
    assert ds[0][0].tolist() == [0.0, 1.0, 2.0]


def test_batches_stay_on_the_dataset_device(device):
    loader = DataLoader(_dataset(6, device=device), batch_size=4, shuffle=True)
    for x, y in loader:
        assert x.device.type == device and y.device.type == device
    assert sorted(v for _, y in loader for v in y.tolist()) == list(range(6))


def test_dataset_that_requires_grad_keeps_the_graph():
    w = mt.ones(6, requires_grad=True)
    (batch,) = next(iter(DataLoader(TensorDataset(w * 2), batch_size=6)))
    batch.sum().backward()
    assert w.grad.tolist() == [2.0] * 6


def test_batch_size_none_yields_samples_one_by_one():
    samples = list(DataLoader(_dataset(3), batch_size=None))
    assert len(samples) == 3 and samples[2][1].item() == 2


# ----------------------------------------------------------------------------- shuffle


def _epoch(loader):
    return [v for _, y in loader for v in y.tolist()]


def test_shuffle_visits_every_sample_once_in_a_new_order_each_epoch():
    loader = DataLoader(_dataset(20), batch_size=6, shuffle=True)
    first, second = _epoch(loader), _epoch(loader)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second and first != list(range(20))


def test_shuffle_repeats_with_manual_seed():
    loader = DataLoader(_dataset(20), batch_size=6, shuffle=True)
    mt.manual_seed(3)
    first = [_epoch(loader), _epoch(loader)]
    mt.manual_seed(3)
    assert first == [_epoch(loader), _epoch(loader)]


def test_shuffle_with_its_own_generator_ignores_the_default_one():
    def epoch(seed):
        generator = mt.Generator().manual_seed(seed)
        mt.manual_seed(seed + 100)  # moving the default generator must not matter
        return _epoch(DataLoader(_dataset(20), batch_size=5, shuffle=True, generator=generator))

    assert epoch(4) == epoch(4) and epoch(4) != epoch(5)


# ----------------------------------------------------------------------------- collate


def test_default_collate_of_python_numbers():
    x, y = next(iter(DataLoader(Squares(), batch_size=3)))
    assert x.dtype is mt.int64 and x.tolist() == [0, 1, 2]
    assert y.dtype is mt.float64 and y.tolist() == [0.0, 1.0, 4.0]


def test_default_collate_keeps_structure():
    Point = collections.namedtuple("Point", ["x", "y"])
    batch = default_collate([
        {"image": mt.ones(2), "label": 1, "name": "a", "point": Point(1.0, True)},
        {"image": mt.zeros(2), "label": 0, "name": "b", "point": Point(2.0, False)},
    ])  # fmt: skip
    assert batch["image"].shape == (2, 2) and batch["label"].tolist() == [1, 0]
    assert batch["name"] == ["a", "b"]
    assert isinstance(batch["point"], Point) and batch["point"].y.dtype is mt.bool
    assert default_collate([[1, 2], [3, 4]])[1].tolist() == [2, 4]
    assert default_collate([np.ones(2), np.zeros(2)]).dtype is mt.float64


def test_default_collate_matches_pytorch_structure():
    torch = pytest.importorskip("torch")
    samples = [(1, 2.0, [3, 4]), (5, 6.0, [7, 8])]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)
    assert type(ours) is type(theirs) is list
    assert [o.tolist() if hasattr(o, "tolist") else o for o in ours[:2]] == [
        t.tolist() for t in theirs[:2]
    ]
    assert [o.tolist() for o in ours[2]] == [t.tolist() for t in theirs[2]]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([mt.ones(2), mt.ones(3)])


def test_custom_collate_fn_gets_the_list_of_samples():
    seen = []
    loader = DataLoader(_dataset(5), batch_size=2, collate_fn=lambda b: seen.append(len(b)) or b)
    batches = list(loader)
    assert seen == [2, 2, 1] and isinstance(batches[0], list) and isinstance(batches[0][0], tuple)


# ----------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_batch_size_must_be_a_positive_integer(size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(_dataset(), batch_size=size)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        DataLoader(_dataset(), batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(_dataset(), num_workers=-1)


def test_num_workers_and_pin_memory_change_nothing():
    plain = _epoch(DataLoader(_dataset(), batch_size=3))
    assert _epoch(DataLoader(_dataset(), batch_size=3, num_workers=2, pin_memory=True)) == plain


# ----------------------------------------------------------------------------- random_split


def test_random_split_is_disjoint_covering_and_seeded():
    ds = _dataset(10)

    def split(seed):
        parts = random_split(ds, [6, 4], generator=mt.Generator().manual_seed(seed))
        return [[ds_part[i][1].item() for i in range(len(ds_part))] for ds_part in parts]

    a, b = split(0)
    assert len(a) == 6 and len(b) == 4 and sorted(a + b) == list(range(10))
    assert split(0) == [a, b] and split(1) != [a, b]


def test_random_split_with_fractions_gives_leftovers_to_the_first_splits():
    parts = random_split(_dataset(10), [0.25, 0.25, 0.5])
    assert [len(p) for p in parts] == [3, 2, 5]  # floor gives 2, 2, 5; one left over


def test_random_split_lengths_must_add_up():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(_dataset(10), [3, 3])


def test_random_split_warns_about_an_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(_dataset(2), [0.5, 0.0, 0.5])


def test_subset_from_random_split_feeds_a_loader():
    train, _ = random_split(_dataset(10), [0.8, 0.2], generator=mt.Generator().manual_seed(0))
    loader = DataLoader(train, batch_size=3)
    assert len(loader) == 3 and sum(len(y) for _, y in loader) == 8
