"""Import time of micfp in a fresh interpreter, and whether it loads torch.

``python -c "import micfp"`` runs in a fresh subprocess, several times, beside
``python -c "import numpy"`` as the reference (the interpreter's start and
NumPy, which any micfp user loads anyway), taking turns; the table gives the
medians of the wall time of the whole subprocess. Target: ``import micfp``
within 0.5 s, and torch not imported (``"torch" in sys.modules`` is False
after it: micfp imports torch and skorch only for its neural estimators).

For information, the same is measured for importing the feature and
denoising estimators (``from micfp.features import ...; from micfp.denoise
import ...``), beside ``import sklearn``, with no target.

Run: ``python benchmarks/bench_import.py [--repeats 9] [--quick] [--json PATH]``
"""

import json
import subprocess
import sys
import time

import _harness
import numpy as np

TARGET_S = 0.5

MICFP = "import micfp"
FEATURES = (
    "from micfp.features import LogSpectrum, MFCC; "
    "from micfp.denoise import NoiseResidual"
)


def _run(code):
    """Run ``python -c code`` in a fresh interpreter; return its wall time."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _loaded(code, modules):
    """Return those of ``modules`` that ``code`` leaves in ``sys.modules``."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([m for m in {modules!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: p.add_argument("--repeats", type=int, default=9),
        quick={"repeats": 2},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    run.note(
        f"{sys.executable}; median wall time of {args.repeats} fresh "
        "interpreters each, taking turns"
    )
    t = _harness.time_alternately(
        {
            "micfp": lambda: _run(MICFP),
            "numpy": lambda: _run("import numpy"),
            "features": lambda: _run(FEATURES),
            "sklearn": lambda: _run("import sklearn"),
        },
        args.repeats,
    )
    heavy = ["torch", "skorch"]
    after_micfp = _loaded(MICFP, heavy)
    after_features = _loaded(FEATURES, heavy)

    import_row = _harness.Row(
        f'python -c "{MICFP}"',
        t["micfp"].median,
        t["numpy"].median,
        t["micfp"].median / t["numpy"].median,
        f"<= {TARGET_S:g} s",
        bool(t["micfp"].median <= TARGET_S),
        "s",
        'python -c "import numpy"',
        samples={"micfp": t["micfp"].samples, "reference": t["numpy"].samples},
    )
    torch_row = _harness.Row(
        f"torch in sys.modules after {MICFP}",
        "torch" in after_micfp,
        None,
        None,
        "no",
        "torch" not in after_micfp,
        "",
        "",
        note=f"heavy modules loaded: {', '.join(after_micfp) or 'none'}",
    )
    features_row = _harness.Row(
        "import LogSpectrum, MFCC and NoiseResidual",
        t["features"].median,
        t["sklearn"].median,
        t["features"].median / t["sklearn"].median,
        "",
        None,
        "s",
        'python -c "import sklearn"',
        note=(
            f"python -c {FEATURES!r}; heavy modules loaded: "
            f"{', '.join(after_features) or 'none'}"
        ),
        samples={"micfp": t["features"].samples, "reference": t["sklearn"].samples},
    )
    run.finish(
        [import_row, torch_row, features_row],
        footnotes=[
            "",
            "spread of import micfp (s): "
            f"{np.min(t['micfp'].samples):.3f} - {np.max(t['micfp'].samples):.3f}",
        ],
    )


if __name__ == "__main__":
    main()
