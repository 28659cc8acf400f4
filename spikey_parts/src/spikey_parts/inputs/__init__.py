"""Spikey inputs (one model per file; file name = registered name)."""
