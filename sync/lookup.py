"""The citizens' status look-up page of the hub (``GET /tra-cuu?ma=CODE&cccd=NNNN``).

The receipt's QR code points here (the counter's ``lookup_url`` setting, e.g.
``https://hub.example/tra-cuu?ma={code}``). A dossier's details hold personal data (Law 91/2025), so
the page asks for the last four digits of the ID number on the receipt before it says anything about
the dossier, and a code gets a few wrong tries before it is locked for a while: four digits are
10,000 guesses, not a secret.

The state shown is folded from the events the hub holds, with the counter's own domain rules, so the
page says what the counter's screen says.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from counter_app.domain.calendar import to_vn
from counter_app.domain.dossier import Dossier, Event, HistoryStep, apply, former_id_numbers, history
from counter_app.domain.errors import CounterError
from counter_app.domain.pulled import check_pulled_content

MAX_CODE = 60
"""A dossier code is at most this long (``counter_app.domain.codes.MAX_CODE_LENGTH``)."""
MAX_TRIES = 5
LOCK_SECONDS = 15 * 60
MAX_TRACKED = 100_000
"""Codes with wrong answers followed at most: a flood of made-up codes must not grow memory for ever."""


@dataclass
class Tries:
    """Wrong answers per dossier code, forgotten ``LOCK_SECONDS`` after the first of a run.

    When ``limit`` codes are followed and none of them has run out its time (a flood of made-up
    codes), a code not yet followed is not looked up at all (:meth:`busy`): forgetting the codes
    followed instead, as an earlier version did, gave every locked code its tries back.
    """

    wrong: dict[str, tuple[int, float]] = field(default_factory=dict)
    limit: int = MAX_TRACKED

    def locked(self, code: str, now: float | None = None) -> bool:
        count, since = self.wrong.get(code, (0, 0.0))
        if (now or time.monotonic()) - since > LOCK_SECONDS:
            self.wrong.pop(code, None)
            return False
        return count >= MAX_TRIES

    def busy(self, code: str, now: float | None = None) -> bool:
        """Whether a try on ``code`` could not be counted: the table is full of codes in their time."""
        if code in self.wrong:
            return False
        self._forget_expired(now or time.monotonic())
        return len(self.wrong) >= self.limit

    def failed(self, code: str, now: float | None = None) -> None:
        at = now or time.monotonic()
        if self.busy(code, at):
            return  # the caller answered "busy" before looking: nothing to count
        count, since = self.wrong.get(code, (0, at))
        self.wrong[code] = (count + 1, since)

    def _forget_expired(self, at: float) -> None:
        """Drop the codes whose time has run out, oldest first (a code is added with the time of its
        first wrong answer, so the oldest are at the front)."""
        while self.wrong:
            code, (_count, since) = next(iter(self.wrong.items()))
            if at - since <= LOCK_SECONDS:
                return
            del self.wrong[code]


def fold_texts(texts: Iterable[str]) -> tuple[Dossier | None, list[Event]]:
    """The dossier folded from its events' canonical texts (in the hub's order), and the events
    kept: any event the lifecycle does not allow where it comes is left out (a counter keeps such
    an event flagged, unfolded)."""
    dossier: Dossier | None = None
    kept: list[Event] = []
    for text in texts:
        try:
            event = Event.from_json(json.loads(text))
            check_pulled_content(event)  # as every counter does: all of them show the same dossier
            dossier = apply(dossier, event)
        except (CounterError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
            continue  # refused by the lifecycle (RuleError), or not an event a counter writes
        kept.append(event)
    return dossier, kept


def holder_digits(dossier: Dossier, events: Iterable[Event] = ()) -> set[str]:
    """The last four digits of the ID numbers printed for this dossier (applicant, owner), and of
    those a correction replaced: the citizen's receipt, given before, still prints the old one."""
    numbers = [dossier.applicant.id_number, dossier.owner.id_number if dossier.owner else ""]
    numbers += former_id_numbers(events)
    return {n[-4:] for n in numbers if n and len(n) >= 4}


