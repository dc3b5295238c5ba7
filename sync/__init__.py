"""Sync with the city hub: the wire contract, the counter's client and the reference hub."""
