"""`python -m jupyter_mlext.cli`: the same as the `mlext` command."""

import sys

from . import main

sys.exit(main())
