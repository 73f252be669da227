"""Reads of the territory tree, scoped."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jiceng.core.errors import NotFound
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import scope_for


def area_list(
    *, viewer, parent: Area | None = None, level: str | None = None, q: str | None = None
) -> QuerySet[Area]:
    areas = scope_for(viewer).filter(Area.objects.all())
    if parent is not None:
        areas = areas.filter(parent=parent)
    if level:
        areas = areas.filter(level=level)
    if q:
        areas = areas.filter(name__icontains=q) | areas.filter(code__startswith=q)
    return areas.order_by("path")


def area_children(*, viewer, area: Area) -> QuerySet[Area]:
    return area_list(viewer=viewer, parent=area)


def area_roots(*, viewer) -> list[Area]:
    """The top visible areas: each area grant's own node (the user's home territory)."""
    scope = scope_for(viewer)
    if scope.everything:
        return list(Area.objects.filter(parent__isnull=True).order_by("path"))
    roots = scope.area_roots()
    if not roots or not scope.can_see_kind("area"):
        return []
    # Drop roots nested under another root of the same user.
    roots = sorted(set(roots))
    tops = [p for p in roots if not any(p != o and p.startswith(o) for o in roots)]
    return list(Area.objects.filter(path__in=tops).order_by("path"))


def area_breadcrumb(*, viewer, area: Area) -> list[Area]:
    """Ancestors of `area` that the viewer can see, root first, ending with `area`."""
    codes = area.ancestor_codes()
    chain = {a.code: a for a in scope_for(viewer).filter(Area.objects.filter(code__in=codes))}
    return [chain[c] for c in codes if c in chain]


# ---- the audit log -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # an account name, exact
    action: str = ""
    target_type: str = ""  # e.g. members.member
    target_id: str = ""
    person: int | None = None  # a party member: every entry that handled their data


# An app that keeps personal data registers how to find the entries about one person
# (members: reveals, lookups, and exports whose manifest holds them), so the audit page
# can filter by person without core importing the app.
_PERSON_ENTRIES: list[Callable[[object, int], QuerySet[AuditEntry]]] = []


def register_person_entries(find: Callable[[object, int], QuerySet[AuditEntry]]) -> None:
    if find not in _PERSON_ENTRIES:
        _PERSON_ENTRIES.append(find)


def audit_entry_list(*, viewer, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Audit entries the viewer may see (core.scope: auditors, for their territory),
    filtered, newest first. NotFound for anyone who may not read the log."""
    condition = scope_for(viewer).audit_q()
    if condition is None:
        raise NotFound()
    entries = AuditEntry.objects.filter(condition)
    if filters.actor:
        entries = entries.filter(actor_label=filters.actor)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.target_type:
        entries = entries.filter(target_type=filters.target_type)
    if filters.target_id:
        entries = entries.filter(target_id=filters.target_id)
    if filters.person is not None:
        about = Q(pk__in=[])
        for find in _PERSON_ENTRIES:
            about |= Q(pk__in=find(viewer, filters.person).values("pk"))
        entries = entries.filter(about)
    return entries.select_related("actor").order_by("-id")


def job_get(*, viewer, job_id, kind: str | None = None):
    """A job, for the person who submitted it only: anyone else, a malformed id or
    another kind than asked (the member export's own routes) is not found. A job whose
    task the worker could not even start (its TaskResult failed before the job's own
    bookkeeping ran), or whose worker stopped while running it, is shown failed,
    without writing."""
    import uuid

    from jiceng.core.models import Job

    try:
        key = uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound() from None
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        raise NotFound()
    found = Job.objects.filter(pk=key, owner_id=viewer.pk)
    job = (found.filter(kind=kind) if kind else found).first()
    if job is None:
        raise NotFound()
    if not job.finished and job.task_id and _task_failed(job.task_id):
        from jiceng.core.jobs import MSG_JOB_FAILED

        job.state, job.error_code, job.error = Job.State.FAILED, "job_failed", str(MSG_JOB_FAILED)
    from jiceng.core.jobs import MSG_JOB_INTERRUPTED, interrupted

    if interrupted(job):
        # Its worker stopped (`jobs-reap` writes this): shown failed, without writing.
        job.state, job.error_code = Job.State.FAILED, "job_interrupted"
        job.error = str(MSG_JOB_INTERRUPTED)
    return job


def _task_failed(task_id: str) -> bool:
    from django_tasks import default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not default_task_backend.supports_get_result:
        return False
    try:
        return default_task_backend.get_result(task_id).status == "FAILED"
    except TaskResultDoesNotExist:
        return False
