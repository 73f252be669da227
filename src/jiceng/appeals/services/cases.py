"""A case enters: the checks every intake passes (pages, API, Open311, recorded
history), the case with its deadlines and tracking code, the routing at once; and what
the public feed may show of its description."""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jiceng.appeals import access, events, open_rollup, rollup, states
from jiceng.appeals.deadlines import deadlines
from jiceng.appeals.errors import (
    DESCRIPTION_MAX,
    MSG_AREA_LEVEL,
    MSG_CATEGORY,
    MSG_DESCRIPTION,
    MSG_DESCRIPTION_LONG,
    MSG_NO_RULE,
    MSG_POSSIBLE_DUPLICATE,
    MSG_PUBLISH_PERSONAL,
    invalid,
)
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal, Category
from jiceng.appeals.places import community_of, street_of
from jiceng.appeals.routing import route
from jiceng.appeals.selectors import similar_open_appeals
from jiceng.appeals.services.handling import take
from jiceng.core import crypto, idempotency
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.inputs import check_model_text, check_text
from jiceng.core.masking import redact_personal
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import scope_for
from jiceng.core.types import Actor
from jiceng.core.uploads import reencode_image
from jiceng.core.validators import validate_phone

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read over the phone
INTAKE_AREA_LEVELS = {Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING}


def new_tracking_code() -> str:
    """12 characters of TRACKING_ALPHABET, uniformly at random: one draw of 80 random
    bits read in base 31 (the bias of 2^80 mod 31^12 is below one in a million), not
    twelve calls to the system's random source."""
    number = int.from_bytes(secrets.token_bytes(10)) % len(TRACKING_ALPHABET) ** 12
    code = []
    for _position in range(12):
        number, digit = divmod(number, len(TRACKING_ALPHABET))
        code.append(TRACKING_ALPHABET[digit])
    return "".join(code)


def check_photo(photo):
    """The photo as it will be stored: decoded and encoded again under a generated name
    (core.uploads), or ValidationFailed naming the field; None for no photo."""
    if photo is None:
        return None
    return reencode_image(photo, field="photo")


def possible_duplicates(appeal: Appeal, *, limit: int = 5):
    """Open cases at the same place and in the same category with overlapping words."""
    return similar_open_appeals(appeal, limit=limit)


@dataclass
class Intake:
    """What a resident, an operator, a grid worker or another system submits."""

    channel: str
    category: Category
    area: Area
    description: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    latitude: float | None = None
    longitude: float | None = None
    client: str = ""
    idempotency_key: str = ""
    # Set when what the caller said placed the case no deeper than a district (places.
    # locate): `area` is then the district, and the case waits in its placement queue.
    placement_reason: str = ""
    street_hint: Area | None = None


def intake_texts(intake: Intake) -> dict[str, str]:
    """The checks every intake passes (category, place, text, phone), and the case's
    text fields as stored: description, address, contact name, encrypted phone."""
    category = intake.category
    if category is None or not category.is_active:
        raise invalid(MSG_CATEGORY, Code.CATEGORY_INVALID, "category")
    levels = {Area.Level.DISTRICT} if intake.placement_reason else INTAKE_AREA_LEVELS
    if intake.area is None or intake.area.level not in levels:
        raise invalid(MSG_AREA_LEVEL, Code.AREA_LEVEL, "area")
    # The input policy (core.inputs) for every way a case enters: pages, API, Open311,
    # bulk recording; control characters are refused naming the field.
    description = check_text(intake.description, field="description", kind="multiline")
    if not description:
        raise invalid(MSG_DESCRIPTION, Code.DESCRIPTION_REQUIRED, "description")
    if len(description) > DESCRIPTION_MAX:
        raise invalid(MSG_DESCRIPTION_LONG, Code.DESCRIPTION_TOO_LONG, "description")
    address = check_model_text(Appeal, "address", intake.address)
    contact_name = check_model_text(Appeal, "contact_name", intake.contact_name, kind="name")
    raw_phone = check_text(intake.contact_phone, field="contact_phone", kind="number")
    phone = validate_phone(raw_phone, field="contact_phone") if raw_phone else ""
    return {
        "description": description,
        "address": address,
        "contact_name": contact_name,
        "contact_phone_encrypted": crypto.encrypt(phone) if phone else "",
    }


def intake_keys(intake: Intake) -> tuple[str, str]:
    """The client as stored (64 characters at most) and its idempotency key, kept whole
    up to 255 characters and never trimmed (core.idempotency)."""
    client = check_text(intake.client, field="client", max_length=64, kind="code")
    return client, idempotency.clean_key(intake.idempotency_key)


def intake_request(intake: Intake) -> dict:
    """What an intake asks for, as its idempotency digest covers it: the same case sent
    again through any channel has the same request, another case another one."""
    return {
        "channel": intake.channel,
        "category": intake.category.code if intake.category else None,
        "area": intake.area.pk if intake.area else None,
        "description": intake.description,
        "address": intake.address,
        "contact_name": intake.contact_name,
        "contact_phone": intake.contact_phone,
        "latitude": intake.latitude,
        "longitude": intake.longitude,
    }


