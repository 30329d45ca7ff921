"""Order of the gallery's examples within each section: first steps first.

Listed scripts come in the order below, from the first a new user should run
to the studies; scripts not listed follow, by file name.
"""

from pathlib import Path

READING_ORDER = [
    # basics
    "plot_quickstart.py",
    "plot_own_recordings.py",
    "plot_content_and_length.py",
    # baselines
    "plot_classical_pipeline.py",
    "plot_gsv_svm.py",
    "plot_bed_svm.py",
    "plot_pstnn_vs_baselines.py",
    # neural
    "plot_mlp_noise_residual.py",
    "plot_pstnn.py",
    "plot_background_noise_study.py",
]


def example_order(filename):
    """Sort key of a gallery script: its place in the reading order, then its name.

    Parameters
    ----------
    filename : str or path-like
        Name of the script, as sphinx-gallery passes it.

    Returns
    -------
    key : tuple of (int, str)
        Listed scripts sort by their position; others after them, by name.
    """
    name = Path(filename).name
    if name in READING_ORDER:
        return READING_ORDER.index(name), name
    return len(READING_ORDER), name
