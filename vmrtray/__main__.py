"""`python -m vmrtray`: the tray application."""

import sys

from vmrtray.ui.launcher import main

sys.exit(main())
