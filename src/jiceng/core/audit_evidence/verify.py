"""Verification: the whole chain (segments, then the table) against the head row and
every signed checkpoint."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from jiceng.core.audit import GENESIS, AuditKey, _canonical, audit_keys, plain_hash
from jiceng.core.audit_evidence.checkpoints import Checkpoint, checkpoints_read
from jiceng.core.audit_evidence.segments import _segment_entries, segments_read
from jiceng.core.audit_evidence.signing import checkpoint_path
from jiceng.core.models import AuditEntry, AuditHead

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
