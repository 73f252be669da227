"""The audit log: append-only, every entry chained to the previous by a keyed hash.

Services call `audit_record` inside their transaction, so an entry exists exactly when
the change it describes was committed. Personal data never enters `changes` in clear:
callers pass the names of sensitive fields and their values are replaced by a marker.

Each entry's hash is HMAC-SM3 over the previous entry's hash and the entry's canonical
form, keyed by JICENG_AUDIT_KEY (or the key file), which never enters the database: an
owner of the tables who edits an entry cannot recompute the hashes after it. A new key
is announced by a `key_change` entry chained under the new key; entries chained before
the first keyed entry (plain SHA-256, before issue 20) stay as they are and are sealed by
it (docs/decisions/0010-audit-evidence.md). Signed checkpoints outside the database
(`core.audit_evidence`) catch a chain cut short or replaced as a whole.
"""

import datetime
import functools
import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from jiceng.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64
SENSITIVE_MARK = "***"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditKey:
    """One chaining key: `key_id` names it in entries and reports, never the secret."""

    key_id: str
    secret: bytes = b""

    def mac(self, prev_hash: str, canonical: str) -> str:
        mac = hmac.HMAC(self.secret, hashes.SM3())
        mac.update(prev_hash.encode() + canonical.encode())
        return mac.finalize().hex()


def _parse_key(text: str, where: str) -> bytes:
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        raw = b""
    if len(raw) < 32:
        raise ValueError(f"{where}: an audit key is at least 64 hex characters (32 bytes)")
    return raw


def key_id_of(secret: bytes) -> str:
    return hashlib.sha256(b"jiceng-audit-key\x00" + secret).hexdigest()[:16]


@functools.cache
def _keyring(current: str, key_file: str, previous: tuple[str, ...]) -> tuple[AuditKey, ...]:
    texts: list[tuple[str, str]] = []
    if current:
        texts.append((current, "JICENG_AUDIT_KEY"))
    if key_file:
        lines = [ln for ln in Path(key_file).read_text().splitlines() if ln.strip()]
        texts.extend((line, key_file) for line in lines if not line.lstrip().startswith("#"))
    texts.extend((p, "JICENG_AUDIT_PREVIOUS_KEYS") for p in previous)
    if not texts:
        raise ValueError("no audit key: set JICENG_AUDIT_KEY or JICENG_AUDIT_KEY_FILE")
    keys: list[AuditKey] = []
    for text, where in texts:
        secret = _parse_key(text, where)
        key = AuditKey(key_id_of(secret), secret)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def audit_keys() -> tuple[AuditKey, ...]:
    """The configured keys, the current one first, then earlier ones kept to verify."""
    return _keyring(
        settings.AUDIT_KEY or "",
        str(settings.AUDIT_KEY_FILE or ""),
        tuple(settings.AUDIT_PREVIOUS_KEYS or ()),
    )


def current_key() -> AuditKey:
    return audit_keys()[0]


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


def plain_hash(entry: AuditEntry, prev_hash: str) -> str:
    """The unkeyed SHA-256 that chained entries before issue 20 (and that anyone who
    reads the code can recompute: the reason it was replaced)."""
    return hashlib.sha256((prev_hash + _canonical(entry)).encode()).hexdigest()


def entry_hash(entry: AuditEntry, prev_hash: str, key: AuditKey | None = None) -> str:
    """HMAC-SM3 of the previous hash and the entry, under `key` (the current key)."""
    return (key or current_key()).mac(prev_hash, _canonical(entry))


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
        attname = getattr(field, "attname", name) if field.is_relation else name
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


def _new_entry(
    *,
    actor,
    action: str,
    target: models.Model | None,
    target_type: str | None,
    target_id: str | int | None,
    target_label: str | None,
    changes: Mapping[str, Any] | None,
    actor_label: str | None,
    at: datetime.datetime,
) -> AuditEntry:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target.pk if target_id is None else target_id
        target_label = target_label if target_label is not None else str(target)[:200]
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry(
        at=at,
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else "system"),
        action=action,
        target_type=target_type or "",
        target_id="" if target_id is None else str(target_id),
        target_label=(target_label or "")[:200],
        changes=_jsonable(dict(changes or {})),
    )


def _link(head: AuditHead, entries: list[AuditEntry], now: datetime.datetime) -> list[AuditEntry]:
    """Chain `entries` onto the locked head under the current key, preceded by a
    `key_change` entry when the key differs from the one the head was chained with.
    Returns every entry to insert, in chain order, and moves the head."""
    key = current_key()
    if head.key_id != key.key_id:
        if head.count or head.key_id:
            # Chained under the new key, so only its holder could have written it; its
            # prev_hash seals whatever came before (an earlier key, or plain SHA-256).
            announce = _new_entry(
                actor=None,
                action=AuditEntry.Action.KEY_CHANGE,
                target=None,
                target_type="core.auditentry",
                target_id=None,
                target_label="",
                changes={
                    "key_id": key.key_id,
                    "previous_key_id": head.key_id or "sha256",
                    "count": head.count,
                },
                actor_label=None,
                at=now,
            )
            entries = [announce, *entries]
        head.key_id = key.key_id
    previous = head.last_hash
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = key.mac(previous, _canonical(entry))
        previous = entry.hash
    head.last_hash = previous
    head.count += len(entries)
    return entries


