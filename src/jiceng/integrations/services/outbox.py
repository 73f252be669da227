"""The outbox: appeal events become deliveries for the subscribed systems, delivered
signed, retried with backoff, and kept as dead letters for a person to replay.

Each committed appeal event (appeals.events announces it after the commit) makes one
Delivery row per matching subscription, its body fixed then; `deliveries_send` (the
`jiceng events deliver` command) claims due rows with SELECT … FOR UPDATE SKIP LOCKED,
so several workers never send the same row at once. A receiver that is down costs
retries, never an event: the row waits; after MAX_ATTEMPTS it is a dead letter.

Signature: header X-Jiceng-Signature = "sha256=" + hex HMAC-SHA256(secret,
"<X-Jiceng-Timestamp>.<body>"). X-Jiceng-Delivery is the delivery id: the same on every
retry, so the receiver drops what it has seen.
"""

import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jiceng.appeals.events import Announced
from jiceng.appeals.models import Appeal
from jiceng.core import crypto
from jiceng.core.audit import audit_record
from jiceng.core.masking import redact_personal
from jiceng.core.models import AuditEntry
from jiceng.core.types import Actor
from jiceng.integrations.errors import MSG_NOT_DEAD, conflict
from jiceng.integrations.errors import IntegrationErrorCode as Code
from jiceng.integrations.models import Delivery, HotlineWorkOrder, Subscription
from jiceng.integrations.places import require_district_manager

# The appeal actions a subscriber hears, as the event names it subscribes to.
ACTION_EVENTS = {
    "receive": Subscription.Event.RECEIVED,
    "dispatch": Subscription.Event.DISPATCHED,
    "reply": Subscription.Event.REPLIED,
    "close": Subscription.Event.CLOSED,
    "rate": Subscription.Event.RATED,
}
MAX_ATTEMPTS = 8
FIRST_DELAY = datetime.timedelta(seconds=30)
MAX_DELAY = datetime.timedelta(hours=2)
BATCH = 50
USER_AGENT = "Jiceng-Webhooks/1"


def source_of(heard: Announced) -> str:
    return f"{heard.appeal_id}:{heard.action}:{heard.at.timestamp():.6f}"


def _case(appeal: Appeal, number: str | None) -> dict:
    """What every subscriber gets: no resident's words or name, only the public reply
    with numbers masked, the moderated public description, and where and what."""
    return {
        "id": appeal.pk,
        "tracking_code": appeal.tracking_code,
        "channel": appeal.channel,
        "state": appeal.state,
        "category": appeal.category.code,
        "area_code": appeal.area.code,
        "street_code": appeal.street.code if appeal.street else None,
        "unit": appeal.unit.name if appeal.unit else None,
        "received_at": appeal.received_at.isoformat(),
        "resolution_due_at": appeal.resolution_due_at.isoformat(),
        "replied_at": appeal.replied_at.isoformat() if appeal.replied_at else None,
        "closed_at": appeal.closed_at.isoformat() if appeal.closed_at else None,
        "satisfaction": appeal.satisfaction or None,
        "public_description": appeal.public_description,
        "public_reply": redact_personal(appeal.public_reply),
        "hotline_work_order": number,
    }


def _personal_allowed(subscription: Subscription, appeal: Appeal) -> bool:
    return bool(
        subscription.include_personal
        and subscription.unit_id is not None
        and subscription.unit_id == appeal.unit_id
    )


def _body(delivery_id: uuid.UUID, event: str, heard: Announced, case: dict, personal) -> str:
    payload: dict = {
        "delivery_id": str(delivery_id),
        "event": event,
        "occurred_at": heard.at.isoformat(),
        "case": case,
    }
    if personal is not None:
        payload["contact"] = personal
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


