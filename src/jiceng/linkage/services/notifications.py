"""The inbox: `notify` writes one notification per user (and, for users who opted in to
another channel that the platform has switched on, one outbox message each, delivered
later by `jiceng outbox deliver`); reading marks them read. Other apps reach `notify`
through core.notifications.notify_after_commit, after their change is committed."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.notifications import user_ids
from jiceng.linkage import senders
from jiceng.linkage.errors import (
    MSG_ADDRESS,
    MSG_BAD_CHOICE,
    MSG_CHANNEL_OFF,
    LinkageErrorCode,
    invalid,
)
from jiceng.linkage.models import (
    ADDRESS_MAX,
    LINK_MAX,
    NOTIFICATION_BODY_MAX,
    NOTIFICATION_TITLE_MAX,
    Channel,
    DeliveryPreference,
    Notification,
    OutboxMessage,
)
from jiceng.linkage.services._common import audit_update, text

PHONE = re.compile(r"1\d{10}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _link(url: str) -> str:
    # Only a path on this site: a notification never sends anyone elsewhere.
    url = (url or "").strip()
    return url[:LINK_MAX] if url.startswith("/") and not url.startswith("//") else ""


@dataclass(frozen=True)
class Message:
    users: list[int]
    title: str
    body: str = ""
    url: str = ""


@transaction.atomic
def notify(users: Iterable[Any], *, title: str, body: str = "", url: str = "") -> int:
    """One notification per user (accounts or ids); the outbox messages of those who
    opted in. Returns how many notifications were written."""
    return notify_each([Message(user_ids(users), str(title), str(body), url)])


@transaction.atomic
def notify_each(messages: Sequence[Message]) -> int:
    """Several messages, each to its users, in two or three statements whatever their
    number: the notifications, the opted-in preferences, the outbox messages."""
    now = timezone.now()
    rows: list[Notification] = []
    for message in messages:
        title = text(message.title, field="title", max_length=NOTIFICATION_TITLE_MAX) or "-"
        body = text(message.body, field="body", max_length=NOTIFICATION_BODY_MAX, kind="multiline")
        link = _link(message.url)
        rows.extend(
            Notification(recipient_id=i, title=title, body=body, link=link, created_at=now)
            for i in dict.fromkeys(message.users)
        )
    if not rows:
        return 0
    Notification.objects.bulk_create(rows)
    active = senders.active_channels()
    if active:
        preferences: dict[int, list[DeliveryPreference]] = {}
        for p in DeliveryPreference.objects.filter(
            user_id__in={r.recipient_id for r in rows}, enabled=True, channel__in=active
        ).exclude(address_encrypted=""):
            preferences.setdefault(p.user_id, []).append(p)
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                channel=p.channel,
                address_encrypted=p.address_encrypted,
                subject=row.title,
                body="\n".join(part for part in (row.body, row.link) if part),
                next_attempt_at=now,
                created_at=now,
            )
            for row in rows
            for p in preferences.get(row.recipient_id, [])
        )
    return len(rows)


@transaction.atomic
def notification_read(*, actor, notification: Notification) -> Notification:
    """Marks the user's own notification read (once; reading again changes nothing)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def notification_read_all(*, actor) -> int:
    """Marks every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def check_address(channel: str, address: str) -> str:
    address = text(address, field="address", max_length=ADDRESS_MAX, kind="number")
    if channel == Channel.EMAIL:
        ok = EMAIL.fullmatch(address) is not None
    else:
        ok = PHONE.fullmatch(address) is not None
    if not ok:
        raise invalid(MSG_ADDRESS, LinkageErrorCode.ADDRESS, "address")
    return address


@transaction.atomic
def delivery_preference_set(
    *, actor, channel: str, address: str, enabled: bool
) -> DeliveryPreference:
    """The user's own choice to also receive notifications by email, SMS or WeCom (the
    address encrypted at rest). Only channels the platform has switched on."""
    if channel not in Channel.values:
        raise invalid(MSG_BAD_CHOICE, LinkageErrorCode.BAD_CHOICE, "channel")
    if enabled and channel not in senders.active_channels():
        raise invalid(MSG_CHANNEL_OFF, LinkageErrorCode.CHANNEL_OFF, "channel")
    cleaned = check_address(channel, address) if enabled or address else ""
    preference, _created = DeliveryPreference.objects.select_for_update().get_or_create(
        user=actor, channel=channel
    )
    preference.address_encrypted = crypto.encrypt(cleaned) if cleaned else ""
    preference.enabled = enabled
    preference.updated_at = timezone.now()
    preference.save()
    # The address is personal data: the audit says that it changed, never what it is.
    audit_update(actor, preference, {"channel": channel, "enabled": enabled})
    return preference