def appeal_intake(*, actor: Actor, intake: Intake, photo=None) -> tuple[Appeal, bool]:
    """Receive a case and route it. Returns (appeal, created).

    With an idempotency key (core.idempotency), a retry of the same case by the same
    client returns the first case and creates nothing; the same key with another case
    is refused (422) and a retry while the first is still being handled gets 409.

    Residents need no account (actor None); staff and grid workers file within their
    territory. The case is dispatched at once when a rule matches and no similar open
    case exists at the place; otherwise it waits in the street's queue with the reason.
    """
    client, key = intake_keys(intake)
    return idempotency.idempotent(
        client=client,
        key=key,
        request=intake_request(intake),
        model=Appeal,
        work=lambda: _appeal_intake(actor=actor, intake=intake, photo=photo, key=key),
        existing=lambda: Appeal.objects.filter(client=client, idempotency_key=key).first(),
    )


@transaction.atomic
def _appeal_intake(*, actor: Actor, intake: Intake, photo, key: str) -> Appeal:
    client, _key = intake_keys(intake)
    # A case waiting to be placed is filed at a district whoever files it, as a
    # resident's would be: where it happened is not known yet, so not checked yet.
    if (
        actor is not None
        and not intake.placement_reason
        and not scope_for(actor).contains(intake.area)
    ):
        require_manage_area(actor, intake.area)
    category = intake.category
    texts = intake_texts(intake)
    photo = check_photo(photo)
    now = timezone.now()
    response_due, resolution_due = deadlines(category, now)
    pending = bool(intake.placement_reason)
    reason = check_model_text(Appeal, "placement_reason", intake.placement_reason[:200])
    appeal = Appeal(
        tracking_code=new_tracking_code(),
        channel=intake.channel,
        category=category,
        area=intake.area,
        street=intake.street_hint if pending else street_of(intake.area),
        community=None if pending else community_of(intake.area),
        placement_pending=pending,
        placement_reason=reason,
        latitude=intake.latitude,
        longitude=intake.longitude,
        **texts,
        received_at=now,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        client=client,
        idempotency_key=key,
        created_by=events.signed_in(actor),
    )
    if photo is not None:
        appeal.photo = photo
    appeal.save()
    rollup.apply(appeal, rollup.NOTHING, rollup.contribution(appeal))
    open_rollup.change(None, open_rollup.contribution(appeal))
    events.record(events.received(appeal, at=now, actor=actor))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=appeal,
        changes={
            "channel": appeal.channel,
            "category": category.code,
            "area": appeal.area_id,
            "client": client,  # which system filed it (e.g. the Open311 key's id)
        },
    )
    if pending:  # the placement queue: routed once a person places it
        return appeal
    route_received(appeal, at=now)
    return appeal


def route_received(appeal: Appeal, *, at) -> None:
    """A received case's routing: dispatched to the rule's unit, or waiting in the
    street's queue with the reason (no rule; an earlier similar open case)."""
    now = at
    rule = route(appeal.category, appeal.area)
    if rule is None:
        appeal.unroutable_reason = str(MSG_NO_RULE)
        appeal.save(update_fields=["unroutable_reason"])
    elif possible_duplicates(appeal):
        appeal.unroutable_reason = str(MSG_POSSIBLE_DUPLICATE)
        appeal.save(update_fields=["unroutable_reason"])
    else:
        take(appeal, states.dispatch(unit=rule.unit, rule=rule), actor=None, at=now)


@transaction.atomic
def appeal_publish_description(*, actor: Actor, appeal: Appeal, text: str) -> Appeal:
    """Let the public feed (Open311) show an edit of the case's description, as
    FixMyStreet's moderators do: the staff member takes out names, addresses, room
    numbers, phone and ID numbers; numbers the masking still finds are refused. An
    empty text withdraws what was published. The resident's own words are kept as
    they were; one internal event and one audit row record who published what."""
    access.require_publish_description(actor, appeal)
    text = check_model_text(Appeal, "public_description", text, kind="multiline")
    if redact_personal(text) != text:
        raise invalid(MSG_PUBLISH_PERSONAL, Code.PUBLISH_PERSONAL, "public_description")
    before = appeal.public_description
    published = bool(text)
    now = timezone.now()
    appeal.public_description = text
    appeal.description_published_at = now if published else None
    appeal.description_published_by = events.signed_in(actor) if published else None
    appeal.save(
        update_fields=[
            "public_description",
            "description_published_at",
            "description_published_by",
        ]
    )
    events.record(events.published(appeal, text=text, at=now, actor=actor))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=appeal,
        changes={"public_description": {"old": before, "new": text}},
    )
    return appeal
