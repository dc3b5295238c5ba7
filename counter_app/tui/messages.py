"""Messages that cross screens. Messages owned by one widget are nested classes of that widget."""

from __future__ import annotations

from textual.message import Message

from counter_app.desk import Official
from counter_app.domain.dossier import Dossier
from counter_app.domain.validation import ChipId


class OpenDossier(Message):
    """A dossier code was scanned, typed or chosen in a list: open that dossier."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class ChipScanned(Message):
    """The QR code of a chip ID card was scanned: fill the applicant on the intake form."""

    def __init__(self, chip: ChipId, field: str = "") -> None:
        super().__init__()
        self.chip = chip
        self.field = field
        """The key of the form field the scan was typed into ("" from the scan box): a card
        scanned into the owner's fields is the owner's."""


class SearchRequested(Message):
    """Text that is not a code was entered in the scan box: search dossiers for it."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query


class DossierSaved(Message):
    """A dossier was received and stored (its receipt is being printed)."""

    def __init__(self, dossier: Dossier) -> None:
        super().__init__()
        self.dossier = dossier


class StepRecorded(Message):
    """A lifecycle step was recorded on a dossier."""

    def __init__(self, dossier: Dossier, kind: str) -> None:
        super().__init__()
        self.dossier = dossier
        self.kind = kind


class SignedIn(Message):
    """An official signed in."""

    def __init__(self, official: Official) -> None:
        super().__init__()
        self.official = official
