"""Spikey readouts (one model per file; file name = registered name)."""
