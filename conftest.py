"""Repository-level pytest setup.

The member folders (``spikey_core/`` ...) share their import package's name, so when pytest is
started as ``python -m pytest`` from the repository root the bare folders would shadow the
installed distributions as namespace packages. Dropping the working directory from ``sys.path``
makes every test import the installed (editable) packages.
"""

import os
import sys

_root = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p not in ("", ".", _root, os.getcwd())]
