"""Spikey parts."""
