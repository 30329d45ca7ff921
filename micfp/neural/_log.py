"""Epoch log of the neural classifiers."""

import sys

from skorch.callbacks import PrintLog


class PlainPrintLog(PrintLog):
    """Epoch table of skorch, coloured only when standard output is a terminal.

    Log files and captured output then hold plain text, not ANSI escape codes.
    """

    def format_row(self, row, key, color):
        """Format one cell; the best value is coloured on a terminal only."""
        if not getattr(sys.stdout, "isatty", lambda: False)():
            row = {k: v for k, v in row.items() if k != key + "_best"}
        return super().format_row(row, key, color)
