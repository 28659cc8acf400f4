"""An example third-party Spikey plugin: the ``adaptive_threshold`` neuron."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

from spikey_example.adaptive_threshold import AdaptiveThreshold

__all__ = ["AdaptiveThreshold"]

try:  # the one source of the version is the distribution's metadata (its pyproject.toml)
    __version__ = _distribution_version("spikey-example")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled source tree
    __version__ = "0+unknown"
