"""Evidence about the audit chain kept outside the database, and its verification.

Modelled on Certificate Transparency and Trillian: the log (the chain of entries in
the database) is trusted only as far as signed statements about it, kept elsewhere,
agree with it.

- Checkpoints: {count, head hash, time} signed with Ed25519 by a key that is not in the
  database, appended to a JSON-lines file (by default beside the embedded database,
  var/audit/checkpoints.jsonl) and to the `jiceng.audit.checkpoint` logger, which a
  deployment may route to syslog. Written after every AUDIT_CHECKPOINT_EVERY entries or
  AUDIT_CHECKPOINT_MINUTES minutes (core.audit schedules them after commit) and by
  `jiceng audit checkpoint`.
- Segments: `jiceng audit archive --before DATE` moves a prefix of the chain to a signed
  file under var/audit/segments/, so the hot table stays small and the archived entries
  stay verifiable: verification walks the segments, then the table, as one chain.
- `audit_verify` walks everything and fails, naming what it can, on a wrong hash or
  link, a missing or disagreeing head row, a log shorter than a checkpoint says or with
  another hash at a checkpoint's count, a checkpoint or segment whose signature is wrong.

Entries after the latest checkpoint are protected by the keyed hashes alone: cutting
them off the end (together with moving the head row) is seen only from the next
checkpoint on. AUDIT_CHECKPOINT_EVERY and _MINUTES bound that window.
"""

import base64
import contextlib
import datetime
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.audit import (
    GENESIS,
    AuditKey,
    _canonical,
    audit_keys,
    audit_record,
    plain_hash,
)
from jiceng.core.errors import ApplicationError
from jiceng.core.models import AuditEntry, AuditHead

checkpoint_log = logging.getLogger("jiceng.audit.checkpoint")

MSG_NO_SIGNING_KEY = _(
    "审计签名密钥不存在：{path}。生产环境请先运行 jiceng audit keygen 并妥善保管该文件"
)
MSG_HEAD_MISMATCH = _("链头与最后一条审计记录不符，拒绝签名检查点；请先运行 jiceng audit verify")
MSG_ARCHIVE_OWNER = _("归档须以审计表的属主运行（应用账号无权删除审计记录）")
MSG_ARCHIVE_NOTHING = _("{date} 之前没有可归档的审计记录")


class EvidenceError(ApplicationError):
    code = "audit_evidence"


# ---- where the evidence lives ----


def audit_dir() -> Path:
    return Path(settings.AUDIT_DIR)


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE or audit_dir() / "checkpoints.jsonl")


def signing_key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_FILE or audit_dir() / "checkpoint-signing.pem")


def verify_key_path() -> Path:
    if settings.AUDIT_VERIFY_KEY_FILE:
        return Path(settings.AUDIT_VERIFY_KEY_FILE)
    signing = signing_key_path()
    return signing.with_name(signing.stem + ".pub.pem")


def segments_dir() -> Path:
    return audit_dir() / "segments"


# ---- the signing key ----


def _fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signing_key_create(path: Path | None = None) -> Ed25519PrivateKey:
    """A new Ed25519 key in a file only its owner reads, with its public half beside it.
    Refuses to replace an existing key: checkpoints signed with it must stay checkable."""
    path = path or signing_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_path = verify_key_path() if path == signing_key_path() else path.with_suffix(".pub")
    public_path.write_bytes(public)
    return key


def signing_key() -> Ed25519PrivateKey:
    """The checkpoint signing key; outside production it is made on first use."""
    path = signing_key_path()
    if not path.exists():
        if settings.PRODUCTION:
            raise EvidenceError(str(MSG_NO_SIGNING_KEY).format(path=path))
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            return signing_key_create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise EvidenceError(f"{path}: not an Ed25519 private key")
    return key


def verify_key() -> Ed25519PublicKey | None:
    """The public key that checks checkpoints and segments: its own file (what an
    auditor holds), else the public half of the signing key, else None."""
    path = verify_key_path()
    if path.exists():
        key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            return key
    if signing_key_path().exists():
        return signing_key().public_key()
    return None


