"""The per-dossier forms (DOMAIN.md §2): receipt, extra_papers, refusal, apology, stop_notice and
control_slip, each built from a dossier and its events.

Official forms carry the full ID number (that is where it belongs); nothing here logs personal data.
Every rendering of a form is written to the access log through :meth:`Desk.record_print`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
)

from counter_app.domain.calendar import to_vn
from counter_app.domain.dossier import (
    RETURN_METHODS,
    TRANSITIONS,
    DocumentItem,
    Dossier,
    Event,
    Party,
    parse_time,
)
from counter_app.domain.errors import FieldError, PrintingError, RuleError, ValidationError
from counter_app.locations import output_dir
from printing import layout, typeface, wording
from printing.layout import Theme, field, para, rich
from printing.wording import FORMS

_LOGIN = re.compile(r"[a-z0-9._@-]*")
"""An actor recorded as a user name (lower case, no space), not as a person's name: looked up."""

BLANK_HOPS = 3
"""Hand-over rows the control slip offers up to, blank ones filled in by hand as the file moves."""


COMPACT_SIGNING = {"A4": 15 * mm, "A5": 10 * mm}
"""Room left to sign in a compact signature block (the usual one: 24 mm on A4, 13 mm on A5)."""


@dataclass(frozen=True)
class Context:
    """Everything a form builder reads."""

    dossier: Dossier
    events: tuple[Event, ...]
    settings: Any
    theme: Theme
    officials: Mapping[str, str]
    """Known officials: username -> today's full name (for steps recorded under a user name)."""
    blank_hops: int = BLANK_HOPS
    compact: bool = False
    """Signature blocks with less room to sign (:data:`COMPACT_SIGNING`), to keep a form that runs
    a few lines over one sheet on that sheet (:func:`build_form`)."""
    """Hand-over rows of the control slip to fill in by hand (fewer when they alone would take a
    second sheet: :func:`build_form`)."""

    @property
    def agency(self) -> str:
        """The receiving centre as it was on the day of receipt."""
        return self.dossier.receiving_agency_name or self.settings.agency_name

    def _as_received(self, key: str, today: str) -> str:
        """A name of the receiving side as the receipt recorded it (dossiers received before it was
        recorded, and the received event missing: today's setting)."""
        received = self.last("received")
        side = received.payload.get("receiving") if received is not None else None
        value = side.get(key) if isinstance(side, Mapping) else None
        return value if isinstance(value, str) and value.strip() else today

    @property
    def superior(self) -> str:
        """The receiving centre's superior (the commune's People's Committee) on the day of receipt."""
        return self._as_received("superior", self.settings.deciding_agency_name)

    @property
    def place(self) -> str:
        """The place name of the datelines, as on the day of receipt."""
        return self._as_received("place", self.settings.place_name or self.settings.commune_name)

    def official_name(self, actor: str) -> str:
        """The name to print under an official's signature: the name recorded with the step.

        The UI and the CLI record the official's full name with each step, so a reprint says what
        the first print said, after a rename, after the official left, and for an ``--actor`` who
        is no official. Only a step recorded under a user name (a login such as ``hoa``, or the
        OS user the CLI falls back to) is looked up among the officials; a login that is no
        official's leaves the line blank, to sign and write by hand.
        """
        actor = " ".join(actor.split())
        if not _LOGIN.fullmatch(actor):
            return actor
        return self.officials.get(actor.lower(), "")

    def signatures(self, blocks: list[tuple[str, str, str]], *, after: list[Flowable]) -> Flowable:
        """:func:`layout.signatures` of the form, less tall when :attr:`compact`."""
        space = COMPACT_SIGNING[self.theme.paper] if self.compact else None
        return layout.signatures(self.theme, blocks, space, after=after)

    def last(self, kind: str) -> Event | None:
        for event in reversed(self.events):
            if event.kind == kind:
                return event
        return None

    def event(self, kind: str, form: str) -> Event:
        """The latest event of ``kind``.

        Raises:
            RuleError: the dossier has none (there is nothing to print).
        """
        found = self.last(kind)
        if found is None:
            raise RuleError(wording.ERR_NO_EVENT[form].format(code=self.dossier.code))
        return found

    def head(self, form: str, day: date) -> list[Flowable]:
        s = self.settings
        name = wording.form_name(s.forms_basis, form)
        return [
            *layout.header(
                self.theme,
                superior=self.superior,
                agency=self.agency,
                place=self.place,
                day=day,
                form_line=name.line,
            ),
            layout.title(self.theme, name.title),
        ]


