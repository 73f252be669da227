"""Exports of personal data bound to a purpose (PIPL: minimum necessary; the person's
right to know who handled their data).

An export is masked unless the exporter names a purpose. A full export (whole ID numbers
and phones, for the records the exporter keeps) needs a purpose from a short list or,
for "other", words of the exporter's own; each person may make FULL_EXPORT_DAILY_LIMIT
of them a day; every sheet carries the exporter, the time and the purpose in its header
and footer, as do the document's properties; and the audit entry names whose data the
file held (the app's manifest, whose digest the entry keeps).
"""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import ApplicationError, CoreErrorCode, ValidationFailed
from jiceng.core.inputs import check_text
from jiceng.core.models import AuditEntry

PURPOSE_NOTE_MAX = 100
MSG_PURPOSE = _("请选择导出用途")
MSG_PURPOSE_NOTE = _("选择“其他”时请写明用途（不超过 100 字）")
MSG_LIMIT = _("今天的完整导出已达 {limit} 次上限，明天再试，或导出脱敏名册")


class ExportPurpose(models.TextChoices):
    PARTY_STATISTICS = "party_statistics", _("党内统计上报")
    TRANSFER = "transfer", _("组织关系转接")
    ELECTION = "election", _("换届选举")
    OTHER = "other", _("其他（写明用途）")


class ExportLimitReached(ApplicationError):
    code = "export_limit"
    status = 429


def export_purpose(purpose: str, note: str = "") -> tuple[str, str]:
    """(purpose, note) checked: a listed purpose, and words for "other"."""
    if purpose not in ExportPurpose.values:
        raise ValidationFailed(MSG_PURPOSE, field="purpose", code=CoreErrorCode.EXPORT_PURPOSE)
    # Control characters refused and bidirectional ones removed, as in every text field.
    note = check_text(note, field="purpose_note")
    if len(note) > PURPOSE_NOTE_MAX or (purpose == ExportPurpose.OTHER and not note):
        raise ValidationFailed(
            MSG_PURPOSE_NOTE, field="purpose_note", code=CoreErrorCode.EXPORT_PURPOSE_NOTE
        )
    return purpose, note


def purpose_label(purpose: str, note: str = "") -> str:
    if not purpose:
        return str(_("脱敏导出"))
    label = str(ExportPurpose(purpose).label)
    if purpose == ExportPurpose.OTHER:
        label = str(_("其他"))
    return f"{label}：{note}" if note else label


def full_exports_today(actor) -> int:
    """Full exports this person made today (Asia/Shanghai), as the audit log has them."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    return AuditEntry.objects.filter(
        actor=actor, action=AuditEntry.Action.EXPORT, at__gte=start, changes__full_export=True
    ).count()


def check_export_limit(actor) -> None:
    limit = settings.FULL_EXPORT_DAILY_LIMIT
    if actor is not None and full_exports_today(actor) >= limit:
        raise ExportLimitReached(str(MSG_LIMIT).format(limit=limit), field="purpose")


def watermark_text(actor, at: datetime.datetime, purpose: str, note: str = "") -> str:
    who = actor.get_username() if actor is not None else "system"
    if actor is not None and getattr(actor, "full_name", None):
        who = f"{actor.full_name}（{who}）"
    local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    return str(_("导出人 {who} · {at} · 用途 {purpose}")).format(
        who=who, at=local, purpose=purpose_label(purpose, note)
    )


def apply_watermark(book, sheets, *, actor, at, purpose: str, note: str = "") -> str:
    """The exporter, time and purpose in the header and footer of every sheet (they print
    on every page and show in page layout view) and in the document's properties."""
    text = watermark_text(actor, at, purpose, note)
    escaped = text.replace("&", "&&")
    for sheet in sheets:
        sheet.set_header(f"&C{escaped}")
        sheet.set_footer(f"&L{escaped}&R&P / &N")
    book.set_properties(
        {
            "title": str(_("个人信息导出")),
            "subject": purpose_label(purpose, note),
            "author": actor.get_username() if actor is not None else "system",
            "comments": text,
            "keywords": "jiceng, export, " + (purpose or "masked"),
            "created": at.astimezone(datetime.UTC).replace(tzinfo=None),
        }
    )
    return text


def manifest_digest(ids) -> str:
    """SHA-256 of the sorted ids a file held: kept in the audit entry, so the manifest
    stored beside it can be checked against the chain."""
    text = ",".join(str(i) for i in sorted(ids))
    return hashlib.sha256(text.encode()).hexdigest()
