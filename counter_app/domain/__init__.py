"""Pure counter rules: no I/O, no Textual, no database, no HTTP.

Everything here is testable in milliseconds and imports nothing of ours outside ``counter_app.domain``.
"""
