"""``python -m ficnlp``: the command-line interface."""

import sys

from ficnlp.cli import main

sys.exit(main())
