"""Spikey weights (one model per file; file name = registered name)."""
