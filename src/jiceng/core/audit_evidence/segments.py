"""Archive segments: a prefix of the chain moved to a signed file outside the database."""

import datetime
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.audit import audit_record
from jiceng.core.audit_evidence.signing import (
    EvidenceError,
    _fingerprint,
    _sign,
    _signature_ok,
    segments_dir,
    signing_key,
    verify_key,
)
from jiceng.core.models import AuditEntry, AuditHead

MSG_ARCHIVE_OWNER = _("归档须以审计表的属主运行（应用账号无权删除审计记录）")
MSG_ARCHIVE_NOTHING = _("{date} 之前没有可归档的审计记录")


ENTRY_FIELDS = (
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


def _entry_line(entry: AuditEntry) -> str:
    row = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    row["at"] = entry.at.astimezone(datetime.UTC).isoformat()
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _entry_from_line(text: str) -> AuditEntry:
    row = json.loads(text)
    row["at"] = datetime.datetime.fromisoformat(row["at"])
    return AuditEntry(**row)


@dataclass(frozen=True)
class Archived:
    path: Path
    first: int
    count: int


def audit_archive(*, actor, before: datetime.datetime, batch_size: int = 5000) -> Archived:
    """Move the chain's entries older than `before` (the prefix up to the last of them)
    to a signed segment file, then out of the table, and record that as an entry.

    Deleting audit rows is refused to the application's role and, on PostgreSQL, by the
    append-only trigger: run this as the tables' owner, who may switch the trigger off
    for the length of this transaction only."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        last_id = (
            AuditEntry.objects.filter(at__lt=before)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        if last_id is None:
            raise EvidenceError(str(MSG_ARCHIVE_NOTHING).format(date=before.date()))
        in_table = AuditEntry.objects.count()
        first = head.count - in_table + 1
        moving = AuditEntry.objects.filter(id__lte=last_id).order_by("id")
        directory = segments_dir()
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".{first:012d}.partial"
        digest = hashlib.sha256()
        count = 0
        start_prev = last_hash = ""
        with open(partial, "w", encoding="utf-8") as out:
            for entry in _batched(moving, batch_size):
                if count == 0:
                    start_prev = entry.prev_hash
                line = _entry_line(entry) + "\n"
                digest.update(line.encode())
                out.write(line)
                last_hash = entry.hash
                count += 1
            key = signing_key()
            trailer = {
                "v": 1,
                "first": first,
                "count": count,
                "prev_hash": start_prev,
                "last_hash": last_hash,
                "sha256": digest.hexdigest(),
                "at": timezone.now().astimezone(datetime.UTC).isoformat(),
                "key": _fingerprint(key.public_key()),
            }
            out.write(json.dumps({"segment": trailer, "sig": _sign(trailer)}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        final = directory / f"{first:012d}-{first + count - 1:012d}.jsonl"
        try:
            _delete_archived(last_id)
            os.replace(partial, final)
            audit_record(
                actor=actor,
                action=AuditEntry.Action.ARCHIVE,
                target_type="core.auditentry",
                target_label=final.name,
                changes={
                    "segment": final.name,
                    "first": first,
                    "count": count,
                    "last_hash": last_hash,
                    "sha256": trailer["sha256"],
                    "before": before.isoformat(),
                },
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            final.unlink(missing_ok=True)
            raise
    return Archived(final, first, count)


def _batched(queryset, size: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(queryset.filter(id__gt=last)[:size])
        if not batch:
            return
        yield from batch
        last = batch[-1].id


def _delete_archived(last_id: int) -> None:
    table = AuditEntry._meta.db_table
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER core_auditentry_append_only")
                cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last_id])
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER core_auditentry_append_only")
            else:
                cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last_id])
    except DatabaseError as error:
        raise EvidenceError(str(MSG_ARCHIVE_OWNER)) from error


@dataclass(frozen=True)
class Segment:
    path: Path
    first: int
    count: int
    prev_hash: str
    last_hash: str
    signed: bool
    intact: bool  # the lines hash to what the signed trailer says


def segments_read() -> list[Segment]:
    directory = segments_dir()
    if not directory.exists():
        return []
    public = verify_key()
    found = []
    for path in sorted(directory.glob("*.jsonl")):
        lines = path.read_bytes().splitlines(keepends=True)
        try:
            record = json.loads(lines[-1])
            trailer, signature = record["segment"], record["sig"]
        except (ValueError, KeyError, IndexError, TypeError):
            found.append(Segment(path, -1, 0, "", "", False, False))
            continue
        digest = hashlib.sha256(b"".join(lines[:-1])).hexdigest()
        found.append(
            Segment(
                path,
                int(trailer.get("first", -1)),
                int(trailer.get("count", 0)),
                str(trailer.get("prev_hash", "")),
                str(trailer.get("last_hash", "")),
                _signature_ok(public, trailer, signature),
                digest == trailer.get("sha256") and len(lines) - 1 == trailer.get("count"),
            )
        )
    return sorted(found, key=lambda s: s.first)


def _segment_entries(segment: Segment) -> Iterator[AuditEntry]:
    with open(segment.path, encoding="utf-8") as source:
        for number, text in enumerate(source):
            if number >= segment.count:
                return
            yield _entry_from_line(text)
