"""Duty admission and the street's powers in the JSON API. Every write a page offers is
an operation here calling the same service: the creations one by one, the lifecycle
actions generated from the action tables (`actions.py`). Reads go through the
selectors, scoped; errors answer {"code", "message", "field"}."""

from django.db import transaction
from ninja import Router, Status

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound
from jiceng.core.inputs import Year
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.scope import KIND_DUTY, scope_for
from jiceng.duties import access, actions, schemas, selectors, services

router = Router(tags=["duties 职责准入与街道五项权力"])


def _kind(request) -> None:
    if not scope_for(request.user).can_see_kind(KIND_DUTY):
        raise NotFound()


def _area(request, area_id):
    return get_area_for_view(request.user, area_id) if area_id else None


def _unit(request, unit_id):
    """A handling unit named in a payload: the service decides whether it may be used;
    one that does not exist is 404."""
    unit = selectors.unit_named(unit_id)
    if unit is None:
        raise NotFound()
    return unit


# ---- duty applications ------------------------------------------------------------------


@router.get("/duties", response=list[schemas.DutyOut])
@paginate(LimitOffsetPagination)
def duties(request, state: str = ""):
    """Applications: a department sees its own, the district all of its own."""
    _kind(request)
    return selectors.duty_list(viewer=request.user, state=state or None)


@router.get("/duties/{int:duty_id}", response=schemas.DutyOut)
def duty(request, duty_id: int):
    _kind(request)
    return access.get_duty_for_view(request.user, duty_id)


@router.post("/duties", response={201: schemas.DutyOut})
def duty_apply(request, payload: schemas.DutyIn):
    """A department applies to push a duty down (as a draft, or submitted at once)."""
    _kind(request)
    with transaction.atomic():
        streets = [get_area_for_view(request.user, s) for s in payload.streets]
        duty = services.duty_apply(
            actor=request.user,
            department=_unit(request, payload.department),
            title=payload.title,
            description=payload.description,
            legal_basis=payload.legal_basis,
            expected_volume=payload.expected_volume,
            target_level=payload.target_level,
            staff_count=payload.staff_count,
            funds_yuan=payload.funds_yuan,
            resources_note=payload.resources_note,
            streets=streets,
            submit=payload.submit,
        )
    return Status(201, access.get_duty_for_view(request.user, duty.pk))


@router.get("/street-list", response=list[schemas.StreetDutyOut])
@paginate(LimitOffsetPagination)
def street_list(request, street: int | None = None):
    """The streets' duty lists (街道职责清单): admitted duties with their people and funds."""
    _kind(request)
    return selectors.street_duty_list(viewer=request.user, street=_area(request, street))


# ---- tasks outside the list -------------------------------------------------------------


@router.get("/outside-list", response=list[schemas.OutsideListOut])
@paginate(LimitOffsetPagination)
def outside_list(request, street: int | None = None):
    _kind(request)
    return selectors.outside_list_reports(viewer=request.user, street=_area(request, street))


@router.post("/outside-list", response={201: schemas.OutsideListOut})
def outside_list_report(request, payload: schemas.OutsideListIn):
    """A street marks a task it received as outside its duty list (清单外事项)."""
    _kind(request)
    report = services.outside_list_report(
        actor=request.user,
        street=get_area_for_view(request.user, payload.street),
        department=_unit(request, payload.department),
        description=payload.description,
        task_reference=payload.task_reference,
        reported_on=payload.reported_on,
    )
    return Status(201, report)


# ---- the five powers --------------------------------------------------------------------


@router.get("/assessments", response=list[schemas.AssessmentOut])
@paginate(LimitOffsetPagination)
def assessments(request, year: Year | None = None, street: int | None = None):
    _kind(request)
    return selectors.assessment_list(viewer=request.user, year=year, street=_area(request, street))


@router.post("/assessments", response={201: schemas.AssessmentOut})
def assessment_record(request, payload: schemas.AssessmentIn):
    """人事考核权: the street's yearly assessment of a field office's head."""
    _kind(request)
    assessment = services.assessment_record(
        actor=request.user,
        street=get_area_for_view(request.user, payload.street),
        department=_unit(request, payload.department),
        office_name=payload.office_name,
        head_name=payload.head_name,
        year=payload.year,
        grade=payload.grade,
        comment=payload.comment,
    )
    return Status(201, assessment)


@router.get("/requests", response=list[schemas.PowerRequestOut])
@paginate(LimitOffsetPagination)
def power_requests(request, kind: str = "", state: str = "", overdue: bool = False):
    """Consent requests, proposals and coordination requests in sight; `overdue` keeps
    the open ones past their deadline."""
    _kind(request)
    return selectors.power_request_list(
        viewer=request.user, kind=kind or None, state=state or None, overdue=overdue
    )


@router.get("/requests/{int:request_id}", response=schemas.PowerRequestOut)
def power_request(request, request_id: int):
    _kind(request)
    return access.get_request_for_view(request.user, request_id)


@router.post("/requests", response={201: schemas.PowerRequestOut})
def power_request_create(request, payload: schemas.PowerRequestIn):
    """A department asks a street's consent, or a street makes a proposal or a
    coordination request (to a department, or for proposals to the district)."""
    _kind(request)
    created = services.power_request_create(
        actor=request.user,
        kind=payload.kind,
        street=get_area_for_view(request.user, payload.street),
        department=_unit(request, payload.department) if payload.department else None,
        subject=payload.subject,
        body=payload.body,
        due_on=payload.due_on,
    )
    return Status(201, created)


# ---- lifecycle actions, one operation per entry of the action tables --------------------


def _operation(lifecycle: actions.Lifecycle, action: actions.Action):
    def operation(request, obj_id: int, payload: action.schema):
        _kind(request)
        with transaction.atomic():
            return actions.perform(request.user, lifecycle.name, obj_id, action.name, payload)

    operation.__name__ = f"{lifecycle.name}_{action.name}"
    operation.__doc__ = f"{action.label}"
    return operation


for _lifecycle in actions.LIFECYCLES.values():
    for _action in _lifecycle.actions.values():
        router.post(
            f"/{_lifecycle.name}/{{int:obj_id}}/{_action.name}",
            response=_lifecycle.out,
            operation_id=f"duties_{_lifecycle.name}_{_action.name}",
            summary=str(_action.label),
        )(_operation(_lifecycle, _action))
