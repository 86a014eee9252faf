"""PyInstaller's entry for the tray (the wheel's `vmrtray` script calls the same)."""

import sys

from vmrtray.ui.launcher import main

sys.exit(main())
