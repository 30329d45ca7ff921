"""Docstring sections shared by several functions and estimators."""

import inspect

__all__ = ["CLIP_ATTRIBUTES", "CLIP_INPUT", "N_JOBS", "Substitution"]


class Substitution:
    """Decorator that fills ``{name}`` placeholders of a docstring.

    Each placeholder stands alone on its line; the section that replaces it
    is indented as the placeholder was, so that one text serves docstrings
    of any indentation. Placeholders the decorator does not know, and
    sections whose placeholder is missing, raise, so that a typo cannot
    leave a docstring half-filled.

    Parameters
    ----------
    **sections : str
        The text of each section, without indentation.
    """

    def __init__(self, **sections):
        self.sections = {
            name: inspect.cleandoc(text) for name, text in sections.items()
        }

    def __call__(self, obj):
        """Fill the docstring of ``obj`` and return ``obj``."""
        doc = obj.__doc__
        if doc is None:  # docstrings stripped by ``python -OO``
            return obj
        lines = []
        used = set()
        for line in doc.split("\n"):
            key = line.strip()
            name = key[1:-1]
            if key.startswith("{") and key.endswith("}") and name.isidentifier():
                if name not in self.sections:
                    raise KeyError(f"{obj.__qualname__}: no section {name!r}.")
                indent = line[: len(line) - len(line.lstrip())]
                lines.extend(
                    indent + part if part else part
                    for part in self.sections[name].split("\n")
                )
                used.add(name)
            else:
                lines.append(line)
        unused = sorted(set(self.sections) - used)
        if unused:
            raise KeyError(f"{obj.__qualname__}: no placeholder for {unused}.")
        obj.__doc__ = "\n".join(lines)
        return obj


N_JOBS = """
n_jobs : int or None, default=None
    Number of joblib threads over chunks of clips; ``None`` means 1 unless
    in a :func:`joblib.parallel_config` context, -1 means all processors.
    Chunks fit scikit-learn's ``working_memory`` (see
    :func:`sklearn.config_context`) whatever ``n_jobs`` is, which bounds the
    temporary memory, and the result does not depend on ``n_jobs``.
"""

CLIP_INPUT = """
Input: ``X`` must be 2-D, one clip a row, of real numbers; integers,
booleans, float16 and numbers in an object array become float64, float32
stays float32. Complex data, arrays that are not 2-D, empty arrays, NaN
and infinite samples raise :class:`~micfp.exceptions.AudioValueError`.
"""

CLIP_ATTRIBUTES = """
n_features_in_ : int
    Clip length seen in ``fit``.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Column names seen in ``fit``, when ``X`` has string column names.
"""
