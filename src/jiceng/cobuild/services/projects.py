"""The projects list (项目清单): a project set up by hand or from a proposal, and its
steps through the transition table in `cobuild.states` (each writes a ProjectEvent)."""

from django.db import transaction
from django.utils import timezone

from jiceng.cobuild import access
from jiceng.cobuild.errors import (
    MSG_BUDGET,
    MSG_NEED_NOT_OPEN,
    MSG_OWNER,
    MSG_PROJECT_FINISHED,
    MSG_RESOURCE_LINKED,
    MSG_RESOURCES_REQUIRED,
    MSG_SCORE,
    MSG_TITLE,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.events import project_event
from jiceng.cobuild.models import (
    Need,
    Project,
    ProjectResource,
    Resource,
)
from jiceng.cobuild.services._common import (
    TEXT_MAX,
    _decimal,
    _integer,
    _text,
)
from jiceng.cobuild.services.resources import _take_capacity, check_pair
from jiceng.cobuild.states import transition_for
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import AuditEntry


def _clean_owner(owner):
    if owner is None:
        return None
    if not getattr(owner, "is_active", False) or getattr(owner, "pk", None) is None:
        raise ValidationFailed(MSG_OWNER, field="owner", code=Code.BAD_OWNER)
    return owner


def _project_create(
    *,
    actor,
    need: Need,
    resources: list[Resource],
    title: str,
    owner,
    plan: str,
    budget,
    data: dict | None = None,
) -> Project:
    """Shared by a manual set-up and an accepted proposal: validate everything, then lock
    the need and each resource, then write."""
    if not resources:
        raise ValidationFailed(
            MSG_RESOURCES_REQUIRED, field="resources", code=Code.RESOURCES_REQUIRED
        )
    if len({r.pk for r in resources}) != len(resources):
        raise ValidationFailed(MSG_RESOURCE_LINKED, field="resources", code=Code.RESOURCE_LINKED)
    title = _text(title or need.title, field="title", max_length=100, required=MSG_TITLE)
    plan = _text(plan, field="plan", max_length=4000)
    budget = _decimal(budget or 0, field="budget", message=MSG_BUDGET, code=Code.BAD_BUDGET)
    owner = _clean_owner(owner)
    for resource in resources:
        check_pair(need, resource)
    locked_need = Need.objects.select_for_update().get(pk=need.pk)
    if locked_need.status != Need.Status.OPEN:
        raise Conflict(MSG_NEED_NOT_OPEN, field="need", code=Code.NEED_NOT_OPEN)
    for resource in sorted(resources, key=lambda r: r.pk):  # one lock order: no deadlock
        _take_capacity(resource)
    project = Project.objects.create(
        title=title,
        need=need,
        provider_org=access.resource_provider_org(resources[0]),
        owner=owner,
        plan=plan,
        budget=budget,
    )
    ProjectResource.objects.bulk_create(
        [ProjectResource(project=project, resource=r) for r in resources]
    )
    need.status = locked_need.status = Need.Status.MATCHED
    Need.objects.filter(pk=need.pk).update(status=Need.Status.MATCHED)
    project_event(
        project,
        "propose",
        actor=actor,
        data={"resources": [r.pk for r in resources], **(data or {})},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=project,
        changes={
            "need": need.pk,
            "resources": [r.pk for r in resources],
            "owner": owner.pk if owner else None,
            "budget": str(budget),
            **(data or {}),
        },
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=need,
        changes={"status": {"old": "open", "new": "matched"}, "project": project.pk},
    )
    return project


@transaction.atomic
def project_create(
    *,
    actor,
    need: Need,
    resources: list[Resource],
    title: str = "",
    owner=None,
    plan: str = "",
    budget=0,
) -> Project:
    """Community staff set up a project for an open need by hand, with the resources
    they chose; the pairs must satisfy the matching rules (check_pair)."""
    access.require_manage_need(actor, need)
    return _project_create(
        actor=actor,
        need=need,
        resources=list(resources),
        title=title,
        owner=owner,
        plan=plan,
        budget=budget,
    )


def _lock_project(project: Project) -> Project:
    list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
    project.refresh_from_db(fields=["state"])
    return project


def _move(project: Project, action: str, *, actor, note: str = "", data=None, **fields) -> None:
    """Apply one transition: lock the row, check against the stored state, save, record."""
    _lock_project(project)
    transition = transition_for(project, action)
    before = project.state
    project.state = transition.target
    for key, value in fields.items():
        setattr(project, key, value)
    project.save(update_fields=["state", *fields])
    project_event(project, action, actor=actor, from_state=before, note=note, data=data)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=project,
        changes={"state": {"old": before, "new": project.state}, "action": action},
    )


