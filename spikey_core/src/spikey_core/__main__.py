"""``python -m spikey_core``: the ``spikey`` command line."""

import sys

from spikey_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