def _canonical_json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _sign(body: dict[str, Any]) -> str:
    return base64.b64encode(signing_key().sign(_canonical_json(body))).decode()


def _signature_ok(public: Ed25519PublicKey | None, body: dict[str, Any], signature: str) -> bool:
    if public is None or _fingerprint(public) != body.get("key"):
        return False
    try:
        public.verify(base64.b64decode(signature), _canonical_json(body))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _append_line(path: Path, line: str) -> None:
    """Append one line under an exclusive lock and flush it to disk: the file is only
    ever appended to, and two writers never interleave."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        try:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
        finally:
            fcntl.flock(out, fcntl.LOCK_UN)


# ---- checkpoints ----


@dataclass(frozen=True)
class Checkpoint:
    count: int
    head: str
    at: str
    line: int  # 1-based line in the checkpoint file
    signed: bool


def checkpoint_write(*, actor) -> Checkpoint:
    """Sign the chain's committed head (count and hash) and append it outside the
    database; then record the checkpoint as an entry of the chain itself."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        if (last or GENESIS) != head.last_hash:
            # Never sign a head that the log does not end with: that is what someone who
            # cut the log and moved (or deleted) the head row would want signed.
            raise EvidenceError(str(MSG_HEAD_MISMATCH))
        now = timezone.now()
        key = signing_key()
        body = {
            "v": 1,
            "count": head.count,
            "head": head.last_hash,
            "at": now.astimezone(datetime.UTC).isoformat(),
            "key": _fingerprint(key.public_key()),
        }
        line = json.dumps({**body, "sig": _sign(body)}, ensure_ascii=False)
        _append_line(checkpoint_path(), line)
        checkpoint_log.info(line)
        AuditHead.objects.filter(id=1).update(checkpoint_at=now, checkpoint_count=head.count)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CHECKPOINT,
            target_type="core.auditentry",
            target_label=f"{head.count}",
            changes={"count": head.count, "head": head.last_hash, "key": body["key"]},
        )
    return Checkpoint(head.count, head.last_hash, body["at"], 0, True)


def checkpoints_read() -> list[Checkpoint]:
    """Every checkpoint on file, each with whether its signature holds."""
    path = checkpoint_path()
    if not path.exists():
        return []
    public = verify_key()
    found = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
            signature = record.pop("sig")
            count, head, at = int(record["count"]), str(record["head"]), str(record["at"])
        except (ValueError, KeyError, TypeError):
            found.append(Checkpoint(-1, "", "", number, False))
            continue
        found.append(Checkpoint(count, head, at, number, _signature_ok(public, record, signature)))
    return found


# ---- segments ----

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


# ---- verification ----

REASONS = {
    "prev_hash": _("与上一条记录的链接不符（记录被删除或插入）"),
    "hash": _("内容与哈希不符（记录被篡改）"),
    "head": _("链尾与登记的最后一条不符（末尾记录被删除）"),
    "head_missing": _("链头记录缺失（链头被删除）"),
    "short": _("日志比检查点记载的短（记录被删除或清空）"),
    "checkpoint": _("与签名检查点记载的哈希不符（链被改写）"),
    "checkpoint_signature": _("检查点签名无效（检查点文件被改动或密钥不符）"),
    "segment": _("归档段签名无效或内容被改动"),
    "segment_missing": _("链的开头缺失（归档段丢失或记录被删除）"),
    "key_unknown": _(
        "密钥未配置，无法校验（请在 JICENG_AUDIT_PREVIOUS_KEYS 或密钥文件中提供旧密钥）"
    ),
    "plain_after_keyed": _("启用密钥后出现未加密钥的哈希（记录被伪造）"),
}


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    detail: str = ""
    checkpoints: int = 0
    latest_checkpoint: Checkpoint | None = None
    segments: int = 0
    legacy: int = 0  # entries chained with plain SHA-256 before the first keyed one
    warnings: list[str] = field(default_factory=list)