def _party_lines(
    party: Party, t: Theme, *, first_label: str, with_id: bool, with_email: bool = True
) -> list[Flowable]:
    """Name (bold), representative, address, phone, email and ID number of a person or body."""
    lines: list[Flowable] = [field(first_label, party.name, t, bold=True)]
    if party.kind == "organisation" and party.representative:
        lines.append(field(wording.REPRESENTATIVE, party.representative, t))
    lines.append(field(wording.ADDRESS, party.address, t))
    lines.append(field(wording.PHONE, party.phone, t))
    if with_email:
        lines.append(field(wording.EMAIL, party.email, t))
    if with_id:
        label = wording.ID_ORGANISATION if party.kind == "organisation" else wording.ID_PERSON
        lines.append(field(label, party.id_number, t))
    return lines


def _signer(party: Party) -> str:
    """The name under the submitter's signature: an organisation signs through its representative."""
    if party.kind == "organisation" and party.representative:
        return party.representative
    return party.name


def _request_lines(d: Dossier, t: Theme) -> list[Flowable]:
    lines = [field(wording.REQUEST, d.procedure_name, t)]
    if d.summary:
        lines.append(para(d.summary, t, "indent_italic"))
    if d.owner is not None and d.owner.name and d.owner.name != d.applicant.name:
        owner = d.owner.name + (f"; {wording.ADDRESS.lower()}: {d.owner.address}" if d.owner.address else "")
        lines.append(field(wording.OWNER, owner, t))
    return lines


def _return_place(ctx: Context) -> str:
    method = ctx.dossier.return_method
    if method == "counter":
        return ctx.agency
    return RETURN_METHODS.get(method, method)


# -- receipt -----------------------------------------------------------------------------------------


DOCUMENTS_HEAD_LINES = 2
"""Lines for the documents heading above the start of its table (see ``_receipt``)."""


