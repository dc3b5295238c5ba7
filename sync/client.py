"""The counter's side of sync: push the outbox, pull the commune's events, take the catalog and the
city's calendar (the wire contract is ``sync/openapi.json``; the reference hub is ``sync/hub.py``).

Nothing here can lose or duplicate a dossier:

- an event leaves the outbox only when the hub's answer names it as stored, so a cut connection, a
  timeout or a crash between the request and the answer just sends it again next time, and the hub
  counts a uuid it already holds as stored;
- a page of pulled events and the cursor after it are written in one transaction (``Desk.apply_pulled``),
  so a crash leaves either both or neither, and an event pulled twice is skipped by its uuid;
- a uuid the hub holds with other content is a conflict: its dossier is marked, the event stays in the
  outbox, and the run says which dossiers an administrator must look at.

Messages are in Vietnamese: the nightly run's log and the command line are read by the commune's staff.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from counter_app.desk import Desk, FlagBaseline, is_hub_cursor, stranded_appointments
from counter_app.domain.calendar import FIRST_YEAR, LAST_YEAR, VN_TZ
from counter_app.domain.errors import CounterError, ValidationError
from counter_app.domain.procedures import VERSION_PATTERN
from counter_app.settings import hub_token_problem

log = logging.getLogger(__name__)

PUSH_BATCH = 200
"""Events per POST: well under the hub's 500 events and 5 MB."""
PULL_LIMIT = 100
"""Events asked for per page. A page is stored in one transaction, and the counter's screen, which
reads on the same connection, waits for it: 500 events took 150 ms on a small file, and a page of 100
takes about 50 ms (``bench/bench_sync.py``), which an official at the keyboard does not notice."""
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
CLOCK_SKEW = timedelta(minutes=5)
"""How far the counter's clock may be from the hub's (its answers' ``Date``) before the run says so."""
REQUEST_DEADLINE = 120.0
"""Seconds one request to the hub may take in all, its answer read whole (a page of 1,000 events
takes well under one on a commune's line)."""
MAX_ANSWER = 20 * 1024 * 1024
"""A hub answer larger than this is refused unread (a page of 1,000 events is a few hundred kB)."""


CERT_DATE_CODES = {9: "chưa có hiệu lực", 10: "đã hết hạn"}
"""OpenSSL's verify codes for a certificate outside its dates (X509_V_ERR_CERT_NOT_YET_VALID,
X509_V_ERR_CERT_HAS_EXPIRED), and how they are said."""


class SyncError(CounterError):
    """The sync could not finish; what was done before stays done, nothing is lost."""

    exit_code = 9


class HubUnreachable(SyncError):
    """No answer from the hub (offline, timeout, server error): the events wait for the next run."""


class HubFailed(HubUnreachable):
    """The hub answered with a server error (HTTP 5xx): it is up, but something on it is wrong."""


class HubRefused(SyncError):
    """The hub refused this counter (its token or its commune): a setting to fix."""

    exit_code = 6


