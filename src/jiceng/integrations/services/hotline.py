"""The 12345 work-order exchange: import the platform's batch, export the results.

Idempotent by the platform's work-order number: a number seen before changes nothing; a
row that comes back with other values is reported as changed (the case is not silently
overwritten: a person reads the report). Each new order is located as the JSON API and
Open311 locate an address (appeals.locating → places.locate: the standard-address
matcher, its aliases, the district as territory) and received like any case through
appeals' intake (channel hotline), so routing, deadlines, the duplicate check, events
and audit are the intake's own. An order the matcher cannot place below the district is
filed at the district all the same and waits in its placement queue (待定位) with the
reason, where a person places it in one action and the address is learned as an alias.
All rows are checked before any is written: one bad row and nothing is imported.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiceng.appeals.locating import IntakePlace, intake_place
from jiceng.appeals.models import Appeal, Category
from jiceng.appeals.services import INTAKE_AREA_LEVELS, Intake, appeal_intake
from jiceng.core import crypto, excel
from jiceng.core.audit import audit_record
from jiceng.core.errors import ApplicationError, ValidationFailed
from jiceng.core.inputs import check_model_text, check_text
from jiceng.core.masking import mask_phone
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import scope_for
from jiceng.core.types import Actor
from jiceng.core.validators import validate_phone
from jiceng.integrations import hotline_format
from jiceng.integrations.errors import (
    MSG_HOTLINE_AREA_CODE,
    MSG_HOTLINE_DISTRICT,
    MSG_HOTLINE_ROWS,
    invalid,
)
from jiceng.integrations.errors import IntegrationErrorCode as Code
from jiceng.integrations.models import HotlineWorkOrder
from jiceng.integrations.places import require_district_manager

CLIENT_PREFIX = "hotline12345"
MSG_REQUIRED = "必填"
MSG_TIME = "时间格式应为 2026-12-05 08:30 或 ISO 8601"
TEXT_FIELDS = {"category": "category_text", "address": "address", "content": "content"}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}：{self.message}"


class HotlineRowsInvalid(ValidationFailed):
    """Some rows are wrong; nothing was written. `errors` names each row and column."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{MSG_HOTLINE_ROWS}（{errors[0]}）", field="file", code=Code.HOTLINE_ROWS)


@dataclass
class WorkOrder:
    row: int
    number: str
    called_at: datetime.datetime
    category: str
    address: str
    content: str
    phone: str
    area_code: str

    @property
    def digest(self) -> str:
        # The phone is left out: it travels back masked (the export), and a number the
        # platform corrects is no change to the case.
        values = [
            self.number,
            self.called_at.timestamp(),
            self.category,
            self.address,
            self.content,
        ]
        return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


@dataclass
class HotlineImportReport:
    rows: int = 0
    # Placed at a community, grid or building, and routed.
    filed: list[str] = field(default_factory=list)
    # Filed at the district, waiting in its placement queue.
    unplaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Numbers seen before whose row now differs: reported, never overwritten.
    changed: list[str] = field(default_factory=list)


