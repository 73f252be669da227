"""The audit log: append-only, every entry chained to the previous by hash.

Services call `audit_record` inside their transaction, so an entry exists exactly when
the change it describes was committed. Personal data never enters `changes` in clear:
callers pass the names of sensitive fields and their values are replaced by a marker.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from jiceng.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64
SENSITIVE_MARK = "***"


def _canonical(entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "changes": entry.changes,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + _canonical(entry)).encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, foreign keys as ids, ready for `changes_between`."""
    result = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = field.attname if field.is_relation else name
        result[name] = _jsonable(getattr(instance, attname))
    return result


def changes_between(
    old: Mapping[str, Any], new: Mapping[str, Any], *, sensitive: Iterable[str] = ()
) -> dict[str, dict[str, Any]]:
    """{field: {"old": ..., "new": ...}} for the fields whose value changed."""
    hidden = set(sensitive)
    diff = {}
    for name in sorted(set(old) | set(new)):
        before, after = _jsonable(old.get(name)), _jsonable(new.get(name))
        if before != after:
            if name in hidden:
                before = SENSITIVE_MARK if before else before
                after = SENSITIVE_MARK if after else after
            diff[name] = {"old": before, "new": after}
    return diff


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str | None = None,
    target_id: str | int | None = None,
    target_label: str | None = None,
    changes: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the caller's transaction."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target.pk if target_id is None else target_id
        target_label = target_label if target_label is not None else str(target)[:200]
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    with transaction.atomic():
        # The head row serializes appenders: on PostgreSQL the row lock, on SQLite the
        # database write lock, so two writers can never chain onto the same hash.
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor,
            actor_label=actor_label or (actor.get_username() if actor else "system"),
            action=action,
            target_type=target_type or "",
            target_id="" if target_id is None else str(target_id),
            target_label=(target_label or "")[:200],
            changes=_jsonable(dict(changes or {})),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry, head.last_hash)
        entry.save()
        head.last_hash = entry.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in order; name the first entry whose hash or link is wrong."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != prev:
                return VerifyResult(False, checked, entry.id, "prev_hash")
            if entry_hash(entry, prev) != entry.hash:
                return VerifyResult(False, checked, entry.id, "hash")
            prev = entry.hash
            checked += 1
            last_id = entry.id
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        # Entries were removed from the end of the chain.
        return VerifyResult(False, checked, None, "head")
    return VerifyResult(True, checked)
