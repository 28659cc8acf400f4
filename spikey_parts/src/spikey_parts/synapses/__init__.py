"""Spikey synapses (one model per file; file name = registered name)."""