class _Broken(Exception):
    def __init__(self, reason: str, entry_id: int | None = None, detail: str = ""):
        self.reason, self.entry_id, self.detail = reason, entry_id, detail


class _Walk:
    """The chain's state while walking it: the previous hash, the position, the key."""

    def __init__(self, keys: tuple[AuditKey, ...], expected: dict[int, Checkpoint]):
        self.keys = {k.key_id: k for k in keys}
        self.expected = expected
        self.prev = GENESIS
        self.position = 0
        self.key: AuditKey | None = None
        self.legacy = 0

    def step(self, entry: AuditEntry) -> None:
        if entry.prev_hash != self.prev:
            raise _Broken("prev_hash", entry.id)
        canonical = _canonical(entry)
        announced = (entry.changes or {}).get("key_id") if entry.action == "key_change" else None
        if announced:
            key = self.keys.get(announced)
            if key is None:
                raise _Broken("key_unknown", entry.id, announced)
            if key.mac(self.prev, canonical) != entry.hash:
                raise _Broken("hash", entry.id)
            self.key = key
        elif self.key is not None:
            if self.key.mac(self.prev, canonical) != entry.hash:
                forged = plain_hash(entry, self.prev) == entry.hash
                raise _Broken("plain_after_keyed" if forged else "hash", entry.id)
        else:
            # Nothing keyed yet: a chain begun before keys (plain SHA-256, sealed by the
            # first key_change entry), or one begun under a configured key.
            if plain_hash(entry, self.prev) == entry.hash:
                self.legacy += 1
            else:
                self.key = next(
                    (k for k in self.keys.values() if k.mac(self.prev, canonical) == entry.hash),
                    None,
                )
                if self.key is None:
                    # The first entry under no configured key: the key that chained it
                    # is missing from the configuration, or the entry was rewritten.
                    raise _Broken("key_unknown" if self.position == 0 else "hash", entry.id)
        self.prev = entry.hash
        self.position += 1
        checkpoint = self.expected.get(self.position)
        if checkpoint is not None and checkpoint.head != self.prev:
            raise _Broken(
                "checkpoint",
                entry.id,
                f"{checkpoint.at} · {checkpoint.count} · line {checkpoint.line}",
            )


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    """Check the signed checkpoints and segments, then walk the whole chain (segments,
    then the table) and compare it with the head row and every checkpoint."""
    checkpoints = checkpoints_read()
    result = VerifyResult(ok=True, checked=0, checkpoints=len(checkpoints))
    bad = next((c for c in checkpoints if not c.signed), None)
    if bad is not None:
        result.ok, result.reason = False, "checkpoint_signature"
        result.detail = f"{checkpoint_path()} line {bad.line}"
        return result
    if checkpoints:
        result.latest_checkpoint = max(checkpoints, key=lambda c: (c.count, c.at))
    expected: dict[int, Checkpoint] = {}
    for checkpoint in checkpoints:
        other = expected.setdefault(checkpoint.count, checkpoint)
        if other.head != checkpoint.head:
            result.ok, result.reason = False, "checkpoint"
            result.detail = f"line {other.line} / line {checkpoint.line}"
            return result
    zero = expected.get(0)
    if zero is not None and zero.head != GENESIS:
        result.ok, result.reason, result.detail = False, "checkpoint", f"line {zero.line}"
        return result
    walk = _Walk(audit_keys(), expected)
    try:
        for segment in segments_read():
            if not (segment.signed and segment.intact):
                raise _Broken("segment", None, segment.path.name)
            if segment.first != walk.position + 1 or segment.prev_hash != walk.prev:
                raise _Broken("segment_missing", None, segment.path.name)
            for entry in _segment_entries(segment):
                walk.step(entry)
            result.segments += 1
        last_id = 0
        while True:
            batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
            if not batch:
                break
            for entry in batch:
                if walk.position == 0 and entry.prev_hash != GENESIS:
                    raise _Broken("segment_missing", entry.id)
                walk.step(entry)
                last_id = entry.id
        result.checked = walk.position
        latest = result.latest_checkpoint
        if latest is not None and latest.count > walk.position:
            raise _Broken("short", None, f"{latest.count} > {walk.position} ({latest.at})")
        head = AuditHead.objects.filter(id=1).first()
        if head is None:
            if walk.position or checkpoints:
                raise _Broken("head_missing")
        elif head.last_hash != walk.prev or head.count != walk.position:
            raise _Broken("head", None, f"{head.count} / {walk.position}")
    except _Broken as broken:
        result.ok = False
        result.checked = walk.position
        result.reason, result.first_bad_id, result.detail = (
            broken.reason,
            broken.entry_id,
            broken.detail,
        )
    result.legacy = walk.legacy
    if result.ok and walk.position and not checkpoints:
        result.warnings.append(str(_("尚无签名检查点：末尾记录被截去时无法发现")))
    if result.ok and walk.legacy and walk.key is None:
        result.warnings.append(str(_("链仍是未加密钥的 SHA-256：下一条记录将以密钥封存")))
    return result


