import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import micfp
from micfp.cli import (
    REPORT_SCHEMA,
    build_report,
    main,
    render_html,
    validate_report,
)
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
        self.images, self.alts = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
            self.alts.append(dict(attrs)["alt"])


def test_fit_identify_report_end_to_end(case, tmp_path):
    root, questioned = case
    model = tmp_path / "model.micfp"
    fitted = run_cli(
        "fit", root / "references", "-o", model, "--n-clips", "100", cwd=tmp_path
    )
    assert fitted.returncode == 0, fitted.stderr
    assert "read 6 recordings of 3 devices" in fitted.stderr
    # progress is on by default, in plain lines since stderr is not a terminal
    assert f"reading {root / 'references'}: 6/6 files (100 %" in fitted.stderr
    assert "\r" not in fitted.stderr and "\x1b" not in fitted.stderr

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
    # no population: neither the LRs nor the rejection of other devices tested
    assert report["models"][0]["validation"] == {
        "likelihood_ratio": None,
        "open_set": None,
    }
    parser = _ImageCounter()
    page = (tmp_path / "case.html").read_text()
    parser.feed(page)
    assert "no validation figures" in page
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
        (["fit", "x", "-o", "m", "--validation-devices", "-1"], 2, "at least 0"),
        (["fit", ".", "-o", "m", "--validation-devices", "2"], 3, "--population"),
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

    save_model({"format": "micfp-case-model", "format_version": 1}, path)
    assert main(["identify", str(path), str(path)]) == 4
    assert "format version 1" in capsys.readouterr().err

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
    assert len(parser.images) == 6  # validation, 2 verify, 2 scan, identify
    assert "Change curve of" in page
    assert "Tippett plot and DET curve of" in page
    assert "Open-set rejection of <code>identify</code>, on devices it never" in page
    assert "for H1" in page and "for H2" in page


def _check_validation(validation, trials, n_devices):
    from micfp.metrics import cllr, eer

    assert validation["trials"] == trials
    assert validation["n_devices"] == n_devices
    y_true = np.asarray(validation["y_true"])
    assert validation["n_target_trials"] == y_true.sum() > 0
    assert validation["n_non_target_trials"] == (y_true == 0).sum() > 0
    assert len(validation["llr"]) == len(validation["score"]) == y_true.size
    metrics = validation["metrics"]
    assert metrics["cllr"] == pytest.approx(cllr(y_true, validation["llr"]))
    assert metrics["eer"] == pytest.approx(eer(y_true, validation["score"]))
    assert 0 <= metrics["cllr_min"] <= metrics["cllr"]


def _check_open_set(validation, n_devices, n_recordings):
    assert validation["n_devices"] == n_devices
    assert validation["n_recordings"] == len(validation["knownness"]) == n_recordings
    knownness = np.asarray(validation["knownness"])
    assert validation["accepted_recordings"] == np.sum(knownness >= 0)
    assert 0 <= validation["clip_acceptance_rate"] <= 1


def test_model_validation_on_calibration_trials(full_model):
    from micfp.cli._model import load_case_model

    model = load_case_model(full_model)
    # 20 population devices: half fit the embedding and back-end, half calibrate
    _check_validation(model.validation["likelihood_ratio"], "calibration", 10)
    _check_open_set(model.validation["open_set"], 20, 80)
    assert model.describe(full_model)["validation"] == model.validation
    assert model.provenance["validation"] == []


def test_model_validation_on_held_out_devices(case, tmp_path, capsys):
    from micfp.cli._model import load_case_model

    root, _ = case
    recordings = make_recordings(
        n_devices=24, n_recordings=4, duration=3.0, sr=44100, random_state=3
    )
    population = tmp_path / "population"
    for signal, device, take in zip(
        recordings.signals, recordings.devices, recordings.recording_ids, strict=True
    ):
        (population / f"d{device}").mkdir(parents=True, exist_ok=True)
        write_audio(population / f"d{device}" / f"{take}.wav", signal, recordings.sr)
    path = tmp_path / "model.micfp"
    common = ["fit", str(root / "references"), "--population", str(population)]
    common += ["--excerpt-duration", "1", "--n-clips", "5", "-o", str(path)]
    assert main(["-q", *common, "--validation-devices", "24"]) == 3
    assert "leaves no population device" in capsys.readouterr().err

    assert main([*common, "--validation-devices", "4"]) == 0
    log = capsys.readouterr().err
    assert "likelihood ratios on 4 held-out devices: Cllr" in log
    assert "recordings (100 %" in log  # progress of the open-set test
    model = load_case_model(path)
    _check_validation(model.validation["likelihood_ratio"], "held-out", 4)
    # the classifier saw none of the population: all 24 devices test it
    _check_open_set(model.validation["open_set"], 24, 96)
    held_out = {r["device"] for r in model.provenance["validation"]}
    fitted = {r["device"] for r in model.provenance["population"]}
    assert len(held_out) == 4 and len(fitted) == 20 and not held_out & fitted
    assert model.describe(path)["n_population_devices"] == 20


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


# The report as a browser draws it: ``nox -s render`` runs the tests marked
# ``chromium`` with Chromium required, and keeps the picture in
# ``build/case-report.png``; elsewhere they skip without Debian's chromium.

WIDTH, HEIGHT = 1000, 1400


def _file(name, seed):
    return {
        "path": name,
        "sha256": f"{seed:064x}",
        "size": 1_411_244,
        "container": "WAV",
        "codec": "PCM_16",
        "sr": 44100,
        "n_channels": 1,
        "n_frames": 352_800,
        "bit_depth": 16,
        "bitrate": None,
        "decoder": "micfp",
        "duration": 8.0,
    }


