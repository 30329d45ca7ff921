import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import micfp
from micfp.cli import REPORT_SCHEMA, main, render_html, validate_report
from micfp.datasets import make_recordings
from micfp.io import read_audio, write_audio

jsonschema = pytest.importorskip("jsonschema")
soundfile = pytest.importorskip("soundfile")


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """Reference folders of three devices, questioned files of them and a fourth.

    Takes 2 and the questioned files of device 2 are FLAC, the others WAV.
    """
    root = tmp_path_factory.mktemp("case")
    recordings = make_recordings(
        n_devices=4, n_recordings=3, duration=8.0, sr=44100, random_state=0
    )
    questioned = []
    for signal, device, take in zip(
        recordings.signals, recordings.devices, recordings.recording_ids, strict=True
    ):
        flac = take == 2 or device == 2
        suffix = ".flac" if flac else ".wav"
        if take == 3 or device == 3:
            path = root / f"questioned-{device}-{take}{suffix}"
            questioned.append((path, str(device)))
        else:
            folder = root / "references" / str(device)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"take{take}{suffix}"
        if flac:
            soundfile.write(path, signal, recordings.sr, subtype="PCM_16")
        else:
            write_audio(path, signal, recordings.sr)
    return root, questioned


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    """Recordings of 20 devices unrelated to the case's devices."""
    root = tmp_path_factory.mktemp("population")
    recordings = make_recordings(
        n_devices=20, n_recordings=4, duration=8.0, sr=44100, random_state=7
    )
    for signal, device, take in zip(
        recordings.signals, recordings.devices, recordings.recording_ids, strict=True
    ):
        folder = root / f"device{device}"
        folder.mkdir(exist_ok=True)
        write_audio(folder / f"{take}.wav", signal, recordings.sr)
    return root


@pytest.fixture(scope="module")
def spliced(case, tmp_path_factory):
    """Take 3 of device 0, then take 3 of device 1: 8 s each."""
    root, _ = case
    first, sr = read_audio(root / "questioned-0-3.wav")
    second, _ = read_audio(root / "questioned-1-3.wav")
    path = tmp_path_factory.mktemp("spliced") / "spliced.wav"
    write_audio(path, np.concatenate([first, second]), sr)
    return path


@pytest.fixture(scope="module")
def full_model(case, population, tmp_path_factory):
    root, _ = case
    path = tmp_path_factory.mktemp("model") / "model.micfp"
    status = main(
        [
            "-q",
            "fit",
            str(root / "references"),
            "--population",
            str(population),
            "--excerpt-duration",
            "2",
            "--n-clips",
            "100",
            "-o",
            str(path),
        ]
    )
    assert status == 0
    return path


def run_cli(*args, cwd):
    # the subprocess imports the same micfp as the tests, installed or not
    env = {**os.environ, "PYTHONPATH": str(Path(micfp.__file__).parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "micfp", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


class _ImageCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])


def test_fit_identify_report_end_to_end(case, tmp_path):
    root, questioned = case
    model = tmp_path / "model.micfp"
    fitted = run_cli(
        "fit", root / "references", "-o", model, "--n-clips", "100", cwd=tmp_path
    )
    assert fitted.returncode == 0, fitted.stderr
    assert "read 6 recordings of 3 devices" in fitted.stderr

    results = tmp_path / "identify.json"
    paths = [path for path, _ in questioned]
    identified = run_cli("identify", model, *paths, "-o", results, cwd=tmp_path)
    assert identified.returncode == 0, identified.stderr
    document = json.loads(results.read_text())
    assert [r["file"]["path"] for r in document["results"]] == [str(p) for p in paths]
    for result, (_, truth) in zip(document["results"], questioned, strict=True):
        assert set(result["probabilities"]) == {"0", "1", "2"}
        assert sum(result["probabilities"].values()) == pytest.approx(1.0)
        assert result["closest_device"] == max(
            result["probabilities"], key=result["probabilities"].get
        )
        assert len(result["file"]["sha256"]) == 64
        expected = "unknown" if truth == "3" else truth
        assert result["device"] == expected, (truth, result)

    reported = run_cli("report", results, "-o", tmp_path / "case", cwd=tmp_path)
    assert reported.returncode == 0, reported.stderr
    report = json.loads((tmp_path / "case.json").read_text())
    jsonschema.validate(report, REPORT_SCHEMA)
    parser = _ImageCounter()
    parser.feed((tmp_path / "case.html").read_text())
    assert len(parser.images) == len(paths)
    assert all(src.startswith("data:image/png;base64,") for src in parser.images)