def _called_at(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = excel.cell_text(value).replace("/", "-")
        parsed = parse_datetime(text) if text else None
        if parsed is None:
            day = excel.parse_date(text)  # ValueError when it is no date either
            if day is None:
                raise ValueError(text)
            parsed = datetime.datetime.combine(day, datetime.time())
        moment = parsed
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _check_row(row: int, cells: dict, errors: list[RowError]) -> WorkOrder | None:
    def fail(name: str, message) -> None:
        errors.append(RowError(row, hotline_format.LABELS[name], str(message)))

    values: dict[str, str] = {}
    ok = True
    for name, column in (("number", "number"), *TEXT_FIELDS.items()):
        raw = cells.get(name)
        try:
            text = excel.cell_text(raw) if not isinstance(raw, str) else raw
            values[name] = check_model_text(
                HotlineWorkOrder,
                column,
                text,
                kind="multiline" if name == "content" else "text",
                name=name,
            )
        except ApplicationError as refused:
            fail(name, refused.message)
            ok = False
            continue
        if not values[name]:
            fail(name, MSG_REQUIRED)
            ok = False
    try:
        called_at = _called_at(cells.get("called_at"))
    except (ValueError, TypeError, OverflowError):
        fail("called_at", MSG_TIME)
        ok = False
    phone = ""
    try:
        raw_phone = check_text(
            excel.cell_text(cells.get("phone")), field="phone", max_length=20, kind="number"
        )
        # A masked number (our own export read back) is no number: left out.
        if raw_phone and "*" not in raw_phone:
            phone = validate_phone(raw_phone, field="phone")
    except ApplicationError as refused:
        fail("phone", refused.message)
        ok = False
    try:
        area_code = check_text(
            excel.cell_text(cells.get("area_code")), field="area_code", max_length=24, kind="code"
        )
    except ApplicationError as refused:
        fail("area_code", refused.message)
        ok = False
    if not ok:
        return None
    return WorkOrder(
        row=row,
        number=values["number"],
        called_at=called_at,
        category=values["category"],
        address=values["address"],
        content=values["content"],
        phone=phone,
        area_code=area_code,
    )


def _category(text: str, categories: list[Category]) -> Category:
    """The category the platform's wording names (by name, code or group), else 其他."""
    for category in categories:
        if text in (category.name, category.code):
            return category
    for category in categories:
        if category.name in text or text in category.name:
            return category
    for category in categories:
        if text == category.group:
            return category
    return next((c for c in categories if c.code == "other"), categories[0])


def _place(order: WorkOrder, district: Area) -> IntakePlace:
    """Where the order goes: the platform's area code when it names a community, grid
    or building of the district; else what the address text locates inside the
    district, the way the JSON API and Open311 locate theirs."""
    area, note = None, ""
    if order.area_code:
        area = Area.objects.filter(
            code=order.area_code, path__startswith=district.path, level__in=INTAKE_AREA_LEVELS
        ).first()
        if area is None:
            note = str(MSG_HOTLINE_AREA_CODE)
    place = intake_place(area=area, address=order.address, territory=district)
    if note and place.placement_reason:
        reason = f"{note}；{place.placement_reason}"[:200]
        place = IntakePlace(place.area, reason, place.street_hint)
    return place


def _file(
    order: WorkOrder, *, actor: Actor, district: Area, place: IntakePlace, category: Category
) -> Appeal:
    appeal, _created = appeal_intake(
        actor=actor,
        intake=Intake(
            channel=Appeal.Channel.HOTLINE,
            category=category,
            area=place.area,
            placement_reason=place.placement_reason,
            street_hint=place.street_hint,
            description=order.content,
            address=order.address,
            contact_phone=order.phone,
            client=f"{CLIENT_PREFIX}:{district.code}",
            idempotency_key=f"12345:{order.number}",
        ),
    )
    return appeal


@transaction.atomic
def hotline_import(
    *, actor: Actor, district: Area, rows: list[tuple[int, dict]]
) -> HotlineImportReport:
    """Import work orders into `district` (its administrators'): check all, then file the
    new ones. Raises HotlineRowsInvalid (naming every bad row) before writing anything."""
    if district is None or district.level != Area.Level.DISTRICT:
        raise invalid(MSG_HOTLINE_DISTRICT, Code.HOTLINE_DISTRICT, "district")
    require_district_manager(actor, district)
    errors: list[RowError] = []
    orders = [order for row, cells in rows if (order := _check_row(row, cells, errors))]
    if errors:
        raise HotlineRowsInvalid(errors[:50])
    report = HotlineImportReport(rows=len(orders))
    known = {
        o.number: o.digest
        for o in HotlineWorkOrder.objects.filter(
            number__in=[order.number for order in orders]
        ).only("number", "digest")
    }
    categories = list(Category.objects.filter(is_active=True))
    now = timezone.now()
    for order in orders:
        digest = known.get(order.number)
        if digest is not None:
            (report.unchanged if digest == order.digest else report.changed).append(order.number)
            continue
        place = _place(order, district)
        appeal = _file(
            order,
            actor=actor,
            district=district,
            place=place,
            category=_category(order.category, categories),
        )
        HotlineWorkOrder.objects.create(
            number=order.number,
            appeal=appeal,
            district=district,
            called_at=order.called_at,
            category_text=order.category,
            address=order.address,
            content=order.content,
            phone_encrypted=crypto.encrypt(order.phone),
            digest=order.digest,
            imported_at=now,
            imported_by=actor,
        )
        (report.unplaced if place.placement_reason else report.filed).append(order.number)
        known[order.number] = order.digest
    audit_record(
        actor=actor,
        action=AuditEntry.Action.BULK_CREATE,
        target=district,
        target_type="integrations.hotlineworkorder",
        changes={
            "rows": report.rows,
            "filed": len(report.filed),
            "unplaced": len(report.unplaced),
            "unchanged": len(report.unchanged),
            "changed": report.changed[:100],
        },
    )
    return report


def hotline_import_file(
    *, actor: Actor, district: Area, data: bytes, filename: str = ""
) -> HotlineImportReport:
    """`hotline_import` of an Excel or JSON file as the platform exports it."""
    if district is None or district.level != Area.Level.DISTRICT:
        raise invalid(MSG_HOTLINE_DISTRICT, Code.HOTLINE_DISTRICT, "district")
    require_district_manager(actor, district)
    return hotline_import(
        actor=actor, district=district, rows=hotline_format.read_file(data, filename)
    )


def _result_row(order: HotlineWorkOrder) -> dict:
    appeal = order.appeal
    phone = crypto.decrypt(order.phone_encrypted)
    return {
        "number": order.number,
        "called_at": timezone.localtime(order.called_at).isoformat(),
        "category": order.category_text,
        "address": order.address,
        "content": order.content,
        # Masked: the platform holds the caller's number; it need not travel back.
        "phone": mask_phone(phone) if phone else "",
        "area_code": appeal.area.code,
        # Why the case still waits in the district's placement queue, while it does.
        "unplaced_reason": appeal.placement_reason if appeal.placement_pending else "",
        "tracking_code": appeal.tracking_code,
        "state": str(appeal.get_state_display()),
        "unit": appeal.unit.name if appeal.unit else "",
        "replied_at": timezone.localtime(appeal.replied_at).isoformat()
        if appeal.replied_at
        else "",
        "reply": appeal.public_reply,
        "closed_at": timezone.localtime(appeal.closed_at).isoformat() if appeal.closed_at else "",
        "satisfaction": str(appeal.get_satisfaction_display()) if appeal.satisfaction else "",
    }


def hotline_export(*, actor: Actor, since: datetime.datetime | None, fmt: str) -> tuple[bytes, int]:
    """The work orders the actor sees that changed since `since` (imported, replied,
    closed or rated), in the import layout with the results: (file bytes, rows). An
    audit entry records the export (phones are masked in it)."""
    from django.db.models import Q

    orders = HotlineWorkOrder.objects.select_related("appeal", "appeal__area", "appeal__unit")
    if actor is not None:  # None: the operator's command, which sees every district
        orders = scope_for(actor).filter(orders)
    if since is not None:
        orders = orders.filter(
            Q(imported_at__gte=since)
            | Q(appeal__replied_at__gte=since)
            | Q(appeal__closed_at__gte=since)
            | Q(appeal__rated_at__gte=since)
        )
    rows = [_result_row(order) for order in orders.order_by("called_at", "id")[:50_000]]
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target_type="integrations.hotlineworkorder",
        changes={"since": since, "format": fmt, "rows": len(rows)},
    )
    if fmt == "xlsx":
        return hotline_format.as_excel(rows), len(rows)
    return hotline_format.as_json(rows).encode(), len(rows)


def parse_since(text: str | None) -> datetime.datetime | None:
    """`--since` / `?since=`: a date (from its midnight) or an ISO 8601 time; empty for
    everything."""
    from jiceng.integrations.errors import MSG_SINCE

    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = datetime.date.fromisoformat(text)
            moment = datetime.datetime.combine(day, datetime.time())
    except (ValueError, TypeError):
        raise invalid(MSG_SINCE, Code.SINCE_INVALID, "since") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
