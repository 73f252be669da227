"""Matching (供需对接): a match run's proposals, and staff accepting, changing or
rejecting each."""

import datetime

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.cobuild import access
from jiceng.cobuild.errors import (
    MSG_PROPOSAL_DECIDED,
    MSG_RUN_LEVEL,
    MSG_SAME_RESOURCE,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.matching import (
    SAME_COMMUNITY,
    SAME_STREET,
    NeedSlot,
    Place,
    ResourceSlot,
    solve,
)
from jiceng.cobuild.models import (
    Category,
    MatchProposal,
    MatchRun,
    Need,
    Project,
    Resource,
)
from jiceng.cobuild.services._common import (
    _actor,
    _text,
)
from jiceng.cobuild.services.projects import _project_create
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record, changes_between
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry

MSG_MATCH_REASON = _(
    "类别相符：{category}；{distance}；时间重叠 {start} 至 {end}；剩余容量 {remaining}"
)
DISTANCE_LABELS = {
    SAME_COMMUNITY: _("同一社区"),
    SAME_STREET: _("同一街道"),
    2: _("同区其他街道"),
}


@transaction.atomic
def match_run_create(*, actor, area: Area, today: datetime.date | None = None) -> MatchRun:
    """Propose the best assignment of a street's open needs (or a whole district's) to
    the resources of its district: as many needs as possible, then the nearest.

    Needs and resources whose windows have ended are left out, so every proposed overlap
    reaches today or later. Capacity already taken by active projects is subtracted.
    Proposals reserve nothing: accepting one checks the need and the capacity again.
    Each proposal's reason states the remaining capacity of its resource before the run.
    """
    require_manage_area(actor, area)
    if area.level not in (Area.Level.STREET, Area.Level.DISTRICT):
        raise ValidationFailed(MSG_RUN_LEVEL, field="area", code=Code.RUN_AREA_LEVEL)
    today = today or timezone.localdate()
    district_path = "/".join(area.ancestor_codes()[:2]) + "/"
    need_rows = list(
        Need.objects.filter(
            status=Need.Status.OPEN,
            community__path__startswith=area.path,
            window_end__gte=today,
        )
        .order_by("id")
        .values_list("id", "category", "community__path", "window_start", "window_end")
    )
    categories = {row[1] for row in need_rows}
    resource_rows = list(
        Resource.objects.filter(
            is_active=True,
            area__path__startswith=district_path,
            available_until__gte=today,
            category__in=categories,
        )
        .annotate(
            used=Count(
                "project_links", filter=Q(project_links__project__state__in=Project.ACTIVE_STATES)
            )
        )
        .order_by("id")
        .values_list(
            "id", "category", "area__path", "available_from", "available_until", "capacity", "used"
        )
    )
    places: dict[str, Place] = {}

    def place(path: str) -> Place:
        found = places.get(path)
        if found is None:
            found = places[path] = Place.from_path(path)
        return found

    needs = [NeedSlot(i, c, place(p), s, e) for i, c, p, s, e in need_rows]
    remaining = {row[0]: row[5] - row[6] for row in resource_rows}
    resources = [
        ResourceSlot(i, c, place(p), s, e, remaining[i])
        for i, c, p, s, e, _capacity, _used in resource_rows
        if remaining[i] > 0
    ]
    solution = solve(needs, resources)
    run = MatchRun.objects.create(
        area=area,
        created_by=_actor(actor),
        needs_considered=len(needs),
        resources_considered=len(resources),
        matched=solution.matched,
        total_distance=solution.total_distance,
        solver_ms=round(solution.seconds * 1000),
    )
    category_of = {row[0]: row[1] for row in need_rows}
    labels = {value: str(label) for value, label in Category.choices}
    distance_labels = {key: str(label) for key, label in DISTANCE_LABELS.items()}
    template = str(MSG_MATCH_REASON)
    _insert_proposals(
        (
            run.pk,
            a.need_id,
            a.resource_id,
            a.resource_id,
            a.distance,
            template.format(
                category=labels[category_of[a.need_id]],
                distance=distance_labels[a.distance],
                start=a.overlap_start.isoformat(),
                end=a.overlap_end.isoformat(),
                remaining=remaining[a.resource_id],
            )[:300],
            MatchProposal.State.PENDING.value,
            "",
        )
        for a in solution.assignments
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=run,
        changes={
            "area": area.pk,
            "needs": run.needs_considered,
            "resources": run.resources_considered,
            "proposals": run.matched,
            "total_distance": run.total_distance,
        },
    )
    return run


_PROPOSAL_COLUMNS = (
    "run_id",
    "need_id",
    "resource_id",
    "proposed_resource_id",
    "distance",
    "reason",
    "state",
    "decision_note",
)


def _insert_proposals(rows, batch_size: int = 5000) -> None:
    """Write a run's proposals in bulk: a district run writes up to ~10⁵ rows, and
    building as many model instances (bulk_create) took several times longer than the
    solver. PostgreSQL takes them through COPY, other databases through one
    parameterised INSERT per batch. Columns not listed are NULL (not yet decided)."""
    table = connection.ops.quote_name(MatchProposal._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _PROPOSAL_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(_PROPOSAL_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def _lock_pending(proposal: MatchProposal) -> MatchProposal:
    locked = MatchProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != MatchProposal.State.PENDING:
        raise Conflict(MSG_PROPOSAL_DECIDED, field="state", code=Code.PROPOSAL_DECIDED)
    return locked


def _decide(proposal: MatchProposal, state: str, *, actor, note: str = "", **fields) -> None:
    before = {"state": proposal.state, "resource": proposal.resource_id}
    proposal.state = state
    proposal.decided_by = _actor(actor)
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    for key, value in fields.items():
        setattr(proposal, key, value)
    proposal.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=proposal,
        changes=changes_between(before, {"state": proposal.state, "resource": proposal.resource_id})
        | ({"project": proposal.project_id} if proposal.project_id else {})
        | ({"note": note} if note else {}),
    )


@transaction.atomic
def proposal_accept(
    *, actor, proposal: MatchProposal, owner=None, title: str = "", plan: str = "", budget=0
) -> Project:
    """Staff accept a proposal: it becomes a project in state "proposed" (立项), which the
    providing org then claims (认领). The owner defaults to the accepting staff member."""
    access.require_decide_proposal(actor, proposal)
    locked = _lock_pending(proposal)
    project = _project_create(
        actor=actor,
        need=proposal.need,
        resources=[proposal.resource],
        title=title,
        owner=owner if owner is not None else _actor(actor),
        plan=plan,
        budget=budget,
        data={"proposal": proposal.pk},
    )
    _decide(locked, MatchProposal.State.ACCEPTED, actor=actor, project=project)
    proposal.refresh_from_db()
    return project


@transaction.atomic
def proposal_change(
    *,
    actor,
    proposal: MatchProposal,
    resource: Resource,
    owner=None,
    title: str = "",
    plan: str = "",
    budget=0,
    note: str = "",
) -> Project:
    """Staff pick another resource for the need, checked by the same rules (category,
    overlapping windows, same district, capacity left), and accept it at once: the
    project is set up with the chosen resource and the proposal keeps the solver's."""
    access.require_decide_proposal(actor, proposal)
    if resource.pk == proposal.resource_id:
        raise ValidationFailed(MSG_SAME_RESOURCE, field="resource", code=Code.SAME_RESOURCE)
    note = _text(note, field="note", max_length=200)
    locked = _lock_pending(proposal)
    project = _project_create(
        actor=actor,
        need=proposal.need,
        resources=[resource],
        title=title,
        owner=owner if owner is not None else _actor(actor),
        plan=plan,
        budget=budget,
        data={"proposal": proposal.pk, "changed_from": proposal.resource_id},
    )
    _decide(
        locked,
        MatchProposal.State.CHANGED,
        actor=actor,
        note=note,
        resource=resource,
        project=project,
    )
    proposal.refresh_from_db()
    return project


@transaction.atomic
def proposal_reject(*, actor, proposal: MatchProposal, note: str = "") -> MatchProposal:
    """Staff turn a proposal down; the need stays open for the next run."""
    access.require_decide_proposal(actor, proposal)
    note = _text(note, field="note", max_length=200)
    locked = _lock_pending(proposal)
    _decide(locked, MatchProposal.State.REJECTED, actor=actor, note=note)
    proposal.refresh_from_db()
    return proposal
