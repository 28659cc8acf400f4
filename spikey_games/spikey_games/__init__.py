"""Spikey games."""
