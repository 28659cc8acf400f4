"""Spikey neurons (one model per file; file name = registered name)."""
