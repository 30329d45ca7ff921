"""Row blocks that fit the cache."""

import numpy as np
import pytest

from micfp.utils._blocks import apply_in_blocks


def _row_sums(rows):
    assert rows.ndim == 2
    return np.cumsum(rows, axis=-1)[:, ::2]


@pytest.mark.parametrize("block_bytes", [1, 24, 100, 10**9])
def test_blocks_give_the_result_of_one_call(block_bytes):
    x = np.random.default_rng(0).standard_normal((7, 6))
    out = apply_in_blocks(_row_sums, x, row_bytes=24, block_bytes=block_bytes)
    np.testing.assert_array_equal(out, _row_sums(x))


def test_leading_axes_are_kept():
    x = np.random.default_rng(1).standard_normal((2, 3, 5))
    out = apply_in_blocks(_row_sums, x, row_bytes=40, block_bytes=80)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.reshape(6, 3), _row_sums(x.reshape(6, 5)))


def test_block_sizes_follow_the_budget():
    sizes = []

    def record(rows):
        sizes.append(len(rows))
        return rows

    apply_in_blocks(record, np.zeros((10, 4)), row_bytes=100, block_bytes=300)
    assert sizes == [3, 3, 3, 1]


def test_no_rows():
    out = apply_in_blocks(_row_sums, np.zeros((0, 4)), row_bytes=32)
    assert out.shape == (0, 2)
