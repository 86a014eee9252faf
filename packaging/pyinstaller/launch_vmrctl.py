"""PyInstaller's entry for the command line (the wheel's `vmrctl` script calls the same)."""

import sys

from vmrtray.cli import main

sys.exit(main())
