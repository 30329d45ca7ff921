"""Peak memory of reading, cutting and featurizing a one-hour recording.

A one-hour mono 16-bit WAV file at 44.1 kHz is written to a temporary folder
(in blocks of a minute, so that writing it takes little memory). Each case
then runs in a fresh subprocess, through micfp's public functions:

- ``read``: :func:`micfp.io.read_audio` (float32);
- ``clips, sequential``: read, then :func:`micfp.clips.extract_clips` of all
  non-overlapping 4096-sample clips (``strategy="sequential"``);
- ``clips, random``: read, then 18000 random 4096-sample clips;
- ``NoiseResidual``, ``LogSpectrum``, ``MFCC stats``: read, cut the sequential
  clips, drop the signal (the clips now hold the recording), then
  ``fit_transform`` the clips with ``NoiseResidual()``, ``LogSpectrum()`` or
  ``MFCC(sr=44100, output="stats")``;
- ``all steps``: read, cut, drop the signal, MFCC statistics of the clips,
  the noise residual of the clips, drop the clips, the log spectrum of the
  residual, drop the residual: the noise-residual features of the hour with
  no more alive than a script needs.

Memory is the peak resident set size of the subprocess (``VmHWM`` of
``/proc/self/status``) minus its resident size after the imports and a
warm-up of every step on a few clips, so that code and caches are not
counted. Where the kernel allows it, the peak is reset between the steps of
a case (``/proc/self/clear_refs``), which gives each step's own peak, with
what earlier steps left alive: the verdict of a case is then on its last step
(cutting, or the transform with the clips alive), and of ``all steps`` on
all of them; elsewhere it is on the peak of the whole case. Target: that peak
at most 1.5 times the recording as float32 plus the case's output (for
``read`` the output is the recording itself, counted once).
tracemalloc's peak of the same steps (NumPy's allocations included) is shown
as a cross-check: it counts bytes allocated, not pages touched.

Run: ``python benchmarks/bench_long_recording.py [--duration 3600] [--quick]
[--json PATH]``
"""

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import _harness
import numpy as np

SR = 44_100
LENGTH = 4096
TARGET = 1.5

# case -> steps, run in order in one fresh subprocess
CASES = {
    "read": ["read"],
    "clips, sequential": ["read", "sequential"],
    "clips, random": ["read", "random"],
    "NoiseResidual": ["read", "sequential", "drop signal", "noise residual"],
    "LogSpectrum": ["read", "sequential", "drop signal", "log spectrum"],
    "MFCC stats": ["read", "sequential", "drop signal", "mfcc"],
    "all steps": [
        "read",
        "sequential",
        "drop signal",
        "mfcc",
        "noise residual",
        "drop clips",
        "log spectrum of residual",
        "drop residual",
    ],
}

# the steps a case's verdict is on, where the peak can be reset between steps:
# cutting clips needs the signal and the clips at once, which the clip cases
# measure; the feature cases measure the transform, the clips alive
MEASURED = {
    "read": ["read"],
    "clips, sequential": ["sequential"],
    "clips, random": ["random"],
    "NoiseResidual": ["noise residual"],
    "LogSpectrum": ["log spectrum"],
    "MFCC stats": ["mfcc"],
    "all steps": CASES["all steps"],
}

# what each case leaves as its output, beside the recording
OUTPUTS = {
    "read": [],
    "clips, sequential": ["clips"],
    "clips, random": ["clips"],
    "NoiseResidual": ["residual"],
    "LogSpectrum": ["spectrum"],
    "MFCC stats": ["mfcc"],
    "all steps": ["mfcc", "spectrum"],
}


