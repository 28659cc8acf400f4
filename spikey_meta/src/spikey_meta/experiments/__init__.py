"""The reference experiments of the original Spikey, runnable with ``spikey run NAME``.

Each is a registered :class:`spikey_core.Experiment` whose specification is a TOML file shipped
in this package, plus the metrics of the original notebooks.
"""
