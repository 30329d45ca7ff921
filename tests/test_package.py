import subprocess
import sys

import micfp


def test_version_is_a_string():
    assert isinstance(micfp.__version__, str)
    assert micfp.__version__


def test_import_does_not_load_torch():
    light = [m for m in micfp.__all__ if m not in ("neural", "__version__")]
    light.remove("show_versions")
    code = (
        "import sys, micfp; "
        + "; ".join(f"import micfp.{m}" for m in light)
        + "; print('torch' in sys.modules, 'skorch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False False"


def test_import_loads_no_scientific_stack():
    # What makes `import micfp` take a fraction of a second: the stack loads
    # with the first subpackage used, not with the package.
    code = (
        "import sys, micfp; "
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'torch') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_show_versions_prints_dependencies(capsys):
    micfp.show_versions()
    out = capsys.readouterr().out
    for name in ("micfp", "numpy", "scipy", "scikit-learn", "PyWavelets"):
        assert f"{name}:" in out


def test_unknown_attribute_raises():
    try:
        micfp.not_a_module  # noqa: B018
    except AttributeError as exc:
        assert "not_a_module" in str(exc)
    else:
        raise AssertionError("AttributeError not raised")


def test_py_typed_marker_ships():
    from importlib.resources import files

    assert files("micfp").joinpath("py.typed").is_file()
