"""Appeals in the JSON API: intake for other systems, the case list and actions, rates and
ranking; plus the public tracking lookup and the category list, which need no login."""

from django.db import transaction
from ninja import Field, Header, Query, Router, Schema, Status

from jiceng.appeals import access, actions, figures, forms, schemas, selectors, services
from jiceng.appeals.errors import MSG_AREA_LEVEL, MSG_MONTH, invalid
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.locating import intake_place, place_target
from jiceng.appeals.models import Appeal
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound
from jiceng.core.idempotency import IdempotencyKeyHeader
from jiceng.core.inputs import form_failure
from jiceng.core.masking import redact_personal
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.places.geo import as_wgs84

router = Router(tags=["appeals 接诉即办"])
public_router = Router(tags=["public 公开"], auth=None)


@public_router.get("/appeal-categories", response=list[schemas.CategoryOut])
def categories(request):
    return selectors.active_categories()


def _tracked(code: str) -> Appeal:
    appeal = selectors.appeal_by_tracking_code(code)
    if appeal is None:
        raise NotFound()
    return appeal


def _parsed(form_class, data: dict) -> dict:
    form = form_class(data)
    if not form.is_valid():
        raise form_failure(form)
    return form.cleaned_data


@public_router.get("/track/{code}", response=schemas.PublicTrackOut)
def track(request, code: str):
    """Status and public replies of a case by its tracking code; nothing personal: no
    description, and numbers typed into replies and notes masked (as the page shows)."""
    appeal = _tracked(code)
    events = list(selectors.appeal_events(appeal=appeal, public_only=True))
    for event in events:
        event.note = redact_personal(event.note)
    return {
        "tracking_code": appeal.tracking_code,
        "category_name": appeal.category.name,
        "state": appeal.state,
        "state_display": appeal.get_state_display(),
        "received_at": appeal.received_at,
        "resolution_due_at": appeal.resolution_due_at,
        "public_reply": redact_personal(appeal.public_reply),
        "events": events,
    }


@public_router.post("/track/{code}/rate", response=schemas.PublicTrackOut)
def track_rate(request, code: str, payload: schemas.RateIn):
    """The resident rates the answer (resolved or not, satisfaction, a comment), as on the
    tracking page, under the same limit per client address (429 with Retry-After)."""
    access.require_public_limit(request, "appeal-rate")
    appeal = _tracked(code)
    data = _parsed(
        forms.RateForm,
        {
            "resolved": "1" if payload.resolved else "0",
            "satisfaction": payload.satisfaction,
            "comment": payload.comment,
        },
    )
    services.appeal_rate(
        appeal=appeal,
        resolved=data["resolved"],
        satisfaction=data["satisfaction"],
        comment=data["comment"],
    )
    return track(request, code)


@public_router.post("/track/{code}/reopen", response=schemas.PublicTrackOut)
def track_reopen(request, code: str, payload: schemas.ReopenIn):
    """The resident asks for the case to be handled again, within the category's days
    after an unsatisfied rating, with a reason."""
    access.require_public_limit(request, "appeal-rate")
    appeal = _tracked(code)
    data = _parsed(forms.ReasonForm, {"reason": payload.reason})
    services.appeal_reopen(actor=None, appeal=appeal, reason=data["reason"])
    return track(request, code)


@router.post("", response={200: schemas.IntakeOut, 201: schemas.IntakeOut})
def intake(
    request,
    payload: schemas.IntakeIn,
    idempotency_key: IdempotencyKeyHeader = Header(""),  # noqa: B008 (ninja's parameter marker)
):
    """File a case from another system. Send an `Idempotency-Key` header: a retry with the
    same key returns the first case (200) instead of creating another (201). Where: `area`
    (an area id), or `address` and/or `latitude`/`longitude` (WGS-84; GCJ-02 with
    `coordinate_system: "gcj02"`, as AMap or Tencent give it), matched against the
    standard address registry; a case they place no deeper than a district is filed at
    the district with `placement_pending` true and waits in its placement queue."""

    category = selectors.category_named(code=payload.category)
    if category is None:
        raise invalid(services.MSG_CATEGORY, Code.CATEGORY_INVALID, "category")
    area = None
    if payload.area is not None:
        area = selectors.area_named(payload.area)
        if area is None:
            raise invalid(MSG_AREA_LEVEL, Code.AREA_LEVEL, "area")
    # One datum from here on: the case keeps, and the matcher reads, WGS-84.
    latitude, longitude = as_wgs84(payload.latitude, payload.longitude, payload.coordinate_system)
    place = intake_place(area=area, address=payload.address, latitude=latitude, longitude=longitude)
    appeal, created = services.appeal_intake(
        actor=request.user,
        intake=services.Intake(
            channel=Appeal.Channel.API,
            category=category,
            area=place.area,
            placement_reason=place.placement_reason,
            street_hint=place.street_hint,
            description=payload.description,
            address=payload.address,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            latitude=latitude,
            longitude=longitude,
            client=f"api:{request.user.pk}",
            idempotency_key=idempotency_key,
        ),
    )
    return Status(201 if created else 200, {"appeal": appeal, "created": created})


