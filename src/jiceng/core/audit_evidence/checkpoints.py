"""Signed checkpoints: the chain's count and head hash at a moment, outside the database."""

import datetime
import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.audit import GENESIS, audit_record
from jiceng.core.audit_evidence.signing import (
    EvidenceError,
    _append_line,
    _fingerprint,
    _sign,
    _signature_ok,
    checkpoint_path,
    signing_key,
    verify_key,
)
from jiceng.core.models import AuditEntry, AuditHead

checkpoint_log = logging.getLogger("jiceng.audit.checkpoint")
MSG_HEAD_MISMATCH = _("链头与最后一条审计记录不符，拒绝签名检查点；请先运行 jiceng audit verify")


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
        at = now.astimezone(datetime.UTC).isoformat()
        body = {
            "v": 1,
            "count": head.count,
            "head": head.last_hash,
            "at": at,
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
    return Checkpoint(head.count, head.last_hash, at, 0, True)


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
