"""The audit log: append-only, every entry chained to the previous by hash.

Services call `audit_record` inside their transaction, so an entry exists exactly when
the change it describes was committed. Personal data never enters `changes` in clear:
callers pass the names of sensitive fields and their values are replaced by a marker.
"""

import datetime
import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
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
class AuditLine:
    """One entry for `audit_record_many`, with the arguments `audit_record` takes."""

    action: str
    target: models.Model | None = None
    target_type: str | None = None
    target_id: str | int | None = None
    target_label: str | None = None
    changes: Mapping[str, Any] | None = None
    actor: Any = None
    actor_label: str | None = None


def audit_record_many(lines: Sequence[AuditLine]) -> list[AuditEntry]:
    """Append many entries to the chain in the given order, as `audit_record` would one
    by one, under one lock of the head row: each entry links to the one before it, so
    the chain verifies exactly as if they had been appended singly. Must run inside the
    caller's transaction. For batch steps that record one entry per case (the deferred
    intake), where a head-row round trip per entry would serialize the whole batch."""
    if not lines:
        return []
    now = timezone.now()
    entries = []
    for line in lines:
        target_type, target_id, target_label = line.target_type, line.target_id, line.target_label
        if line.target is not None:
            target_type = target_type or line.target._meta.label_lower
            target_id = line.target.pk if target_id is None else target_id
            target_label = target_label if target_label is not None else str(line.target)[:200]
        actor = line.actor
        if actor is not None and not getattr(actor, "is_authenticated", False):
            actor = None
        entries.append(
            AuditEntry(
                at=now,
                actor=actor,
                actor_label=line.actor_label or (actor.get_username() if actor else "system"),
                action=line.action,
                target_type=target_type or "",
                target_id="" if target_id is None else str(target_id),
                target_label=(target_label or "")[:200],
                changes=_jsonable(dict(line.changes or {})),
            )
        )
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        previous = head.last_hash
        for entry in entries:
            entry.prev_hash = previous
            entry.hash = entry_hash(entry, previous)
            previous = entry.hash
        if connection.vendor == "postgresql":
            _insert_numbered(entries)
        else:
            # One writer at a time (SQLite): ids follow the insert order. Checked, not
            # assumed: were that ever not so, the batch must fail here rather than
            # leave a chain that verifies as broken later.
            AuditEntry.objects.bulk_create(entries)
            ids = [entry.pk for entry in entries]
            if any(later <= earlier for earlier, later in itertools.pairwise(ids)):
                raise RuntimeError("audit entries were not numbered in chain order")
        head.last_hash = previous
        head.count += len(entries)
        head.save(update_fields=["last_hash", "count"])
    return entries


AUDIT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "changes",
    "prev_hash",
    "hash",
)


def _insert_numbered(entries: list[AuditEntry]) -> None:
    """PostgreSQL: draw the ids from the table's sequence in chain order while the head
    lock keeps every other appender out (`audit_verify` walks the chain by id), then
    COPY the rows with those ids: one round trip for the ids, one for the rows, where a
    multi-row INSERT of a thousand entries bound on the client cost ten times more."""
    from jiceng.core.bulk import insert_rows

    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"
            " ORDER BY 1",
            [table, len(entries)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for entry, pk in zip(entries, ids, strict=True):
        entry.pk = pk
    rows = [
        tuple(getattr(e, AuditEntry._meta.get_field(c).attname) for c in AUDIT_COLUMNS)
        for e in entries
    ]
    insert_rows(AuditEntry, list(AUDIT_COLUMNS), rows)


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
