import sys

import numpy as np
import pytest

pytest.importorskip("torch")

from micfp.neural import MLPClassifier


def _fit_verbosely():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8))
    y = np.repeat([0, 1, 2], 20)
    MLPClassifier(hidden_layer_sizes=(8,), max_epochs=3, verbose=1, random_state=0).fit(
        X, y
    )


def test_epoch_table_is_plain_text_when_not_a_terminal(capsys):
    _fit_verbosely()
    out = capsys.readouterr().out
    assert "train_loss" in out
    assert "\x1b[" not in out


def test_epoch_table_is_coloured_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _fit_verbosely()
    assert "\x1b[" in capsys.readouterr().out
