"""``python -m sahifa`` runs the command line."""

import sys

from sahifa.cli import main

sys.exit(main())
