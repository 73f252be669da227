"""Every read of the responsibility system a person sees, already scoped (core.scope).

Before the district publishes a year's results, each assessed org sees its own
assessment and lists only (the scope: a community's staff see their community); the
ranking of the whole district is shown to those above the assessed (the district) and,
once published, to every assessed org of the district."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.assessment.models import (
    Assessment,
    Evidence,
    Problem,
    Rectification,
    Report,
    Reviewer,
    Scheme,
    TaskItem,
)
from jiceng.core.models import Area
from jiceng.core.outcomes import outcomes
from jiceng.core.scope import KIND_ASSESSMENT, scope_for
from jiceng.orgs.models import PartyOrg


def can_see(viewer) -> bool:
    return scope_for(viewer).can_see_kind(KIND_ASSESSMENT)


def outcome_choices() -> list:
    return outcomes()


def scheme_list(*, viewer, year: int | None = None) -> QuerySet[Scheme]:
    schemes = scope_for(viewer).filter(Scheme.objects.select_related("district"))
    schemes = schemes.exclude(state=Scheme.State.SUPERSEDED)
    if year:
        schemes = schemes.filter(year=year)
    return schemes.order_by("-year", "district__code")


def scheme_versions(*, viewer, scheme: Scheme) -> QuerySet[Scheme]:
    return (
        scope_for(viewer)
        .filter(Scheme.objects.filter(district=scheme.district, year=scheme.year))
        .order_by("-version")
    )


def scheme_get(*, viewer, scheme_id) -> Scheme:
    return scope_for(viewer).get(
        Scheme.objects.select_related("district").prefetch_related("items"), pk=scheme_id
    )


def schemes_covering(*, viewer, year: int | None = None) -> QuerySet[Scheme]:
    """The current schemes of the districts the viewer works in (seen or not: a
    community's secretary has no access to the district's scheme row, yet is assessed
    under it)."""
    scope = scope_for(viewer)
    schemes = Scheme.objects.exclude(state=Scheme.State.SUPERSEDED).select_related("district")
    if year:
        schemes = schemes.filter(year=year)
    if scope.everything:
        return schemes
    condition = Q(pk__in=[])
    for root in scope.area_roots():
        # The district is the root's own or an ancestor (a path prefix of it).
        condition |= Q(district__path__in=path_prefixes(root))
    org_roots = scope.org_roots()
    if org_roots:
        areas = PartyOrg.objects.filter(path__in=org_roots).values_list("area__path", flat=True)
        for path in areas:
            condition |= Q(district__path__in=path_prefixes(path))
    return schemes.filter(condition)


def path_prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def assessment_list(
    *, viewer, scheme: Scheme | None = None, year: int | None = None, group: str | None = None
) -> QuerySet[Assessment]:
    rows = scope_for(viewer).filter(
        Assessment.objects.select_related("org", "org__area", "scheme", "report")
    )
    if scheme is not None:
        rows = rows.filter(scheme=scheme)
    if year:
        rows = rows.filter(year=year)
    if group:
        rows = rows.filter(group=group)
    return rows.order_by("group", "rank", "org__path")


def assessment_get(*, viewer, assessment_id) -> Assessment:
    return scope_for(viewer).get(
        Assessment.objects.select_related("org", "org__area__parent", "scheme", "report"),
        pk=assessment_id,
    )


def ranking_is_open_to(viewer, scheme: Scheme) -> bool:
    """Whether `viewer` sees the whole district's ranking: those who see the scheme
    itself (the district and above) always; once published, every viewer working in
    the district."""
    scope = scope_for(viewer)
    if scope.everything or scope.filter(Scheme.objects.filter(pk=scheme.pk)).exists():
        return True
    if not scheme.is_published:
        return False
    return schemes_covering(viewer=viewer).filter(pk=scheme.pk).exists()


def ranking(*, viewer, scheme: Scheme, group: str | None = None) -> tuple[list[Assessment], bool]:
    """The scheme's ranked rows the viewer may see, and whether that is the whole
    district's ranking (else only the viewer's own assessments)."""
    whole = ranking_is_open_to(viewer, scheme)
    rows = Assessment.objects.filter(scheme=scheme).select_related("org", "org__area")
    if not whole:
        rows = scope_for(viewer).filter(rows)
    if group:
        rows = rows.filter(group=group)
    return list(rows.order_by("group", "rank", "org__path")[:2000]), whole


def task_list(
    *, viewer, assessment: Assessment | None = None, year: int | None = None, open_only=False
) -> QuerySet[TaskItem]:
    tasks = scope_for(viewer).filter(
        TaskItem.objects.select_related("assessment", "assessment__org", "assessment__scheme")
    )
    if assessment is not None:
        tasks = tasks.filter(assessment=assessment)
    if year:
        tasks = tasks.filter(assessment__year=year)
    if open_only:
        tasks = tasks.filter(done_on__isnull=True)
    return tasks.order_by("deadline", "id")


def report_get(*, viewer, report_id) -> Report:
    return scope_for(viewer).get(
        Report.objects.select_related(
            "assessment", "assessment__org", "assessment__org__area__parent", "assessment__scheme"
        ),
        pk=report_id,
    )


def reviewers_of(report: Report) -> list[Reviewer]:
    return list(report.reviewers.order_by("id"))


def reviewer_get(*, viewer, reviewer_id) -> Reviewer:
    return scope_for(viewer).get(
        Reviewer.objects.select_related("report", "report__assessment", "report__assessment__org"),
        pk=reviewer_id,
    )


def reviews_to_give(*, viewer) -> QuerySet[Reviewer]:
    """The viewer's own reviews not given yet, on submitted reports."""
    return (
        scope_for(viewer)
        .filter(Reviewer.objects.select_related("report__assessment__org"))
        .filter(
            account_id=getattr(viewer, "pk", None),
            given_at__isnull=True,
            report__state=Report.State.SUBMITTED,
        )
        .order_by("id")
    )


