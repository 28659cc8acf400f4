"""Spikey meta."""
