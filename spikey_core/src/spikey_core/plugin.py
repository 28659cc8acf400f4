"""The core's built-in plugin: registered first, through the same hook as every other plugin."""

from spikey_core.backends.serial import SerialBackend
from spikey_core.callbacks import Callback
from spikey_core.engines import NumpyEngine
from spikey_core.hookspecs import hookimpl
from spikey_core.loops import GenericLoop


@hookimpl
def spikey_register_parts(registry):
    registry.add("backend", "serial", SerialBackend)
    registry.add("loop", "generic", GenericLoop)
    registry.add("callback", "none", Callback)
    registry.add("engine", "numpy", NumpyEngine)
