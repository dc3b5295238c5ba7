"""Dossiers in the national sync shape: ``DongBoHoSoMC`` records and ``CapNhatTienDoHoSoMC`` steps.

The hub holds each commune's events; the province's one-stop system (and through it the national
portal, DVCQG) takes dossiers as ``DongBoHoSoMC`` records and their progress as
``CapNhatTienDoHoSoMC`` steps (DOMAIN.md §5). This module turns a dossier's events, folded with the
counter's own domain rules, into those records, so what the city sends says what the counter's
screen says. It does no I/O: the hub reads the events (``export_page`` in ``sync.hub``).

Field names are the national ones, 1:1. Times are ``yyyyMMddHHmmss`` in Vietnam time
(Asia/Ho_Chi_Minh), an empty string when there is none. The names inside the lists (``TaiLieuNop``
and the others) are not fixed by DOMAIN.md; they follow the same naming and are listed in
``sync/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from counter_app.domain.calendar import to_vn
from counter_app.domain.dossier import RETURN_METHODS, Dossier, Event, HistoryStep, apply, history

NATIONAL_TIME = "%Y%m%d%H%M%S"
PERSON, ORGANISATION = 1, 2
"""``LoaiDoiTuong``: who the dossier is for."""


def national_time(value: datetime | None) -> str:
    """A moment as the national system writes it: ``20250424090000``, Vietnam time; "" for none."""
    return to_vn(value).strftime(NATIONAL_TIME) if value is not None else ""


def _due_changes(events: Iterable[Event]) -> list[dict[str, str]]:
    """``DanhSachHoSoBoSung``: each time the appointment moved (papers added, an apology), the
    appointment before and after."""
    changes: list[dict[str, str]] = []
    state: Dossier | None = None
    for event in events:
        before = state.due_at if state is not None else None
        state = apply(state, event)
        if event.kind in ("extra_papers_received", "appointment_moved") and before != state.due_at:
            changes.append(
                {
                    "NgayBoSung": national_time(event.occurred_at),
                    "NgayHenTraTruoc": national_time(before),
                    "NgayHenTraMoi": national_time(state.due_at),
                    "LyDo": str(event.payload.get("reason") or event.payload.get("note") or ""),
                }
            )
    return changes


def dossier_record(dossier: Dossier, events: list[Event], *, updating: bool) -> dict[str, Any]:
    """The ``DongBoHoSoMC`` record of a dossier folded from ``events`` (in the hub's order).

    Args:
        dossier: The folded dossier.
        events: The events it was folded from (the ones the lifecycle allowed).
        updating: The record was exported before (``isUpdating``): the receiving system updates it.
    """
    holder = dossier.owner or dossier.applicant
    fees = [{"TenPhiLePhi": dossier.fee_text or "Phí, lệ phí", "MucPhi": dossier.fee_amount}]
    fees += [
        {
            "TenPhiLePhi": "Nghĩa vụ tài chính",
            "MucPhi": request.amount,
            "NgayYeuCau": national_time(request.requested_at),
            "NgayNop": national_time(request.paid_at),
        }
        for request in dossier.fee_requests
    ]
    return {
        "isUpdating": updating,
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": dossier.procedure_name,
        "MaLinhVuc": "",  # the catalog names the field but has no national field code
        "TenLinhVuc": dossier.field,
        "SoBienNhan": dossier.code,  # the receipt carries the dossier code as its number
        "ChuHoSo": holder.name,
        "LoaiDoiTuong": ORGANISATION if holder.kind == "organisation" else PERSON,
        "MaDoiTuong": holder.id_number,
        "ThongTinKhac": holder.address,
        "Email": holder.email or dossier.applicant.email,
        "Fax": "",
        "SoDienThoai": holder.phone or dossier.applicant.phone,
        "TrichYeuHoSo": dossier.summary or dossier.procedure_name,
        "NgayTiepNhan": national_time(dossier.received_at),
        "NgayHenTra": national_time(dossier.appointment_at),
        "TrangThaiHoSo": dossier.status,
        "NgayTra": national_time(dossier.returned_at),
        "ThongTinTra": RETURN_METHODS.get(dossier.return_method, dossier.return_method),
        "HinhThuc": 0,  # received in person at the counter (not online)
        "NgayKetThucXuLy": national_time(dossier.result_at or dossier.closed_at),
        "DonViXuLy": dossier.deciding_agency_name,
        "GhiChu": dossier.last_reason,
        "TaiLieuNop": [
            {
                "TenTaiLieu": item.name,
                "SoBanChinh": item.originals,
                "SoBanSao": item.certified,
                "SoBanPhoto": item.copies,
            }
            for item in dossier.documents
        ],
        "DanhSachLePhi": [fee for fee in fees if fee["MucPhi"]],
        "DanhSachTepDinhKemKhac": [],
        "DanhSachHoSoBoSung": _due_changes(events),
        "DanhSachGiayToKetQua": [],
    }


def progress_steps(dossier: Dossier, events: list[Event], new: set[str]) -> list[dict[str, Any]]:
    """The ``CapNhatTienDoHoSoMC`` steps of the events whose uuid is in ``new``.

    ``NgayKetThucTheoQuyDinh`` is the appointment in force once the step was taken.
    """
    steps: list[dict[str, Any]] = []
    state: Dossier | None = None
    timeline: list[HistoryStep] = history(events)
    for event, step in zip(events, timeline, strict=True):
        state = apply(state, event)
        if event.uuid not in new:
            continue
        said = step.label + (f": {step.detail}" if step.detail else "")
        steps.append(
            {
                "MaHoSo": dossier.code,
                "NguoiXuLy": event.actor,
                "ChucDanh": "",
                "ThoiDiemXuLy": national_time(event.occurred_at),
                "PhongBanXuLy": str(event.payload.get("to_agency_name") or state.handled_by or "")
                or state.receiving_agency_name,
                "NoiDungXuLy": said,
                "TrangThai": step.status,
                "NgayBatDau": national_time(event.occurred_at),
                "NgayKetThucTheoQuyDinh": national_time(state.appointment_at),
            }
        )
    return steps
