"""One dossier: applicant, procedure, national status, due time and time left, the history, and the
lifecycle steps as single keys (each confirmed, with a reason where the step needs one).
"""

from __future__ import annotations

import logging
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Button, Static

from counter_app.desk import (
    REPORT_FIGURES,
    SYNC_STATE_NAMES,
    LeftOutStep,
    form_title,
    latest_step_form,
    step_form,
)
from counter_app.domain.dossier import (
    RETURN_METHODS,
    TRANSITIONS,
    Dossier,
    HistoryStep,
    allowed_steps,
    holder_handed_on,
)
from counter_app.domain.errors import CounterError
from counter_app.tui.formatting import CLOCK_SECONDS, birth_text, due_text, money, short_time
from counter_app.tui.messages import StepRecorded
from counter_app.tui.screens.base import CounterScreen, is_text_field
from counter_app.tui.screens.dialogs import AccessLogDialog, ConfirmDialog, PrintDialog, StepDialog

log = logging.getLogger(__name__)

STEP_KEYS: dict[str, str] = {
    "transferred": "c",
    "extra_papers_requested": "b",
    "extra_papers_received": "n",
    "fee_requested": "p",
    "fee_paid": "d",
    "result_ready": "k",
    "returned": "t",
    "appointment_moved": "h",
    "refused": "x",
    "withdrawn": "r",
    "stopped": "s",
    "rated": "g",
    "corrected": "e",
}
"""One key per lifecycle step (Vietnamese initials: Chuyển, Bổ sung, Nhận bổ sung, Phí, Đã nộp,
Kết quả, Trả, Hẹn lại; x for từ chối, r rút, s dừng; g for đánh giá; e for editing the
applicant's details)."""

BUTTON_LABELS: dict[str, str] = {
    "fee_requested": "Yêu cầu nộp phí",
    "extra_papers_requested": "Yêu cầu bổ sung",
    "rated": "Đánh giá hài lòng",
    "corrected": "Sửa người nộp",
}
"""Shorter labels where the official step name does not fit the 80-column button panel (and the
footer, which uses the same)."""

FOOTER_STEPS = frozenset(
    {
        "transferred",
        "extra_papers_requested",
        "extra_papers_received",
        "fee_paid",
        "result_ready",
        "returned",
        "rated",
    }
)
"""Steps whose key the footer shows: the day-to-day ones. The others (fee request, new appointment,
refusal, withdrawal, stop) keep their key and their button."""

REASONED_STATUSES = frozenset({3, 5, 7, 8})
"""Statuses a step's reason explains while the dossier stays in them (refused, waiting for papers,
withdrawn, stopped); once it moves on, the reason is history (the timeline keeps every one)."""