def _receipt(ctx: Context) -> list[Flowable]:
    d, t, s = ctx.dossier, ctx.theme, ctx.settings
    story = ctx.head("receipt", d.received_at.date())
    story.append(field(wording.CODE, d.code, t, bold=True, style="center"))
    story += [Spacer(1, 1.5 * mm), layout.Code128Bars(d.code, font_size=t.size - 2)]
    story.append(Spacer(1, t.size * 0.6))
    first = (
        wording.RECEIPT_FROM_ORGANISATION
        if d.applicant.kind == "organisation"
        else wording.RECEIPT_FROM_PERSON
    )
    applicant = _party_lines(d.applicant, t, first_label=first, with_id=True)
    if s.lookup_url:
        # The QR code stands beside the applicant block, away from the barcode's quiet zones.
        url = s.lookup_url.replace("{code}", d.code)
        size = 25 * mm if t.paper == "A4" else 21 * mm
        side = size + 6 * mm
        qr_cell = [layout.qr_code(url, size), para(wording.QR_HINT, t, "small_center")]
        row = Table([[applicant, qr_cell]], colWidths=[t.frame_width - side, side])
        row.setStyle(
            layout.table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story.append(row)
    else:
        story += applicant
    story += _request_lines(d, t)
    # The heading, the table's two rows of heads and its first document go on one page: the
    # heading alone at the foot of a page, its table on the next, read as a receipt with nothing.
    _, start = layout.documents_table(t, d.documents[:1]).wrap(t.frame_width, 10_000)
    story.append(CondPageBreak(start + t.size * DOCUMENTS_HEAD_LINES))
    story.append(para(wording.RECEIPT_DOCUMENTS, t))
    story.append(layout.documents_table(t, d.documents))
    story.append(Spacer(1, t.size * 0.5))
    # The count, the time limit, the time received and the appointment are read together: split
    # over two sheets, the appointment stood alone at the top of the last one.
    appointment = KeepTogether(
        [
            field(wording.RECEIPT_SETS, wording.RECEIPT_SETS_VALUE.format(n=wording.two(d.sets)), t),
            field(wording.RECEIPT_LIMIT, d.legal_limit, t),
            field(wording.RECEIPT_RECEIVED, wording.long_time(d.received_at), t),
            field(wording.RECEIPT_DUE, wording.long_time(_first_appointment(ctx)), t, bold=True),
            *_moved_appointment(ctx),
            *_void_appointment(d, t),
        ]
    )
    closing: list[Flowable] = [
        appointment,
        field(wording.RECEIPT_RETURN, _return_place(ctx), t),
        field(wording.RECEIPT_FEE, wording.fee(d.fee_amount, d.fee_text), t),
        para(
            wording.RECEIPT_LOGBOOK.format(
                volume=d.logbook_volume, entry=d.logbook_entry, counter=d.counter_no
            ),
            t,
        ),
    ]
    received = ctx.last("received")
    # The signatures never stand on a page of their own: the last lines (fee, logbook entry) keep
    # with them. The others flow, so a receipt that runs over keeps the appointment on its first
    # sheet instead of moving seven lines and leaving a third of that sheet blank.
    story += closing[:-2]
    closing = closing[-2:]
    story.append(
        ctx.signatures(
            [
                (wording.SIGN_SUBMITTER, wording.SIGN_HINT, _signer(d.applicant)),
                (
                    wording.SIGN_RECEIVER,
                    wording.SIGN_HINT,
                    ctx.official_name(received.actor) if received else "",
                ),
            ],
            after=closing,
        )
    )
    return story


def _first_appointment(ctx: Context) -> datetime:
    """The appointment the receipt gave: before any apology or wait for extra papers moved it (a
    reprint says what the first print said; :func:`_moved_appointment` adds the new one under it)."""
    if ctx.dossier.original_due_at is not None:
        return ctx.dossier.original_due_at
    for event in ctx.events:
        if event.kind == "appointment_moved" and event.payload.get("previous_due_at"):
            return parse_time(str(event.payload["previous_due_at"]))
    return ctx.dossier.due_at


def _moved_appointment(ctx: Context) -> list[Flowable]:
    """On a receipt printed after the appointment moved: the appointment now in force, in bold
    under the first one, with why (the day of the latest apology, or the wait for extra papers)."""
    due = ctx.dossier.due_at
    moved = ctx.last("appointment_moved")
    if moved is not None:
        said = wording.RECEIPT_MOVED.format(
            due=wording.long_time(due), day=wording.short_date(to_vn(moved.occurred_at).date())
        )
    elif due != _first_appointment(ctx):
        said = wording.RECEIPT_PAUSED.format(due=wording.long_time(due))
    else:
        return []
    return [rich([(said, typeface.BOLD)], ctx.theme)]


def _void_appointment(d: Dossier, t: Theme) -> list[Flowable]:
    """On a receipt printed after the dossier was refused, withdrawn or stopped: the appointment is
    void."""
    said = wording.RECEIPT_VOID.get(d.status)
    if said is None or d.closed_at is None:
        return []
    return [rich([(said.format(time=wording.short_time(d.closed_at)), typeface.BOLD)], t)]


# -- extra papers ------------------------------------------------------------------------------------


def _extra_papers(ctx: Context) -> list[Flowable]:
    d, t = ctx.dossier, ctx.theme
    event = ctx.event("extra_papers_requested", "extra_papers")
    papers = [DocumentItem.from_json(p) for p in event.payload.get("papers", [])]
    papers = papers or list(d.extra_papers)
    official = ctx.official_name(event.actor)
    story = ctx.head("extra_papers", event.occurred_at.date())
    story += _party_lines(d.applicant, t, first_label=wording.EXTRA_OF, with_id=False)
    story += _request_lines(d, t)
    story.append(field(wording.CODE, d.code, t, bold=True))
    story.append(field(wording.EXTRA_REQUESTED_AT, wording.long_time(event.occurred_at), t))
    story.append(para(wording.EXTRA_INTRO.format(you=wording.you(d.applicant.kind)), t))
    story.append(layout.documents_table(t, papers))
    story.append(Spacer(1, t.size * 0.5))
    story.append(field(wording.EXTRA_REASON, event.payload.get("reason", ""), t))
    closing: list[Flowable] = [
        para(
            wording.EXTRA_WHERE.format(
                agency=ctx.agency,
                you=wording.you(d.applicant.kind),
                official=official or wording.EXTRA_OFFICIAL_UNKNOWN,
                phone=ctx.settings.counter_phone or wording.BLANK,
            ),
            t,
        ),
    ]
    story.append(ctx.signatures([(wording.SIGN_GUIDE, wording.SIGN_HINT, official)], after=closing))
    return story


# -- refusal -----------------------------------------------------------------------------------------


def _boxed(ctx: Context, value: str) -> Flowable:
    """A reason, framed so it stands out and cannot be extended by hand."""
    t = ctx.theme
    box = Table([[para(value, t)]], colWidths=[t.frame_width - 8 * mm])
    box.setStyle(
        layout.table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, layout.GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return box


def _refusal(ctx: Context) -> list[Flowable]:
    d, t = ctx.dossier, ctx.theme
    event = ctx.event("refused", "refusal")
    story = ctx.head("refusal", event.occurred_at.date())
    story += _party_lines(d.applicant, t, first_label=wording.EXTRA_OF, with_id=False)
    story += _request_lines(d, t)
    story.append(field(wording.CODE, d.code, t, bold=True))
    story.append(para(wording.REFUSAL_BODY.format(agency=ctx.agency), t))
    story.append(_boxed(ctx, str(event.payload.get("reason", ""))))
    story.append(Spacer(1, t.size * 0.5))
    phone = ctx.settings.counter_phone
    help_line = wording.REFUSAL_HELP.format(
        agency=ctx.agency,
        you=wording.you(d.applicant.kind),
        phone=wording.REFUSAL_HELP_PHONE.format(phone=phone) if phone else "",
    )
    signatures = ctx.signatures(
        [
            (wording.SIGN_SUBMITTER, wording.SIGN_HINT, _signer(d.applicant)),
            (wording.SIGN_REFUSER, wording.SIGN_HINT, ctx.official_name(event.actor)),
        ],
        after=[para(help_line, t)],
    )
    story.append(signatures)
    return story


# -- apology -----------------------------------------------------------------------------------------


def _addressed(party: Party) -> str:
    """ "Ông (Bà) Nguyễn Văn An" for a citizen; an organisation by its name alone."""
    return party.name if party.kind == "organisation" else f"{wording.SIR_OR_MADAM} {party.name}"


def _addressee(ctx: Context) -> list[Flowable]:
    d, t = ctx.dossier, ctx.theme
    return [
        rich(
            [f"{wording.APOLOGY_TO}: ", (_addressed(d.applicant), typeface.BOLD)],
            t,
            "center",
        ),
        Spacer(1, t.size * 0.4),
        field(wording.ADDRESS, d.applicant.address, t),
        field(wording.PHONE, d.applicant.phone, t),
    ]


def _apology(ctx: Context) -> list[Flowable]:
    d, t = ctx.dossier, ctx.theme
    event = ctx.event("appointment_moved", "apology")
    p = event.payload
    new_due = parse_time(str(p["due_at"]))
    previous = parse_time(str(p["previous_due_at"])) if p.get("previous_due_at") else d.due_at
    story = ctx.head("apology", event.occurred_at.date())
    story += _addressee(ctx)
    story.append(field(wording.CODE, d.code, t, bold=True))
    story.append(
        para(
            wording.APOLOGY_BODY.format(
                agency=ctx.agency,
                you=wording.you(d.applicant.kind),
                received=wording.long_time(d.received_at),
                procedure=d.procedure_name,
                code=d.code,
                previous_due=wording.long_time(previous),
            ),
            t,
        )
    )
    story.append(field(wording.APOLOGY_REASON, p.get("reason", ""), t))
    closing: list[Flowable] = []
    closing.append(
        rich(
            [
                wording.APOLOGY_SORRY.format(agency=ctx.agency, you=wording.you(d.applicant.kind)),
                (wording.long_time(new_due), typeface.BOLD),
                ".",
            ],
            t,
        )
    )
    closing.append(para(wording.APOLOGY_THANKS.format(you=wording.you(d.applicant.kind)), t))
    story.append(ctx.signatures([(wording.SIGN_AGENCY, wording.SIGN_SEAL_HINT, "")], after=closing))
    return story


# -- stop notice -------------------------------------------------------------------------------------


def _stop_notice(ctx: Context) -> list[Flowable]:
    d, t = ctx.dossier, ctx.theme
    event = ctx.event("stopped", "stop_notice")
    story = ctx.head("stop_notice", event.occurred_at.date())
    story += _addressee(ctx)
    story.append(field(wording.CODE, d.code, t, bold=True))
    story += _request_lines(d, t)
    story.append(field(wording.RECEIPT_RECEIVED, wording.long_time(d.received_at), t))
    story.append(para(wording.STOP_BODY.format(agency=ctx.agency), t))
    story.append(field(wording.STOP_REASON, event.payload.get("reason", ""), t))
    if event.payload.get("legal_basis"):
        story.append(field(wording.STOP_BASIS, event.payload["legal_basis"], t))
    after = wording.STOP_AFTER.format(agency=ctx.agency, you=wording.you(d.applicant.kind))
    story.append(ctx.signatures([(wording.SIGN_AGENCY, wording.SIGN_SEAL_HINT, "")], after=[para(after, t)]))
    return story


# -- control slip ------------------------------------------------------------------------------------


@dataclass
class Hop:
    """One row of the control slip's grid."""

    agency: list[str]
    """Lines of the agency cell ("1. Giao: …", "Nhận: …")."""
    time: str
    result: str = ""
    notes: list[str] | None = None
    heading: str = ""
    """A bold line above the agency lines (the closing "NHẬN KẾT QUẢ")."""


HOP_CLOSING = {"refused", "withdrawn", "stopped"}
HOP_NOTE_KINDS = {
    "extra_papers_requested",
    "extra_papers_received",
    "fee_requested",
    "fee_paid",
    "appointment_moved",
}


def slip_hops(ctx: Context) -> list[Hop]:
    """One hop per hand-over (transfer, result back to the counter, result to the citizen, or a
    closing step), from the events in order; the other steps become notes of the current hop."""
    d = ctx.dossier
    counter = ctx.agency
    holder = counter
    received = ctx.last("received")
    deciding = d.deciding_agency_name
    if received is not None:
        deciding = str(received.payload.get("deciding", {}).get("name", "")) or deciding
    office = ""  # the last office the dossier was handed to (the result comes back from it)
    hops: list[Hop] = []
    pending: list[str] = []

    def add(hop: Hop) -> None:
        # Steps noted since the last hand-over happened while the previous holder had the dossier.
        if pending:
            if hops:
                hops[-1].notes = (hops[-1].notes or []) + pending
            else:  # they came before this step: noted before its own (a refusal's reason)
                hop.notes = pending + (hop.notes or [])
            pending.clear()
        hops.append(hop)

    for event in ctx.events:
        p = event.payload
        note = [str(p["note"])] if p.get("note") else []
        n = f"{len(hops) + 1}. "
        if event.kind == "transferred":
            to = str(p.get("to_agency_name") or "") or deciding or wording.SLIP_BLANK
            add(
                Hop(
                    [f"{n}{wording.SLIP_GIVE}: {holder}", f"{wording.SLIP_TAKE}: {to}"],
                    wording.long_time(event.occurred_at),
                    notes=note,
                )
            )
            holder = office = to
        elif event.kind == "result_ready":
            timeliness = d.timeliness() if d.result_at == event.occurred_at else None
            # Not held by an office (a same-day paper settled at the centre, or the extra papers
            # taken in and the dossier not handed on again): the result still comes from the
            # office that had it, else the deciding authority, never from the centre to itself.
            giver = (office or deciding or wording.SLIP_BLANK) if holder == counter else holder
            add(
                Hop(
                    [f"{n}{wording.SLIP_GIVE}: {giver}", f"{wording.SLIP_TAKE}: {counter}"],
                    wording.long_time(event.occurred_at),
                    result=wording.TIMELINESS.get(timeliness or "", TRANSITIONS[event.kind].label),
                    notes=note,
                )
            )
            holder = counter
        elif event.kind == "returned":
            receiver = str(p.get("receiver") or "") or d.applicant.name
            add(
                Hop(
                    [f"{wording.SLIP_GIVE}: {counter}", f"{wording.SLIP_TAKE}: {receiver}"],
                    wording.long_time(event.occurred_at),
                    result=wording.SLIP_RETURNED,
                    notes=note,
                    heading=wording.SLIP_COLLECT,
                )
            )
        elif event.kind in HOP_CLOSING:
            detail = [f"{wording.SLIP_REASON}: {p['reason']}"] if p.get("reason") else []
            if p.get("legal_basis"):
                detail.append(f"{wording.STOP_BASIS}: {p['legal_basis']}")
            add(
                Hop(
                    [f"{n}{holder}"],
                    wording.long_time(event.occurred_at),
                    result=TRANSITIONS[event.kind].label,
                    notes=detail + note,
                )
            )
        elif event.kind in HOP_NOTE_KINDS:
            line = f"{TRANSITIONS[event.kind].label} ({wording.short_time(event.occurred_at)})"
            said = [
                wording.money(p["amount"]) if isinstance(p.get("amount"), int) and p["amount"] > 0 else "",
                str(p.get("reason") or "").strip(),
                str(p.get("note") or "").strip(),
            ]
            if any(said):
                line += ": " + "; ".join(part for part in said if part)
            if event.kind in ("appointment_moved", "extra_papers_received") and p.get("due_at"):
                new_due = wording.short_time(parse_time(str(p["due_at"])))
                line += f"{'' if line.endswith('.') else '.'} {wording.SLIP_NEW_DUE}: {new_due}"
            pending.append(line)
            if event.kind == "extra_papers_received":
                # The citizen brings the papers to the centre (form 02 sends them there): the
                # next hand-over starts from the counter, not from the office to itself.
                holder = counter
    if pending and hops:
        hops[-1].notes = (hops[-1].notes or []) + pending
        pending.clear()
    closed = d.status in (3, 7, 8, 10)
    if not closed:
        giver = holder  # rows to fill in by hand; the next hand-over starts from the holder
        while len(hops) < ctx.blank_hops:
            hops.append(
                Hop(
                    [
                        f"{len(hops) + 1}. {wording.SLIP_GIVE}: {giver}",
                        f"{wording.SLIP_TAKE}: {wording.SLIP_BLANK}",
                    ],
                    wording.SLIP_TIME_BLANK,
                )
            )
            giver = wording.SLIP_BLANK
        hops.append(
            Hop(
                [f"{wording.SLIP_GIVE}: {counter}", f"{wording.SLIP_TAKE}: {wording.SLIP_CITIZEN}"],
                wording.SLIP_TIME_BLANK,
                heading=wording.SLIP_COLLECT,
            )
        )
    if pending:
        hops[0].notes = (hops[0].notes or []) + pending
    return hops


def _control_slip(ctx: Context) -> list[Flowable]:
    d, t = ctx.dossier, ctx.theme
    story = ctx.head("control_slip", d.received_at.date())
    story.append(layout.Code128Bars(d.code, height=9 * mm, font_size=t.size - 3))
    story.append(Spacer(1, t.size * 0.4))
    story.append(field(wording.CODE, d.code, t, bold=True))
    story += _request_lines(d, t)
    story.append(field(wording.SLIP_SUBMITTER, d.applicant.name, t, bold=True))
    story.append(field(wording.RECEIPT_RECEIVED, wording.long_time(d.received_at), t))
    story.append(field(wording.SLIP_LIMIT, d.legal_limit, t))
    # A dossier refused at the counter was never given an appointment (form 03, no receipt): no
    # due line, as in the logbook.
    if d.appointment_at is not None:
        story.append(field(wording.SLIP_DUE, wording.long_time(d.appointment_at), t, bold=True))
        if d.rule_due_at != d.due_at:  # early, on time and late are judged against this one
            story.append(field(wording.SLIP_RULE_DUE, wording.long_time(d.rule_due_at), t))
    story.append(layout.documents_table(t, d.documents))
    story.append(Spacer(1, t.size * 0.8))

    w = t.frame_width
    widths = [w * 0.30, w * 0.26, w * 0.16, w * 0.28]
    head = lambda s: para(s, t, "cell_head")  # noqa: E731
    rows: list[list[Any]] = [
        [
            head(wording.SLIP_AGENCY),
            head(wording.SLIP_TIME),
            head(wording.SLIP_RESULT),
            head(wording.SLIP_NOTES),
        ]
    ]
    for hop in slip_hops(ctx):
        agency_cell: list[Flowable] = []
        if hop.heading:
            agency_cell.append(rich([(hop.heading, typeface.BOLD)], t, "cell"))
        agency_cell += [para(line, t, "cell") for line in hop.agency]
        signers = Table(
            [
                [
                    para(wording.SLIP_GIVER, t, "small_center"),
                    para(wording.SLIP_TAKER, t, "small_center"),
                ]
            ],
            colWidths=[widths[1] / 2 - 4] * 2,
        )
        signers.setStyle(
            layout.table_style([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
        )
        time_cell: list[Flowable] = [
            para(hop.time, t, "cell_center"),
            signers,
            Spacer(1, 11 * mm if t.paper == "A4" else 8 * mm),
        ]
        rows.append(
            [
                agency_cell,
                time_cell,
                para(hop.result, t, "cell_center"),
                [para(n, t, "cell") for n in (hop.notes or [])],
            ]
        )
    # A hand-over row is signed by both sides: it stays whole on one sheet, going to the next
    # when it does not fit what is left of this one. Only a hop whose notes make its row taller
    # than a whole page (a long history of requests inside one hop) can only be split.
    room = t.page[1] - t.top - t.bottom - layout.running_head_height(t) - _row_height(rows[0], widths)
    taller = any(_row_height(row, widths) > room for row in rows[1:])
    story.append(
        layout.grid_table(rows, widths, extra=[("VALIGN", (0, 1), (-1, -1), "TOP")], split_in_row=taller)
    )
    return story


def _row_height(row: Sequence[Any], widths: Sequence[float]) -> float:
    """The height a row of :func:`layout.grid_table` takes: its tallest cell, with the padding."""
    tallest = 0.0
    for cell, width in zip(row, widths, strict=True):
        flowables = cell if isinstance(cell, list) else [cell]
        tallest = max(tallest, sum(f.wrap(width - 6, 10_000)[1] for f in flowables if f is not None))
    return tallest + 5


BUILDERS: dict[str, Callable[[Context], list[Flowable]]] = {
    "receipt": _receipt,
    "extra_papers": _extra_papers,
    "refusal": _refusal,
    "apology": _apology,
    "stop_notice": _stop_notice,
    "control_slip": _control_slip,
}
assert tuple(BUILDERS) == FORMS


def _officials(desk: Any) -> dict[str, str]:
    """User name -> full name of today's officials (see :meth:`Context.official_name`)."""
    names: dict[str, str] = {}
    try:
        for row in desk.officials():
            if row.get("full_name"):
                names[str(row["username"]).lower()] = row["full_name"]
    except Exception:  # printing must not fail because the officials table is unreadable
        return {}
    return names


def build_form(ctx: Context, form: str, out: IO[bytes]) -> None:
    """Lay out ``form`` for the context's dossier into ``out`` (a binary file)."""
    if form == "control_slip":
        ctx = replace(ctx, blank_hops=_slip_blank_hops(ctx))
    else:
        ctx = _fitted(ctx, form)
    _lay_out(ctx, form, out)


def _fitted(ctx: Context, form: str) -> Context:
    """The context that prints ``form`` on the fewest sheets: compact signatures when that saves one.

    A receipt a few lines too long put the fee, the logbook entry and both signatures alone on a
    second sheet, which is easily separated from the first; the extra-papers request moved its
    guidance with its signature. Laid out again with less room to sign (a form is a few tens of
    milliseconds) only when the first lay-out runs over a sheet.
    """
    pages = _lay_out(ctx, form, io.BytesIO())
    if pages == 1:
        return ctx
    compact = replace(ctx, compact=True)
    return compact if _lay_out(compact, form, io.BytesIO()) < pages else ctx


def _lay_out(ctx: Context, form: str, out: IO[bytes]) -> int:
    """Lay ``form`` out into ``out``; returns its number of pages."""
    t = ctx.theme
    name = wording.form_name(ctx.settings.forms_basis, form)
    doc = BaseDocTemplate(
        out,
        pagesize=t.page,
        leftMargin=t.left,
        rightMargin=t.right,
        topMargin=t.top,
        bottomMargin=t.bottom,
        title=f"{name.title} – {ctx.dossier.code}",
        author=ctx.agency,
        subject=name.line,
        creator="Counter",
        lang="vi-VN",
    )
    height = t.page[1] - t.top - t.bottom
    band = layout.running_head_height(t)
    pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    first = Frame(t.left, t.bottom, t.frame_width, height, id="first", **pad)
    later = Frame(t.left, t.bottom, t.frame_width, height - band, id="later", **pad)
    code = ctx.dossier.code

    def continuation(canv: Any, doc: Any) -> None:
        layout.draw_running_head(canv, t, code)

    doc.addPageTemplates(
        [
            PageTemplate("first", [first], autoNextPageTemplate="later"),
            PageTemplate("later", [later], onPage=continuation),
        ]
    )
    # Every page of a form that runs over says "Trang n/N"; pages after the first carry the
    # dossier's code and barcode in a band of their own (a loose sheet still says whose it is).
    numbering = lambda canv, n, total: layout.draw_page_number(canv, t, n, total)  # noqa: E731
    doc.build(BUILDERS[form](ctx), canvasmaker=layout.counting_canvas_maker(numbering))
    return int(doc.page)


def _slip_blank_hops(ctx: Context) -> int:
    """The most blank hand-over rows the control slip can offer without a sheet more than it needs.

    The slip travels with the paper file from desk to desk: a second sheet holding only the last
    blank rows and the closing "NHẬN KẾT QUẢ" row gets lost. Laid out again with fewer blank rows
    (a slip is a few tens of milliseconds) until the page count drops, or keeps all three.
    """

    def pages(blank: int) -> int:
        return _lay_out(replace(ctx, blank_hops=blank), "control_slip", io.BytesIO())

    most = pages(BLANK_HOPS)
    if most == 1:
        return BLANK_HOPS
    for blank in range(BLANK_HOPS - 1, -1, -1):
        if pages(blank) < most:
            return blank
    return BLANK_HOPS


def default_path(form: str, code: str) -> Path:
    """``<output folder>/<form>_<code>.pdf``; printing the same form again replaces the file."""
    return output_dir() / f"{form}_{layout.safe_name(code)}.pdf"


def render_form(
    desk: Any,
    form: str,
    code: str,
    out: Path | None = None,
    actor: str = "",
    *,
    paper: str | None = None,
) -> Path:
    """Render one form of one dossier to a PDF file and record the print in the access log.

    Args:
        desk: The open desk.
        form: One of :data:`FORMS`.
        code: The dossier code (as typed or scanned).
        out: The PDF file to write; default ``<output folder>/<form>_<code>.pdf``.
        actor: The official printing (access log); "" records "unknown".
        paper: "A4" or "A5"; default: the setting ``paper_size``.

    Returns:
        The path of the PDF written (mode 0600).

    Raises:
        ValidationError: unknown form.
        NotFoundError: no such dossier.
        RuleError: the dossier has no event the form reports (e.g. a refusal of a dossier that was
            never refused).
        PrintingError: the PDF cannot be written.
    """
    if form not in FORMS:
        raise ValidationError(
            FieldError("form", wording.ERR_UNKNOWN_FORM.format(form=form, forms=", ".join(FORMS)))
        )
    dossier = desk.get(code)
    settings = desk.settings
    ctx = Context(
        dossier=dossier,
        events=tuple(desk.events(dossier.code)),
        settings=settings,
        theme=layout.theme(paper or settings.paper_size),
        officials=_officials(desk),
    )
    if form in wording.FORM_EVENT:  # nothing to report: fail before touching the disk
        ctx.event(wording.FORM_EVENT[form], form)
    if form == "receipt" and dossier.refused_at_intake:  # never received: the refusal form says so
        raise RuleError(wording.ERR_RECEIPT_REFUSED.format(code=dossier.code))
    target = Path(out) if out is not None else default_path(form, dossier.code)
    try:
        layout.write_pdf(target, lambda fh: build_form(ctx, form, fh))
    except (PrintingError, RuleError):
        raise
    except Exception as exc:  # a layout failure: tell the official, keep the details in the log
        raise PrintingError(wording.ERR_RENDER.format(form=form, code=dossier.code)) from exc
    desk.record_print(dossier.code, actor or "unknown", form)
    return target
