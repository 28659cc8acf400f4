"""Skip markers for core tests that need sibling distributions installed (the full workspace).

CI also installs each member alone (``.ci/members``); there these tests are skipped, with the
reason shown, while the full-workspace run executes them.
"""

from __future__ import annotations

from importlib import metadata

import pytest


def requires(*distributions: str) -> pytest.MarkDecorator:
    """Skip unless every named distribution is installed."""
    missing = []
    for name in distributions:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    return pytest.mark.skipif(
        bool(missing), reason=f"needs {', '.join(missing)} installed beside spikey-core"
    )
