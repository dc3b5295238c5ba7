"""The schema, as numbered forward migrations (sqlite-utils ``Migrations``).

Never edit a migration once released: add a new one. They are applied at start-up and applying them
twice changes nothing. ``SCHEMA_VERSION`` is the number of migrations, recorded in ``PRAGMA
user_version`` so a newer database opened by an older program is refused instead of damaged.
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("counter")


@migrations()
def m001_initial(db: Database) -> None:
    """Events, the dossier projection, outbox, sequences, settings, calendar, catalog."""
    db.execute(
        """
        CREATE TABLE site_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            dossier_code TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            counter_id TEXT NOT NULL,
            body TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'local',
            recorded_at TEXT NOT NULL,
            flagged INTEGER NOT NULL DEFAULT 0,
            flag_reason TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX events_dossier ON events (dossier_code, seq)")
    db.execute(
        """
        CREATE TABLE outbox (
            event_uuid TEXT PRIMARY KEY REFERENCES events (uuid),
            queued_at TEXT NOT NULL,
            sent_at TEXT
        )"""
    )
    db.execute("CREATE INDEX outbox_unsent ON outbox (sent_at) WHERE sent_at IS NULL")
    db.execute(
        """
        CREATE TABLE dossiers (
            code TEXT PRIMARY KEY,
            status INTEGER NOT NULL,
            procedure_code TEXT NOT NULL,
            procedure_name TEXT NOT NULL,
            field TEXT NOT NULL,
            applicant_name TEXT NOT NULL,
            name_folded TEXT NOT NULL,
            id_number TEXT NOT NULL,
            phone TEXT NOT NULL,
            address TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_day TEXT NOT NULL,
            due_at TEXT NOT NULL,
            paused_at TEXT,
            transferred_at TEXT,
            result_at TEXT,
            returned_at TEXT,
            closed_at TEXT,
            counter_no INTEGER NOT NULL,
            events INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            sync_state TEXT NOT NULL DEFAULT 'pending',
            data TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX dossiers_id_number ON dossiers (id_number)")
    db.execute("CREATE INDEX dossiers_phone ON dossiers (phone)")
    db.execute("CREATE INDEX dossiers_received ON dossiers (received_day, received_at)")
    db.execute("CREATE INDEX dossiers_status_due ON dossiers (status, due_at)")
    db.execute("CREATE INDEX dossiers_result ON dossiers (result_at)")
    db.execute("CREATE INDEX dossiers_returned ON dossiers (returned_at)")
    # Names are searched folded (DOMAIN.md §8): FTS5's own remove_diacritics leaves đ alone.
    db.execute(
        """
        CREATE VIRTUAL TABLE dossiers_fts USING fts5 (
            name_folded, content='dossiers', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        )"""
    )
    db.execute(
        """
        CREATE TRIGGER dossiers_fts_ai AFTER INSERT ON dossiers BEGIN
            INSERT INTO dossiers_fts (rowid, name_folded) VALUES (new.rowid, new.name_folded);
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER dossiers_fts_ad AFTER DELETE ON dossiers BEGIN
            INSERT INTO dossiers_fts (dossiers_fts, rowid, name_folded)
            VALUES ('delete', old.rowid, old.name_folded);
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER dossiers_fts_au AFTER UPDATE OF name_folded ON dossiers BEGIN
            INSERT INTO dossiers_fts (dossiers_fts, rowid, name_folded)
            VALUES ('delete', old.rowid, old.name_folded);
            INSERT INTO dossiers_fts (rowid, name_folded) VALUES (new.rowid, new.name_folded);
        END"""
    )
    db.execute(
        """
        CREATE TABLE code_sequences (
            day TEXT NOT NULL,
            counter_no INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (day, counter_no)
        )"""
    )
    db.execute(
        """
        CREATE TABLE logbook_sequences (
            volume TEXT NOT NULL,
            counter_no INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (volume, counter_no)
        )"""
    )
    db.execute(
        """
        CREATE TABLE calendar_overrides (
            day TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('day_off', 'working_day')),
            label TEXT NOT NULL DEFAULT '',
            scope TEXT NOT NULL DEFAULT 'local',
            version INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE procedures (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            field TEXT NOT NULL,
            data TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE access_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            dossier_code TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        )"""
    )


@migrations()
def m002_officials(db: Database) -> None:
    """Officials who sign in at the counter, with a salted PIN hash and a role."""
    db.execute(
        """
        CREATE TABLE officials (
            username TEXT PRIMARY KEY,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('official', 'supervisor')),
            pin_salt TEXT NOT NULL,
            pin_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )"""
    )


@migrations()
def m003_drafts(db: Database) -> None:
    """The half-typed intake of each counter, kept so a crash or restart loses nothing."""
    db.execute(
        """
        CREATE TABLE drafts (
            counter_no INTEGER PRIMARY KEY,
            data TEXT NOT NULL,
            saved_at TEXT NOT NULL
        )"""
    )


@migrations()
def m004_search_indexes(db: Database) -> None:
    """Fast search on a commune's years of dossiers (measured on 1M rows in bench/bench_core.py).

    - FTS5 prefix indexes for 1-3 letters: a half-typed name ends in a one-letter prefix, which
      otherwise merges the doclists of every word with that letter.
    - An index on the folded name, to list exact-name matches first.
    - The FTS update trigger fires only when the name changes (lifecycle steps do not touch it).
    - Indexes for the last digits of a code and for a dossier's access log.
    """
    _rebuild_name_index(db, "")
    db.execute("CREATE INDEX dossiers_name ON dossiers (name_folded, received_at)")
    db.execute("CREATE INDEX dossiers_code_tail ON dossiers (substr(code, -5), received_at)")
    db.execute("CREATE INDEX access_log_dossier ON access_log (dossier_code, id)")


def _rebuild_name_index(db: Database, options: str) -> None:
    """(Re)create the FTS5 index of folded applicant names, and its triggers.

    Args:
        options: More FTS5 options (``"detail=column"``), or ``""``.
    """
    extra = f", {options}" if options else ""
    for trigger in ("dossiers_fts_ai", "dossiers_fts_ad", "dossiers_fts_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS dossiers_fts")
    db.execute(
        f"""
        CREATE VIRTUAL TABLE dossiers_fts USING fts5 (
            name_folded, content='dossiers', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'{extra}
        )"""
    )
    db.execute("INSERT INTO dossiers_fts (dossiers_fts) VALUES ('rebuild')")
    db.execute(
        """
        CREATE TRIGGER dossiers_fts_ai AFTER INSERT ON dossiers BEGIN
            INSERT INTO dossiers_fts (rowid, name_folded) VALUES (new.rowid, new.name_folded);
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER dossiers_fts_ad AFTER DELETE ON dossiers BEGIN
            INSERT INTO dossiers_fts (dossiers_fts, rowid, name_folded)
            VALUES ('delete', old.rowid, old.name_folded);
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER dossiers_fts_au AFTER UPDATE OF name_folded ON dossiers
        WHEN old.name_folded IS NOT new.name_folded BEGIN
            INSERT INTO dossiers_fts (dossiers_fts, rowid, name_folded)
            VALUES ('delete', old.rowid, old.name_folded);
            INSERT INTO dossiers_fts (rowid, name_folded) VALUES (new.rowid, new.name_folded);
        END"""
    )


@migrations()
def m005_lean_writes(db: Database) -> None:
    """Fewer pages written per save (measured with bench/bench_core.py on 1M dossiers).

    A receipt wrote about 53 WAL pages; most were FTS5 segment merges and indexes that a new
    dossier does not need:

    - The name index keeps no column sizes (``columnsize=0``; results are ordered by rowid, not
      bm25) and no positions (searches are AND-ed words and prefixes, never phrases). It was
      ``detail=none`` here; migration 6 sets ``detail=column``, as fast to write and faster to search.
    - The outbox is the queue of events not yet acknowledged by the hub, keyed by the event's
      ``seq`` (appended, not a random uuid): a row is deleted when the hub's answer names the
      event. Events already sent leave the queue here.
    - Both per-counter sequences (dossier codes per day, logbook entries per volume) live in one
      small table, so a receipt dirties one page for them instead of two.
    - The result and return dates are indexed only once set.
    """
    _rebuild_name_index(db, "detail=none, columnsize=0")

    db.execute(
        """
        CREATE TABLE outbox_queue (
            seq INTEGER PRIMARY KEY REFERENCES events (seq),
            queued_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "INSERT INTO outbox_queue (seq, queued_at) SELECT e.seq, o.queued_at FROM outbox o"
        " JOIN events e ON e.uuid = o.event_uuid WHERE o.sent_at IS NULL ORDER BY e.seq"
    )
    db.execute("DROP TABLE outbox")
    db.execute("ALTER TABLE outbox_queue RENAME TO outbox")

    db.execute(
        """
        CREATE TABLE sequences (
            name TEXT NOT NULL CHECK (name IN ('code', 'logbook')),
            key TEXT NOT NULL,
            counter_no INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (name, key, counter_no)
        ) WITHOUT ROWID"""
    )
    db.execute(
        "INSERT INTO sequences (name, key, counter_no, last)"
        " SELECT 'code', day, counter_no, last FROM code_sequences"
        " UNION ALL SELECT 'logbook', volume, counter_no, last FROM logbook_sequences"
    )
    db.execute("DROP TABLE code_sequences")
    db.execute("DROP TABLE logbook_sequences")

    for index, column in (("dossiers_result", "result_at"), ("dossiers_returned", "returned_at")):
        db.execute(f"DROP INDEX IF EXISTS {index}")
        db.execute(f"CREATE INDEX {index} ON dossiers ({column}) WHERE {column} IS NOT NULL")


