"""Registrations of spikey-parts."""

from spikey_core import hookimpl


@hookimpl
def spikey_register_parts(registry):
    pass
