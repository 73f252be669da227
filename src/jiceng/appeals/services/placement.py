"""The placement queue (待定位): a case whose caller's address or position placed it no
deeper than a district waits there with the reason; a person places it in one action,
and what the caller said is remembered as an alias of the chosen place, so the next
caller who says the same lands there by itself (places.services.alias_learn)."""

from django.db import transaction
from django.utils import timezone

from jiceng.appeals import access, events, open_rollup, rollup
from jiceng.appeals.errors import (
    MSG_NOT_PLACEMENT_PENDING,
    MSG_PLACE_LEVEL,
    MSG_PLACE_OUTSIDE,
    invalid,
)
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal
from jiceng.appeals.places import community_of, street_of
from jiceng.appeals.services.cases import INTAKE_AREA_LEVELS, route_received
from jiceng.core.access import can_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
from jiceng.places.services import alias_learn


@transaction.atomic
def appeal_place(*, actor: Actor, appeal_id: int, area: Area, remember: bool = True) -> Appeal:
    """Give a queued case its place (a community, grid or building inside its district,
    and inside what the actor manages), then route it as a case filed there is routed.

    With `remember`, the caller's address text becomes an alias of the place (when
    there is one and the registry did not know it). One event, one audit entry."""
    appeal = access.get_appeal_for_action(actor, appeal_id)
    access.require_place(actor, appeal)
    if not appeal.placement_pending:
        raise invalid(MSG_NOT_PLACEMENT_PENDING, Code.NOT_PLACEMENT_PENDING, "area")
    if area.level not in INTAKE_AREA_LEVELS:
        raise invalid(MSG_PLACE_LEVEL, Code.PLACE_LEVEL, "area")
    district = appeal.area
    if not area.is_within(district) or not (
        can_manage_area(actor, area) or can_manage_area(actor, district)
    ):
        raise invalid(MSG_PLACE_OUTSIDE, Code.PLACE_OUTSIDE, "area")
    now = timezone.now()
    before_area, before_reason = appeal.area_id, appeal.placement_reason
    open_counted = open_rollup.contribution(appeal)  # at the district, while it waited
    appeal.area = area
    appeal.street = street_of(area)
    appeal.community = community_of(area)
    appeal.placement_pending = False
    appeal.save(update_fields=["area", "street", "community", "placement_pending"])
    # Counted from now on, in the community it was placed in (nothing was counted while
    # it had no community).
    rollup.apply(appeal, rollup.NOTHING, rollup.contribution(appeal))
    open_rollup.change(open_counted, open_rollup.contribution(appeal))
    events.record(events.placed(appeal, from_area_id=before_area, at=now, actor=actor))
    alias = None
    if remember and appeal.address:
        alias = alias_learn(actor=actor, text=appeal.address, area=area)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=appeal,
        changes={
            "area": {"old": before_area, "new": area.pk},
            "placement_reason": before_reason,
            "alias": alias.pk if alias is not None else None,
        },
    )
    if appeal.state == Appeal.State.RECEIVED and appeal.unit_id is None:
        route_received(appeal, at=now)
    return appeal
