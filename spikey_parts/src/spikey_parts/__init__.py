"""Spikey parts: neurons, synapses, inputs, readouts, rewarders, weights and modifiers."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

try:  # the one source of the version is the distribution's metadata (its pyproject.toml)
    __version__ = _distribution_version("spikey-parts")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled source tree
    __version__ = "0+unknown"
