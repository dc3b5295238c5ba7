"""The core never pulls in Textual: checked statically (import-linter) and at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CORE_MODULES = [
    "counter_app.domain.calendar",
    "counter_app.domain.dossier",
    "counter_app.domain.procedures",
    "counter_app.domain.text",
    "counter_app.domain.validation",
    "counter_app.store",
    "counter_app.desk",
    "counter_app.cli",
    "printing",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "leaked = sorted(m for m in sys.modules if m.startswith('textual'))\n"
        "assert not leaked, leaked"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_domain_does_no_io_imports() -> None:
    code = (
        "import sys, counter_app.domain.dossier, counter_app.domain.procedures, "
        "counter_app.domain.validation, counter_app.domain.codes\n"
        "io = ('sqlite_utils', 'httpx', 'reportlab', 'barcode', 'sqlite3')\n"
        "bad = [m for m in io if m in sys.modules]\n"
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.skip("import-linter is not installed in this environment")
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
