"""Task runner: ``nox -s tests``, ``lint``, ``docs``, ``bench`` and ``demo``."""

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
def lint(session):
    """Check style and formatting with ruff."""
    session.install(*CONSTRAINTS, "ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def docs(session):
    """Build the documentation, warnings as errors."""
    _install(session, "docs")
    session.run(
        "sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html"
    )


@nox.session
def bench(session):
    """Run every benchmark script and print its table."""
    _install(session, "test")
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    for script in scripts:
        session.run("python", str(script), *session.posargs)


@nox.session
def demo(session):
    """Simulate nine devices and identify them from their noise residual."""
    _install(session)
    session.run("python", "-m", "micfp.demo", *session.posargs)