@dataclass
class SyncReport:
    """What one sync did, for the command line, the nightly log and the footer."""

    pushed: int = 0
    conflicts: list[str] = field(default_factory=list)
    """Dossiers with an event the hub holds with other content."""
    pulled: int = 0
    known: int = 0
    flagged: list[tuple[str, str]] = field(default_factory=list)
    """(dossier code, reason) of pulled events kept but not folded."""
    skipped: list[str] = field(default_factory=list)
    """Pulled items that are not readable events, each said (not stored; they stay on the hub)."""
    catalog: str = ""
    """The catalog version taken in this run ("" when unchanged)."""
    catalog_problem: str = ""
    calendar_problem: str = ""
    """The city's calendar from the hub could not be taken, and why ("" when it could)."""
    calendar: str = ""
    calendar_days: int = 0
    stranded: list[str] = field(default_factory=list)
    """For each day the city's new calendar closes: the citizens expected on it, to be told."""
    waiting: int = 0
    """Events still in the outbox after the run."""
    clock_problem: str = ""
    """The counter's clock is off from the hub's by more than ``CLOCK_SKEW`` ("" when not)."""
    open_conflicts: list[str] = field(default_factory=list)
    """Dossiers marked "conflict" after the run, this run's or an earlier one's, not yet settled."""
    hub_put_back: bool = False
    """The hub turned out to have been put back to an older copy: the run pulled from the start."""
    hub_went_back: int = 0
    hub_new: bool = False
    """The hub lacked this counter's events, and its address is another than at the last run:
    a new hub (said as news), not one put back to an older copy (a problem)."""
    """Events of this counter sent again because the hub was put back to an older copy."""

    def to_json(self) -> dict[str, Any]:
        """The report for ``counter sync --json``: "" and empty values as null."""
        data = asdict(self)
        data["flagged"] = [{"code": code, "reason": reason} for code, reason in self.flagged]
        for key in ("catalog", "catalog_problem", "calendar", "calendar_problem", "clock_problem"):
            data[key] = data[key] or None
        return data

    def lines(self) -> list[str]:
        """The whole run in Vietnamese, one line each (the command line and the nightly log)."""
        kept = f", {len(self.flagged)} giữ lại không áp dụng" if self.flagged else ""
        counts = f"Đã gửi {self.pushed} sự kiện; nhận {self.pulled} sự kiện mới ({self.known} đã có{kept})."
        return [counts, *self.problems(), *self.news(), f"Còn {self.waiting} sự kiện chờ gửi."]

    def problems(self) -> list[str]:
        """What someone must look at: conflicts, events kept but not applied, a refused catalog."""
        said = []
        if self.hub_put_back and not self.hub_new:
            sent = f"đã gửi lại {self.hub_went_back} sự kiện của mình và " if self.hub_went_back else ""
            said.append(
                "Máy chủ đã bị đưa về một bản cũ (thiếu hoặc đánh số lại các sự kiện quầy đã có từ nó): "
                f"quầy {sent}nhận lại từ đầu. Các quầy khác của xã cũng cần đồng bộ để gửi lại phần "
                "của họ."
            )
        if self.conflicts:
            said.append(
                f"Xung đột với máy chủ ({len(self.conflicts)} hồ sơ, cần quản trị viên xem): "
                + ", ".join(self.conflicts[:20])
            )
        earlier = [code for code in self.open_conflicts if code not in self.conflicts]
        if earlier:
            said.append(
                f"Còn {len(earlier)} hồ sơ đang xung đột chờ xem (trên từng quầy có hồ sơ ấy; sau khi xem: "
                "counter sync --settle MÃ, hoặc phím v trên màn hình hồ sơ): " + ", ".join(earlier[:20])
            )
        for code, reason in self.flagged[:20]:
            said.append(f"Không áp dụng được sự kiện của hồ sơ {code} (đã giữ lại, đánh dấu): {reason}")
        said += self.skipped[:20]
        if self.catalog_problem:
            said.append(f"Danh mục thủ tục từ máy chủ không nạp được: {self.catalog_problem}")
        if self.calendar_problem:
            said.append(self.calendar_problem)
        said += self.stranded
        if self.clock_problem:
            said.append(self.clock_problem)
        return said

    def news(self) -> list[str]:
        """A new catalog or calendar taken."""
        said = []
        if self.hub_put_back and self.hub_new:
            said.append(
                f"Máy chủ mới (địa chỉ khác lần đồng bộ trước): quầy đã gửi lại {self.hub_went_back} sự kiện "
                "của mình và nhận lại từ đầu."
            )
        if self.catalog:
            said.append(f"Đã nhận danh mục thủ tục phiên bản {self.catalog}.")
        if self.calendar:  # said even when no day here changes: the admin checks the version reached
            changed = (
                f"{self.calendar_days} ngày thay đổi"
                if self.calendar_days
                else "không ngày nào thay đổi ở đây"
            )
            said.append(f"Đã nhận lịch nghỉ, làm bù phiên bản {self.calendar} ({changed}).")
        return said


