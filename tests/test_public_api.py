"""Package borders: no module reaches into another package's private names.

A subpackage's private modules (``_x.py``) and private names (``_x``) are its
own; other packages import what its ``__init__`` exports. ``micfp.utils`` is
the shared home of helpers, so its modules may be imported from anywhere, but
not its private names. Doctests show users the public API only.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "micfp"
SHARED_PACKAGES = {"micfp.utils"}

_DOCTEST_PRIVATE = re.compile(
    r"^\s*(>>>|\.\.\.)\s.*\bmicfp(\.\w+)*\._[A-Za-z]\w*", re.MULTILINE
)


def _module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _package(module, is_package):
    """The subpackage ``micfp.<pkg>`` a module belongs to (``micfp`` at the top)."""
    parts = module.split(".")
    if is_package or len(parts) > 2:
        return ".".join(parts[:2])
    return "micfp"


def _target(node, module, is_package):
    """The absolute module named by an ``ImportFrom`` node."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_private(name):
    return name.startswith("_") and not name.startswith("__")


def _crossings(path):
    """``(imported module or name, line)`` of every private import across packages."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    own = _package(module, is_package)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            targets = [_target(node, module, is_package)]
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
            names = []
        else:
            continue
        for target in targets:
            parts = target.split(".")
            if parts[0] != "micfp" or len(parts) < 2:
                continue
            other = ".".join(parts[:2])
            if other == own or _is_private(parts[1]):
                # Own package; or a top-level private module such as
                # micfp._version, which belongs to the whole library.
                continue
            private_module = any(_is_private(part) for part in parts[2:])
            if private_module and other not in SHARED_PACKAGES:
                found.append((module, target, node.lineno))
            found.extend(
                (module, f"{target}.{name}", node.lineno)
                for name in names
                if _is_private(name)
            )
    return found


def _sources():
    return sorted(ROOT.rglob("*.py"))


def test_sources_are_found():
    names = {_module_name(path) for path in _sources()}
    assert {"micfp", "micfp.voting", "micfp.persistence._load"} <= names


def test_no_module_imports_private_names_of_another_package():
    crossings = [c for path in _sources() for c in _crossings(path)]
    assert not crossings, "\n".join(
        f"{module} line {line} imports {target}" for module, target, line in crossings
    )


def test_no_doctest_imports_a_private_module():
    offenders = [
        f"{path.relative_to(ROOT.parent)}: {match.group(0).strip()}"
        for path in _sources()
        for match in _DOCTEST_PRIVATE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    "source, module, crossing",
    [
        ("from ..voting._aggregate import vote_by_group", "micfp.x._m", True),
        ("from micfp.voting._aggregate import vote_by_group", "micfp.x._m", True),
        ("import micfp.voting._aggregate", "micfp.x._m", True),
        ("from ..voting import _group_labels", "micfp.x._m", True),
        ("from ..utils import _controller", "micfp.x._m", True),
        ("from ..voting import vote_by_group", "micfp.x._m", False),
        ("from ..utils._threads import single_blas_thread", "micfp.x._m", False),
        ("from ._aggregate import _soft_vote", "micfp.x._m", False),
        ("from .._version import __version__", "micfp.x._m", False),
        ("from .voting._aggregate import vote_by_group", "micfp.demo", True),
        ("from .voting import vote_by_group", "micfp.demo", False),
    ],
)
def test_crossing_detection(tmp_path, monkeypatch, source, module, crossing):
    parts = module.split(".")
    path = tmp_path.joinpath(*parts).with_suffix(".py")
    path.parent.mkdir(parents=True)
    path.write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path / "micfp")
    assert bool(_crossings(path)) is crossing


@pytest.mark.parametrize(
    "text, private",
    [
        (">>> from micfp.features._cepstrum import hz_to_mel", True),
        ("... import micfp.voting._segments as s", True),
        (">>> from micfp.features import MFCC", False),
        ("from micfp.voting._segments import cut_segments", False),
    ],
)
def test_doctest_pattern(text, private):
    assert bool(_DOCTEST_PRIVATE.search(f'    """\n    {text}\n    """')) is private


def test_utils_do_not_import_the_package_root():
    # micfp imports micfp.utils lazily; micfp.utils importing micfp back
    # would make the two import each other.
    for path in sorted((ROOT / "utils").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(a.name != "micfp" for a in node.names), path
            elif isinstance(node, ast.ImportFrom):
                target = _target(node, _module_name(path), path.name == "__init__.py")
                assert target != "micfp", f"{path} imports the package root"


def test_packages_import_without_docstrings():
    # ``python -OO`` strips docstrings; filling shared sections must not fail.
    # The neural package is left out: skorch itself fails to import under -OO.
    packages = [
        "micfp." + path.name
        for path in sorted(ROOT.iterdir())
        if (path / "__init__.py").exists() and path.name not in {"neural"}
    ]
    code = f"import importlib\nfor name in {packages!r}: importlib.import_module(name)"
    result = subprocess.run(
        [sys.executable, "-OO", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        check=False,
    )
    assert result.returncode == 0, result.stderr
