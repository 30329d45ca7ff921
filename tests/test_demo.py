import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from micfp.demo import main

ROOT = Path(__file__).resolve().parents[1]


def test_demo_reports_identification_rejection_and_lrs(capsys):
    args = "--n-devices 3 --duration 4 --n-clips 40 --n-population 20 --excerpt 2"
    scores = main(args.split())
    out = capsys.readouterr().out
    assert "precision" in out
    assert "Clip accuracy:" in out
    assert "Recording accuracy:" in out
    assert "take 3 of device 0      -> " in out  # the truth beside the prediction
    assert "of unseen device -> " in out
    assert "log10 LR = " in out
    assert "s)\n" in out  # progress: each step's time
    for key in ("clip_accuracy", "recording_accuracy", "unseen_rejected"):
        assert 0.0 <= scores[key] <= 1.0
    assert np.isfinite([scores["llr_same"], scores["llr_different"]]).all()


def test_demo_command_line_help():
    out = subprocess.run(
        [sys.executable, "-m", "micfp.demo", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--n-devices" in out.stdout


def _readme_python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_quickstart_runs():
    blocks = _readme_python_blocks()
    assert blocks, "README.md has no python code block"
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