def _schedule_checkpoint(head: AuditHead, now: datetime.datetime) -> None:
    """Claim the next checkpoint on the head (so other writers do not) and sign it once
    this transaction has committed: a checkpoint must never name entries that a
    rollback took back."""
    every = settings.AUDIT_CHECKPOINT_EVERY
    minutes = settings.AUDIT_CHECKPOINT_MINUTES
    due = head.checkpoint_at is None or head.count - head.checkpoint_count >= max(every, 1)
    if not due and minutes > 0 and head.checkpoint_at is not None:
        due = now - head.checkpoint_at >= datetime.timedelta(minutes=minutes)
    if not due:
        return
    head.checkpoint_at = now
    head.checkpoint_count = head.count
    transaction.on_commit(_checkpoint_after_commit)


# Writes a signed checkpoint; set by core.audit_evidence (which builds on this module)
# when the app is ready, so this module needs nothing above it.
_checkpoint_writer: Callable[[], object] | None = None


def set_checkpoint_writer(writer: Callable[[], object]) -> None:
    global _checkpoint_writer
    _checkpoint_writer = writer


def _checkpoint_after_commit() -> None:
    if _checkpoint_writer is None:
        logger.error("audit checkpoint due but no writer is set (core.apps.ready)")
        return
    try:
        _checkpoint_writer()
    except Exception:  # the change is committed; `audit verify` reports a stale checkpoint
        logger.exception("audit checkpoint could not be written")


HEAD_FIELDS = ["last_hash", "count", "key_id", "checkpoint_count", "checkpoint_at"]


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
    with transaction.atomic():
        # The head row serializes appenders: on PostgreSQL the row lock, on SQLite the
        # database write lock, so two writers can never chain onto the same hash.
        head = _head_for_update()
        now = timezone.now()
        entry = _new_entry(
            actor=actor,
            action=action,
            target=target,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            changes=changes,
            actor_label=actor_label,
            at=now,
        )
        for linked in _link(head, [entry], now):
            _insert_entry(linked)
        _schedule_checkpoint(head, now)
        _head_save(head)
    return entry


# ---- the single append's three statements -------------------------------------------------
# Every audited write runs them. Written as plain SQL from the models' own field
# definitions: the ORM's query building cost about 1 ms per statement here (2-core
# machine), three times per audited write, against 0.05 ms for the statement itself.


def _quoted(names) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _head_fields() -> list[models.Field]:
    """The head's columns that move, in HEAD_FIELDS' order."""
    by_name = {f.name: f for f in AuditHead._meta.concrete_fields}
    return [by_name[name] for name in HEAD_FIELDS]


def _head_for_update() -> AuditHead:
    """The head row, locked until the caller's transaction ends (PostgreSQL: FOR UPDATE;
    SQLite: the transaction holds the write lock from its start, IMMEDIATE)."""
    fields = _head_fields()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_quoted(f.column for f in fields)} "
            f"FROM {connection.ops.quote_name(AuditHead._meta.db_table)} WHERE id = %s{lock}",
            [1],
        )
        row = cursor.fetchone()
    if row is None:  # the first entry ever: create the row, as the ORM would
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        return head
    values = dict(zip(HEAD_FIELDS, row, strict=True))
    values["checkpoint_at"] = _as_aware(values["checkpoint_at"])
    head = AuditHead(id=1, **values)
    head._state.adding = False
    head._state.db = connection.alias
    return head


def _as_aware(value) -> datetime.datetime | None:
    """A timestamp as the database gives it (SQLite: text in UTC) as an aware datetime."""
    from django.utils.dateparse import parse_datetime

    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _head_save(head: AuditHead) -> None:
    fields = _head_fields()
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    values = [f.get_db_prep_save(getattr(head, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(AuditHead._meta.db_table)} "
            f"SET {assignments} WHERE id = %s",
            [*values, head.pk],
        )


def _insert_entry(entry: AuditEntry) -> None:
    """INSERT one entry and set its id, as `entry.save()` would (no signals listen)."""
    meta = AuditEntry._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    sql = (
        f"INSERT INTO {table} ({_quoted(f.column for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    returning = connection.features.can_return_columns_from_insert
    if returning:
        clause, _params = connection.ops.return_insert_columns([meta.pk])
        sql = f"{sql} {clause}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            entry.pk = cursor.fetchone()[0]
        else:
            entry.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    entry._state.adding = False
    entry._state.db = connection.alias


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
    entries = [
        _new_entry(
            actor=line.actor,
            action=line.action,
            target=line.target,
            target_type=line.target_type,
            target_id=line.target_id,
            target_label=line.target_label,
            changes=line.changes,
            actor_label=line.actor_label,
            at=now,
        )
        for line in lines
    ]
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        linked = _link(head, entries, now)
        if connection.vendor == "postgresql":
            _insert_numbered(linked)
        else:
            # One writer at a time (SQLite): ids follow the insert order. Checked, not
            # assumed: were that ever not so, the batch must fail here rather than
            # leave a chain that verifies as broken later.
            AuditEntry.objects.bulk_create(linked)
            ids = [entry.pk for entry in linked]
            if any(later <= earlier for earlier, later in itertools.pairwise(ids)):
                raise RuntimeError("audit entries were not numbered in chain order")
        _schedule_checkpoint(head, now)
        head.save(update_fields=HEAD_FIELDS)
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
        tuple(getattr(e, c) for c in AUDIT_COLUMNS)  # the columns are attnames
        for e in entries
    ]
    insert_rows(AuditEntry, list(AUDIT_COLUMNS), rows)
