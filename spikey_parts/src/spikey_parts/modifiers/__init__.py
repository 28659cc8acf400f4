"""Spikey modifiers (one model per file; file name = registered name)."""
