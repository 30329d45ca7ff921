import numpy as np
import pytest
from sklearn import config_context

from micfp.exceptions import AudioValueError
from micfp.utils._chunking import chunk_slices, map_row_chunks
from micfp.utils._docstring import Substitution
from micfp.utils._framing import frame, window_gain
from micfp.utils._validation import needs_scaling, overflow_shift


def test_chunk_slices_follow_the_working_memory():
    with config_context(working_memory=1):
        slices = chunk_slices(103, 2**18)
    assert [sl.stop - sl.start for sl in slices] == [4] * 25 + [3]
    covered = np.concatenate([np.arange(103)[sl] for sl in slices])
    np.testing.assert_array_equal(covered, np.arange(103))


def test_chunk_slices_hold_one_row_when_a_row_exceeds_the_working_memory():
    with config_context(working_memory=1):
        slices = chunk_slices(3, 2**21)
    assert [sl.stop - sl.start for sl in slices] == [1, 1, 1]


def test_default_working_memory_keeps_small_batches_whole():
    assert chunk_slices(1000, 4096 * 8) == [slice(0, 1000)]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_map_row_chunks_allocates_the_output_from_the_first_chunk(n_jobs):
    X = np.arange(40.0).reshape(10, 4)
    with config_context(working_memory=3 * X[0].nbytes / 2**20):
        out = map_row_chunks(lambda rows: rows.sum(axis=1), X, n_jobs=n_jobs)
    np.testing.assert_array_equal(out, X.sum(axis=1))


def test_frame_pads_or_raises_on_short_signals():
    x = np.arange(5.0)
    np.testing.assert_array_equal(
        frame(x, 8, 2, pad=True), np.r_[x, 0, 0, 0][np.newaxis]
    )
    with pytest.raises(AudioValueError, match="n_fft=8 is too large"):
        frame(x, 8, 2, name="n_fft")


def test_frame_drops_the_tail():
    frames = frame(np.arange(10), 4, 3)
    np.testing.assert_array_equal(frames[:, 0], [0, 3, 6])
    assert not frames.flags.writeable


def test_window_gain():
    assert window_gain(None) == 1.0
    assert window_gain(np.array([0.5, -3.0])) == 3.0


def test_needs_scaling_depends_on_the_dtype():
    assert needs_scaling(np.array([1.0, 3e300]), np.float64)
    assert not needs_scaling(np.array([1e20]), np.float64)
    assert needs_scaling(np.array([1e20]), np.float32)


def test_overflow_shift_scales_only_huge_rows():
    shift = overflow_shift(np.array([[0.5, -1.0], [3e300, 1.0]]))
    assert shift.ravel().tolist() == [0, 999]
    assert overflow_shift(np.ones((2, 4))) is None


def test_substitution_indents_each_section_as_its_placeholder():
    @Substitution(first="One line.", second="Two\n    indented\nlines.")
    def f():
        """Title.

        {first}

        Parameters
        ----------
            {second}
        """

    assert "        One line.\n" in f.__doc__
    assert (
        "            Two\n                indented\n            lines.\n" in f.__doc__
    )


def test_substitution_refuses_missing_and_unused_sections():
    def f():
        """{missing}"""

    with pytest.raises(KeyError, match="no section 'missing'"):
        Substitution()(f)

    def g():
        """Nothing to fill."""

    with pytest.raises(KeyError, match="no placeholder for"):
        Substitution(unused="text")(g)