def write_wav(path, duration, seed=0):
    """Write ``duration`` seconds of 16-bit mono noise, a minute at a time."""
    rng = np.random.default_rng(seed)
    n_total = round(duration * SR)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SR)
        for start in range(0, n_total, 60 * SR):
            n = min(60 * SR, n_total - start)
            # a level that changes every second, so that clips differ in energy
            level = np.repeat(rng.uniform(0.001, 0.3, -(-n // SR)), SR)[:n]
            block = level * rng.standard_normal(n)
            block = np.clip(np.round(block * 2**15), -(2**15), 2**15 - 1)
            out.writeframes(block.astype("<i2").tobytes())
    return n_total


# The child ------------------------------------------------------------------


def _status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak():
    """Reset VmHWM to the current resident size; False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def child(case, wav, warmup_wav, n_random):
    """Run one case's steps; print a JSON line with the memory they took."""
    import time
    import tracemalloc

    from micfp.clips import extract_clips
    from micfp.denoise import NoiseResidual
    from micfp.features import MFCC, LogSpectrum
    from micfp.io import read_audio

    def run_step(step, live, path):
        if step == "read":
            live["signal"] = read_audio(path)[0]
        elif step == "sequential":
            live["clips"] = extract_clips(
                [live["signal"]], length=LENGTH, strategy="sequential"
            )[0]
        elif step == "random":
            live["clips"] = extract_clips(
                [live["signal"]], length=LENGTH, n_clips=n_random, random_state=0
            )[0]
        elif step == "noise residual":
            live["residual"] = NoiseResidual().fit_transform(live["clips"])
        elif step == "log spectrum":
            live["spectrum"] = LogSpectrum().fit_transform(live["clips"])
        elif step == "log spectrum of residual":
            live["spectrum"] = LogSpectrum().fit_transform(live["residual"])
        elif step == "mfcc":
            live["mfcc"] = MFCC(sr=SR, output="stats").fit_transform(live["clips"])
        elif step.startswith("drop "):
            del live[step.removeprefix("drop ")]
        else:
            raise ValueError(f"unknown step {step!r}")

    # Warm-up: every step once on a short file, so that lazy imports, FFT
    # plans and the like are in place before the baseline.
    live = {}
    for step in CASES["all steps"]:
        run_step(step, live, warmup_wav)
    del live

    steps = CASES[case]
    baseline = _status("VmRSS")
    resets = _reset_peak()
    tracemalloc.start()
    live, phases = {}, []
    recording_bytes = 0
    for step in steps:
        start = time.perf_counter()
        run_step(step, live, wav)
        seconds = time.perf_counter() - start
        if step == "read":
            recording_bytes = live["signal"].nbytes
        phases.append(
            {
                "step": step,
                "peak": _status("VmHWM") - baseline,
                "traced": tracemalloc.get_traced_memory()[1],
                "seconds": seconds,
            }
        )
        if resets:
            _reset_peak()
        tracemalloc.reset_peak()
    output_bytes = sum(live[name].nbytes for name in OUTPUTS[case])
    print(
        json.dumps(
            {
                "case": case,
                "recording_bytes": recording_bytes,
                "output_bytes": output_bytes,
                "baseline": baseline,
                "resets": resets,
                "phases": phases,
            }
        )
    )


# The parent -----------------------------------------------------------------


def measure(case, wav, warmup_wav, n_random):
    """Run ``case`` in a fresh interpreter and return what it printed."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            case,
            str(wav),
            str(warmup_wav),
            str(n_random),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(result, duration, n_random):
    gib = 2**30
    case = result["case"]
    measured = [
        p
        for p in result["phases"]
        if not result["resets"] or p["step"] in MEASURED[case]
    ]
    peak = max(p["peak"] for p in measured)
    traced = max(p["traced"] for p in measured)
    budget = result["recording_bytes"] + result["output_bytes"]
    ratio = peak / budget
    size = f"{duration / 3600:g} h" if duration >= 3600 else f"{duration:g} s"
    what = {
        "read": "read_audio",
        "clips, sequential": f"read + extract_clips, sequential {LENGTH}/{LENGTH}",
        "clips, random": f"read + extract_clips, {n_random} random x {LENGTH}",
        "NoiseResidual": "read + clips + NoiseResidual()",
        "LogSpectrum": "read + clips + LogSpectrum()",
        "MFCC stats": 'read + clips + MFCC(sr=44100, output="stats")',
        "all steps": "read + clips + MFCC stats + NoiseResidual -> LogSpectrum",
    }[case]
    steps = ", ".join(
        f"{p['step']} {p['peak'] / budget:.2f}"
        for p in result["phases"]
        if not p["step"].startswith("drop ")
    )
    kind = "own peak" if result["resets"] else "peak so far (no reset)"
    seconds = sum(p["seconds"] for p in measured)
    return _harness.Row(
        f"{what}, {size}",
        peak / gib,
        budget / gib,
        ratio,
        f"peak <= {TARGET:g}x (recording + output)",
        bool(ratio <= TARGET),
        "GiB",
        "recording float32 + output",
        note=(
            f"{kind} of each step over (recording + output): {steps}; "
            f"tracemalloc peak {traced / budget:.2f}x; output "
            f"{result['output_bytes'] / gib:.3f} GiB; {seconds:.1f} s"
        ),
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        case, wav, warmup_wav, n_random = argv[1:5]
        child(case, wav, warmup_wav, int(n_random))
        return

    def configure(parser):
        parser.add_argument("--duration", type=float, default=3600.0)
        parser.add_argument("--n-random", type=int, default=18000)
        parser.add_argument(
            "--cases", nargs="+", choices=list(CASES), default=list(CASES)
        )
        parser.add_argument(
            "--tmpdir",
            type=Path,
            default=None,
            help="folder for the temporary WAV file (default: the system's)",
        )

    args = _harness.parse_args(
        __doc__,
        configure,
        quick={"duration": 120.0, "n_random": 600},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        wav, warmup_wav = Path(tmp) / "long.wav", Path(tmp) / "warmup.wav"
        n = write_wav(wav, args.duration)
        write_wav(warmup_wav, 10 * LENGTH / SR, seed=1)
        run.note(
            f"{args.duration:g} s mono 16-bit WAV at {SR} Hz: {n} samples, "
            f"{wav.stat().st_size / 2**30:.3f} GiB on disk, "
            f"{4 * n / 2**30:.3f} GiB as float32; one fresh subprocess per case"
        )
        rows = []
        for case in args.cases:
            result = measure(case, wav, warmup_wav, args.n_random)
            rows.append(_row(result, args.duration, args.n_random))
            print(f"  {case}: peak {rows[-1].ratio:.2f}x", flush=True)
    run.finish(
        rows,
        footnotes=[
            "",
            "peak: resident set high-water mark (VmHWM) above the resident size "
            "after imports and warm-up.",
        ],
    )


if __name__ == "__main__":
    main()
