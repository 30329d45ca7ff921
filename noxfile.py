"""Task runner: ``nox -s tests``, ``lint``, ``docs``, ``bench`` and ``demo``.

``nox -s render`` draws a case report in headless Chromium to a PNG.
``nox -s intersphinx`` refreshes the inventories the documentation links with.
"""

import json
import urllib.request
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))


def _install(session, extras=""):
    target = f".[{extras}]" if extras else "."
    session.install(*CONSTRAINTS, "-e", target)


@nox.session
def tests(session):
    """Run the test suite, doctests included."""
    _install(session, "test,plot,dask")
    # Only exit code 0 passes: pytest's 5 ("no tests collected") fails the session,
    # so a run that tested nothing is never reported green.
    session.run("pytest", *session.posargs)


@nox.session
def render(session):
    """Draw a case report in headless Chromium and check the picture.

    Runs the tests marked ``chromium`` (in ``tests/test_cli.py``) with
    Chromium required: without Debian's ``chromium`` (``apt-get install
    chromium``) they fail instead of skipping. The PNG of the report is kept
    in ``build/case-report.png``.
    """
    _install(session, "test,plot")
    session.run(
        "pytest",
        "-m",
        "chromium",
        "-p",
        "no:cacheprovider",
        "tests/test_cli.py",
        *session.posargs,
        env={
            "MICFP_CHROMIUM": "required",
            "MICFP_REPORT_PNG": str(ROOT / "build" / "case-report.png"),
        },
    )


@nox.session
def lint(session):
    """Check style and formatting with ruff."""
    session.install(*CONSTRAINTS, "ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def docs(session):
    """Build the documentation, warnings as errors, then check the pages.

    The build is nitpicky: a reference that resolves nowhere, in micfp or in
    the intersphinx inventories of ``docs/intersphinx``, fails it. The check
    (``docs/check_build.py``) then fails on raw TeX outside math, a stray
    output of a gallery example, or a script fetched from another site.
    ``nox -s docs -- -D plot_gallery=0`` builds without running the gallery.
    """
    _install(session, "docs")
    build = "docs/_build/html"
    session.run(
        "sphinx-build",
        "-W",
        "--keep-going",
        "-b",
        "html",
        *session.posargs,
        "docs",
        build,
    )
    session.run("python", "docs/check_build.py", build)


@nox.session(venv_backend="none")
def intersphinx(session):
    """Download the intersphinx inventories kept in ``docs/intersphinx``.

    Needs internet access; commit the refreshed files. Without it,
    ``docs/intersphinx/make_offline_inventories.py`` writes them from
    Debian's documentation packages and the installed packages.
    """
    folder = ROOT / "docs" / "intersphinx"
    sites = json.loads((folder / "sites.json").read_text())
    for name, url in sites.items():
        target = folder / f"{name}.inv"
        with urllib.request.urlopen(f"{url}/objects.inv", timeout=60) as response:
            data = response.read()
        if not data.startswith(b"# Sphinx inventory version"):
            session.error(f"{url}/objects.inv is not a Sphinx inventory")
        target.write_bytes(data)
        session.log(f"{target.name}: {len(data)} bytes from {url}")


@nox.session
def bench(session):
    """Run the benchmark scripts; collect their tables into one results file.

    ``nox -s bench`` runs every ``benchmarks/bench_*.py``; ``nox -s bench --
    --quick`` runs them at small sizes, as a smoke test; names select scripts
    (``nox -s bench -- --quick clips parallel``); other arguments go to every
    script. Rows go to ``benchmarks/results/results.json`` and a markdown
    table, ``results.md``, beside it: a run of every script starts the file
    afresh, a run of some scripts replaces their runs in it and keeps the
    others'. A run of every script with no arguments (the default sizes) also
    writes ``docs/benchmarks/results.inc``, the table of the documentation.
    """
    _install(session, "test")
    bench_dir = ROOT / "benchmarks"
    scripts = {path.stem: path for path in sorted(bench_dir.glob("bench_*.py"))}
    chosen, passed = [], []
    for arg in session.posargs:
        name = arg if arg.startswith("bench_") else f"bench_{arg}"
        if name in scripts:
            chosen.append(name)
        else:
            passed.append(arg)
    results = bench_dir / "results"
    results.mkdir(exist_ok=True)
    json_path = results / "results.json"
    if not chosen:
        json_path.unlink(missing_ok=True)
    for name in chosen or scripts:
        session.run("python", str(scripts[name]), "--json", str(json_path), *passed)
    report = ["--markdown", str(results / "results.md")]
    if not session.posargs:
        report += ["--rst", str(ROOT / "docs" / "benchmarks" / "results.inc")]
    session.run("python", str(bench_dir / "report.py"), str(json_path), *report)


@nox.session
def demo(session):
    """Simulate devices: identify them, reject an unseen one, give two LRs."""
    _install(session)
    session.run("python", "-m", "micfp.demo", *session.posargs)
