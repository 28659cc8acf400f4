"""Spikey rewarders (one model per file; file name = registered name)."""
