"""Counter: the software of a Vietnamese commune one-stop counter (Bộ phận Một cửa).

The package is layered: ``domain`` holds pure rules, ``store`` the SQLite persistence, ``desk`` the use
cases shared by the CLI, the TUI and sync. Importing this package must stay cheap and must not pull in
Textual.
"""

__version__ = "0.1.0"
