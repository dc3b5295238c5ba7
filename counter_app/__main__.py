"""The ``counter`` program (and ``python -m counter_app``).

A thin start: Ctrl+C while the command line is still being imported (the first tenth of a second)
ends with the same one line as later on, not a Python traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from counter_app.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Đã dừng.\n")
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