# ---- database grants ----


@dataclass(frozen=True)
class GrantCheck:
    name: str
    ok: bool | None  # None: not applicable on this database
    detail: str


AUDIT_TABLES = ("core_auditentry", "core_audithead")
# What the application's role may and may not do to the audit tables.
MUST_NOT = {
    "core_auditentry": ("UPDATE", "DELETE", "TRUNCATE"),
    "core_audithead": ("DELETE", "TRUNCATE"),
}
MUST = {
    "core_auditentry": ("SELECT", "INSERT"),
    "core_audithead": ("SELECT", "INSERT", "UPDATE"),
}


def grants_report() -> list[GrantCheck]:
    """Whether the database, as the role this process connects with, keeps the audit
    tables append-only: the privileges the operator guide prescribes, the triggers, and
    that the role neither owns the tables nor is a superuser (either may switch the
    triggers off)."""
    if connection.vendor != "postgresql":
        return _grants_sqlite()
    checks = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        checks.append(GrantCheck(f"role {user} is not a superuser", not superuser, ""))
        for table in AUDIT_TABLES:
            cursor.execute(
                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass", [table]
            )
            owner = cursor.fetchone()[0]
            checks.append(
                GrantCheck(f"{table}: not owned by {user}", owner != user, f"owner {owner}")
            )
            for privilege in MUST_NOT[table]:
                cursor.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
                held = cursor.fetchone()[0]
                checks.append(GrantCheck(f"{table}: no {privilege}", not held, ""))
            for privilege in MUST[table]:
                cursor.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
                held = cursor.fetchone()[0]
                checks.append(GrantCheck(f"{table}: {privilege} (needed)", held, ""))
        for table, trigger in (
            ("core_auditentry", "core_auditentry_append_only"),
            ("core_audithead", "core_audithead_keep"),
        ):
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
                [trigger, table],
            )
            row = cursor.fetchone()
            enabled = row is not None and row[0] in ("O", "A")
            checks.append(
                GrantCheck(f"trigger {trigger} enabled", enabled, "" if row else "missing")
            )
    return checks


def _grants_sqlite() -> list[GrantCheck]:
    checks = [
        GrantCheck(
            "SQLite: no roles or grants",
            None,
            "whoever can write the database file can change it; checkpoints and keyed "
            "hashes are what detect it",
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            ["core_auditentry_no_update"],
        )
        checks.append(
            GrantCheck("trigger core_auditentry_no_update present", bool(cursor.fetchone()), "")
        )
    name = connection.settings_dict.get("NAME")
    if name and os.path.exists(str(name)):
        mode = os.stat(name).st_mode & 0o777
        checks.append(
            GrantCheck(
                "database file not writable by group or others",
                not mode & 0o022,
                f"{mode:o}",
            )
        )
    return checks
