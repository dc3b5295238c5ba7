"""Data files shipped with the program (the procedure catalog), read through importlib.resources."""