@migrations()
def m006_name_index_positions(db: Database) -> None:
    """The name index with ``detail=column`` instead of ``detail=none``.

    Measured on 1M dossiers: the same pages written per save (about 23 against 22), but name
    searches about four times faster ("hoang": 2.6 ms against 11 ms), since FTS5 walks prefix
    doclists lazily only when it keeps more than rowids.
    """
    _rebuild_name_index(db, "detail=column, columnsize=0")


@migrations()
def m007_owner_search(db: Database) -> None:
    """The owner's name is searchable too (a relative often submits for the owner, who later comes
    asking under their own name or ID number): ``owner_folded`` and ``owner_id`` columns, filled
    from each dossier's stored JSON, a name index of its own and a partial index of the IDs.

    A separate index, not a second column of the applicants' one: measured on 1M dossiers, a
    two-column index wrote about 7 more pages per save (33 against 26), although most dossiers
    have no separate owner. These are written only when a dossier has one (the triggers skip NULL,
    the ID index is partial), so an ordinary save writes exactly what it wrote before.
    """
    from counter_app.domain.text import fold

    db.execute("ALTER TABLE dossiers ADD COLUMN owner_folded TEXT")
    db.execute("ALTER TABLE dossiers ADD COLUMN owner_id TEXT")
    rows = db.execute(
        "SELECT rowid, json_extract(data, '$.owner.name'), json_extract(data, '$.owner.id_number')"
        " FROM dossiers WHERE json_extract(data, '$.owner.name') <> ''"
    ).fetchall()
    db.conn.executemany(
        "UPDATE dossiers SET owner_folded = ?, owner_id = ? WHERE rowid = ?",
        [(fold(name), id_number or None, rowid) for rowid, name, id_number in rows],
    )
    db.execute("CREATE INDEX dossiers_owner_id ON dossiers (owner_id) WHERE owner_id IS NOT NULL")
    db.execute(
        """
        CREATE VIRTUAL TABLE owners_fts USING fts5 (
            owner_folded, content='dossiers', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2', prefix='1 2 3', detail=column, columnsize=0
        )"""
    )
    db.execute("INSERT INTO owners_fts (owners_fts) VALUES ('rebuild')")
    db.execute(
        """
        CREATE TRIGGER owners_fts_ai AFTER INSERT ON dossiers WHEN new.owner_folded IS NOT NULL BEGIN
            INSERT INTO owners_fts (rowid, owner_folded) VALUES (new.rowid, new.owner_folded);
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER owners_fts_ad AFTER DELETE ON dossiers WHEN old.owner_folded IS NOT NULL BEGIN
            INSERT INTO owners_fts (owners_fts, rowid, owner_folded)
            VALUES ('delete', old.rowid, old.owner_folded);
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER owners_fts_au AFTER UPDATE OF owner_folded ON dossiers
        WHEN old.owner_folded IS NOT new.owner_folded BEGIN
            INSERT INTO owners_fts (owners_fts, rowid, owner_folded)
            SELECT 'delete', old.rowid, old.owner_folded WHERE old.owner_folded IS NOT NULL;
            INSERT INTO owners_fts (rowid, owner_folded)
            SELECT new.rowid, new.owner_folded WHERE new.owner_folded IS NOT NULL;
        END"""
    )