def problem_list(
    *,
    viewer,
    year: int | None = None,
    source: str | None = None,
    org: PartyOrg | None = None,
    area: Area | None = None,
) -> QuerySet[Problem]:
    problems = scope_for(viewer).filter(Problem.objects.select_related("org", "rectification"))
    if year:
        problems = problems.filter(year=year)
    if source:
        problems = problems.filter(source=source)
    if org is not None:
        problems = problems.filter(org=org)
    if area is not None:
        problems = problems.filter(org__area__path__startswith=area.path)
    return problems.order_by("-year", "org__path", "id")


def problem_get(*, viewer, problem_id) -> Problem:
    return scope_for(viewer).get(
        Problem.objects.select_related("org", "org__area__parent"), pk=problem_id
    )


OVERDUE = "overdue"


def rectification_list(
    *,
    viewer,
    year: int | None = None,
    state: str | None = None,
    org: PartyOrg | None = None,
    area: Area | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Rectification]:
    """`state`: a Rectification.State, or "overdue" (past the deadline, not closed)."""
    items = scope_for(viewer).filter(
        Rectification.objects.select_related("org", "problem", "escalated_to")
    )
    if year:
        items = items.filter(problem__year=year)
    if state == OVERDUE:
        items = overdue(items, today)
    elif state:
        items = items.filter(state=state)
    if org is not None:
        items = items.filter(org=org)
    if area is not None:
        items = items.filter(org__area__path__startswith=area.path)
    return items.order_by("deadline", "id")


def overdue(items: QuerySet[Rectification], today: datetime.date | None = None):
    today = today or timezone.localdate()
    return items.filter(deadline__lt=today).exclude(state=Rectification.State.CLOSED)


def rectification_get(*, viewer, item_id) -> Rectification:
    return scope_for(viewer).get(
        Rectification.objects.select_related("org", "org__area__parent", "problem"), pk=item_id
    )


def evidence_of(item: Rectification) -> list[Evidence]:
    return list(item.evidence.order_by("id"))


def evidence_get(*, viewer, evidence_id) -> Evidence:
    return scope_for(viewer).get(Evidence.objects.all(), pk=evidence_id)


