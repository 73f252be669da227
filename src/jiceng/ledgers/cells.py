"""How a ledger's cells read: in a workbook (typed cells), on the printable page (text)
and in the API (JSON values). One place, so the three agree."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.ledgers import Column


def local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def as_text(value: Any, column: Column) -> str:
    if value is None or value == "":
        return ""
    if column.kind == "percent" and isinstance(value, int | float | Decimal):
        return f"{float(value):.1%}"
    if isinstance(value, datetime.datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def as_json(value: Any, column: Column) -> str | int | float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return round(float(value), 4) if column.kind == "percent" else float(value)
    if isinstance(value, datetime.datetime):
        return local(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def period_text(table) -> str:
    if not table.ledger.takes_period:
        return _("不分期间（截至生成时的现状）")
    return table.subject.period.label


def scope_text(table) -> str:
    subject = table.subject
    if subject.org is not None:
        area = getattr(subject.org, "area", None)
        where = f"，{area.name}（{area.code}）" if area is not None else ""
        return _("党组织 {name}（编号 {code}）{where}").format(
            name=subject.name, code=subject.code, where=where
        )
    return f"{subject.name}（{subject.code}）"


def header_lines(table) -> list[tuple[str, str]]:
    """The header block every generated ledger carries: scope, period, source, time."""
    lines = [
        (_("范围"), scope_text(table)),
        (_("期间"), period_text(table)),
        (_("数据来源"), table.source),
        (_("生成时间"), local(table.generated_at).strftime("%Y-%m-%d %H:%M:%S")),
        (_("行数"), str(len(table.rows))),
    ]
    if table.ledger.personal:
        lines.append((_("个人信息"), _("身份证号、手机号已脱敏")))
    if table.truncated:
        lines.append(
            (
                _("说明"),
                _("行数超过上限，只含前 {n} 行；请缩小范围或期间").format(n=len(table.rows)),
            )
        )
    return lines