@migrations()
def m008_ratings(db: Database) -> None:
    """Citizens' satisfaction ratings (DOMAIN.md §10): each dossier's latest, for the supervisor's
    figures by period. A table of its own, written only when a rating is recorded, so receiving a
    dossier writes exactly what it wrote before.

    Nothing to fill in: before this version no rating could be recorded.
    """
    db.execute(
        """
        CREATE TABLE ratings (
            code TEXT PRIMARY KEY,
            level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
            rated_at TEXT NOT NULL,
            rater TEXT NOT NULL,
            comment TEXT NOT NULL,
            official TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX ratings_rated_at ON ratings (rated_at)")


@migrations()
def m009_sign_in_failures(db: Database) -> None:
    """Failed sign-ins per official and the time until which the account waits (a PIN has few
    digits: after a few wrong tries the next must wait, even across a restart of the program)."""
    db.execute("ALTER TABLE officials ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE officials ADD COLUMN locked_until TEXT")


@migrations()
def m010_waiting_and_ready_order(db: Database) -> None:
    """The lists "waiting for papers" and "ready to hand back" in their own order, from small
    partial indexes: without them each page read and sorted every such dossier (about 20 ms and
    2 MB of page cache for 1,650 of them in a million, bench/bench_tui.py). A new dossier (status 2)
    touches neither, so receiving writes no more pages than before."""
    db.execute("CREATE INDEX dossiers_waiting ON dossiers (paused_at) WHERE status = 5")
    db.execute("CREATE INDEX dossiers_ready ON dossiers (result_at) WHERE status = 9")


def _codes_with(db: Database, where: str) -> list[str]:
    """The dossiers that have an event matching ``where`` (SQL on ``events``)."""
    return [r[0] for r in db.execute(f"SELECT DISTINCT dossier_code FROM events WHERE {where}").fetchall()]


_LATER_RATING = (
    "kind = 'rated' AND flagged = 0 AND seq NOT IN"
    " (SELECT min(seq) FROM events WHERE kind = 'rated' AND flagged = 0 GROUP BY dossier_code)"
)
"""The events that rate a dossier again: an earlier version allowed it; a dossier is rated once."""


def _fold_again(db: Database, codes: list[str]) -> None:
    """Fold these dossiers again from their events, rewriting their rows and ratings (the other
    dossiers do not change).

    Today's fold refuses a second rating, which versions 8 to 12 let through: such ratings are
    flagged first (migration 13's rule, done by whichever migration folds first) and their dossiers
    folded too. Folding a dossier rated twice failed the whole upgrade, and the counter with it.
    """
    from counter_app.store.dossiers import DossierStore

    rated_again = _codes_with(db, _LATER_RATING)
    db.execute(
        "UPDATE events SET flagged = 1, flag_reason = 'a second rating: a dossier is rated once'"
        f" WHERE {_LATER_RATING}"
    )
    store = DossierStore(db.conn)
    for code in dict.fromkeys([*codes, *rated_again]):
        store.fold_again(code)


@migrations()
def m011_time_limit_of_moved_appointments(db: Database) -> None:
    """Dossiers whose appointment was moved keep the due time of their time limit
    (``Dossier.statutory_due_at``): early, on time and late are judged against it, not against the
    date an apology gave."""
    _fold_again(db, _codes_with(db, "kind = 'appointment_moved'"))


@migrations()
def m012_deciding_authority_kept(db: Database) -> None:
    """A transfer named an office, which replaced the deciding authority stored at receipt (the
    logbook then printed "Công chức Tư pháp - Hộ tịch" as the authority). The authority now stays;
    the office is ``handled_by``."""
    named = "kind = 'transferred' AND coalesce(json_extract(body, '$.payload.to_agency_name'), '') <> ''"
    _fold_again(db, _codes_with(db, named))


@migrations()
def m013_rated_once(db: Database) -> None:
    """A dossier is rated once. A later rating of the same dossier (an earlier version allowed it,
    and counted only the last) is flagged, so that it stays in the file but no longer counts, and
    the dossiers so rated are folded again."""
    _fold_again(db, [])  # flags the later ratings (if an earlier migration has not) and refolds


@migrations()
def m014_representatives_found(db: Database) -> None:
    """An organisation's representative is found by name: the second name index (the owners')
    holds the representative's name too (``other_names_folded``). "Trần Văn Phúc", at the counter
    for his company, found nothing."""
    from counter_app.store.dossiers import other_names_folded

    rows = db.execute(
        "SELECT rowid, json_extract(data, '$.owner.name'), json_extract(data, '$.applicant.representative')"
        " FROM dossiers WHERE coalesce(json_extract(data, '$.applicant.representative'), '') <> ''"
    ).fetchall()
    db.conn.executemany(  # the owners' index follows through its update trigger
        "UPDATE dossiers SET owner_folded = ? WHERE rowid = ?",
        [(other_names_folded(owner, representative), rowid) for rowid, owner, representative in rows],
    )


@migrations()
def m015_hub_order(db: Database) -> None:
    """Each event's place in the hub's order (``hub_seq``): the order every counter of the commune
    folds a dossier in, so that two counters that stepped one dossier while apart agree on it once
    both have synced. The events already here keep their recorded order as their place (up to
    ``_hub_pivot``, the last of them: see ``DossierStore``), without rewriting them: setting the
    column on every event took a minute at a million dossiers, at the first start after the
    upgrade. Places given from now on come after them."""
    from counter_app.store.dossiers import HUB_PIVOT, HUB_POSITION

    db.execute("ALTER TABLE events ADD COLUMN hub_seq INTEGER")
    last = db.execute("SELECT max(seq) FROM events").fetchone()[0]
    if last is not None:
        db.conn.executemany(
            "INSERT INTO site_settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(HUB_POSITION, str(last)), (HUB_PIVOT, str(last))],
        )


@migrations()
def m016_refused_at_the_counter_marked(db: Database) -> None:
    """A dossier refused on the day it came was taken for one refused at the counter (no receipt,
    not counted as received) even when extra papers, a fee or an appointment had come first. The
    fold now marks a refusal that was the first step after the receipt (``refused_at_counter`` in
    the row's data); the dossiers the old rule took for refused at the counter are folded again."""
    codes = db.execute(
        "SELECT code FROM dossiers WHERE status = 3 AND transferred_at IS NULL"
        " AND substr(closed_at, 1, 10) = received_day"
    ).fetchall()
    _fold_again(db, [code for (code,) in codes])


UNKNOWN_KIND = "Không có bước xử lý%"
"""How the fold's refusal of a step kind it does not know begins (``check_transition``)."""


@migrations()
def m017_corrections_known(db: Database) -> None:
    """Corrections of the applicant's details (``corrected`` events). An older version keeps one
    pulled from the hub aside as a step it does not know: now known, each is folded in where it
    fits (still left out, with today's reason, where it does not), and a dossier with nothing left
    out comes out of conflict. The schema number also tells an older version that this file holds
    steps it cannot read: it refuses the file whole, where it read it and failed on every such
    dossier (the nightly check with it, and so the backup)."""
    from counter_app.domain.dossier import Dossier, apply
    from counter_app.domain.errors import RuleError
    from counter_app.store.database import DATABASE_ID
    from counter_app.store.dossiers import DossierStore

    # The file's own identifier, which its backups carry (``DATABASE_ID``): the rotation of
    # backups tells its copies from another database's with the same counter's name.
    db.execute(
        "INSERT OR IGNORE INTO site_settings (key, value) VALUES (?, ?)", [DATABASE_ID, str(uuid.uuid4())]
    )
    store = DossierStore(db.conn)
    kept_aside = db.execute(
        "SELECT seq, dossier_code FROM events"
        " WHERE kind = 'corrected' AND flagged = 1 AND flag_reason LIKE ?",
        [UNKNOWN_KIND],
    ).fetchall()
    waiting = {seq for seq, _code in kept_aside}
    codes = list(dict.fromkeys(code for _seq, code in kept_aside))
    for code in codes:
        state: Dossier | None = None
        for row in store.fold_rows(code):
            if row.flagged and row.seq not in waiting:
                continue
            try:
                state = apply(state, row.event)
            except RuleError as refused:
                if row.seq not in waiting:
                    raise
                store.set_flag(row.seq, refused.message)  # left out, for what it is now
                continue
            if row.seq in waiting:
                store.set_flag(row.seq, "")
        store.fold_again(code)
        if not store.flagged_of(code) and store.stored_sync_state(code) == "conflict":
            store.clear_conflict(code)


# The number of migrations above lives beside the opener (which must not import sqlite-utils);
# tests check that it matches.
from counter_app.store.database import SCHEMA_VERSION  # noqa: E402

__all__ = ["SCHEMA_VERSION", "migrations"]
