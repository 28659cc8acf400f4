"""Metrics: registered scorers that a specification names in its ``metrics`` entry.

A metric is created from its table (``type`` plus the fields of its ``Config``) and called as
``metric(network, game, results, info)`` when a run ends; the dict it returns is added to the run's
``results`` (so it reaches logs, ``spikey run``'s table, Series and evolve).
"""