def _left_for_later(method: str, path: str) -> str:
    """What a request cut off leaves for the next run, in the admin's words: a push leaves its
    events waiting; a pull cut off mid-page leaves nothing waiting here (it takes the rest)."""
    if method == "POST":
        return "các sự kiện vẫn chờ gửi ở lần đồng bộ sau"
    if path == "/v1/events":
        return "chưa nhận hết sự kiện từ máy chủ; lần đồng bộ sau nhận tiếp (không mất gì)"
    return "lần đồng bộ sau sẽ lấy lại"


def _tls_problem(exc: BaseException) -> str:
    """What failed in an https handshake, in the admin's words; "" when it was no TLS failure. An
    https address to a hub that speaks plain http said only "cannot connect"."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 5:  # httpx wraps the ssl module's error; its text names it too
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for seen in chain:
        code = getattr(seen, "verify_code", None) if isinstance(seen, ssl.SSLCertVerificationError) else None
        if code in CERT_DATE_CODES:
            # Mostly this machine's clock, not the certificate: a PC whose date went back to 2000
            # (a flat board battery) finds every certificate "not yet valid".
            return (
                f"chứng chỉ của máy chủ {CERT_DATE_CODES[code]} theo đồng hồ của máy tính này "
                f"(đang là {datetime.now(VN_TZ):%H:%M %d/%m/%Y}): nếu ngày giờ của máy sai, hãy chỉnh lại "
                "rồi đồng bộ lại; nếu đúng, báo quản trị máy chủ thành phố"
            )
    for seen in chain:
        text = str(seen)
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
            return "chứng chỉ của máy chủ không được tin cậy (hết hạn, sai tên máy chủ hoặc tự cấp)"
        if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text:
            return "máy chủ không dùng https ở địa chỉ này; hãy thử địa chỉ bắt đầu bằng http://"
        if isinstance(seen, ssl.SSLError) or "[SSL" in text:
            return "máy chủ từ chối hoặc không hiểu kết nối bảo mật"
    return ""


def _transport_problem(exc: httpx.TransportError, url: str) -> str:
    """What went wrong on the way to the hub, in the admin's words (the class name, such as
    ``ReadTimeout``, goes to the log): a hub that took the connection and never answered is not a
    hub out of reach."""
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return f"Máy chủ {url} nhận kết nối nhưng không trả lời trong {TIMEOUT.read:g} giây"
    secure = _tls_problem(exc)
    if secure:
        return f"Không lập được kết nối bảo mật (https) với máy chủ {url}: {secure}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return f"Máy chủ {url} ngắt kết nối giữa chừng"
    return f"Không kết nối được máy chủ {url}"


@dataclass(frozen=True)
class Answer:
    """A hub's answer, read whole (within ``MAX_ANSWER``)."""

    status_code: int
    content: bytes


