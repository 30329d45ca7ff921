"""Sphinx configuration of the micfp documentation.

Build with ``nox -s docs`` or ``sphinx-build -W --keep-going -b html docs
docs/_build/html``. The gallery runs every ``examples/**/plot_*.py`` script;
``sphinx-build -D plot_gallery=0`` skips running them.
"""

import json
import os
import sys
from pathlib import Path

# The gallery fits small models. On a machine shared with other jobs, BLAS
# threads that wait for each other made them up to a hundred times slower;
# one thread each is the fast choice for matrices of this size.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import micfp  # noqa: E402

# gallery_order.py, beside this file, orders the gallery's scripts.
sys.path.insert(0, str(Path(__file__).parent))

project = "micfp"
author = "The micfp developers"
copyright = "2026, the micfp developers"
release = micfp.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.extlinks",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
    "numpydoc",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.bibtex",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "intersphinx",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/**/*.ipynb",
    "auto_examples/**/*.py",
    "auto_examples/**/*.zip",
]

# Docstrings cite papers with :doi:`10.xxxx/yyyy`.
extlinks = {"doi": ("https://doi.org/%s", "doi:%s")}

# Every cross-reference must resolve: a name that links nowhere fails the
# build (with -W), here and in the intersphinx inventories below.
nitpicky = True

# Math is typeset by a copy of MathJax 3 in _static (see its LICENSE), so
# that formulas render on a machine without internet access.
mathjax_path = "mathjax/tex-chtml.js"

# One bibliography: docs/references.bib, cited with :cite:p:`key`.
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# Figures of the user guide, drawn at build time with ``.. plot::``.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
# ``.. plot::`` code runs in docs/, where it reads docs/benchmarks/*.json.
plot_working_directory = str(Path(__file__).parent)

# API reference ---------------------------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# numpydoc validates every documented object. All checks run except: GL01 and
# GL02 (where the summary starts and ends), SA01 and ES01 (See Also and an
# extended summary are written where they help, not everywhere), EX01
# (methods have no Examples section; every public class and function has one,
# which the doctests check), RT02 (a return value is written as
# ``name : type``) and SS05 (summaries are often noun phrases, "Names of the
# output columns.", whose first word SS05 takes for a verb in the third person).
numpydoc_validation_checks = {
    "all",
    "GL01",
    "GL02",
    "SA01",
    "ES01",
    "EX01",
    "RT02",
    "SS05",
}

# numpydoc's validation parses each method's source after dedenting it, which
# fails on a method that holds a multi-line string starting in column 0 (the
# HTML template of this report): its docstring is rendered, not validated.
numpydoc_validation_exclude = {r"\.LRValidationReport\.to_html$"}


def _is_foreign_routine(obj):
    """Whether ``obj`` is a function or method defined outside micfp."""
    if not callable(obj) or isinstance(obj, type):
        return False
    return not (getattr(obj, "__module__", None) or "").startswith("micfp")


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document the methods micfp defines, not those of scikit-learn's bases.

    Methods inherited from scikit-learn (``get_params``, ``set_output``, the
    generated ``set_*_request``, ...) have docstrings that link into
    scikit-learn's own documentation, which an offline build cannot reach;
    the class page names them instead (see ``_name_foreign_methods``).
    Methods inherited from micfp's private base classes stay documented.
    """
    if what == "class" and _is_foreign_routine(obj):
        return True
    return None


def _name_foreign_methods(app, what, name, obj, options, lines):
    """End a class page with the public methods it inherits from scikit-learn."""
    if what != "class" or not name.startswith("micfp."):
        return
    if issubclass(obj, BaseException):
        return
    names = sorted(
        attr
        for attr in dir(obj)
        if not attr.startswith("_") and _is_foreign_routine(getattr(obj, attr, None))
    )
    if names:
        listed = ", ".join(f"``{attr}``" for attr in names)
        lines.extend(["", f"Also has {listed}, from scikit-learn's base classes."])


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.connect("autodoc-process-docstring", _name_foreign_methods)


# Links into other projects' documentation resolve from the inventories kept
# in docs/intersphinx, so that an offline build links them too. ``nox -s
# intersphinx`` downloads fresh ones; docs/intersphinx/make_offline_inventories.py
# says where the committed ones come from.
INTERSPHINX_SITES = json.loads(
    (Path(__file__).parent / "intersphinx" / "sites.json").read_text()
)
intersphinx_mapping = {
    name: (url, f"intersphinx/{name}.inv") for name, url in INTERSPHINX_SITES.items()
}
intersphinx_timeout = 5
# Dask's distributed scheduler is an optional extra whose inventory is not kept.
nitpick_ignore = [("py:mod", "distributed")]

# Gallery ---------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    # First steps, then features, then classifiers, then studies; a folder
    # added later goes before the studies.
    "subsection_order": [
        "../examples/basics",
        "../examples/features",
        "../examples/baselines",
        "*",
        "../examples/neural",
    ],
    "within_subsection_order": "gallery_order.example_order",
    "doc_module": ("micfp",),
    "backreferences_dir": "gen_modules/backreferences",
    "min_reported_time": 1,
    # The timing page loads its table scripts from a CDN; the site stays
    # self-contained without it.
    "write_computation_times": False,
    "remove_config_comments": True,
}

# HTML ------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"micfp {release}"
html_static_path = ["_static"]
html_css_files = ["micfp.css"]
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    "secondary_sidebar_items": ["page-toc"],
}


def _api_groups(api_rst):
    """List ``(module, names)`` in the order of the autosummary tables of api.rst."""
    groups, module, in_table = {}, None, False
    for line in api_rst.read_text().splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::")[1].strip()
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line.startswith("   ") and not line.strip().startswith(":"):
            groups.setdefault(module, []).append(line.strip())
        elif in_table and line and not line.startswith(" "):
            in_table = False
    return list(groups.items())


# Pages without children get no left sidebar rather than an empty one; the
# API pages show the API grouped by subpackage instead of the flat list of
# their toctree.
html_sidebars = {
    **{
        page: []
        for page in (
            "index",
            "getting_started",
            "benchmarks",
            "references",
            "forensic_use",
            "citing",
            "changelog",
        )
    },
    "api": ["api-nav.html"],
    "generated/*": ["api-nav.html"],
}
html_context = {"api_groups": _api_groups(Path(__file__).parent / "api.rst")}
html_show_sourcelink = False
