"""Where the evidence outside the database lives, and the Ed25519 key that signs it."""

import base64
import contextlib
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import ApplicationError

MSG_NO_SIGNING_KEY = _(
    "审计签名密钥不存在：{path}。生产环境请先运行 jiceng audit keygen 并妥善保管该文件"
)


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