def page(title: str, body: str, status: int = 200) -> tuple[int, bytes]:
    """A whole HTML page (``body`` already escaped)."""
    text = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5}}
th{{text-align:left;padding-right:1rem;vertical-align:top}}td,th{{padding:.2rem 0}}
.note{{color:#555}}.status{{font-size:1.2rem;font-weight:bold}}</style></head>
<body><h1>Tra cứu hồ sơ</h1>{body}</body></html>"""
    return status, text.encode("utf-8")


def ask_form(code: str, message: str = "") -> str:
    said = f'<p class="note">{html.escape(message)}</p>' if message else ""
    return (
        f"{said}<form method='get' action='/tra-cuu'>"
        f"<p>Mã hồ sơ: <input name='ma' value='{html.escape(code, quote=True)}' maxlength='{MAX_CODE}'></p>"
        "<p>4 số cuối số căn cước (ghi trên giấy tiếp nhận): "
        "<input name='cccd' inputmode='numeric' pattern='[0-9]{4}' maxlength='4' size='4'></p>"
        "<p><button type='submit'>Tra cứu</button></p></form>"
    )


def dossier_page(dossier: Dossier, steps: list[HistoryStep]) -> str:
    def when(value: object) -> str:
        return f"{to_vn(value):%H:%M %d/%m/%Y}" if value else "—"  # type: ignore[arg-type]

    rows = [
        ("Mã hồ sơ", dossier.code),
        ("Thủ tục", dossier.procedure_name),
        ("Tiếp nhận", when(dossier.received_at)),
        ("Hẹn trả kết quả", when(dossier.appointment_at) if dossier.appointment_at else "Không tiếp nhận"),
    ]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    timeline = "".join(f"<li>{html.escape(when(s.at))}: {html.escape(s.label)}</li>" for s in reversed(steps))
    return (
        f"<p class='status'>{html.escape(dossier.status_name)}</p><table>{table}</table>"
        f"<h2>Quá trình xử lý</h2><ul>{timeline}</ul>"
        "<p class='note'>Thông tin theo dữ liệu các quầy đã đồng bộ; có thể chậm hơn thực tế vài phút.</p>"
    )


def answer(code: str, digits: str, texts: list[str], tries: Tries) -> tuple[int, bytes]:
    """The page for a look-up: the form, a refusal, or the dossier's state."""
    code = code.strip()
    if not code:
        return page("Tra cứu hồ sơ", ask_form(""))
    if len(code) > MAX_CODE:
        return page(
            "Tra cứu hồ sơ", ask_form("", "Mã hồ sơ quá dài; hãy gõ lại mã trên giấy tiếp nhận."), 400
        )
    if tries.locked(code):
        return page("Tra cứu hồ sơ", ask_form(code, "Nhập sai quá nhiều lần; hãy thử lại sau 15 phút."), 429)
    dossier, kept = fold_texts(texts)
    steps = history(kept) if dossier else []
    if not digits:
        return page("Tra cứu hồ sơ", ask_form(code))
    if tries.busy(code):
        return page(
            "Tra cứu hồ sơ", ask_form(code, "Trang tra cứu đang quá tải; hãy thử lại sau ít phút."), 503
        )
    if dossier is None:
        tries.failed(code)  # unknown codes count too: no telling a real code from a made-up one
        return page("Tra cứu hồ sơ", ask_form(code, "Không tìm thấy hồ sơ với mã và 4 số này."), 404)
    if not (len(digits) == 4 and digits.isdigit() and digits in holder_digits(dossier, kept)):
        tries.failed(code)
        return page("Tra cứu hồ sơ", ask_form(code, "Không tìm thấy hồ sơ với mã và 4 số này."), 404)
    return page(f"Hồ sơ {dossier.code}", dossier_page(dossier, steps))
