"""The needs list (需求清单): a resident's, staff's or an appeal's need, and its closing."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.cobuild import access
from jiceng.cobuild.errors import (
    MSG_APPEAL_CONVERTED,
    MSG_BENEFICIARIES,
    MSG_CATEGORY,
    MSG_CATEGORY_REQUIRED,
    MSG_COMMUNITY,
    MSG_NEED_NOT_OPEN,
    MSG_REASON,
    MSG_SOURCE,
    MSG_TITLE,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.models import (
    Category,
    Need,
)
from jiceng.cobuild.services._common import (
    TEXT_MAX,
    _actor,
    _choice,
    _integer,
    _text,
    _window,
    community_of,
)
from jiceng.core import crypto, idempotency
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import scope_for
from jiceng.core.validators import normalize_text, validate_phone

# Appeal categories that are needs in disguise, and the need category each becomes.
APPEAL_CATEGORY_TO_NEED = {
    "elderly-service": Category.ELDERLY_CARE,
    "sanitation": Category.ENVIRONMENT,
    "street-order": Category.ENVIRONMENT,
    "greening": Category.ENVIRONMENT,
    "community-facility": Category.VENUE,
    "neighbour-dispute": Category.LEGAL,
    "property-dispute": Category.LEGAL,
    "family-dispute": Category.LEGAL,
}


@dataclass
class NeedFacts:
    """What a resident's form, staff or an import gives for one need."""

    title: str
    category: str
    community: Area | None
    window_start: datetime.date | None
    window_end: datetime.date | None
    description: str = ""
    place: str = ""
    beneficiaries: int = 1
    contact_name: str = ""
    # A resident's mobile number (optional); stored encrypted, shown masked.
    contact_phone: str = ""


def _clean_need(facts: NeedFacts) -> NeedFacts:
    title = _text(facts.title, field="title", max_length=100, required=MSG_TITLE)
    category = _choice(
        facts.category,
        Category,
        field="category",
        message=MSG_CATEGORY,
        code=Code.BAD_CATEGORY,
    )
    if facts.community is None or facts.community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY, field="community", code=Code.COMMUNITY_REQUIRED)
    _window(
        facts.window_start, facts.window_end, start_field="window_start", end_field="window_end"
    )
    return NeedFacts(
        title=title,
        category=category,
        community=facts.community,
        window_start=facts.window_start,
        window_end=facts.window_end,
        description=_text(facts.description, field="description", max_length=TEXT_MAX),
        place=_text(facts.place, field="place", max_length=200),
        beneficiaries=_integer(
            facts.beneficiaries,
            field="beneficiaries",
            low=1,
            high=100_000,
            message=MSG_BENEFICIARIES,
            code=Code.BAD_BENEFICIARIES,
        ),
        contact_name=_text(facts.contact_name, field="contact_name", max_length=50),
        contact_phone=(
            validate_phone(facts.contact_phone, field="contact_phone")
            if normalize_text(facts.contact_phone or "")
            else ""
        ),
    )


def _need_row(
    facts: NeedFacts,
    *,
    source: str,
    actor,
    appeal=None,
    phone_encrypted: str | None = None,
    idempotency_key: str = "",
) -> Need:
    # `facts` come from _clean_need: the community and both dates are there.
    assert facts.community is not None
    assert facts.window_start is not None and facts.window_end is not None
    need = Need.objects.create(
        title=facts.title,
        description=facts.description,
        source=source,
        category=facts.category,
        community=facts.community,
        place=facts.place,
        beneficiaries=facts.beneficiaries,
        window_start=facts.window_start,
        window_end=facts.window_end,
        appeal=appeal,
        contact_name=facts.contact_name,
        contact_phone_encrypted=(
            phone_encrypted if phone_encrypted is not None else crypto.encrypt(facts.contact_phone)
        ),
        idempotency_key=idempotency_key,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=need,
        changes={
            "source": source,
            "category": need.category,
            "community": need.community_id,
            "window": [need.window_start, need.window_end],
            "beneficiaries": need.beneficiaries,
            "appeal": need.appeal_id,
        },
    )
    return need


def need_create(
    *,
    actor,
    facts: NeedFacts,
    source: str = Need.Source.STAFF,
    idempotency_key: str = "",
    client: str = "",
) -> Need:
    """`need_submit`, for callers that need not know whether it was a retry."""
    need, _created = need_submit(
        actor=actor,
        facts=facts,
        source=source,
        idempotency_key=idempotency_key,
        client=client,
    )
    return need


