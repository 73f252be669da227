"""Idempotency keys, as the IETF Idempotency-Key draft and payment APIs use them.

A client sends a key with a write it may retry. The key is kept whole (up to 255
characters; longer is refused naming the field and the limit, nothing is trimmed),
stored per client with a digest of what the request asked for, and:

- the same key with the same request answers what the first request made;
- the same key with another request is refused (422, `idempotency_key_reused`) and
  nothing is stored;
- the same key while the first request is still being handled is refused (409,
  `idempotency_key_in_flight`): the client retries later and gets the first result.

Writers that run in several steps claim the key in a transaction of its own before the
work (`idempotent`), so a concurrent retry sees the claim at once; the work and the
completion of the claim commit together; a failed attempt releases it. A claim left by a
request that died is taken over after IN_FLIGHT_SECONDS. Open311 filing, one statement
(appeals.intake), writes its key row in that same statement instead, and has no in-flight
window to report.
"""

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import WithJsonSchema

from jiceng.core.errors import ApplicationError, Conflict, CoreErrorCode, ValidationFailed
from jiceng.core.models import IdempotencyKey

MAX_KEY_LENGTH = 255
# A claim older than this, still without a result, belonged to a request that died.
IN_FLIGHT_SECONDS = 300
HEADER = "Idempotency-Key"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

MSG_KEY_LONG = _("幂等键（Idempotency-Key）最长 {limit} 个字符，收到 {length} 个")
MSG_KEY_CHARACTERS = _("幂等键（Idempotency-Key）不能含控制字符")
MSG_KEY_REUSED = _("该幂等键已用于另一份请求内容；新的请求请用新的幂等键")
MSG_KEY_IN_FLIGHT = _("使用该幂等键的请求仍在处理中，请稍后重试")

T = TypeVar("T", bound=Model)


class KeyReused(ApplicationError):
    code = "idempotency_key_reused"
    status = 422
    default_message = MSG_KEY_REUSED


class KeyInFlight(Conflict):
    code = "idempotency_key_in_flight"
    status = 409
    default_message = MSG_KEY_IN_FLIGHT


def clean_key(raw: str | None, *, field: str = HEADER) -> str:
    """The key as sent, or "" for none. Too long or with control characters: refused,
    naming `field`; never cut or trimmed, so two keys stay two keys."""
    key = raw or ""
    if len(key) > MAX_KEY_LENGTH:
        message = str(MSG_KEY_LONG).format(limit=MAX_KEY_LENGTH, length=len(key))
        raise ValidationFailed(message, field=field, code=CoreErrorCode.IDEMPOTENCY_KEY_TOO_LONG)
    if _CONTROL.search(key):
        raise ValidationFailed(
            MSG_KEY_CHARACTERS, field=field, code=CoreErrorCode.IDEMPOTENCY_KEY_INVALID
        )
    return key


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def request_digest(request: Mapping[str, Any]) -> str:
    """SHA-256 of a canonical form of what was asked (field → value): the same request
    sent again, in any field order or transport, has the same digest."""
    text = json.dumps(_plain(request), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_claim(*, client: str, key: str, digest: str, target_type: str) -> str | None:
    """Claim `key` for `client` in a transaction of its own. Returns None when the caller
    may go ahead (the claim is held), or the id of what the first request made.

    Raises KeyReused when the key came with another request, KeyInFlight while the first
    request holds the claim."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                client=client,
                key=key,
                digest=digest,
                target_type=target_type,
                created_at=timezone.now(),
            )
        return None
    except IntegrityError:
        pass
    row = IdempotencyKey.objects.filter(client=client, key=key).first()
    if row is None:  # released meanwhile: the first attempt failed
        return idempotency_claim(client=client, key=key, digest=digest, target_type=target_type)
    if row.digest != digest:
        raise KeyReused(field=HEADER)
    if row.target_id:
        return row.target_id
    stale = timezone.now() - datetime.timedelta(seconds=IN_FLIGHT_SECONDS)
    if row.created_at < stale:
        taken = IdempotencyKey.objects.filter(
            pk=row.pk, target_id="", created_at=row.created_at
        ).update(created_at=timezone.now())
        if taken:
            return None
    raise KeyInFlight(field=HEADER)


def idempotency_release(*, client: str, key: str) -> None:
    """Give up a claim whose request failed, so a retry may try again."""
    IdempotencyKey.objects.filter(client=client, key=key, target_id="").delete()


def idempotent(
    *,
    client: str,
    key: str,
    request: Mapping[str, Any],
    model: type[T],
    work: Callable[[], T],
    existing: Callable[[], T | None] | None = None,
) -> tuple[T, bool]:
    """Run `work` (which makes one `model` row) once per client and key. Returns (the
    row, created); a retry of the same request returns the first row and False.

    Outside a transaction, as the services that use it are called, the claim is
    committed before the work, so a concurrent retry is answered 409 instead of waiting;
    inside a caller's transaction it is visible only on commit, and a concurrent retry
    waits on the key's unique index instead, then gets the first row."""
    if not key:
        with transaction.atomic():
            return work(), True
    digest = request_digest(request)
    target_type = model._meta.label_lower
    first = idempotency_claim(client=client, key=key, digest=digest, target_type=target_type)
    if first is not None:
        return model._default_manager.get(pk=first), False
    try:
        with transaction.atomic():
            made = work()
            IdempotencyKey.objects.filter(client=client, key=key).update(target_id=str(made.pk))
    except IntegrityError:
        # The row's own unique key (a case's client and key) says it was made already:
        # a retry of a key whose row was pruned (idempotency_prune). Answer with it.
        found = existing() if existing is not None else None
        if found is None:
            idempotency_release(client=client, key=key)
            raise
        IdempotencyKey.objects.filter(client=client, key=key).update(target_id=str(found.pk))
        return found, False
    except BaseException:
        idempotency_release(client=client, key=key)
        raise
    return made, True


def stored_digest(*, client: str, key: str):
    """A subquery for the digest stored with `key`, to read beside the first result in
    one query (Open311's retry)."""
    from django.db.models import Subquery

    rows = IdempotencyKey.objects.filter(client=client, key=key).values("digest")[:1]
    return Subquery(rows)


def check_digest(stored: str | None, digest: str) -> None:
    """For writers that find the first result themselves (Open311's one statement): the
    key's stored request must be this one. A key filed before digests were kept has no
    row (None) and passes."""
    if stored is not None and stored != digest:
        raise KeyReused(field=HEADER)


def idempotency_prune(*, days: int) -> int:
    """Delete key rows older than `days` (finished or abandoned). Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    removed, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return removed


# The header's type in the API: stated as maxLength in the OpenAPI document, but checked
# by `clean_key`, which answers 400 naming the limit and never trims or normalizes a key.
IdempotencyKeyHeader = Annotated[
    str, WithJsonSchema({"type": "string", "maxLength": MAX_KEY_LENGTH})
]