class SyncClient:
    """One counter talking to its hub. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        desk: Desk,
        base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        deadline: float = REQUEST_DEADLINE,
    ):
        if not base_url.startswith(("http://", "https://")):
            raise HubRefused(
                "Chưa đặt địa chỉ máy chủ (hub_url, bắt đầu bằng http:// hoặc https://): đặt bằng "
                "counter settings --set hub_url=... --set hub_token=..., hoặc ở F6 › Cài đặt."
            )
        if not token:
            raise HubRefused(
                "Chưa đặt mã truy cập máy chủ: giám sát đặt ở F6, thẻ Cài đặt, "
                "hoặc lệnh counter settings --set hub_token=…"
            )
        problem = hub_token_problem(token)  # stored before the settings checked it, or given here
        if problem:
            raise HubRefused(problem)
        self.desk = desk
        self.deadline = deadline
        """Seconds one request may take in all (see ``REQUEST_DEADLINE``)."""
        self._baseline: FlagBaseline | None = None
        """What was left out when the hub turned out put back (see :meth:`Desk.review_flags`)."""
        self.hub_clock_offset: timedelta | None = None
        """The hub's clock less this machine's, from the ``Date`` of the first answer that had one."""
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
            transport=transport,
            follow_redirects=False,
        )

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    report: SyncReport | None = None
    """The run under way, or the last one, as far as it went (what a run stopped midway did)."""

    # -- one whole run ---------------------------------------------------------------------------

    def run(self) -> SyncReport:
        """Push, then pull, then the catalog and the calendar; the time of a run that got this far
        is recorded as the last sync."""
        report = self.report = SyncReport()
        # A put-back hub found by a run cut off before it went through is said by this one.
        earlier = self.desk.pending_hub_went_back()
        try:
            self._exchange(report)
        except SyncError as error:
            # A run that failed part-way (the hub gone mid-push) says how far it got: 600 of 1,201
            # events had gone up, and neither the message nor the log said so.
            if report.pushed or report.pulled:
                done = (
                    f"Lần này đã gửi {report.pushed} và nhận {report.pulled} sự kiện trước khi dừng; "
                    f"còn {self.desk.unsent_events()} sự kiện chờ gửi."
                )
                log.warning("sync stopped part-way: %s", done)
                error.message = f"{error.message} {done}"
            # It still says a clock it saw off: it may be the cause, and it is wrong in the codes
            # received meanwhile.
            problem = clock_skew_problem(self.hub_clock_offset)
            if problem and problem not in error.message:
                error.message = f"{error.message} {problem}"
            error.args = (error.message,)
            self.desk.record_sync_failure(self.desk.now(), error.message)
            raise
        if earlier is not None and not report.hub_put_back:
            report.hub_put_back = True
            report.hub_went_back, report.hub_new = earlier
        report.clock_problem = clock_skew_problem(self.hub_clock_offset)
        report.waiting = self.desk.unsent_events()
        report.open_conflicts = self.desk.open_conflicts()
        self.desk.record_sync(self.desk.now())
        return report

    def _exchange(self, report: SyncReport) -> None:
        # Read before the push: the push makes its newest event the one to ask about, which a
        # hub put back to an older copy holds all the same (it has just stored it).
        held_before = self.desk.hub_should_hold()
        self.push(report)
        if self.pull(report, should_hold=held_before):  # the hub went back: what it lost of ours goes again
            self.push(report)
            self.pull(report)
        self.fetch_catalog(report)
        self.fetch_calendar(report)

    # -- push --------------------------------------------------------------------------------------

    def push(self, report: SyncReport) -> None:
        """Send the outbox, oldest first, in batches; each event leaves it when the hub names it."""
        tried: set[str] = set()
        batch_size = PUSH_BATCH
        while True:
            waiting = self.desk.outbox(batch_size + len(tried))
            batch = [e for e in waiting if e["uuid"] not in tried][:batch_size]
            if not batch:
                return
            answer = self._request("POST", "/v1/events", json={"events": batch}, ok=(200, 409, 413))
            if answer.status_code == 413:
                if batch_size == 1:
                    raise SyncError(f"Máy chủ không nhận sự kiện {batch[0]['uuid']} (quá lớn).")
                batch_size = max(1, batch_size // 2)
                continue
            body = self._json(answer)
            sent = {e["uuid"] for e in batch}
            stored = _uuid_list(body, "stored", sent)
            conflicts = _uuid_list(body, "conflicts", sent)
            if not stored and not conflicts:
                # The hub took the request and named none of it: a proxy's or a wrong server's
                # "OK". Skipping on read as a quiet night (exit 0) with every event still waiting.
                raise SyncError(
                    "Máy chủ trả lời nhưng không nhận sự kiện nào vừa gửi; sự kiện vẫn chờ gửi. "
                    "Hãy kiểm tra địa chỉ máy chủ (counter setup --hub)."
                )
            tried |= sent
            report.pushed += self.desk.events_sent(stored)
            if conflicts:
                for code in self.desk.events_in_conflict(conflicts):
                    if code not in report.conflicts:
                        report.conflicts.append(code)
            if _names_others(body, sent):
                # Those it named of this request are taken as said; the rest is not an answer to
                # it (the run read as a quiet night, exit 0, with events still waiting).
                raise SyncError("Máy chủ trả lời sai: câu trả lời nêu sự kiện quầy không gửi.")

    # -- pull --------------------------------------------------------------------------------------

    def pull(self, report: SyncReport, *, should_hold: str | None = None) -> bool:
        """Take the commune's new events page by page, from the cursor stored after the last page.

        Args:
            report: Where the run's figures go.
            should_hold: The event the hub must still hold (see ``Desk.hub_should_hold``); None:
                the newest it acknowledged, as recorded now.

        Returns:
            True when the hub turned out to be behind the cursor (put back to an older copy): this
            counter's events were queued to be sent again and the cursor set back to 0, nothing
            was taken; the caller pushes and pulls again. False otherwise.
        """
        cursor = self.desk.sync_cursor()
        first = True
        while True:
            # own=1: this counter's own events come back too, and are skipped as known; after a
            # restore from an older backup they are what brings back the dossiers saved since.
            # counter: the hub refuses a token that is not this counter's (another commune's).
            params = {
                "after": cursor,
                "limit": PULL_LIMIT,
                "own": 1,
                "counter": self.desk.settings.counter_id,
            }
            expect = self.desk.sync_cursor_uuid() if first and cursor != "0" else None
            if first:
                should_hold = should_hold or self.desk.hub_should_hold()
                if should_hold is not None:
                    params["holds"] = should_hold
                if expect is not None:
                    params["expect"] = expect
            answer = self._request("GET", "/v1/events", params=params)
            body = self._json(answer)
            if not isinstance(body, dict):
                body = {}  # said just below, as any other wrong shape
            events, following, more = body.get("events"), body.get("next"), body.get("more")
            if not isinstance(events, list) or not isinstance(following, str) or not isinstance(more, bool):
                raise SyncError("Máy chủ trả lời không đúng dạng {events, next, more}; chưa nhận gì thêm.")
            last = body.get("last")  # absent from a hub that does not say it
            behind = isinstance(last, str) and is_hub_cursor(last) and int(last) < int(cursor)
            # "holds": False: the hub lost the last event it acknowledged here, though other
            # counters' new events may have carried its numbering past the cursor. Absent from a
            # hub that does not answer it: only "behind" is known then.
            lost = first and should_hold is not None and body.get("holds") is False
            # "expected": False: the event at the cursor is no longer the one pulled there (the
            # numbers past an older copy given again to other events, some of them below it).
            renumbered = first and expect is not None and body.get("expected") is False
            if first and (behind or lost or renumbered):
                if report.hub_put_back:
                    raise SyncError("Máy chủ vẫn như bị đưa về bản cũ sau khi gửi lại; dừng để khỏi lặp mãi.")
                report.hub_put_back = True
                report.hub_new = self.desk.hub_address_changed()
                # Before anything is placed anew: what the pull from the start brings is judged
                # against it once the pull is over (see Desk.review_flags).
                self._baseline = self.desk.flag_baseline()
                report.hub_went_back = self.desk.hub_went_back(new_hub=report.hub_new)
                return True
            first = False
            try:
                at_cursor = body.get("next_uuid")
                page = self.desk.apply_pulled(
                    events,
                    following,
                    last=not more,
                    cursor_uuid=at_cursor if isinstance(at_cursor, str) and len(at_cursor) <= 64 else None,
                )
            except ValidationError as exc:
                raise SyncError(
                    f"Máy chủ gửi dữ liệu không hợp lệ ({exc.message}); chưa nhận trang này."
                ) from exc
            report.pulled += page.applied
            report.known += page.known
            report.flagged += page.flagged
            report.skipped += page.skipped
            if not more:
                if self._baseline is not None:
                    report.flagged = self.desk.review_flags(self._baseline, keep=report.conflicts)
                    self._baseline = None
                return False
            if int(following) <= int(cursor):  # a cursor apply_pulled took: ASCII digits
                raise SyncError("Máy chủ không chuyển con trỏ đồng bộ tiếp; dừng nhận để khỏi lặp mãi.")
            cursor = following

    # -- catalog and calendar ------------------------------------------------------------------------

    def fetch_catalog(self, report: SyncReport) -> None:
        """The procedure catalog, when its version differs from ours (a refused one is reported:
        one the hub could not read and serve, one older than ours)."""
        current = self.desk.catalog.version
        data, failed, older = self._fetch_versioned("/v1/catalog", current)
        if failed:
            report.catalog_problem = f"{failed} (máy chủ không đọc được tệp danh mục của nó?)"
            return
        if older:
            report.catalog_problem = (
                f"máy chủ gửi phiên bản {older}, cũ hơn phiên bản {current} quầy đang dùng: chưa nhận "
                "(máy chủ chạy với tệp danh mục cũ hoặc không có --catalog? Kiểm tra trên máy chủ)."
            )
            return
        if data is None:
            return
        try:
            catalog = self.desk.import_catalog(data, from_hub=True)
        except ValidationError as exc:
            report.catalog_problem = exc.message
            return
        report.catalog = catalog.version

    def fetch_calendar(self, report: SyncReport) -> None:
        """The city's days off and make-up days, when their version differs from the one we took."""
        current = self.desk.calendar_version()
        data, failed, older = self._fetch_versioned("/v1/calendar", current)
        if failed:
            report.calendar_problem = (
                f"Lịch của thành phố chưa nhận được: {failed} (máy chủ không đọc được tệp lịch của nó?)"
            )
            return
        if older:
            # A hub started without its --calendar file (a path mistyped) serves an empty
            # calendar, version 0: taken, it took the city's days off away from every counter.
            report.calendar_problem = (
                f"Lịch của thành phố từ máy chủ là phiên bản {older}, cũ hơn phiên bản {current} quầy đã "
                "nhận: chưa nhận (máy chủ chạy thiếu tệp lịch, --calendar, hoặc với tệp cũ? Kiểm tra "
                "trên máy chủ)."
            )
            return
        if data is None:
            return
        try:
            changed = self.desk.import_city_calendar(data)
        except ValidationError as exc:
            # Said in the report, as a refused catalog is (exit 10): the events went and came, only
            # the calendar was not taken; failing the run (exit 9) said "try later" for a file
            # that will not read any better.
            report.calendar_problem = f"Lịch của thành phố không hợp lệ: {exc.message}"
            return
        report.calendar = str(data.get("version", ""))
        report.calendar_days = len(changed)
        for day in changed:  # a day closed now: the citizens given it must be told another
            due = self.desk.stranded_on(day)
            if due:
                report.stranded.append(
                    f"Lịch mới của thành phố cho nghỉ ngày {day:%d/%m/%Y}: {stranded_appointments(due)}"
                )

    def _fetch_versioned(self, path: str, current: str) -> tuple[Any, str, str]:
        """A versioned file of the hub (the catalog, the calendar), unless the hub has ``current``:
        ``(data, failed, older)``. ``data`` is the new file's JSON (None when there is none);
        ``failed`` what went wrong when the hub answered wrongly (a server error, not JSON), a line
        of the report, the events already exchanged; ``older`` the version offered when it is
        older than ``current`` (not taken). A hub gone or a token refused fails the run.
        """
        # A version kept by an older program that does not fit a header (a letter outside ASCII):
        # asked without it, the hub sends its file, which replaces it.
        headers = {"If-None-Match": f'"{current}"'} if current and VERSION_PATTERN.fullmatch(current) else {}
        try:
            answer = self._request("GET", path, headers=headers, ok=(200, 304))
            if answer.status_code == 304:
                return None, "", ""
            data = self._json(answer)
        except SyncError as exc:
            if not _said_in_report(exc):
                raise
            return None, exc.message, ""
        version = data.get("version") if isinstance(data, dict) else None
        if current and version == current:
            return None, "", ""
        older = _older_version(version, current)
        return (None if older else data), "", older

    # -- the wire ------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Answer:
        # httpx's timeouts bound each read: a server trickling a byte every few seconds kept the
        # nightly run (and the counter's background sync) waiting for days. The answer, headers
        # and body, must be whole within the deadline: a watchdog closes the client under a read
        # still waiting then.
        late = threading.Event()

        def give_up() -> None:
            late.set()
            self.http.close()  # the connection in use is closed: the read waiting on it ends

        watchdog = threading.Timer(self.deadline, give_up)
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._answer(method, path, ok, late, **kwargs)
        finally:
            watchdog.cancel()

    def _answer(
        self, method: str, path: str, ok: tuple[int, ...], late: threading.Event, **kwargs: Any
    ) -> Answer:
        left = _left_for_later(method, path)
        too_slow = HubUnreachable(
            f"Máy chủ {self.base_url} trả lời quá chậm (chưa xong sau {self.deadline:g} giây); {left}."
        )
        try:
            with self.http.stream(method, path, **kwargs) as streamed:
                chunks: list[bytes] = []
                size = 0
                for chunk in streamed.iter_bytes():  # read up to a limit, not whatever comes
                    size += len(chunk)
                    if size > MAX_ANSWER:
                        raise SyncError(f"Câu trả lời của máy chủ quá lớn (trên {MAX_ANSWER // 2**20} MB).")
                    chunks.append(chunk)
                answer = Answer(streamed.status_code, b"".join(chunks))
                if self.hub_clock_offset is None:
                    self.hub_clock_offset = _clock_offset(streamed.headers.get("date"))
        except (httpx.TransportError, RuntimeError) as exc:
            if late.is_set():  # the watchdog closed the client under the read
                raise too_slow from exc
            if not isinstance(exc, httpx.TransportError):
                raise
            log.info("hub %s: %s: %s", self.base_url, type(exc).__name__, exc)
            raise HubUnreachable(f"{_transport_problem(exc, self.base_url)}; {left}.") from exc
        if answer.status_code in ok:
            return answer
        # The hub's own words are for the administrator (English, technical): in the program's
        # log. The official reads what it means and what to check.
        log.warning(
            "hub answered %s %s with HTTP %d: %s", method, path, answer.status_code, _error_text(answer)
        )
        if answer.status_code == 401:
            raise HubRefused("Máy chủ không nhận mã truy cập của quầy (hub_token): kiểm tra cài đặt.")
        if answer.status_code == 403:
            settings = self.desk.settings
            raise HubRefused(
                "Máy chủ từ chối quầy này: mã truy cập (hub_token) không dành cho xã hoặc số quầy đã cài "
                f"đặt ở máy này (xã {settings.commune_code}, mã quầy «{settings.counter_id}»): trên máy chủ, "
                "mã truy cập phải được đăng ký cho đúng mã quầy ấy; chi tiết trong tệp nhật ký."
            )
        # 501: the server does not do this method at all (a plain web server asked to POST): no
        # hub, not a hub that is down; waiting for it night after night would get nowhere.
        if answer.status_code >= 500 and answer.status_code != 501:
            raise HubFailed(f"Máy chủ đang lỗi (HTTP {answer.status_code}); thử lại sau.")
        if answer.status_code in (404, 405, 501):
            raise SyncError(
                f"Địa chỉ máy chủ {self.base_url} không phải máy chủ đồng bộ của thành phố (HTTP "
                f"{answer.status_code}): kiểm tra cài đặt hub_url."
            )
        raise SyncError(
            f"Máy chủ không nhận yêu cầu của quầy (HTTP {answer.status_code}); chi tiết trong tệp nhật ký."
        )

    def _json(self, answer: Answer) -> Any:
        try:
            # A byte-order mark before the JSON (some servers write one) is no reason to refuse it,
            # as `counter receive` takes a file with one.
            return json.loads(answer.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # ValueError: not JSON, or a number of thousands of digits; RecursionError: arrays
            # nested 100,000 deep. Each crashed the run as an unexpected error (exit 1).
            page = answer.content.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))
            what = " mà là một trang web (địa chỉ của trang khác, hoặc trang đăng nhập mạng)" if page else ""
            raise SyncError(
                f"Máy chủ {self.base_url} trả lời không phải JSON{what}: kiểm tra cài đặt hub_url; chưa "
                "nhận gì từ câu trả lời này."
            ) from exc


