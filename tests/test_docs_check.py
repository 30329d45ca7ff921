"""The check of the built documentation finds what a reader must not see."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).parents[1] / "docs" / "check_build.py"
_SPEC = importlib.util.spec_from_file_location("check_build", _PATH)
check_build = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(check_build)


def _page(body, head=""):
    return f"<html><head>{head}</head><body><p>Intro.</p>{body}</body></html>"


def test_clean_page_has_no_problem():
    html = _page(
        '<span class="math notranslate nohighlight">\\(\\hat e = s - f\\)</span>'
        '<div class="math notranslate nohighlight">\\[b_t(k)\\]</div>'
        "<pre>print('\\\\(')</pre><code>re.escape('\\\\[')</code>",
        head='<script src="_static/mathjax/tex-chtml.js"></script>',
    )
    assert check_build.find_problems(html) == []


@pytest.mark.parametrize("tex", ["\\(x\\)", "\\[\\hat e = s - \\hat f\\]"])
def test_raw_tex_outside_math_is_found(tex):
    problems = check_build.find_problems(_page(f"<p>The residual {tex}.</p>"))
    assert len(problems) == 1
    assert problems[0].startswith("raw TeX")


def test_raw_tex_after_a_closed_math_element_is_found():
    html = _page('<span class="math">\\(a\\)</span><br><p>then \\(b\\)</p>')
    assert [p[:7] for p in check_build.find_problems(html)] == ["raw TeX"]


@pytest.mark.parametrize(
    "output",
    [
        "&lt;matplotlib.legend.Legend object at 0x7f3a2c&gt;",
        "[Text(0.5, 18.5, 'supervector value'), Text(42.0, 0.5, 'device')]",
    ],
)
def test_stray_gallery_output_is_found_in_code_output(output):
    html = _page(f'<div class="sphx-glr-script-out"><pre>{output}</pre></div>')
    problems = check_build.find_problems(html)
    assert len(problems) == 1
    assert problems[0].startswith("stray output")


def test_remote_script_and_style_sheet_are_found():
    head = (
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js">'
        "</script>"
        '<link rel="stylesheet" href="//example.org/style.css">'
        '<link rel="stylesheet" href="_static/micfp.css">'
        '<a href="https://doi.org/10.1186/s13634-021-00763-1">doi</a>'
    )
    problems = check_build.find_problems(_page("", head=head))
    assert problems == [
        "remote asset: https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js",
        "remote asset: //example.org/style.css",
    ]


def test_check_build_reports_by_page_and_main_fails(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(_page("<p>clean</p>"))
    (tmp_path / "sub" / "bad.html").write_text(_page("<p>\\(x\\)</p>"))
    report = check_build.check_build(tmp_path)
    assert list(report) == [str(Path("sub") / "bad.html")]
    assert check_build.main([str(tmp_path)]) == 1
    assert "2 pages checked, 1 with problems" in capsys.readouterr().out
    (tmp_path / "sub" / "bad.html").unlink()
    assert check_build.main([str(tmp_path)]) == 0


def test_empty_build_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no HTML page"):
        check_build.check_build(tmp_path)
