"""Progress of long work: ``verbose`` in loading, features and evaluation."""

import io
import re
import sys

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from micfp.datasets import make_recordings
from micfp.io import load_recordings, write_audio
from micfp.model_selection import accuracy_vs_duration, cross_validate_recordings
from micfp.utils import progress
from micfp.utils._base import BaseClipTransformer
from micfp.utils._chunking import map_row_chunks

LINE = re.compile(r"^(?:\S.*: )?\d+(?:/\d+)? \w+s \((?:\d+ %, )?\d+\.\d s\)$")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class _Detached(io.StringIO):
    def isatty(self):
        raise ValueError("I/O operation on closed file")


def _plain(text):
    """The lines of a plain-text report, checked for terminal control codes."""
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    return lines


def test_silent_by_default():
    items = [1, 2, 3]
    assert progress(items) is items
    assert progress(items, verbose=False) is items


def test_plain_lines_each_tenth_and_the_last():
    log = io.StringIO()
    assert list(progress(range(25), verbose=1, desc="work", file=log)) == list(
        range(25)
    )
    lines = _plain(log.getvalue())
    assert len(lines) == 10
    counts = [int(re.search(r"(\d+)/25", line).group(1)) for line in lines]
    assert counts == sorted(counts) and counts[-1] == 25
    assert lines[-1].startswith("work: 25/25 items (100 %, ")


def test_plain_lines_without_a_total():
    log = io.StringIO()
    consumed = list(progress((i for i in range(23)), verbose=1, unit="file", file=log))
    assert consumed == list(range(23))
    lines = _plain(log.getvalue())
    assert [line.split()[0] for line in lines] == ["1", "2", "5", "10", "20", "23"]
    assert lines[0].startswith("1 files (")


def test_nothing_written_for_no_work():
    log = io.StringIO()
    assert list(progress([], verbose=1, file=log)) == []
    assert log.getvalue() == ""


def test_a_bar_on_a_terminal():
    tqdm = pytest.importorskip("tqdm")
    terminal = _Terminal()
    bar = progress(range(4), verbose=1, desc="work", file=terminal)
    assert isinstance(bar, tqdm.tqdm)
    assert list(bar) == [0, 1, 2, 3]
    assert "4/4" in terminal.getvalue()


def test_plain_lines_on_a_terminal_without_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    terminal = _Terminal()
    assert list(progress(range(3), verbose=1, file=terminal)) == [0, 1, 2]
    assert _plain(terminal.getvalue())[-1].startswith("3/3 items")


def test_plain_lines_on_a_detached_stream():
    stream = _Detached()
    list(progress(range(2), verbose=1, file=stream))
    assert len(_plain(stream.getvalue())) == 2


def test_stderr_by_default(capsys):
    list(progress(range(2), verbose=1, desc="default stream"))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _plain(captured.err)[-1].startswith("default stream: 2/2")


def test_map_row_chunks_reports_chunks(capsys):
    X = np.arange(40.0).reshape(20, 2)
    with sklearn.config_context(working_memory=16 / 2**20):  # one row a chunk
        out = map_row_chunks(lambda rows: rows * 2, X, verbose=1, desc="doubling")
    np.testing.assert_array_equal(out, 2 * X)
    lines = _plain(capsys.readouterr().err)
    assert lines[-1].startswith("doubling: 20/20 chunks (100 %")
    with sklearn.config_context(working_memory=16 / 2**20):
        map_row_chunks(lambda rows: rows, X)
    assert capsys.readouterr().err == ""


class _Gain(BaseClipTransformer):
    _parameter_constraints = {"n_jobs": [None, int], "verbose": ["verbose"]}

    def __init__(self, *, n_jobs=None, verbose=0):
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _transform_chunk(self, X, *, scale):
        return 2 * X


class _Silent(BaseClipTransformer):
    _parameter_constraints = {"n_jobs": [None, int]}

    def __init__(self, *, n_jobs=None):
        self.n_jobs = n_jobs

    def _transform_chunk(self, X, *, scale):
        return X


def test_clip_transformer_verbose(capsys):
    X = np.random.default_rng(0).normal(size=(12, 64))
    with sklearn.config_context(working_memory=64 * 8 * 3 / 2**20):  # 3 rows
        loud = _Gain(verbose=1).fit(X).transform(X)
        quiet = _Gain().fit(X).transform(X)
        _Silent().fit(X).transform(X)
    np.testing.assert_allclose(loud, quiet)
    lines = _plain(capsys.readouterr().err)
    assert lines[-1].startswith("_Gain: 4/4 chunks (100 %")
    assert not any("_Silent" in line for line in lines)
    with pytest.raises(InvalidParameterError, match="verbose"):
        _Gain(verbose="loud").fit(X)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("recordings")
    rec = make_recordings(2, 3, duration=1.0, sr=8000, random_state=0)
    for signal, device, take in zip(
        rec.signals, rec.devices, rec.recording_ids, strict=True
    ):
        (root / str(device)).mkdir(exist_ok=True)
        write_audio(root / str(device) / f"{take}.wav", signal, rec.sr)
    return root


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_load_recordings_verbose(folder, capsys, n_jobs):
    rec = load_recordings(folder, verbose=1, n_jobs=n_jobs)
    assert len(rec) == 6
    lines = _plain(capsys.readouterr().err)
    assert lines[-1].startswith(f"reading {folder}: 6/6 files (100 %")
    load_recordings(folder, n_jobs=n_jobs)
    assert capsys.readouterr().err == ""


def test_load_recordings_bad_verbose(folder):
    with pytest.raises(InvalidParameterError, match="'verbose' parameter"):
        load_recordings(folder, verbose="yes")


@pytest.fixture(scope="module")
def train_test():
    rec = make_recordings(2, 2, duration=1.0, sr=8000, random_state=0)
    return rec.subset(rec.recording_ids == 1), rec.subset(rec.recording_ids == 2)


@pytest.mark.parametrize("vary", ["test", "train"])
def test_accuracy_vs_duration_verbose(train_test, capsys, vary):
    train, test = train_test
    kwargs = dict(
        durations=[0.5, 1.0],
        vary=vary,
        clip_length=1024,
        n_repeats=2,
        random_state=0,
    )
    quiet = accuracy_vs_duration(LogisticRegression(), train, test, **kwargs)
    assert capsys.readouterr().err == ""
    loud = accuracy_vs_duration(LogisticRegression(), train, test, verbose=1, **kwargs)
    np.testing.assert_array_equal(
        quiet["recording_accuracy"], loud["recording_accuracy"]
    )
    lines = _plain(capsys.readouterr().err)
    assert lines[-1].startswith(
        f"accuracy against {vary} duration: 4/4 measurements (100 %"
    )


@pytest.mark.parametrize("verbose", [-1, 0.5, "yes"])
def test_accuracy_vs_duration_bad_verbose(train_test, verbose):
    train, test = train_test
    with pytest.raises(ValueError, match="verbose must be a non-negative integer"):
        accuracy_vs_duration(
            LogisticRegression(),
            train,
            test,
            durations=[0.5],
            clip_length=1024,
            verbose=verbose,
        )


def test_cross_validate_recordings_verbose(capsys):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    X = rng.normal(size=(60, 4)) + y[:, None]
    groups = np.repeat(np.arange(6), 10)
    cross_validate_recordings(LogisticRegression(), X, y, groups, cv=3)
    assert capsys.readouterr() == ("", "")
    cross_validate_recordings(LogisticRegression(), X, y, groups, cv=3, verbose=2)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert text.count("[CV] END") == 3
    assert "\x1b" not in text
