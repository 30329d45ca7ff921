"""Write the intersphinx inventories of ``docs/intersphinx`` without a network.

The documentation links names of Python, NumPy, SciPy, scikit-learn,
PyWavelets, skorch and PyTorch to those projects' sites through the
``objects.inv`` files in this folder, so that an offline build links them too.
``nox -s intersphinx`` replaces them with the projects' own inventories,
downloaded; run it on a machine with internet access and commit the result.

This script is the fallback for a machine that reaches only package
registries. It writes each inventory from the best source available offline:

- Python, SciPy, scikit-learn and scikit-image: the inventories of Debian's
  documentation packages ``python3.11-doc`` (Python 3.11),
  ``python-scipy-doc`` (SciPy 1.10.1), ``python-sklearn-doc`` (scikit-learn
  1.2.1) and ``python-skimage-doc`` (scikit-image 0.19.3), built by Sphinx
  from those projects' sources. Public names of the installed scikit-learn
  that 1.2.1 lacks are added with the page scikit-learn generates for every
  public name, ``modules/generated/<name>.html``.
- PyWavelets: the inventory of ``python-pywt-doc`` (1.1.1), whose functions
  were not recorded there, completed from the same package's page sources:
  each ``autofunction``/``function``/``class`` directive gives the page and
  the anchor (``#pywt.<name>``) Sphinx writes for it.
- NumPy, skorch, PyTorch, joblib and matplotlib: no offline inventory
  exists. Entries are written from the installed packages' public names and
  the pages each project generates for them (NumPy:
  ``reference/generated/numpy.<name>.html``; PyTorch:
  ``generated/torch.<name>.html``; skorch: one page per module,
  ``<module>.html#skorch.<module>.<name>``; joblib:
  ``generated/joblib.<name>.html``; matplotlib:
  ``api/_as_gen/matplotlib.<name>.html``). Their version field says
  "generated offline".

Usage: download the Debian packages with ``apt-get download
python3.11-doc python-scipy-doc python-sklearn-doc python-skimage-doc
python-pywt-doc``, unpack each with
``dpkg-deb -x <deb> <dir>/<package>``, then run
``python docs/intersphinx/make_offline_inventories.py <dir>``.
"""

import importlib
import inspect
import re
import sys
import zlib
from pathlib import Path

from sphinx.util.inventory import InventoryFile

HERE = Path(__file__).parent


def _read(path):
    with open(path, "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    data = getattr(inventory, "data", inventory)
    return {
        (role, name): (item.uri, item.display_name)
        for role, items in data.items()
        for name, item in items.items()
    }


def _write(path, project, version, entries):
    lines = []
    for (role, name), (uri, display) in sorted(entries.items()):
        if uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"
        lines.append(f"{name} {role} 1 {uri} {display}\n")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress("".join(lines).encode(), 9)
    path.write_bytes(header.encode() + body)
    print(f"{path.name}: {len(entries)} entries ({project} {version})")


def _public(module_name):
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in dir(module) if not name.startswith("_")]
    for name in names:
        try:
            obj = getattr(module, name, None)
        except ImportError:  # experimental names that need an opt-in import
            continue
        if inspect.isclass(obj):
            yield name, obj, "py:class"
        elif callable(obj):
            yield name, obj, "py:function"


def _on_pages(pages):
    """Return entries of names documented on pages: ``{name: (role, page)}``."""
    return {
        (role, name): (f"{page}#{name}", "-") for name, (role, page) in pages.items()
    }


def _debian_inventory(root, package):
    found = list(Path(root, package).glob("usr/share/doc/*/html/objects.inv"))
    if not found:
        sys.exit(f"{package}: no objects.inv under {root}/{package}")
    return _read(found[0]), found[0].parent


def sklearn_entries(root):
    """Debian's scikit-learn inventory, with newer public names added."""
    entries, _ = _debian_inventory(root, "python-sklearn-doc")
    import sklearn

    modules = ["sklearn"] + [f"sklearn.{name}" for name in sklearn.__all__]
    for module_name in modules:
        try:
            members = list(_public(module_name))
        except ImportError:
            continue
        module = importlib.import_module(module_name)
        for name in dir(module):
            obj = getattr(module, name)
            if (
                not name.startswith("_")
                and inspect.isclass(obj)
                and obj.__module__.startswith(module_name)
                and (name, obj, "py:class") not in members
            ):
                members.append((name, obj, "py:class"))
        for name, _, role in members:
            full = f"{module_name}.{name}"
            if (role, full) not in entries:
                entries[role, full] = (f"modules/generated/{full}.html#{full}", "-")
    return entries


def pywt_entries(root):
    """Debian's PyWavelets inventory, with the functions of its page sources."""
    entries, html = _debian_inventory(root, "python-pywt-doc")
    directive = re.compile(r"^\.\. (?:auto)?(function|class)::\s*([A-Za-z_]\w*)")
    for source in sorted((html / "_sources" / "ref").glob("*.rst.txt")):
        page = "ref/" + source.name.removesuffix(".rst.txt") + ".html"
        module = "pywt"
        for line in source.read_text().splitlines():
            if line.startswith(".. currentmodule::"):
                module = line.split("::")[1].strip()
            match = directive.match(line)
            if match:
                kind, name = match.groups()
                full = f"{module}.{name}"
                entries.setdefault((f"py:{kind}", full), (f"{page}#{full}", "-"))
    return entries


