"""`python -m vmrtray`: the tray application."""

import sys

from vmrtray.ui.app import main

sys.exit(main())