def test_quiet_prints_nothing_on_success(case, tmp_path):
    root, _ = case
    out = run_cli(
        "-q",
        "fit",
        root / "references",
        "-o",
        tmp_path / "m",
        "--n-clips",
        "5",
        cwd=tmp_path,
    )
    assert out.returncode == 0
    assert out.stderr == ""
    assert "\x1b[" not in out.stdout + out.stderr


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["fit", "missing-folder", "-o", "m"], 3, "reference folder 'missing-folder'"),
        (["identify", "no-model.micfp", "q.wav"], 3, "model file 'no-model.micfp'"),
        (["report", "absent.json", "-o", "case"], 3, "absent.json"),
        (["fit", "x", "-o", "m", "--n-clips", "0"], 2, "must be at least 1"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_bad_input_exit_codes(args, status, message, tmp_path, capsys, monkeypatch):
    if status == 2:
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == status
    else:
        monkeypatch.chdir(tmp_path)
        assert main(args) == status
    assert message in capsys.readouterr().err


def test_model_that_is_not_a_case_model(tmp_path, capsys):
    from micfp.persistence import save_model

    path = tmp_path / "plain.micfp"
    save_model({"format": "something else"}, path)
    assert main(["identify", str(path), str(path)]) == 4
    assert "not one written by `micfp fit`" in capsys.readouterr().err

    (tmp_path / "junk.micfp").write_bytes(b"not a zip")
    assert main(["identify", str(tmp_path / "junk.micfp"), "q.wav"]) == 4


def test_model_of_another_version_is_refused(case, tmp_path, capsys, monkeypatch):
    root, questioned = case
    model = tmp_path / "model.micfp"
    assert (
        main(
            ["-q", "fit", str(root / "references"), "-o", str(model), "--n-clips", "5"]
        )
        == 0
    )
    monkeypatch.setattr("micfp.cli._model.__version__", "0.0.1")
    assert main(["identify", str(model), str(questioned[0][0])]) == 4
    assert "refit it with `micfp fit`" in capsys.readouterr().err


def test_questioned_file_shorter_than_a_clip(case, tmp_path, capsys):
    root, _ = case
    model = tmp_path / "model.micfp"
    assert (
        main(
            ["-q", "fit", str(root / "references"), "-o", str(model), "--n-clips", "5"]
        )
        == 0
    )
    short = tmp_path / "short.wav"
    write_audio(short, np.zeros(100, dtype=np.float32), 16000)
    assert main(["identify", str(model), str(short)]) == 3
    assert "shorter than one clip of 4096 samples" in capsys.readouterr().err


def test_device_with_one_reference_recording_is_refused(case, tmp_path, capsys):
    root, _ = case
    references = tmp_path / "references"
    for device in ("a", "b"):
        (references / device).mkdir(parents=True)
    for source, target in [("0/take1.wav", "a/1.wav"), ("1/take1.wav", "b/1.wav")]:
        (references / target).write_bytes((root / "references" / source).read_bytes())
    (references / "b" / "2.flac").write_bytes(
        (root / "references" / "1" / "take2.flac").read_bytes()
    )
    status = main(["fit", str(references), "-o", str(tmp_path / "m")])
    assert status == 3
    assert "device 'a' has one" in capsys.readouterr().err


def test_report_refuses_other_documents(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"command": "fit"}))
    assert main(["report", str(bad), "-o", str(tmp_path / "case")]) == 3
    assert "must come from `micfp identify`" in capsys.readouterr().err


def test_validate_report_rejects_a_broken_report():
    with pytest.raises(jsonschema.ValidationError):
        validate_report({"schema": "micfp-case-report"})