def closures_to_confirm(*, viewer) -> QuerySet[Rectification]:
    """Items submitted for closure that the viewer confirms: those of orgs in areas
    below the viewer's own (the upper level)."""
    scope = scope_for(viewer)
    items = rectification_list(viewer=viewer, state=Rectification.State.SUBMITTED)
    if scope.everything:
        return items
    condition = Q(pk__in=[])
    for root in scope.managed_area_paths():
        condition |= Q(org__area__parent__path__startswith=root)
    return items.filter(condition)


def escalated_to_viewer(*, viewer) -> QuerySet[Rectification]:
    """Overdue items escalated to an area the viewer manages (the level above)."""
    scope = scope_for(viewer)
    items = overdue(rectification_list(viewer=viewer)).filter(escalated_to__isnull=False)
    if scope.everything:
        return items
    condition = Q(pk__in=[])
    for root in scope.managed_area_paths():
        condition |= Q(escalated_to__path__startswith=root)
    return items.filter(condition)


def reports_to_write(*, viewer) -> QuerySet[Report]:
    """Draft reports of assessments the viewer answers for: the viewer's own org or
    place, not those below it."""
    scope = scope_for(viewer)
    reports = scope.filter(
        Report.objects.select_related("assessment__org", "assessment__scheme")
    ).filter(state=Report.State.DRAFT, assessment__scheme__state=Scheme.State.OPEN)
    if scope.everything:
        return reports.none()
    own = Q(pk__in=[])
    for root in scope.managed_area_paths():
        own |= Q(assessment__org__area__path=root)
    for path in scope.managed_org_paths():
        own |= Q(assessment__org__path=path)
    return reports.filter(own)


def orgs_for_problems(*, viewer, limit: int = 300) -> QuerySet[PartyOrg]:
    """Open orgs the viewer sees, for the problem form (the service checks the level)."""
    return (
        scope_for(viewer)
        .filter(PartyOrg.objects.filter(closed_on__isnull=True).select_related("area__parent"))
        .order_by("path")[:limit]
    )


def org_for_filter(*, viewer, value: str) -> PartyOrg | None:
    """The org a list is filtered by (?org=), if the viewer sees it."""
    if not value.isdigit():
        return None
    return scope_for(viewer).filter(PartyOrg.objects.filter(pk=int(value))).first()


def districts(*, viewer) -> list[Area]:
    """The districts the viewer sees (a scheme's owner is one)."""
    return list(
        scope_for(viewer)
        .filter(Area.objects.filter(level=Area.Level.DISTRICT))
        .order_by("code")[:50]
    )


def items_to_rectify(*, viewer) -> QuerySet[Rectification]:
    """Open or returned items of orgs the viewer answers for: the viewer's own place or
    org (its owner's side), not the levels below."""
    scope = scope_for(viewer)
    items = rectification_list(viewer=viewer).filter(
        state__in=(Rectification.State.OPEN, Rectification.State.RETURNED)
    )
    if scope.everything:
        return items.none()
    own = Q(owner_account_id=getattr(viewer, "pk", None))
    for root in scope.managed_area_paths():
        own |= Q(org__area__path=root)
    for path in scope.managed_org_paths():
        own |= Q(org__path=path)
    return items.filter(own)


def reviewer_candidates(*, report: Report, limit: int = 200) -> list[tuple[int, str]]:
    """Accounts that may be named to review `report`: those holding a role at the level
    above the assessed org (its committee's members) or in the org's own line (members'
    representatives), by name and role; the upper level chooses."""
    from jiceng.accounts.models import RoleAssignment

    org = report.assessment.org
    upper = org.area.parent
    condition = Q(org__path__startswith=org.path)
    if upper is not None:
        condition |= Q(area=upper)
    rows = (
        RoleAssignment.objects.filter(condition, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .order_by("user__username")[:limit]
    )
    seen: dict[int, str] = {}
    for row in rows:
        seen.setdefault(
            row.user_id, f"{row.user.full_name or row.user.username}（{row.get_role_display()}）"
        )
    return list(seen.items())
