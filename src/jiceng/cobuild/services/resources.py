"""The resources list (资源清单): an offer, its correction and withdrawal, and the
matching rules a need and a resource must meet to be paired (check_pair)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jiceng.cobuild import access
from jiceng.cobuild.errors import (
    MSG_AREA_LEVEL,
    MSG_CAPACITY,
    MSG_CAPACITY_FULL,
    MSG_CAPACITY_IN_USE,
    MSG_CATEGORY,
    MSG_CATEGORY_MISMATCH,
    MSG_KIND,
    MSG_ORG_CLOSED,
    MSG_OTHER_DISTRICT,
    MSG_PROVIDER,
    MSG_REPORT_ENDED,
    MSG_REPORT_KIND,
    MSG_RESOURCE_WITHDRAWN,
    MSG_TITLE,
    MSG_WINDOW_DISJOINT,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.matching import (
    Place,
    distance,
    windows_overlap,
)
from jiceng.cobuild.models import (
    Category,
    Need,
    Project,
    ProjectResource,
    Resource,
)
from jiceng.cobuild.services._common import (
    TEXT_MAX,
    _actor,
    _choice,
    _integer,
    _text,
    _window,
)
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.members.models import DualReport
from jiceng.orgs.access import require_manage_org
from jiceng.orgs.models import PartyOrg


@dataclass
class ResourceFacts:
    title: str
    kind: str
    category: str
    available_from: datetime.date | None
    available_until: datetime.date | None
    capacity: int = 1
    area: Area | None = None  # defaults to the reporting community of a dual report
    description: str = ""


RESOURCE_AREA_LEVELS = {
    Area.Level.DISTRICT,
    Area.Level.STREET,
    Area.Level.COMMUNITY,
    Area.Level.GRID,
    Area.Level.BUILDING,
}


@transaction.atomic
def resource_offer(
    *,
    actor,
    facts: ResourceFacts,
    org: PartyOrg | None = None,
    dual_report: DualReport | None = None,
) -> Resource:
    """A unit's party org, or an in-service member through their dual report, offers a
    resource. The org's secretary (or the staff above it) records an org's offer; the
    member's org or the community they reported to records a member's."""
    if (org is None) == (dual_report is None):
        raise ValidationFailed(
            MSG_PROVIDER, field="offered_by_org", code=Code.ONE_PROVIDER_REQUIRED
        )
    if org is not None:
        require_manage_org(actor, org)
        if org.closed_on is not None:
            raise ValidationFailed(MSG_ORG_CLOSED, field="offered_by_org", code=Code.ORG_CLOSED)
    else:
        if dual_report.kind != DualReport.Kind.MEMBER:
            raise ValidationFailed(MSG_REPORT_KIND, field="dual_report", code=Code.REPORT_KIND)
        if not (
            access.can_manage_area(actor, dual_report.community)
            or access.can_manage_org(actor, dual_report.member.org)
        ):
            require_manage_org(actor, dual_report.member.org)
        if dual_report.ended_on is not None:
            raise ValidationFailed(MSG_REPORT_ENDED, field="dual_report", code=Code.REPORT_ENDED)
    area = facts.area or (dual_report.community if dual_report is not None else None)
    if area is None or area.level not in RESOURCE_AREA_LEVELS:
        raise ValidationFailed(MSG_AREA_LEVEL, field="area", code=Code.AREA_LEVEL)
    title = _text(facts.title, field="title", max_length=100, required=MSG_TITLE)
    kind = _choice(facts.kind, Resource.Kind, field="kind", message=MSG_KIND, code=Code.BAD_KIND)
    category = _choice(
        facts.category,
        Category,
        field="category",
        message=MSG_CATEGORY,
        code=Code.BAD_CATEGORY,
    )
    _window(
        facts.available_from,
        facts.available_until,
        start_field="available_from",
        end_field="available_until",
    )
    capacity = _integer(
        facts.capacity,
        field="capacity",
        low=1,
        high=1000,
        message=MSG_CAPACITY,
        code=Code.BAD_CAPACITY,
    )
    description = _text(facts.description, field="description", max_length=TEXT_MAX)
    resource = Resource.objects.create(
        title=title,
        description=description,
        kind=kind,
        category=category,
        offered_by_org=org,
        dual_report=dual_report,
        area=area,
        capacity=capacity,
        available_from=facts.available_from,
        available_until=facts.available_until,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=resource,
        changes={
            "kind": kind,
            "category": category,
            "org": org.pk if org else None,
            "dual_report": dual_report.pk if dual_report else None,
            "area": area.pk,
            "capacity": capacity,
            "window": [facts.available_from, facts.available_until],
        },
    )
    return resource


@transaction.atomic
def resource_withdraw(*, actor, resource: Resource, reason: str = "") -> Resource:
    """The provider withdraws an offer: no new matches; running projects go on."""
    access.require_manage_resource(actor, resource)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not resource.is_active:
        raise Conflict(MSG_RESOURCE_WITHDRAWN, field="resource", code=Code.RESOURCE_WITHDRAWN)
    resource.is_active = False
    resource.withdrawn_at = timezone.now()
    resource.save(update_fields=["is_active", "withdrawn_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=resource,
        changes={"is_active": {"old": True, "new": False}, "reason": (reason or "")[:200]},
    )
    return resource


RESOURCE_EDIT_FIELDS = (
    "title",
    "description",
    "capacity",
    "available_from",
    "available_until",
)


@transaction.atomic
def resource_update(
    *,
    actor,
    resource: Resource,
    title: str | None = None,
    description: str | None = None,
    capacity=None,
    available_from: datetime.date | None = None,
    available_until: datetime.date | None = None,
) -> Resource:
    """The provider corrects an offer: its name and description, its capacity (never
    below the projects it serves now) and its availability window. Kind, category and
    provider stay: running projects were matched on them."""
    access.require_manage_resource(actor, resource)
    values: dict = {}
    if title is not None:
        values["title"] = _text(title, field="title", max_length=100, required=MSG_TITLE)
    if description is not None:
        values["description"] = _text(description, field="description", max_length=TEXT_MAX)
    if capacity is not None:
        values["capacity"] = _integer(
            capacity,
            field="capacity",
            low=1,
            high=1000,
            message=MSG_CAPACITY,
            code=Code.BAD_CAPACITY,
        )
    start = available_from if available_from is not None else resource.available_from
    end = available_until if available_until is not None else resource.available_until
    _window(start, end, start_field="available_from", end_field="available_until")
    values["available_from"], values["available_until"] = start, end
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if not locked.is_active:
        raise Conflict(MSG_RESOURCE_WITHDRAWN, field="resource", code=Code.RESOURCE_WITHDRAWN)
    used = resource_used_capacity(locked)
    if values.get("capacity", locked.capacity) < used:
        raise ValidationFailed(
            str(MSG_CAPACITY_IN_USE).format(used=used),
            field="capacity",
            code=Code.CAPACITY_IN_USE,
        )
    before = snapshot(resource, RESOURCE_EDIT_FIELDS)
    for key, value in values.items():
        setattr(resource, key, value)
    changes = changes_between(before, snapshot(resource, RESOURCE_EDIT_FIELDS))
    if changes:
        resource.save(update_fields=list(values))
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=resource, changes=changes)
    return resource


def resource_used_capacity(resource: Resource) -> int:
    """How many active projects the resource serves now."""
    return ProjectResource.objects.filter(
        resource=resource, project__state__in=Project.ACTIVE_STATES
    ).count()


def check_pair(need: Need, resource: Resource) -> int:
    """The territory distance of a need and a resource, or ValidationFailed naming why
    they cannot be paired: the same rules the solver applies."""
    if not resource.is_active:
        raise ValidationFailed(
            MSG_RESOURCE_WITHDRAWN, field="resource", code=Code.RESOURCE_WITHDRAWN
        )
    if resource.category != need.category:
        raise ValidationFailed(MSG_CATEGORY_MISMATCH, field="resource", code=Code.CATEGORY_MISMATCH)
    if not windows_overlap(
        need.window_start, need.window_end, resource.available_from, resource.available_until
    ):
        raise ValidationFailed(MSG_WINDOW_DISJOINT, field="resource", code=Code.WINDOW_DISJOINT)
    pair_distance = distance(
        Place.from_path(need.community.path), Place.from_path(resource.area.path)
    )
    if pair_distance is None:
        raise ValidationFailed(MSG_OTHER_DISTRICT, field="resource", code=Code.OTHER_DISTRICT)
    return pair_distance


def _take_capacity(resource: Resource) -> int:
    """Lock the resource row, then count its use, so two accepts can never both take its
    last place. Returns the remaining capacity before this use."""
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    remaining = locked.capacity - resource_used_capacity(locked)
    if remaining <= 0:
        raise Conflict(MSG_CAPACITY_FULL, field="resource", code=Code.CAPACITY_FULL)
    return remaining