def test_render_html_escapes_names():
    report = {
        "title": "<script>",
        "created": "2026-01-01T00:00:00+00:00",
        "schema_version": "1.0",
        "versions": {"micfp": "x"},
        "models": [],
        "files": [],
        "results": [],
        "limitations": [],
    }
    page = render_html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_verify_and_scan_end_to_end(case, full_model, spliced, tmp_path):
    root, _ = case
    references = [
        root / "references" / "0" / name for name in ("take1.wav", "take2.flac")
    ]
    results = {}
    for device in ("0", "1"):
        out = tmp_path / f"verify-{device}.json"
        done = run_cli(
            "verify",
            full_model,
            root / f"questioned-{device}-3.wav",
            "--reference",
            *references,
            "-o",
            out,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert "log10 LR" in done.stderr
        results[device] = json.loads(out.read_text())["results"][0]
    same, other = results["0"], results["1"]
    assert same["log10_lr"] > 0 > other["log10_lr"], (same, other)
    assert same["verbal"].endswith("for H1")
    assert other["verbal"].endswith("for H2")
    assert same["n_population_devices"] == 20
    assert len(same["excerpt_log10_lr"]) == 4  # 8 s in excerpts of 2 s
    assert same["log10_lr"] == pytest.approx(np.median(same["excerpt_log10_lr"]))

    scanned = tmp_path / "scan.json"
    done = run_cli(
        "scan",
        full_model,
        spliced,
        root / "questioned-0-3.wav",
        "-o",
        scanned,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    edited, pristine = json.loads(scanned.read_text())["results"]
    # how well changes are found is measured by benchmarks/bench_splice.py;
    # here: the result is the detector's, whole and consistent
    for result, duration in ((edited, 16.0), (pristine, 8.0)):
        curve = np.asarray(result["curve"])
        assert len(result["curve_times"]) == curve.size > 0
        assert 0 < max(result["curve_times"]) < duration
        assert result["splice_score"] == curve.max()
        assert len(result["segment_scores"]) == len(result["boundary_times"]) + 1
        assert all(
            curve[np.argmin(np.abs(np.asarray(result["curve_times"]) - t))]
            >= result["threshold"]
            for t in result["boundary_times"]
        )

    identified = tmp_path / "identify.json"
    done = run_cli(
        "identify",
        full_model,
        root / "questioned-2-3.flac",
        "-o",
        identified,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    documents = [
        tmp_path / "verify-0.json",
        tmp_path / "verify-1.json",
        scanned,
        identified,
    ]
    done = run_cli("report", *documents, "-o", tmp_path / "case", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "case.json").read_text())
    jsonschema.validate(report, REPORT_SCHEMA)
    assert [r["kind"] for r in report["results"]] == [
        "verify",
        "verify",
        "scan",
        "scan",
        "identify",
    ]
    page = (tmp_path / "case.html").read_text()
    parser = _ImageCounter()
    parser.feed(page)
    assert len(parser.images) == 5
    assert "Change curve of" in page
    assert "for H1" in page and "for H2" in page


def test_verify_without_population_is_refused(case, tmp_path, capsys):
    root, questioned = case
    model = tmp_path / "model.micfp"
    assert (
        main(
            ["-q", "fit", str(root / "references"), "-o", str(model), "--n-clips", "5"]
        )
        == 0
    )
    status = main(
        [
            "verify",
            str(model),
            str(questioned[0][0]),
            "--reference",
            str(questioned[1][0]),
        ]
    )
    assert status == 4
    assert "--population FOLDER" in capsys.readouterr().err


@pytest.mark.parametrize(
    "llr, words",
    [
        (0.5, "weak support for H1"),
        (-1.5, "moderate support for H2"),
        (2.0, "moderately strong support for H1"),
        (3.5, "strong support for H1"),
        (-4.2, "very strong support for H2"),
        (7.0, "extremely strong support for H1"),
    ],
)
def test_verbal_equivalents(llr, words):
    from micfp.cli import verbal_equivalent

    assert verbal_equivalent(llr) == words


def test_verbal_equivalent_of_nan():
    from micfp.cli import verbal_equivalent

    with pytest.raises(ValueError, match="llr must be a number"):
        verbal_equivalent(float("nan"))