def _said_in_report(exc: SyncError) -> bool:
    """Whether a failed catalog or calendar request is a line of the run's report, the events
    already exchanged: the hub answered, wrongly (a server error, not JSON). A hub gone or a
    token refused fails the run, as it would have failed the exchange."""
    return isinstance(exc, HubFailed) or type(exc) is SyncError


def _version_key(version: str) -> tuple[int, ...] | None:
    """A dotted version of numbers ("2026.12.1") as numbers, None for any other shape."""
    parts = version.split(".")
    if not all(p.isdigit() and len(p) <= 9 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _older_version(offered: Any, current: str) -> str:
    """``offered`` when it is a version older than ``current`` (both dotted numbers), else ""."""
    if not isinstance(offered, str) or not current:
        return ""
    new, old = _version_key(offered), _version_key(current)
    return offered if new is not None and old is not None and new < old else ""


def _uuid_list(body: Any, key: str, sent: set[str]) -> list[str]:
    """The uuids the hub names under ``key``, only those of events just sent (a hub naming others
    must not take them out of the outbox)."""
    if not isinstance(body, dict) or not isinstance(body.get(key, []), list):
        raise SyncError(f"Máy chủ trả lời không đúng dạng (thiếu danh sách «{key}»).")
    return [u for u in body.get(key, []) if isinstance(u, str) and u in sent]


def _names_others(body: Any, sent: set[str]) -> bool:
    """Whether the hub's answer names an event this request did not send (or names something that
    is no uuid: a list, an object; compared as they came, they ended the run with a TypeError)."""
    return any(not isinstance(u, str) or u not in sent for key in ("stored", "conflicts") for u in body[key])


def _error_text(answer: Answer) -> str:
    try:
        data = json.loads(answer.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return answer.content[:200].decode("utf-8", "replace")
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"][:300]
    return str(data)[:300]


def _clock_offset(date_header: str | None) -> timedelta | None:
    """The hub's clock less this machine's, from an answer's ``Date`` (None without a readable one)."""
    try:
        hub_time = parsedate_to_datetime(date_header or "")
    except (TypeError, ValueError):
        return None
    if hub_time.tzinfo is None or not FIRST_YEAR <= hub_time.year <= LAST_YEAR:
        return None  # a date no clock shows (year 9999): no reading, and the arithmetic overflowed
    return hub_time - datetime.now(UTC)


def clock_skew_problem(offset: timedelta | None) -> str:
    """What to tell the counter when its clock is off from the hub's by more than ``CLOCK_SKEW``.

    The machine's own clock, not a setting: codes and appointments carry its date for good, and
    only the hub, on the network, knows the right time.
    """
    if offset is None or abs(offset) <= CLOCK_SKEW:
        return ""
    minutes = round(abs(offset).total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{days} ngày" if days else "",
        f"{hours} giờ" if hours else "",
        f"{minutes} phút" if minutes else "",
    ]
    how = "chậm" if offset > timedelta(0) else "nhanh"
    hub_now = (datetime.now(UTC) + offset).astimezone(VN_TZ)
    return (
        f"Đồng hồ máy tính {how} {' '.join(p for p in parts if p)} so với máy chủ thành phố (giờ máy chủ: "
        f"{hub_now:%H:%M %d/%m/%Y}): hãy chỉnh lại ngày giờ của máy tính; mã hồ sơ và ngày hẹn trả lấy "
        "theo đồng hồ này."
    )
