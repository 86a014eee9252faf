"""`python -m vmrtray.cli`: the same as the `vmrctl` script."""

import sys

from . import main

sys.exit(main())
