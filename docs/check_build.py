r"""Check the built HTML for what a reader must never see.

``python docs/check_build.py docs/_build/html`` exits with status 1, listing
each page and problem, when a built page shows:

- raw TeX: ``\(`` or ``\[`` in text that MathJax does not typeset (MathJax
  only reads the elements Sphinx marks ``math``; code is left alone);
- a stray output of a gallery example: the repr of a matplotlib object
  (``<matplotlib.legend.Legend object at ...>``) or a list of axis texts
  (``[Text(0.5, 0, 'time'), ...]``), printed because a script's last
  expression returned it;
- a script or style sheet fetched from another site: the pages must work
  offline (MathJax comes from ``_static``).

``nox -s docs`` runs it after every build.
"""

import sys
from html.parser import HTMLParser
from pathlib import Path

RAW_TEX = ("\\(", "\\[")
STRAY_OUTPUTS = ("<matplotlib.", "[Text(")
# Elements whose text is not prose: code, and what MathJax typesets.
VERBATIM_TAGS = {"pre", "code", "script", "style", "kbd", "samp", "textarea"}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input",
    "link", "meta", "source", "track", "wbr",
}  # fmt: skip


class _PageText(HTMLParser):
    """Split a page's text into prose and verbatim, and collect remote assets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._stack = []
        self.prose = []
        self.verbatim = []
        self.remote_assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        source = attrs.get("src") if tag == "script" else None
        if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            source = attrs.get("href")
        if source and source.startswith(("http://", "https://", "//")):
            self.remote_assets.append(source)
        if tag in VOID_TAGS:
            return
        classes = (attrs.get("class") or "").split()
        self._stack.append(tag in VERBATIM_TAGS or "math" in classes)

    def handle_endtag(self, tag):
        if tag not in VOID_TAGS and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        (self.verbatim if any(self._stack) else self.prose).append(data)


def find_problems(html):
    """List what a reader must not see on one HTML page.

    Parameters
    ----------
    html : str
        The page's HTML.

    Returns
    -------
    problems : list of str
        One line for each problem, empty when the page is clean.
    """
    page = _PageText()
    page.feed(html)
    page.close()
    prose = "".join(page.prose)
    everything = prose + "".join(page.verbatim)
    problems = []
    for marker in RAW_TEX:
        at = prose.find(marker)
        if at >= 0:
            excerpt = " ".join(prose[max(at - 30, 0) : at + 50].split())
            problems.append(f"raw TeX {marker!r} outside math: ...{excerpt}...")
    for marker in STRAY_OUTPUTS:
        at = everything.find(marker)
        if at >= 0:
            excerpt = " ".join(everything[at : at + 70].split())
            problems.append(f"stray output: {excerpt}...")
    problems.extend(f"remote asset: {source}" for source in page.remote_assets)
    return problems


def check_build(build_dir):
    """Check every HTML page under ``build_dir``.

    Parameters
    ----------
    build_dir : path-like
        Output folder of the HTML builder.

    Returns
    -------
    report : dict of str to list of str
        Problems by page path, relative to ``build_dir``; pages without
        problems are left out.
    """
    build_dir = Path(build_dir)
    pages = sorted(build_dir.rglob("*.html"))
    if not pages:
        raise FileNotFoundError(f"no HTML page under {build_dir}")
    report = {}
    for path in pages:
        problems = find_problems(path.read_text(encoding="utf-8"))
        if problems:
            report[str(path.relative_to(build_dir))] = problems
    return report


def main(argv=None):
    """Print the problems of a build and return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__)
        return 2
    report = check_build(argv[0])
    for page, problems in report.items():
        for problem in problems:
            print(f"{page}: {problem}")
    n_pages = len(list(Path(argv[0]).rglob("*.html")))
    print(f"{n_pages} pages checked, {len(report)} with problems")
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main())
