"""Registrations of spikey-meta."""

from spikey_core import hookimpl

from spikey_meta import report
from spikey_meta.callbacks.experiment import ExperimentCallback
from spikey_meta.callbacks.rl import RLCallback


@hookimpl
def spikey_register_parts(registry):
    registry.add("callback", "experiment", ExperimentCallback)
    registry.add("callback", "rl", RLCallback)


@hookimpl
def spikey_register_commands(registry):
    registry.add_command("report", help=report.HELP, setup=report.setup, run=report.run)
