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

from jiceng.core.audit_evidence.checkpoints import (
    MSG_HEAD_MISMATCH,
    Checkpoint,
    checkpoint_write,
    checkpoints_read,
)
from jiceng.core.audit_evidence.grants import GrantCheck, grants_report
from jiceng.core.audit_evidence.segments import Archived, Segment, audit_archive, segments_read
from jiceng.core.audit_evidence.signing import (
    EvidenceError,
    _canonical_json,
    _fingerprint,
    audit_dir,
    checkpoint_path,
    segments_dir,
    signing_key,
    signing_key_create,
    signing_key_path,
    verify_key,
    verify_key_path,
)
from jiceng.core.audit_evidence.verify import REASONS, VerifyResult, audit_verify

__all__ = [
    "MSG_HEAD_MISMATCH",
    "REASONS",
    "Archived",
    "Checkpoint",
    "EvidenceError",
    "GrantCheck",
    "Segment",
    "VerifyResult",
    "_canonical_json",
    "_fingerprint",
    "audit_archive",
    "audit_dir",
    "audit_verify",
    "checkpoint_path",
    "checkpoint_write",
    "checkpoints_read",
    "grants_report",
    "segments_dir",
    "segments_read",
    "signing_key",
    "signing_key_create",
    "signing_key_path",
    "verify_key",
    "verify_key_path",
]
