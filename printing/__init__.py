"""Official forms as PDFs (reportlab), barcodes (python-barcode), and sending them to a printer.

Reads dossiers through the desk; knows nothing of Textual. The public entry points, safe to call
from a TUI thread worker:

- :func:`render_form` — one form of one dossier (:data:`FORMS`), written to a PDF file;
- :func:`render_logbook` — the logbook of a day or a date range, streamed;
- :func:`deliver` — send a PDF to the CUPS printer of the settings, or report it saved.

Failures are :class:`~counter_app.domain.errors.CounterError` subclasses with Vietnamese messages.
"""

from __future__ import annotations

from printing.delivery import Delivery, deliver
from printing.forms import render_form
from printing.logbook import render_logbook
from printing.wording import FORMS

__all__ = ["FORMS", "Delivery", "deliver", "render_form", "render_logbook"]
