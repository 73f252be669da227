"""Every read of the duties app; already scoped through core.scope, except the
admitted-duty lookup the linkage app makes on a department's behalf
(`admitted_duty_for`), which answers for the system, not for a viewer."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.appeals.models import HandlingUnit
from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.duties.models import (
    Duty,
    DutyTarget,
    FieldOfficeAssessment,
    OutsideListReport,
    PowerRequest,
)
from jiceng.duties.places import district_of, street_of

OPEN = PowerRequest.State.OPEN


def duty_list(*, viewer, state: str | None = None, district: Area | None = None) -> QuerySet[Duty]:
    """Applications the viewer sees: a department its own, the district all of its own."""
    duties = scope_for(viewer).filter(
        Duty.objects.select_related("department", "district").prefetch_related("targets__street")
    )
    if state:
        duties = duties.filter(state=state)
    if district is not None:
        duties = duties.filter(district=district)
    return duties.order_by("-created_at", "-id")


def street_duty_list(*, viewer, street: Area | None = None) -> QuerySet[DutyTarget]:
    """The streets' duty lists (街道职责清单): each admitted duty with the people and
    funds that go with it, per street the viewer sees."""
    targets = scope_for(viewer).filter(
        DutyTarget.objects.filter(duty__state=Duty.State.ADMITTED).select_related(
            "duty", "duty__department", "street"
        )
    )
    if street is not None:
        targets = targets.filter(street=street)
    return targets.order_by("street__code", "duty__title", "duty_id")


def admitted_duty_for(*, department: HandlingUnit, street_or_area: Area, duty_id) -> Duty | None:
    """The admitted duty `duty_id` of `department` covering `street_or_area` (a street,
    or a place under one), or None. For the linkage app's check before a department's
    task goes down (services.require_admitted says why not)."""
    street = street_of(street_or_area)
    if street is None:
        return None
    try:
        pk = int(duty_id)
    except (TypeError, ValueError):
        return None
    return (
        Duty.objects.filter(
            pk=pk, department=department, state=Duty.State.ADMITTED, targets__street=street
        )
        .select_related("department")
        .first()
    )


def admitted_duties_of(*, department: HandlingUnit) -> QuerySet[Duty]:
    """A department's admitted duties, for the choice a task form offers."""
    return (
        Duty.objects.filter(department=department, state=Duty.State.ADMITTED)
        .prefetch_related("targets__street")
        .order_by("title", "id")
    )


def outside_list_reports(*, viewer, street: Area | None = None) -> QuerySet[OutsideListReport]:
    reports = scope_for(viewer).filter(
        OutsideListReport.objects.select_related("street", "department")
    )
    if street is not None:
        reports = reports.filter(street=street)
    return reports.order_by("-reported_on", "-id")


def assessment_list(
    *,
    viewer,
    year: int | None = None,
    street: Area | None = None,
    department: HandlingUnit | None = None,
) -> QuerySet[FieldOfficeAssessment]:
    """The streets' yearly assessments of field-office heads the viewer sees: what the
    responsibility system reads (grade per office, head and year)."""
    rows = scope_for(viewer).filter(
        FieldOfficeAssessment.objects.select_related("street", "department")
    )
    if year is not None:
        rows = rows.filter(year=year)
    if street is not None:
        rows = rows.filter(street=street)
    if department is not None:
        rows = rows.filter(department=department)
    return rows.order_by("-year", "street__code", "office_name", "id")


def power_request_list(
    *,
    viewer,
    kind: str | None = None,
    state: str | None = None,
    overdue: bool = False,
    street: Area | None = None,
) -> QuerySet[PowerRequest]:
    requests = scope_for(viewer).filter(
        PowerRequest.objects.select_related("street", "district", "department")
    )
    if kind:
        requests = requests.filter(kind=kind)
    if state:
        requests = requests.filter(state=state)
    if overdue:
        requests = requests.filter(state=OPEN, due_on__lt=timezone.localdate())
    if street is not None:
        requests = requests.filter(street=street)
    return requests.order_by("-created_at", "-id")


# ---- what the forms offer ---------------------------------------------------------------


