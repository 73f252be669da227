"""Delivering the outbox: `jiceng outbox deliver`, run from cron, idempotent.

1. Messages left in `sending` past the timeout (the process died between claiming and
   finishing) become `failed_unknown`: they may or may not have gone out, so an
   operator decides; they are never sent again by themselves.
2. Due `pending` messages are claimed with SELECT … FOR UPDATE SKIP LOCKED (two runs
   never take the same one) and marked `sending` in a transaction that commits before
   anything is sent: a crash after that cannot send a message twice.
3. Each claimed message is handed to its channel's sender, then marked `sent`; a
   transient failure puts it back to `pending` with an exponential back-off until the
   attempts run out (`failed`); a permanent one fails it at once."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jiceng.core import crypto
from jiceng.linkage import senders
from jiceng.linkage.models import ERROR_MAX, OutboxMessage
from jiceng.linkage.services._common import audit_update

M = OutboxMessage.State
BATCH = 100


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 5))


def retry_base() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "OUTBOX_RETRY_SECONDS", 60)))


def sending_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "OUTBOX_SENDING_TIMEOUT", 600)))


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0


@transaction.atomic
def outbox_expire_stuck(*, now: datetime.datetime) -> int:
    """`sending` past the timeout → `failed_unknown` (for an operator, never resent)."""
    stuck = list(
        OutboxMessage.objects.select_for_update()
        .filter(state=M.SENDING, claimed_at__lt=now - sending_timeout())
        .values_list("pk", flat=True)
    )
    if stuck:
        OutboxMessage.objects.filter(pk__in=stuck).update(
            state=M.FAILED_UNKNOWN, last_error="中断于发送过程中，是否已送达不明"
        )
        for pk in stuck:
            audit_update(None, OutboxMessage(pk=pk), {"state": M.FAILED_UNKNOWN})
    return len(stuck)


@transaction.atomic
def outbox_claim(*, now: datetime.datetime, limit: int = BATCH) -> list[int]:
    """Take up to `limit` due messages: marked `sending` (one attempt more) when this
    transaction commits, before any is sent."""
    queryset = OutboxMessage.objects.filter(state=M.PENDING, next_attempt_at__lte=now).order_by(
        "id"
    )
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    else:
        queryset = queryset.select_for_update()
    ids = list(queryset.values_list("pk", flat=True)[:limit])
    if ids:
        OutboxMessage.objects.filter(pk__in=ids).update(
            state=M.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return ids


@transaction.atomic
def _finish(pk: int, *, state: str, error: str = "", retry_at=None) -> None:
    message = OutboxMessage.objects.select_for_update().get(pk=pk)
    if message.state != M.SENDING:
        return  # an operator already dealt with it
    message.state = state
    message.last_error = error[:ERROR_MAX]
    if state == M.SENT:
        message.sent_at = timezone.now()
    if retry_at is not None:
        message.next_attempt_at = retry_at
    message.save(update_fields=["state", "last_error", "sent_at", "next_attempt_at"])
    if state != M.PENDING:
        audit_update(None, message, {"state": state, "attempts": message.attempts})


def outbox_send_claimed(pk: int, *, now: datetime.datetime) -> str:
    """Send one claimed message and record the outcome; returns its new state."""
    message = OutboxMessage.objects.get(pk=pk)
    if message.state != M.SENDING:
        return message.state
    sender = senders.sender_for(message.channel)
    if sender is None:
        _finish(pk, state=M.FAILED, error="渠道未开通")
        return M.FAILED
    try:
        sender(crypto.decrypt(message.address_encrypted), message.subject, message.body)
    except senders.TransientFailure as error:
        if message.attempts >= max_attempts():
            _finish(pk, state=M.FAILED, error=f"重试已达上限：{error}")
            return M.FAILED
        delay = retry_base() * (2 ** (message.attempts - 1))
        _finish(pk, state=M.PENDING, error=str(error), retry_at=now + delay)
        return M.PENDING
    except senders.PermanentFailure as error:
        _finish(pk, state=M.FAILED, error=str(error))
        return M.FAILED
    _finish(pk, state=M.SENT)
    return M.SENT


def outbox_deliver(*, now: datetime.datetime | None = None, limit: int = BATCH) -> DeliveryResult:
    """One run of the delivery: expire the stuck, claim the due, send them."""
    now = now or timezone.now()
    result = DeliveryResult(unknown=outbox_expire_stuck(now=now))
    for pk in outbox_claim(now=now, limit=limit):
        state = outbox_send_claimed(pk, now=now)
        if state == M.SENT:
            result.sent += 1
        elif state == M.PENDING:
            result.retried += 1
        else:
            result.failed += 1
    return result
