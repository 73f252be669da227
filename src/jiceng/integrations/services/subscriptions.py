"""Subscriptions: which system receives which appeal events of a territory, at which URL,
signed with which secret."""

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from jiceng.appeals.models import HandlingUnit
from jiceng.core import crypto
from jiceng.core.audit import audit_record
from jiceng.core.inputs import check_model_text
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
from jiceng.integrations.errors import (
    MSG_ALREADY_REVOKED,
    MSG_EVENTS,
    MSG_NAME,
    MSG_PERSONAL_NEEDS_UNIT,
    MSG_UNIT_OUTSIDE,
    MSG_URL,
    conflict,
    invalid,
)
from jiceng.integrations.errors import IntegrationErrorCode as Code
from jiceng.integrations.models import Subscription
from jiceng.integrations.places import require_district_manager

EVENTS = tuple(str(e) for e in Subscription.Event)


def _check_url(url: str) -> str:
    url = check_model_text(Subscription, "url", url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid(MSG_URL, Code.URL_INVALID, "url")
    return url


@transaction.atomic
def subscription_create(
    *,
    actor: Actor,
    name: str,
    url: str,
    events: Iterable[str],
    area: Area,
    unit: HandlingUnit | None = None,
    include_personal: bool = False,
) -> tuple[Subscription, str]:
    """A subscription; returns (subscription, its signing secret, shown once). Personal
    data (the contact's name and phone) only ever goes to a subscription naming the
    handling unit of the case, and only when asked for here."""
    require_district_manager(actor, area)
    name = check_model_text(Subscription, "name", name)
    if not name:
        raise invalid(MSG_NAME, Code.NAME_REQUIRED, "name")
    url = _check_url(url)
    chosen = sorted(set(events))
    if not chosen or not set(chosen) <= set(EVENTS):
        raise invalid(MSG_EVENTS, Code.EVENTS_INVALID, "events")
    if unit is not None and not unit.area.path.startswith(area.path):
        raise invalid(MSG_UNIT_OUTSIDE, Code.UNIT_OUTSIDE, "unit")
    if include_personal and unit is None:
        raise invalid(MSG_PERSONAL_NEEDS_UNIT, Code.PERSONAL_NEEDS_UNIT, "include_personal")
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = Subscription.objects.create(
        name=name,
        url=url,
        secret_encrypted=crypto.encrypt(secret),
        events=chosen,
        area=area,
        unit=unit,
        include_personal=include_personal,
        created_at=timezone.now(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=subscription,
        changes={
            "name": name,
            "url": url,
            "events": chosen,
            "area": area.pk,
            "unit": unit.pk if unit else None,
            "include_personal": include_personal,
        },
    )
    return subscription, secret


@transaction.atomic
def subscription_revoke(*, actor: Actor, subscription: Subscription) -> Subscription:
    """Stop: no new deliveries are made for it; those waiting are still tried (they
    report what happened while it was on)."""
    require_district_manager(actor, subscription.area)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.revoked_at is not None:
        raise conflict(MSG_ALREADY_REVOKED, Code.ALREADY_REVOKED)
    subscription.revoked_at = timezone.now()
    subscription.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REVOKE,
        target=subscription,
        changes={"name": subscription.name},
    )
    return subscription
