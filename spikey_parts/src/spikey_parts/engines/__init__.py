"""Spikey engines beyond the core's numpy reference (one engine per file; file name = registered name)."""
