import re
import subprocess
import sys
from pathlib import Path

from micfp.demo import main

ROOT = Path(__file__).resolve().parents[1]


def test_demo_reports_clip_and_recording_accuracy(capsys):
    scores = main(["--n-devices", "3", "--duration", "3", "--n-clips", "30"])
    out = capsys.readouterr().out
    assert "precision" in out
    assert "Clip accuracy:" in out
    assert "Recording accuracy:" in out
    for value in scores.values():
        assert 0.0 <= value <= 1.0


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