class PlacementFilters(Schema):
    district: int | None = None


@router.get("/placement", response=list[schemas.AppealOut])
@paginate(LimitOffsetPagination)
def placement_queue(request, filters: Query[PlacementFilters]):
    """The placement queue (待定位): cases whose address or position did not place them
    below their district, oldest first, with the reason (`placement_reason`)."""
    district = get_area_for_view(request.user, filters.district) if filters.district else None
    return selectors.placement_queue(viewer=request.user, district=district)


@router.post("/placement/{int:appeal_id}", response=schemas.AppealOut)
def appeal_place(request, appeal_id: int, payload: schemas.PlaceIn):
    """Place a queued case: `area` (a community, grid or building id) or `where` (a text
    the registry places there: a standard address, an alias). With `remember` (default
    true) the caller's address text becomes an alias of the place. Then it is routed."""
    area = place_target(viewer=request.user, area_id=payload.area, where=payload.where)
    with transaction.atomic():
        return services.appeal_place(
            actor=request.user, appeal_id=appeal_id, area=area, remember=payload.remember
        )


class AppealFilters(Schema):
    area: int | None = None
    state: str | None = None
    category: str | None = None
    overdue: bool | None = None
    q: str | None = Field(
        None,
        max_length=200,
        description="查询码、诉求内容中的文字，或其他系统的编号（如 12345 工单编号）的一部分",
        examples=["SH12345-20261205-0001"],
    )
    reference: str | None = Field(
        None,
        max_length=64,
        description="其他系统的编号（如 12345 工单编号），完整匹配",
        examples=["SH12345-20261205-0001"],
    )


@router.get("", response=list[schemas.AppealOut])
@paginate(LimitOffsetPagination)
def appeal_list(request, filters: Query[AppealFilters]):
    """The cases the caller sees, newest first. `q` also finds a case by part of the
    number another system knows it by (a 12345 work-order number); `reference` by the
    whole number."""
    area = get_area_for_view(request.user, filters.area) if filters.area else None
    return selectors.appeal_list(
        viewer=request.user,
        area=area,
        state=filters.state,
        category=filters.category,
        overdue=filters.overdue,
        q=filters.q,
        reference=filters.reference,
    )


@router.post("/summons/{int:target_id}/report", response=schemas.SummonsTargetOut)
def summons_report(request, target_id: int):
    """A summoned department reports (报到) to the case."""
    target = selectors.summons_target(target_id)
    if target is None:
        raise NotFound()
    return services.summons_report(actor=request.user, target=target)


@router.post("/summons/{int:target_id}/act", response=schemas.SummonsTargetOut)
def summons_act(request, target_id: int, payload: schemas.SummonsNoteIn):
    """A summoned department records what it did (处置情况)."""
    target = selectors.summons_target(target_id)
    if target is None:
        raise NotFound()
    data = _parsed(forms.NoteForm, {"note": payload.note})
    return services.summons_act(actor=request.user, target=target, note=data["note"])


@router.get("/{int:appeal_id}", response=schemas.AppealDetailOut)
def appeal_detail(request, appeal_id: int):
    return access.get_appeal_for_view(request.user, appeal_id)


@router.post("/{int:appeal_id}/{action}", response=schemas.AppealOut)
def appeal_act(request, appeal_id: int, action: str, payload: schemas.ActionIn):
    """accept · start (note) · reply (reply) · return (reason) · dispatch (unit, note) ·
    summon (units, reason, report_hours, act_working_days) · mediation (parties,
    outcome, agreement, mediator, mediated_on) · publish (public_description: the
    description as the public Open311 feed may show it, personal data removed; empty
    withdraws it). The same table as the case page (appeals.actions)."""
    if action not in actions.CASE_ACTIONS:
        raise NotFound()
    user = request.user
    with transaction.atomic():
        appeal = access.get_appeal_for_action(user, appeal_id)
        actions.perform(user, appeal, action, payload.dict())
    return appeal


def _rates_out(area, year, month, rates) -> dict:
    out = {
        "area_id": area.pk,
        "area_name": area.name,
        "month": f"{year}-{month:02d}",
        "received": rates.received,
    }
    for name in figures.RATE_CONDITIONS:
        numerator, denominator = rates.counts[name]
        out[name] = {"numerator": numerator, "denominator": denominator, "rate": rates.rate(name)}
    return out


def _month(value: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in value.split("-"))
        if not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise invalid(MSG_MONTH, Code.MONTH_INVALID, "month") from None
    return year, month


@router.get("/rates", response=schemas.RatesOut)
def rates(request, area: int, month: str):
    node = get_area_for_view(request.user, area)
    year, number = _month(month)
    result = figures.rates(viewer=request.user, area=node, year=year, month=number)
    return _rates_out(node, year, number, result)


@router.get("/ranking", response=list[schemas.RankingRowOut])
def ranking(request, area: int, month: str):
    node = get_area_for_view(request.user, area)
    year, number = _month(month)
    rows = figures.ranking(viewer=request.user, parent=node, year=year, month=number)
    return [
        {"rank": i, **_rates_out(row.area, year, number, row.rates)}
        for i, row in enumerate(rows, start=1)
    ]