@transaction.atomic
def project_claim(*, actor, project: Project, note: str = "") -> Project:
    """认领: the providing org takes the project on."""
    access.require_carry_out_project(actor, project)
    note = _text(note, field="note", max_length=TEXT_MAX)
    _move(project, "claim", actor=actor, note=note)
    return project


@transaction.atomic
def project_start(*, actor, project: Project, note: str = "") -> Project:
    access.require_carry_out_project(actor, project)
    note = _text(note, field="note", max_length=TEXT_MAX)
    _move(project, "start", actor=actor, note=note)
    return project


@transaction.atomic
def project_complete(*, actor, project: Project, note: str = "") -> Project:
    """Done: the resources' capacity is free again."""
    access.require_carry_out_project(actor, project)
    note = _text(note, field="note", max_length=TEXT_MAX)
    _move(project, "complete", actor=actor, note=note, completed_at=timezone.now())
    return project


@transaction.atomic
def project_evaluate(*, actor, project: Project, score: int, comment: str = "") -> Project:
    """The beneficiaries' evaluation (1–5 and a comment), entered by community staff or
    by the system from a residents' form; the need is then closed."""
    access.require_steer_project(actor, project)
    score = _integer(score, field="score", low=1, high=5, message=MSG_SCORE, code=Code.BAD_SCORE)
    comment = _text(comment, field="comment", max_length=500)
    _move(
        project,
        "evaluate",
        actor=actor,
        note=comment,
        data={"score": score},
        score=score,
        evaluation=comment,
        evaluated_at=timezone.now(),
    )
    updated = Need.objects.filter(pk=project.need_id, status=Need.Status.MATCHED).update(
        status=Need.Status.CLOSED
    )
    if updated:
        project.need.status = Need.Status.CLOSED
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CLOSE,
            target=project.need,
            changes={"status": {"old": "matched", "new": "closed"}, "project": project.pk},
        )
    return project


PLAN_FIELDS = ("title", "plan", "budget", "owner")


@transaction.atomic
def project_update_plan(
    *,
    actor,
    project: Project,
    title: str | None = None,
    plan: str | None = None,
    budget=None,
    owner=None,
) -> Project:
    """Change title, plan, budget or owner while the project is not yet completed."""
    access.require_steer_project(actor, project)
    values = {}
    if title is not None:
        values["title"] = _text(title, field="title", max_length=100, required=MSG_TITLE)
    if plan is not None:
        values["plan"] = _text(plan, field="plan", max_length=4000)
    if budget is not None:
        values["budget"] = _decimal(
            budget, field="budget", message=MSG_BUDGET, code=Code.BAD_BUDGET
        )
    if owner is not None:
        values["owner"] = _clean_owner(owner)
    _lock_project(project)
    if not project.is_active:
        raise Conflict(MSG_PROJECT_FINISHED, field="state", code=Code.PROJECT_FINISHED)
    before = snapshot(project, PLAN_FIELDS)
    for key, value in values.items():
        setattr(project, key, value)
    if values:
        project.save(update_fields=list(values))
    changes = changes_between(before, snapshot(project, PLAN_FIELDS))
    if changes:
        project_event(project, "update", actor=actor, from_state=project.state, data=changes)
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=project, changes=changes)
    return project


@transaction.atomic
def project_add_resource(*, actor, project: Project, resource: Resource) -> Project:
    """Bring one more resource into a running project, under the matching rules."""
    access.require_steer_project(actor, project)
    check_pair(project.need, resource)
    _lock_project(project)
    if not project.is_active:
        raise Conflict(MSG_PROJECT_FINISHED, field="state", code=Code.PROJECT_FINISHED)
    if ProjectResource.objects.filter(project=project, resource=resource).exists():
        raise Conflict(MSG_RESOURCE_LINKED, field="resource", code=Code.RESOURCE_LINKED)
    _take_capacity(resource)
    ProjectResource.objects.create(project=project, resource=resource)
    project_event(
        project,
        "add_resource",
        actor=actor,
        from_state=project.state,
        data={"resource": resource.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=project,
        changes={"resources": {"added": resource.pk}},
    )
    return project