def numpy_entries():
    """NumPy's generated reference pages of the installed public names."""
    entries = {}
    for module_name in ("numpy", "numpy.fft", "numpy.linalg"):
        for name, _, role in _public(module_name):
            full = f"{module_name}.{name}"
            entries[role, full] = (f"reference/generated/{full}.html#{full}", "-")
    entries |= _on_pages(
        {
            "numpy.random.Generator": ("py:class", "reference/random/generator.html"),
            "numpy.random.default_rng": (
                "py:function",
                "reference/random/generator.html",
            ),
            "numpy.random.RandomState": ("py:class", "reference/random/legacy.html"),
            "numpy.typing.ArrayLike": ("py:data", "reference/typing.html"),
        }
    )
    entries["std:term", "array_like"] = ("glossary.html#term-array_like", "-")
    return entries


def torch_entries():
    """PyTorch's pages of ``torch.nn`` and ``torch.optim`` classes, and a few more."""
    entries = {}
    for module_name in ("torch.nn", "torch.optim"):
        for name, _, role in _public(module_name):
            if role == "py:class":
                full = f"{module_name}.{name}"
                entries[role, full] = (f"generated/{full}.html#{full}", "-")
    entries |= _on_pages(
        {
            "torch.Tensor": ("py:class", "tensors.html"),
            "torch.device": ("py:class", "tensor_attributes.html"),
            "torch.dtype": ("py:class", "tensor_attributes.html"),
            "torch.manual_seed": ("py:function", "generated/torch.manual_seed.html"),
            "torch.random.fork_rng": ("py:function", "random.html"),
            "torch.set_num_threads": (
                "py:function",
                "generated/torch.set_num_threads.html",
            ),
        }
    )
    return entries


def skorch_entries():
    """Entries of skorch's module pages, re-exports included."""
    import skorch

    entries = {}
    for module_name in (
        "skorch.net",
        "skorch.classifier",
        "skorch.regressor",
        "skorch.callbacks",
        "skorch.dataset",
        "skorch.helper",
        "skorch.history",
    ):
        page = module_name.split(".", 1)[1] + ".html"
        module = importlib.import_module(module_name)
        for name, obj, role in _public(module_name):
            if getattr(obj, "__module__", "").split(".")[0] != "skorch":
                continue
            home = obj.__module__
            if home.startswith("skorch.callbacks"):
                home = "skorch.callbacks"
            if home != module.__name__:
                continue
            full = f"{home}.{name}"
            entries[role, full] = (f"{page}#{full}", "-")
            if name in skorch.__all__:
                entries[role, f"skorch.{name}"] = (f"{page}#{full}", "-")
    return entries


def joblib_entries():
    """List the reference pages of joblib's public names."""
    entries = {}
    for name, _, role in _public("joblib"):
        full = f"joblib.{name}"
        entries[role, full] = (f"generated/{full}.html#{full}", "-")
        # Context managers are classes that are called like functions: both
        # roles find their page.
        if role == "py:class" and name[0].islower():
            entries["py:function", full] = entries[role, full]
    entries["py:module", "joblib"] = ("index.html", "-")
    return entries


def matplotlib_entries():
    """Matplotlib's pages of ``Axes`` methods and ``pyplot`` functions."""
    import matplotlib.axes

    entries = {
        ("py:class", "matplotlib.axes.Axes"): (
            "api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes",
            "-",
        ),
        ("py:class", "matplotlib.figure.Figure"): (
            "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure",
            "-",
        ),
    }
    for name in dir(matplotlib.axes.Axes):
        if not name.startswith("_") and callable(getattr(matplotlib.axes.Axes, name)):
            full = f"matplotlib.axes.Axes.{name}"
            entries["py:method", full] = (f"api/_as_gen/{full}.html#{full}", "-")
    for name, _, role in _public("matplotlib.pyplot"):
        if role == "py:function":
            full = f"matplotlib.pyplot.{name}"
            entries[role, full] = (f"api/_as_gen/{full}.html#{full}", "-")
    return entries


def main(root):
    """Write every inventory from the Debian packages unpacked under ``root``."""
    python, _ = _debian_inventory(root, "python3.11-doc")
    _write(HERE / "python.inv", "Python", "3.11 (Debian python3.11-doc)", python)
    skimage, _ = _debian_inventory(root, "python-skimage-doc")
    _write(
        HERE / "skimage.inv",
        "scikit-image",
        "0.19.3 (Debian python-skimage-doc)",
        skimage,
    )
    scipy, _ = _debian_inventory(root, "python-scipy-doc")
    _write(HERE / "scipy.inv", "SciPy", "1.10.1 (Debian python-scipy-doc)", scipy)
    _write(
        HERE / "sklearn.inv",
        "scikit-learn",
        "1.2.1 (Debian python-sklearn-doc), newer public names generated offline",
        sklearn_entries(root),
    )
    _write(
        HERE / "pywt.inv",
        "PyWavelets",
        "1.1.1 (Debian python-pywt-doc, functions from its page sources)",
        pywt_entries(root),
    )
    import numpy
    import torch

    _write(
        HERE / "numpy.inv",
        "NumPy",
        f"{numpy.__version__} generated offline",
        numpy_entries(),
    )
    _write(
        HERE / "torch.inv",
        "PyTorch",
        f"{torch.__version__} generated offline",
        torch_entries(),
    )
    import joblib
    import matplotlib
    import skorch

    _write(
        HERE / "skorch.inv",
        "skorch",
        f"{skorch.__version__} generated offline",
        skorch_entries(),
    )

    _write(
        HERE / "joblib.inv",
        "joblib",
        f"{joblib.__version__} generated offline",
        joblib_entries(),
    )
    _write(
        HERE / "matplotlib.inv",
        "Matplotlib",
        f"{matplotlib.__version__} generated offline",
        matplotlib_entries(),
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