def department_units(*, viewer) -> QuerySet[HandlingUnit]:
    """The departments the viewer works in (handler memberships), for applications and
    consent requests; every department for the system or a superuser."""
    units = HandlingUnit.objects.filter(kind=HandlingUnit.Kind.DEPARTMENT, is_active=True)
    if not scope_for(viewer).everything:
        units = units.filter(handlers__user=viewer, handlers__ended_at__isnull=True)
    return units.select_related("area").distinct().order_by("area__path", "name")


def departments_serving(*, viewer, limit: int = 200) -> QuerySet[HandlingUnit]:
    """Departments serving the districts of the streets the viewer manages (to address a
    proposal, or to name the sender of a task outside the list)."""
    paths = set()
    for root in _managed_streets(viewer):
        codes = root.ancestor_codes()
        if len(codes) >= 2:
            paths.add("/".join(codes[:2]) + "/")
    if scope_for(viewer).everything:
        condition = Q()
    elif not paths:
        return HandlingUnit.objects.none()
    else:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(area__path__startswith=path)
    return (
        HandlingUnit.objects.filter(condition, kind=HandlingUnit.Kind.DEPARTMENT, is_active=True)
        .select_related("area")
        .order_by("area__path", "name")[:limit]
    )


def _managed_streets(viewer) -> list[Area]:
    scope = scope_for(viewer)
    if scope.everything:
        return list(Area.objects.filter(level=Area.Level.STREET).order_by("code")[:200])
    paths = scope.managed_area_paths()
    if not paths:
        return []
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(Area.objects.filter(condition, level=Area.Level.STREET).order_by("code")[:200])


def managed_streets(*, viewer) -> list[Area]:
    """The streets the viewer manages (street staff: theirs; the district: all of it)."""
    return _managed_streets(viewer)


def streets_of_district(*, district: Area) -> QuerySet[Area]:
    """The streets an application may target (any street of the department's district)."""
    return Area.objects.filter(level=Area.Level.STREET, path__startswith=district.path).order_by(
        "code"
    )


def streets_for_departments(*, units) -> list[Area]:
    """The streets of the districts the given departments serve."""
    streets: dict[int, Area] = {}
    for unit in units:
        district = district_of(unit.area)
        if district is not None:
            for street in streets_of_district(district=district)[:200]:
                streets[street.pk] = street
    return sorted(streets.values(), key=lambda s: s.code)


def area_named(area_id) -> Area | None:
    try:
        return Area.objects.filter(pk=int(area_id)).first()
    except (TypeError, ValueError):
        return None


def unit_named(unit_id) -> HandlingUnit | None:
    try:
        return HandlingUnit.objects.select_related("area").filter(pk=int(unit_id)).first()
    except (TypeError, ValueError):
        return None


# ---- what is waiting (workbench, indicators) --------------------------------------------


def duties_pending_review(*, viewer, area: Area | None = None) -> QuerySet[Duty]:
    """Submitted applications in the viewer's sight, oldest first; under `area`: those
    reviewed there (a city or district) or going down to it (a street)."""
    duties = scope_for(viewer).filter(
        Duty.objects.filter(state=Duty.State.SUBMITTED).select_related("department")
    )
    if area is not None:
        duties = duties.filter(_under(area))
    return duties.order_by("submitted_at", "id")


def _under(area: Area) -> Q:
    if area.level in (Area.Level.CITY, Area.Level.DISTRICT):
        return Q(district__path__startswith=area.path)
    targets = DutyTarget.objects.filter(street__path__startswith=area.path).values("duty_id")
    return Q(pk__in=targets)


def requests_awaiting(*, viewer, street_side: bool) -> QuerySet[PowerRequest]:
    """Open requests in sight awaiting the street's answer (consent) or the other side's
    (proposals and coordination), earliest deadline first."""
    condition = Q(kind=PowerRequest.Kind.CONSENT)
    requests = scope_for(viewer).filter(
        PowerRequest.objects.filter(state=OPEN).select_related("street", "department")
    )
    requests = requests.filter(condition) if street_side else requests.exclude(condition)
    return requests.order_by("due_on", "id")