def timeline(steps: list[HistoryStep]) -> Table:
    """The history as a table that wraps to the pane's width, newest step first: when; what, the
    national status it led to, by whom; and why.

    A reason or the papers asked for can be long; wrapped under the step it stays readable on an
    80-column terminal, where a column to the right would be scrolled out of sight. Newest first:
    at 80x24 the pane shows the history's first row, and the step just taken was below the fold.
    """
    table = Table(box=None, expand=True, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("Thời điểm", no_wrap=True, style="dim")
    table.add_column(Text("Bước [trạng thái] · cán bộ"), ratio=1)
    for step in reversed(steps):
        what = Text.assemble((step.label, "bold"), f" [{step.status}] · {step.actor}")
        if step.detail:
            what.append(f"\n{step.detail}", style="italic")
        table.add_row(short_time(step.at), what)
    return table


NO_APPOINTMENT = "— (không tiếp nhận, không hẹn trả)"
"""The appointment line of a dossier refused at the counter."""


class DossierScreen(CounterScreen):
    """A dossier opened by a scan, a typed code or a list."""

    SCREEN_TITLE = "Hồ sơ"
    OPENS_ON_TOP = True
    FOOTER_OPTIONAL = frozenset({*(f"step('{kind}')" for kind in FOOTER_STEPS), "supervisor", "focus_scan"})
    """Footer keys that give way, last first, when the footer is too narrow (80 columns): the step
    panel beside the dossier shows every step with its key. F10 (sign out) stays, as on every
    screen; a supervisor's F6 gives way to it, as on the intake (it is in Ctrl+P), then F2 (the
    scan box names it)."""
    AUTO_FOCUS = None
    CLOCK_SECONDS = CLOCK_SECONDS
    """How often the working time left is worked out again while the dossier stays open."""

    BINDINGS = [
        Binding("escape", "back", "Quay lại", id="dossier.back"),
        *(
            Binding(
                key,
                f"step('{kind}')",
                BUTTON_LABELS.get(kind, TRANSITIONS[kind].label),
                show=kind in FOOTER_STEPS,
                id=f"dossier.{kind}",
                tooltip=f"{TRANSITIONS[kind].label} (có xác nhận"
                + (", cần ghi lý do)" if TRANSITIONS[kind].needs_reason else ")"),
            )
            for kind, key in STEP_KEYS.items()
        ),
        Binding(
            "i",
            "print",
            "In biểu mẫu",
            show=False,  # the panel's last button says it
            id="dossier.print",
            tooltip="In hoặc lưu PDF một biểu mẫu của hồ sơ",
        ),
        Binding(
            "v",
            "settle_conflict",
            "Đã xem xung đột đồng bộ",
            show=False,  # rare, a supervisor's: the palette and the left-out steps' heading say it
            id="dossier.settle_conflict",
            tooltip="Giám sát đã xem các bước không áp dụng và thống nhất với quầy kia (có xác nhận)",
        ),
        Binding(
            "m",
            "receive_again",
            "Tiếp nhận lại với mã mới",
            show=False,  # rare, a supervisor's: the left-out receipt's lines and the palette say it
            id="dossier.receive_again",
            tooltip="Mã đã cấp trùng: tiếp nhận lại hồ sơ bị gác lại với mã mới, in giấy tiếp nhận mới",
        ),
        Binding(
            "a",
            "access_log",
            "Nhật ký truy cập",
            show=False,  # a supervisor's question, not a daily step: the palette lists it
            id="dossier.access_log",
            tooltip="Ai đã xem hoặc in dữ liệu của hồ sơ này (chỉ cán bộ giám sát)",
        ),
    ]

    dossier: reactive[Dossier | None] = reactive(None, init=False)
    """The dossier shown (reloaded after each step)."""

    def __init__(self, dossier: Dossier) -> None:
        super().__init__()
        self._initial = dossier
        self._in_conflict = False
        self._left_out: list[LeftOutStep] = []
        """The dossier's steps left out (what the receive-again key checks)."""
        """Whether the dossier shown is in sync conflict (what the settle key checks)."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="dossier-head")
        with Horizontal(id="dossier"):
            with VerticalScroll(id="dossier-main"):
                yield Static(id="dossier-facts")
                yield Static("LỊCH SỬ XỬ LÝ (mới nhất trước)", classes="section-title")
                yield Static(id="history")
                yield Static(id="left-out")
                yield Static("THÀNH PHẦN HỒ SƠ", classes="section-title")
                yield Static(id="dossier-documents")
            with Vertical(id="dossier-actions"):
                yield Static("XỬ LÝ", classes="section-title")
                for kind, key in STEP_KEYS.items():
                    yield Button(
                        f"{key} {BUTTON_LABELS.get(kind, TRANSITIONS[kind].label)}",
                        id=f"step-{kind}",
                        classes="step-button",
                        compact=True,
                    )
                yield Button("i In biểu mẫu", id="print-button", classes="step-button", compact=True)
                # A supervisor's: listed, or a supervisor new to the program never found it.
                yield Button("a Nhật ký truy cập", id="access-button", classes="step-button", compact=True)

    def on_mount(self) -> None:
        self.dossier = self._initial
        self._version = self.counter_app.desk.data_version()
        self.set_interval(self.CLOCK_SECONDS, self._follow_clock)
        # Focus off the scan box so the step keys work (arrows scroll the dossier); no scrolling,
        # the head stays in view.
        self.set_focus(self.query_one("#dossier-main", VerticalScroll), scroll_visible=False)

    def watch_dossier(self, dossier: Dossier | None) -> None:
        if dossier is None:
            return
        self._show_dossier(dossier)
        self.refresh_bindings()

    def _follow_clock(self) -> None:
        """The working time left (or late) as of now, the screen having stayed open; the dossier
        read again when another program wrote to the file meanwhile (a step from the command
        line: the screen showed the old status and offered steps no longer allowed)."""
        if self.dossier is None:
            return
        version = self.counter_app.desk.data_version()
        if version != self._version:
            self._version = version
            self.reload()
        else:
            self._show_head(self.dossier)

    def _show_dossier(self, d: Dossier) -> None:
        self._show_head(d)
        self._show_facts(d)

    def _show_head(self, d: Dossier) -> None:
        """The code, the status and the working time left, laid out for the screen's width."""
        left = self.counter_app.desk.time_left(d)
        head = Text.assemble((d.code, "bold reverse"), "  ", (f"[{d.status}] {d.status_name}", "bold"))
        when: Text | None = None
        if left is not None:
            style = "bold red" if left.late else ("yellow" if left.paused else "green")
            when = Text(left.describe_vi(), style=style)
        elif (timeliness := d.timeliness()) is not None:  # finished: how it went against the due time
            when = Text(
                dict(REPORT_FIGURES)[timeliness], style="bold red" if timeliness == "late" else "green"
            )
        shown = self.query_one("#dossier-head", Static)
        if when is not None:
            # Whole on the line when it fits, else whole on the next: wrapped, "Còn 3 giờ 30 phút
            # làm việc" split after "Còn 3 giờ" at 80 columns.
            room = shown.content_size.width
            head.append("\n" if room and head.cell_len + 2 + when.cell_len > room else "  ")
            head.append_text(when)
        shown.update(head)

    def _show_facts(self, d: Dossier) -> None:
        desk = self.counter_app.desk
        a = d.applicant
        lines: list[tuple[str, str]] = []
        if a.kind == "organisation":
            lines += [("Tổ chức nộp", a.name), ("Mã số thuế", a.id_number or "—")]
            lines += [("Đại diện", a.representative)] if a.representative else []
        else:
            born = f" · sinh {birth_text(a.birth_date)}" if a.birth_date else ""
            lines += [("Người nộp", a.name + born), ("Số căn cước", a.id_number or "—")]
        lines += [("Điện thoại", a.phone or "—"), ("Địa chỉ", a.address or "—")]
        if d.owner is not None and d.owner.name and d.owner.name != a.name:
            owner = ", ".join(x for x in (d.owner.name, d.owner.id_number, d.owner.address) if x)
            lines.append(("Chủ hồ sơ", owner))
        lines += [
            ("Thủ tục", f"{d.procedure_code} {d.procedure_name}"),
            ("Thời hạn", d.legal_limit),
            ("Tiếp nhận", short_time(d.received_at)),
            ("Hẹn trả", due_text(d.appointment_at) if d.appointment_at else NO_APPOINTMENT),
        ]
        if d.original_due_at and d.original_due_at != d.due_at:
            lines.append(("Hẹn trả ban đầu", due_text(d.original_due_at)))
        lines += [
            ("Nơi giải quyết", d.deciding_agency_name or "—"),
            *([("Đang xử lý tại", d.handled_by)] if d.handled_by and d.is_open else []),
            ("Phí, lệ phí", d.fee_text or (money(d.fee_amount) if d.fee_amount else "—")),
            *(("Phí nộp thêm", f.describe_vi()) for f in d.fee_requests),
            ("Nhận kết quả", RETURN_METHODS.get(d.return_method, d.return_method)),
            ("Số hóa", "Đã số hóa khi tiếp nhận" if d.digitised else "Chưa số hóa"),
        ]
        sync_state = desk.sync_state(d.code)
        self._in_conflict = sync_state == "conflict"
        if desk.settings.hub_url:  # a counter without a hub has nothing to say about it
            lines.append(("Đồng bộ", SYNC_STATE_NAMES[sync_state]))
        if d.last_reason and d.status in REASONED_STATUSES:
            lines.append(("Lý do", d.last_reason))
        if d.rating is not None:
            said = f" · «{d.rating.comment}»" if d.rating.comment else ""
            lines.append(("Đánh giá", f"{d.rating.label}{said}"))
        if d.extra_papers and d.status == 5:
            lines.append(("Cần bổ sung", "; ".join(p.name for p in d.extra_papers)))
        facts = Table.grid(padding=(0, 1))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column()
        for label, value in lines:
            facts.add_row(label, Text(value))  # typed text, never markup ("[/x]" in a reason)
        self.query_one("#dossier-facts", Static).update(facts)

        try:
            self._steps = desk.history(d.code)
        except (CounterError, KeyError, TypeError, ValueError):
            # An event the fold cannot read (a file edited by hand, a damaged page): the dossier's
            # facts stay on screen; the whole program ended on it, with a traceback.
            log.exception("history of %s cannot be read", d.code)
            self._steps = []
            self.query_one("#history", Static).update(
                Text(
                    "Không đọc được lịch sử hồ sơ này (chi tiết trong tệp nhật ký); báo quản trị "
                    "chạy lệnh counter check.",
                    "bold red",
                )
            )
        else:
            self.query_one("#history", Static).update(timeline(self._steps))
        left_out = self.query_one("#left-out", Static)
        overruled = desk.left_out(d.code)
        self._left_out = overruled
        left_out.display = bool(overruled)
        if overruled:
            text = Text()
            if self._in_conflict:
                text.append("BƯỚC KHÔNG ÁP DỤNG (quầy khác đã ghi bước khác trước): ", "bold red")
                text.append("giám sát xem lại, rồi bấm v (Đã xem xung đột đồng bộ)\n", "red")
            else:
                text.append("BƯỚC KHÔNG ÁP DỤNG (giám sát đã xem)\n", "bold")
            for o in overruled:
                text.append(f"{o.at:%H:%M %d/%m/%Y}  ", "dim")
                text.append(o.label, "strike")
                text.append(f" · {o.actor} ({o.counter_id})\n")
                text.append(f"  {o.reason}\n", "dim")
                if o.can_receive_again:
                    text.append("  giám sát bấm m: tiếp nhận lại với mã mới, in giấy tiếp nhận mới\n", "bold")
            left_out.update(text)

        docs = Text()
        for i, doc in enumerate(d.documents, 1):
            counts = ", ".join(
                f"{n} {label}"
                for n, label in (
                    (doc.originals, "bản chính"),
                    (doc.certified, "bản chứng thực"),
                    (doc.copies, "bản photo"),
                )
                if n
            )
            docs.append(f"{i}. {doc.name}", style="")
            docs.append(f" ({counts or 'xuất trình'})\n", style="dim")
        docs.append(f"Số lượng hồ sơ: {d.sets:02d} bộ", style="dim")
        self.query_one("#dossier-documents", Static).update(docs)

        allowed = set(allowed_steps(d))
        for kind in STEP_KEYS:
            button = self.query_one(f"#step-{kind}", Button)
            button.display = kind in allowed
        self.query_one("#access-button", Button).display = bool(self.check_action("access_log", ()))

    def on_resize(self) -> None:
        if self.dossier is not None:  # the head line is laid out for the width
            self._show_head(self.dossier)

    # -- actions --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step" and parameters:
            return self.dossier is not None and str(parameters[0]) in allowed_steps(self.dossier)
        if action == "access_log":
            official = self.counter_app.official
            return official is not None and official.is_supervisor
        if action == "receive_again":
            official = self.counter_app.official
            return (
                official is not None
                and official.is_supervisor
                and any(o.can_receive_again for o in self._left_out)
            )
        if action == "settle_conflict":
            official = self.counter_app.official
            return (
                official is not None
                and official.is_supervisor
                and self.dossier is not None
                and self._in_conflict
            )
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    async def close_awaited(self) -> bool:
        """Escape, handled by the app as it arrives: the dossier closes before the next key is read.

        Handled as the screen's key, the dossier closed a moment later, and the keys typed in the
        same breath (the next citizen's procedure) were queued on its widgets and lost with them,
        or read as its steps' keys. False when Escape means something else here (it leaves the
        scan box holding a half-typed code).
        """
        if self.focused is self.scan_input and self.scan_input.value:
            return False
        await self.dismiss(None)
        return True

    async def on_key(self, event: events.Key) -> None:
        """A step key the dossier's status does not allow, or the access log's key for an official,
        did nothing without a word (F6 says why it is refused): said now."""
        if self.dossier is None or is_text_field(self.focused) or self.focused is self.scan_input:
            return
        step = next((kind for kind, key in STEP_KEYS.items() if key == event.key), None)
        if step is not None and step not in allowed_steps(self.dossier):
            self.notify(
                f"Bước «{TRANSITIONS[step].label}» không làm được khi hồ sơ đang ở trạng thái "
                f"«{self.dossier.status_name}».",
                title="Không làm được",
                severity="warning",
            )
        elif event.key == "a" and not self.check_action("access_log", ()):
            self.notify(
                "Nhật ký truy cập chỉ dành cho cán bộ giám sát.", title="Không có quyền", severity="error"
            )
        else:
            return
        event.stop()
        event.prevent_default()

    def action_step(self, kind: str) -> None:
        dossier = self.dossier
        if dossier is None or kind not in allowed_steps(dossier):
            return
        official = self.counter_app.official
        if official is None:
            return
        desk = self.counter_app.desk
        actor = official.full_name

        def run(values: dict[str, Any]) -> Dossier:
            with desk.as_shown(dossier):  # refused if a sync brought another step meanwhile
                return take(values)

        def take(values: dict[str, Any]) -> Dossier:
            code = dossier.code
            if kind == "transferred":
                return desk.transfer(
                    code, actor, to_agency_name=values.get("to_agency_name", ""), note=values.get("note", "")
                )
            if kind == "extra_papers_requested":
                return desk.request_extra_papers(
                    code, actor, papers=values["papers"], reason=values["reason"]
                )
            if kind == "extra_papers_received":
                return desk.receive_extra_papers(code, actor, note=values.get("note", ""))
            if kind == "fee_requested":
                return desk.request_fee(code, actor, amount=values["amount"], reason=values.get("reason", ""))
            if kind == "fee_paid":
                return desk.record_fee_paid(code, actor)
            if kind == "refused":
                return desk.refuse(code, actor, reason=values["reason"])
            if kind == "withdrawn":
                return desk.withdraw(code, actor, reason=values["reason"])
            if kind == "stopped":
                return desk.stop(
                    code, actor, reason=values["reason"], legal_basis=values.get("legal_basis", "")
                )
            if kind == "result_ready":
                return desk.record_result(code, actor, note=values.get("note", ""))
            if kind == "returned":
                return desk.return_result(
                    code, actor, receiver=values.get("receiver", ""), note=values.get("note", "")
                )
            if kind == "rated":
                return desk.rate(
                    code,
                    actor,
                    level=values["level"],
                    comment=values.get("comment", ""),
                    rater=values.get("rater", ""),
                )
            if kind == "appointment_moved":
                return desk.move_appointment(code, actor, new_due=values["new_due"], reason=values["reason"])
            if kind == "corrected":
                changes: dict[str, Any] = {
                    k.removeprefix("applicant."): v for k, v in values.items() if k.startswith("applicant.")
                }
                owner = {k.removeprefix("owner."): v for k, v in values.items() if k.startswith("owner.")}
                if owner:
                    changes["owner"] = owner
                return desk.correct(code, actor, changes=changes, reason=values["reason"])
            raise CounterError(f"Không có bước xử lý «{kind}».")

        def recorded(updated: Dossier | None) -> None:
            if updated is None:
                return
            self.dossier = updated
            self.post_message(StepRecorded(updated, kind))
            if kind == "rated" and updated.rating is not None:
                said = f"Công dân đánh giá «{updated.rating.label}» hồ sơ {updated.code}."
            elif kind == "corrected":
                said = (
                    f"Đã sửa thông tin người nộp hồ sơ {updated.code}. "
                    "In lại giấy tiếp nhận (phím i) nếu công dân cần giấy mang thông tin đúng."
                )
            else:
                said = f"{TRANSITIONS[kind].label}: hồ sơ {updated.code} → {updated.status_name}."
                if "rated" in allowed_steps(updated) and updated.rating is None:
                    said += f" Mời công dân đánh giá mức độ hài lòng (phím {STEP_KEYS['rated']})."
                form = step_form(kind)
                if form is not None:  # the paper the citizen is handed for this step (nothing said so)
                    title = form_title(form, self.counter_app.desk.settings.forms_basis).capitalize()
                    said += f" In «{title}» giao công dân: phím i."
            self.notify(said, title="Đã ghi nhận")

        holder = (
            holder_handed_on(dossier, (step.kind for step in getattr(self, "_steps", [])))
            if kind == "transferred"
            else None
        )
        dialog = StepDialog(
            dossier, kind, run, context=self._step_context(kind), refused=self.reload, holder=holder
        )
        self.app.push_screen(dialog, recorded)

    def _step_context(self, kind: str) -> str:
        """For the fee paid: the amount and what for, as asked (it was only in the timeline)."""
        if kind != "fee_paid":
            return ""
        asked = next((s for s in reversed(getattr(self, "_steps", [])) if s.kind == "fee_requested"), None)
        return f"Đã yêu cầu nộp — {asked.detail}" if asked is not None and asked.detail else ""

    @on(Button.Pressed, ".step-button")
    def _button(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id == "print-button":
            self.action_print()
        elif button_id == "access-button":
            self.action_access_log()
        elif button_id.startswith("step-"):
            self.action_step(button_id.removeprefix("step-"))

    def action_print(self) -> None:
        dossier = self.dossier
        if dossier is None:
            return

        def chosen(form: str | None) -> None:
            if form:
                self.counter_app.print_form(dossier.code, form)

        # After a step that hands the citizen a paper (refusal, extra papers…), that paper first.
        steps = getattr(self, "_steps", [])
        first = latest_step_form([step.kind for step in steps])
        self.app.push_screen(PrintDialog(dossier, first=first), chosen)

    def action_settle_conflict(self) -> None:
        official = self.counter_app.official
        dossier = self.dossier
        if dossier is None or official is None or not official.is_supervisor:
            return

        def settle(yes: bool | None) -> None:
            if yes:
                self._settle(dossier.code, official.full_name)

        self.app.push_screen(
            ConfirmDialog(
                f"Hồ sơ {dossier.code}: đã xem các bước không áp dụng và thống nhất với quầy kia "
                "(ghi thêm bước nếu cần)? Hồ sơ sẽ hết trạng thái xung đột; các bước đó vẫn được giữ lại.",
                yes="Đã xem",
            ),
            settle,
        )

    @work(thread=True, exit_on_error=False, group="dossier")
    def _settle(self, code: str, actor: str) -> None:
        try:
            self.counter_app.desk.settle_conflict(code, actor)
        except CounterError as error:
            self.app.call_from_thread(self.counter_app.show_error, error)
            return
        dossier = self.counter_app.desk.get(code)
        self.app.call_from_thread(self.notify, f"Hồ sơ {code} hết trạng thái xung đột.", title="Đồng bộ")
        self.app.call_from_thread(self._show_fresh, dossier)

    def action_receive_again(self) -> None:
        official = self.counter_app.official
        dossier = self.dossier
        waiting = [o for o in self._left_out if o.can_receive_again]
        if dossier is None or official is None or not official.is_supervisor or not waiting:
            return
        left = waiting[0]

        def receive(yes: bool | None) -> None:
            if yes:
                self._receive_again(dossier.code, left.uuid, official.full_name)

        self.app.push_screen(
            ConfirmDialog(
                f"Mã {dossier.code} đã cấp trùng. Tiếp nhận lại hồ sơ bị gác lại (nhận lúc "
                f"{left.at:%H:%M %d/%m/%Y}, {left.actor}, quầy {left.counter_id}) với mã mới của quầy này? "
                "Giờ nhận, giấy tờ và hẹn trả giữ nguyên; giấy tiếp nhận mới sẽ được in để giao công dân "
                "thay giấy cũ.",
                yes="Tiếp nhận lại",
            ),
            receive,
        )

    @work(thread=True, exit_on_error=False, group="dossier")
    def _receive_again(self, code: str, event_uuid: str, actor: str) -> None:
        try:
            dossier = self.counter_app.desk.receive_again(code, actor, event_uuid=event_uuid)
        except CounterError as error:
            self.app.call_from_thread(self.counter_app.show_error, error)
            return
        self.app.call_from_thread(self._received_again, code, dossier)

    def _received_again(self, old: str, dossier: Dossier) -> None:
        self.notify(
            f"Đã tiếp nhận lại hồ sơ của «{dossier.applicant.name}» với mã {dossier.code} (thay mã {old}); "
            "đang in giấy tiếp nhận mới.",
            title="Tiếp nhận lại",
            timeout=20,
        )
        self.counter_app.print_form(dossier.code, "receipt")
        self.counter_app.open_dossier(dossier.code)

    def action_access_log(self) -> None:
        official = self.counter_app.official
        if self.dossier is None or official is None or not official.is_supervisor:
            return
        self._read_access_log(self.dossier)

    @work(thread=True, exit_on_error=False, group="dossier")
    def _read_access_log(self, dossier: Dossier) -> None:
        entries = self.counter_app.desk.access_log(dossier.code, limit=AccessLogDialog.SHOWN)
        self.app.call_from_thread(self.app.push_screen, AccessLogDialog(dossier, entries))

    def show_stored_changes(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the dossier again (after a sync or another window changed it)."""
        if self.dossier is not None:
            self._reload(self.dossier.code)

    @work(thread=True, exit_on_error=False, group="dossier")
    def _reload(self, code: str) -> None:
        dossier = self.counter_app.desk.get(code)
        self.app.call_from_thread(self._show_fresh, dossier)

    def _show_fresh(self, dossier: Dossier) -> None:
        """Show the dossier as just read: also when only what lies beside it changed (its sync
        state, a step left out), which setting the same dossier again would not show."""
        if dossier == self.dossier:
            self._show_dossier(dossier)
            self.refresh_bindings()
        else:
            self.dossier = dossier