def need_submit(
    *,
    actor,
    facts: NeedFacts,
    source: str = Need.Source.STAFF,
    idempotency_key: str = "",
    client: str = "",
) -> tuple[Need, bool]:
    """Record a need; returns (need, created). Community staff collect needs in their
    territory; a resident files one through the public form (actor None) or with their
    own account in the community they live in.

    A retry carries the same idempotency key and gets the first need back: nothing is
    filed twice. Keys are per `client` (the form, or the API caller; by default the
    actor); the same key with another need is refused (core.idempotency)."""
    key = idempotency.clean_key(idempotency_key, field="idempotency_key")
    if not client:
        client = f"user:{actor.pk}" if actor is not None else "web"
    request = {
        "source": source,
        **{name: getattr(facts, name) for name in facts.__dataclass_fields__},
    }
    return idempotency.idempotent(
        client=client,
        key=key,
        request=request,
        model=Need,
        work=lambda: _need_create(actor=actor, facts=facts, source=source, key=key),
    )


@transaction.atomic
def _need_create(*, actor, facts: NeedFacts, source: str, key: str) -> Need:
    if source not in (Need.Source.STAFF, Need.Source.RESIDENT):
        raise ValidationFailed(MSG_SOURCE, field="source", code=Code.BAD_SOURCE)
    if facts.community is None or facts.community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY, field="community", code=Code.COMMUNITY_REQUIRED)
    if source == Need.Source.STAFF or (
        actor is not None and not scope_for(actor).contains(facts.community)
    ):
        require_manage_area(actor, facts.community)
    facts = _clean_need(facts)
    return _need_row(facts, source=source, actor=actor, idempotency_key=key)


@transaction.atomic
def need_from_appeal(
    *,
    actor,
    appeal,
    category: str | None = None,
    title: str = "",
    window_start: datetime.date | None = None,
    window_end: datetime.date | None = None,
    beneficiaries: int = 1,
) -> Need:
    """Turn an appeal that is really a need (an elderly couple asking for meal help, a
    courtyard asking for a clean-up) into a need, keeping its history: the need points
    to the appeal, whose events stay readable from the need, and the appeal's timeline
    records the conversion. The appeal's own state is left to the appeals workflow.

    Category, place and description are copied; the need category follows
    APPEAL_CATEGORY_TO_NEED unless given. The window defaults to the next 30 days."""
    from jiceng.appeals import events as appeal_events

    community = community_of(appeal.area)
    require_manage_area(actor, community)
    if Need.objects.filter(appeal=appeal).exists():
        raise Conflict(MSG_APPEAL_CONVERTED, field="appeal", code=Code.APPEAL_CONVERTED)
    category = category or APPEAL_CATEGORY_TO_NEED.get(appeal.category.code)
    if not category:
        raise ValidationFailed(MSG_CATEGORY_REQUIRED, field="category", code=Code.CATEGORY_REQUIRED)
    today = timezone.localdate()
    place = appeal.address or (appeal.area.name if appeal.area_id != community.pk else "")
    facts = _clean_need(
        NeedFacts(
            title=(title or f"{appeal.category.name}：{appeal.description}")[:100],
            category=category,
            community=community,
            window_start=window_start or today,
            window_end=window_end or (window_start or today) + datetime.timedelta(days=30),
            description=appeal.description,
            place=place[:200],
            beneficiaries=beneficiaries,
            contact_name=appeal.contact_name,
        )
    )
    try:
        with transaction.atomic():
            need = _need_row(
                facts,
                source=Need.Source.APPEAL,
                actor=actor,
                appeal=appeal,
                phone_encrypted=appeal.contact_phone_encrypted,
            )
    except IntegrityError:
        raise Conflict(MSG_APPEAL_CONVERTED, field="appeal", code=Code.APPEAL_CONVERTED) from None
    # The case's timeline says where it went; appeals.events writes every appeal event.
    appeal_events.record(
        appeal_events.turned_into_need(
            appeal, need_id=need.pk, at=timezone.now(), actor=_actor(actor)
        )
    )
    return need


@transaction.atomic
def need_close(*, actor, need: Need, reason: str) -> Need:
    """Close an open need that no longer needs matching (met otherwise, withdrawn)."""
    access.require_manage_need(actor, need)
    reason = _text(reason, field="reason", max_length=200, required=MSG_REASON)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.OPEN:
        raise Conflict(MSG_NEED_NOT_OPEN, field="status", code=Code.NEED_NOT_OPEN)
    need.status = Need.Status.CLOSED
    need.closed_reason = reason
    need.save(update_fields=["status", "closed_reason"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=need,
        changes={"status": {"old": "open", "new": "closed"}, "reason": reason},
    )
    return need