@transaction.atomic
def deliveries_enqueue(heard: list[Announced]) -> int:
    """One delivery per (subscription, event) for the events subscribers want; hearing
    the same event again adds nothing (unique per subscription and source)."""
    wanted = [h for h in heard if h.action in ACTION_EVENTS]
    if not wanted:
        return 0
    subscriptions = list(
        Subscription.objects.filter(revoked_at__isnull=True).select_related("area")
    )
    # A subscription hears what happens from its creation on, never the past.
    pairs = [
        (item, subscription)
        for item in wanted
        for subscription in subscriptions
        if str(ACTION_EVENTS[item.action]) in subscription.events
        and item.at >= subscription.created_at
    ]
    if not pairs:
        return 0
    ids = {item.appeal_id for item, _subscription in pairs}
    appeals = {
        a.pk: a
        for a in Appeal.objects.filter(pk__in=ids).select_related(
            "category", "area", "street", "unit"
        )
    }
    numbers = dict(
        HotlineWorkOrder.objects.filter(appeal_id__in=ids).values_list("appeal_id", "number")
    )
    now = timezone.now()
    rows = []
    for item, subscription in pairs:
        appeal = appeals.get(item.appeal_id)
        if appeal is None or not appeal.area.path.startswith(subscription.area.path):
            continue
        event = str(ACTION_EVENTS[item.action])
        personal = None
        if _personal_allowed(subscription, appeal):
            personal = {
                "name": appeal.contact_name,
                "phone": crypto.decrypt(appeal.contact_phone_encrypted),
            }
        delivery_id = uuid.uuid4()
        rows.append(
            Delivery(
                delivery_id=delivery_id,
                subscription=subscription,
                event=event,
                source=source_of(item),
                body=_body(
                    delivery_id, event, item, _case(appeal, numbers.get(appeal.pk)), personal
                ),
                next_attempt_at=now,
                created_at=now,
            )
        )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def on_appeal_events(heard: list[Announced]) -> None:
    """The listener appeals.events calls after each commit."""
    deliveries_enqueue(heard)


# ---- sending ---------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A webhook answers where it was registered; following a redirect would let a
    # receiver send the signed body to a URL nobody subscribed.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(delivery: Delivery, *, timeout: float) -> tuple[int | None, str]:
    """(HTTP status or None, error text) of one attempt."""
    body = delivery.body.encode()
    timestamp = str(int(timezone.now().timestamp()))
    secret = crypto.decrypt(delivery.subscription.secret_encrypted)
    request = urllib.request.Request(
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Jiceng-Delivery": str(delivery.delivery_id),
            "X-Jiceng-Event": delivery.event,
            "X-Jiceng-Timestamp": timestamp,
            "X-Jiceng-Signature": signature(secret, timestamp, body),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:300]


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, … doubling after each failure, at most two hours."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass
class SendResult:
    delivered: int = 0
    failed: int = 0
    dead: int = 0


def deliveries_send(*, limit: int = 1000, timeout: float = 10.0) -> SendResult:
    """Send what is due, BATCH rows per transaction: each claimed with SKIP LOCKED, so
    concurrent runs share the work and never send a row twice at once. Idempotent: a
    delivered or dead row is never claimed."""
    result = SendResult()
    while result.delivered + result.failed < limit:
        with transaction.atomic():
            batch = list(
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("subscription")
                .filter(state=Delivery.State.PENDING, next_attempt_at__lte=timezone.now())
                .order_by("next_attempt_at", "id")[: min(BATCH, limit)]
            )
            if not batch:
                break
            for delivery in batch:
                _attempt(delivery, result, timeout=timeout)
    return result


def _attempt(delivery: Delivery, result: SendResult, *, timeout: float) -> None:
    status, error = _post(delivery, timeout=timeout)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status = status
    if status is not None and 200 <= status < 300:
        delivery.state = Delivery.State.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
        result.delivered += 1
    else:
        delivery.last_error = error[:300]
        result.failed += 1
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = Delivery.State.DEAD
            result.dead += 1
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status",
            "state",
            "delivered_at",
            "last_error",
            "next_attempt_at",
        ]
    )


@transaction.atomic
def delivery_replay(*, actor: Actor, delivery: Delivery) -> Delivery:
    """A dead letter goes back to the outbox, due now, with its attempts reset; its
    delivery id stays, so a receiver that did get it after all drops it."""
    require_district_manager(actor, delivery.subscription.area)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != Delivery.State.DEAD:
        raise conflict(MSG_NOT_DEAD, Code.NOT_DEAD)
    delivery.state = Delivery.State.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=delivery,
        changes={"state": {"old": "dead", "new": "pending"}},
    )
    return delivery
