"""Run micfp's command line: ``python -m micfp --help``."""

import sys

from .cli import main

sys.exit(main())
