"""Reusable widgets of the counter's screens."""
