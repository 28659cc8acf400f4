"""Execution backends shipped with the core."""