def _validation(trials, rng):
    y_true = np.r_[np.ones(40, dtype=int), np.zeros(360, dtype=int)]
    score = rng.normal(2.0 * y_true, 1.0)
    llr = 0.8 * score - 0.8
    return {
        "trials": trials,
        "n_devices": 10,
        "n_target_trials": 40,
        "n_non_target_trials": 360,
        "metrics": {
            "cllr": 0.4,
            "cllr_min": 0.35,
            "eer": 0.16,
            "misleading_h1": 0.1,
            "misleading_h2": 0.12,
        },
        "y_true": y_true.tolist(),
        "score": score.tolist(),
        "llr": llr.tolist(),
    }


def _documents(validation):
    """Results of identify, verify and scan, as the command line writes them."""
    rng = np.random.default_rng(0)
    model = {
        "path": "model.micfp",
        "sha256": "f" * 64,
        "micfp_version": "0",
        "devices": ["zoom", "phone"],
        "sr": 44100,
        "clip_length": 4096,
        "method": "FeatureUnion -> StandardScaler -> LinearDiscriminantAnalysis",
        "n_reference_recordings": 4,
        "n_population_devices": 20,
        "validation": {
            "likelihood_ratio": _validation(validation, rng) if validation else None,
            "open_set": {
                "n_devices": 20,
                "n_recordings": 80,
                "accepted_recordings": 3,
                "clip_acceptance_rate": 0.06,
                "knownness": np.linspace(-3, 0.5, 80).tolist(),
            }
            if validation
            else None,
        },
    }
    times = np.arange(0.5, 16.0, 0.5)
    identify = {
        "file": _file("questioned.wav", 1),
        "device": "zoom",
        "closest_device": "zoom",
        "probabilities": {"zoom": 0.9, "phone": 0.1},
        "knownness": 0.4,
        "rejected_clip_fraction": 0.05,
        "n_clips": 86,
    }
    verify = {
        "file": _file("questioned.wav", 1),
        "references": [_file("zoom-1.wav", 2), _file("zoom-2.wav", 3)],
        "log10_lr": 1.7,
        "verbal": "moderate support for H1",
        "excerpt_log10_lr": [1.2, 1.7, 2.1],
        "excerpt_duration": 2.0,
        "n_population_devices": 20,
    }
    scan = {
        "file": _file("spliced.wav", 4),
        "boundary_times": [8.0],
        "segment_scores": [0.0, -6.5],
        "splice_score": 9.0,
        "threshold": 4.0,
        "curve_times": times.tolist(),
        "curve": (9.0 * np.exp(-((times - 8.0) ** 2))).tolist(),
    }
    return [
        {"command": kind, "model": model, "results": [result]}
        for kind, result in (("identify", identify), ("verify", verify), ("scan", scan))
    ]


@pytest.mark.parametrize("trials", ["held-out", "calibration"])
def test_validation_figures_in_the_report(trials):
    report = build_report(_documents(trials))
    validate_report(report)
    assert report["schema_version"] == "1.1"
    assert report["models"][0]["validation"]["likelihood_ratio"]["trials"] == trials
    page = render_html(report)
    images = _ImageCounter()
    images.feed(page)
    assert all(src.startswith("data:image/png;base64,") for src in images.images)
    assert "Tippett plot and DET curve of model.micfp" in images.alts
    assert len(images.alts) == 4  # validation, identify, verify, scan
    assert "Cllr (bits)" in page
    assert "3 of 80 recordings (3.8 %) of 20 population devices" in page
    independent = "an independent test on the model" in page
    assert independent == (trials == "held-out")


def test_model_without_validation():
    report = build_report(_documents(None))
    validate_report(report)
    page = render_html(report)
    assert "no validation figures" in page
    assert "not tested on devices outside the references" in page
    images = _ImageCounter()
    images.feed(page)
    assert not any(alt.startswith("Tippett") for alt in images.alts)


def test_schema_refuses_a_validation_without_its_trials():
    report = build_report(_documents("held-out"))
    del report["models"][0]["validation"]["likelihood_ratio"]["llr"]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(report)


def _chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "headless Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("MICFP_CHROMIUM") == "required":
            pytest.fail(reason + "; MICFP_CHROMIUM=required")
        pytest.skip(reason)
    return found


def test_without_chromium_the_drawing_skips_unless_required(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("MICFP_CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        _chromium()
    monkeypatch.setenv("MICFP_CHROMIUM", "required")
    with pytest.raises(pytest.fail.Exception, match="MICFP_CHROMIUM=required"):
        _chromium()


def _render_png(html_path, png_path, *, width=WIDTH, height=HEIGHT):
    """Draw a page in headless Chromium and save the window as a PNG."""
    profile = png_path.parent / "chromium-profile"
    completed = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",  # root in containers
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png_path}",
            html_path.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]


@pytest.mark.chromium
def test_report_renders_in_chromium(tmp_path):
    from matplotlib.image import imread

    html_path = tmp_path / "case.html"
    html_path.write_text(render_html(build_report(_documents("held-out"))), "utf-8")
    png_path = tmp_path / "case.png"
    _render_png(html_path, png_path)

    assert png_path.stat().st_size > 10_000
    image = imread(png_path)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    grey = image[..., :3].mean(axis=2)
    # a blank page is one colour; a drawn report has text on white and plots
    assert grey.std() > 0.05
    assert 0.01 < np.mean(grey < 0.5) < 0.5
    rows_with_ink = np.mean((grey < 0.9).any(axis=1))
    assert rows_with_ink > 0.3, rows_with_ink
    # the text is grey on white: coloured pixels are those of a plot drawn
    assert np.sum(image[..., :3].std(axis=2) > 0.2) > 500
    keep = os.environ.get("MICFP_REPORT_PNG")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png_path, keep)
