"""SQLite persistence through sqlite-utils: schema, migrations, the dossier store and its search.

Knows nothing of Textual or HTTP. Every write of a use case happens in one transaction
(:meth:`DossierStore.transaction`): the events, the dossier projection and the outbox together.
"""

from counter_app.store.database import open_database
from counter_app.store.dossiers import DossierStore

__all__ = ["DossierStore", "open_database"]
