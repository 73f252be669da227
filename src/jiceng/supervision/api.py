"""Supervision in the JSON API: every write a page offers, with the same services; the
lifecycle actions generated from the action tables (actions.py). Reads go through the
selectors, scoped; errors answer {"code", "message", "field"}."""

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Status

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound
from jiceng.core.inputs import Year
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.orgs.access import get_org_for_view
from jiceng.supervision import actions, exports, schemas, selectors, services
from jiceng.supervision.errors import MSG_BAD_PERIOD, SupervisionErrorCode, invalid

router = Router(tags=["supervision 动态管理与督促检查"])


def _kind(request) -> None:
    if not selectors.can_see(request.user):
        raise NotFound()


def _area(request, area):
    return get_area_for_view(request.user, area) if area else None


# ---- weak orgs ---------------------------------------------------------------------------


@router.get("/weak-orgs", response=list[schemas.WeakOrgOut])
@paginate(LimitOffsetPagination)
def weak_orgs(request, year: Year | None = None, state: str = "", area: int | None = None):
    _kind(request)
    return selectors.weak_org_list(
        viewer=request.user, year=year, state=state or None, area=_area(request, area)
    )


@router.get("/weak-orgs/{int:case_id}", response=schemas.WeakOrgDetailOut)
def weak_org(request, case_id: int):
    _kind(request)
    return selectors.weak_org_get(viewer=request.user, case_id=case_id)


@router.post("/weak-orgs/evaluate", response=schemas.EvaluationOut)
def weak_org_evaluate(request, payload: schemas.DistrictYearIn):
    """Run the enabled rules over the district's community orgs for the year."""
    _kind(request)
    with transaction.atomic():
        district = services.district_for(request.user, payload.district)
        return services.weak_org_evaluate(actor=request.user, district=district, year=payload.year)


@router.get("/weak-orgs/ledger")
def weak_org_ledger(request, year: Year | None = None):
    """The weak-org ledger as Excel (audited)."""
    _kind(request)
    content, filename = exports.weak_org_ledger_xlsx(viewer=request.user, year=year)
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@router.get("/rules", response=list[schemas.RuleOut])
def rules(request):
    _kind(request)
    return selectors.rules()


@router.put("/rules/{code}", response=schemas.RuleOut)
def rule_update(request, code: str, payload: schemas.WeakOrgRuleIn):
    """Enable or disable a rule and set its parameters (district staff; audited)."""
    _kind(request)
    rule = selectors.rule_get(code)
    if rule is None:
        raise NotFound()
    return services.weak_org_rule_update(
        actor=request.user,
        rule=rule,
        enabled=payload.enabled,
        params=payload.params,
        name=payload.name,
    )


# ---- star ratings ----------------------------------------------------------------------------


@router.get("/criteria", response=list[schemas.CriterionOut])
def criteria(request):
    _kind(request)
    return selectors.criteria()


def _criterion_save(request, criterion, payload: schemas.StarCriterionIn):
    return services.star_criterion_save(
        actor=request.user,
        criterion=criterion,
        name=payload.name,
        outcome_key=payload.outcome_key,
        threshold=payload.threshold,
        rule_code=payload.rule_code,
        enabled=payload.enabled,
        order=payload.order,
    )


@router.post("/criteria", response={201: schemas.CriterionOut})
def criterion_create(request, payload: schemas.StarCriterionIn):
    _kind(request)
    return Status(201, _criterion_save(request, None, payload))


@router.put("/criteria/{int:criterion_id}", response=schemas.CriterionOut)
def criterion_update(request, criterion_id: int, payload: schemas.StarCriterionIn):
    _kind(request)
    criterion = selectors.criterion_get(criterion_id)
    if criterion is None:
        raise NotFound()
    return _criterion_save(request, criterion, payload)


@router.get("/ratings", response=list[schemas.RatingOut])
@paginate(LimitOffsetPagination)
def ratings(request, year: Year | None = None, area: int | None = None):
    _kind(request)
    return selectors.rating_list(viewer=request.user, year=year, area=_area(request, area))


@router.post("/ratings/compute", response=schemas.ComputedOut)
def ratings_compute(request, payload: schemas.DistrictYearIn):
    """Compute the year's star ratings of the district's community orgs."""
    _kind(request)
    with transaction.atomic():
        district = services.district_for(request.user, payload.district)
        rated = services.star_compute(actor=request.user, district=district, year=payload.year)
    return {"rated": rated}


# ---- inspections and talks ---------------------------------------------------------------


@router.get("/inspections", response=list[schemas.InspectionOut])
@paginate(LimitOffsetPagination)
def inspections(request, area: int | None = None):
    _kind(request)
    return selectors.inspection_list(viewer=request.user, area=_area(request, area))


@router.post("/inspections", response={201: schemas.InspectionOut})
def inspection_plan(request, payload: schemas.InspectionPlanIn):
    _kind(request)
    org = get_org_for_view(request.user, payload.org)
    inspection = services.inspection_plan(
        actor=request.user,
        org=org,
        inspectors=payload.inspectors,
        planned_on=payload.planned_on,
        focus=payload.focus,
    )
    return Status(201, inspection)


@router.get("/talks", response=list[schemas.TalkOut])
@paginate(LimitOffsetPagination)
def talks(request, area: int | None = None, awaiting: bool = False):
    _kind(request)
    return selectors.talk_list(viewer=request.user, area=_area(request, area), awaiting=awaiting)


@router.post("/talks", response={201: schemas.TalkOut})
def talk_record(request, payload: schemas.TalkRecordIn):
    _kind(request)
    org = get_org_for_view(request.user, payload.org)
    talk = services.talk_record(
        actor=request.user,
        org=org,
        held_on=payload.held_on,
        talker=payload.talker,
        talked_to=payload.talked_to,
        reason=payload.reason,
        commitments=payload.commitments,
        follow_up_on=payload.follow_up_on,
    )
    return Status(201, talk)


# ---- the fair ranking --------------------------------------------------------------------------


@router.get("/fair-ranking", response=schemas.FairRankingOut)
def fair_ranking(request, area: int, period: str = ""):
    """A district's streets ranked on raw rates and adjusted for case mix, side by side
    (docs/appeals-case-mix.md). `period`: a year (2026) or a month (2026-03); the last
    full month when empty."""
    _kind(request)
    parent = get_area_for_view(request.user, area)
    try:
        when = selectors.parse_period(period, timezone.localdate())
    except ValueError:
        raise invalid(MSG_BAD_PERIOD, SupervisionErrorCode.BAD_PERIOD, "period") from None
    ranking = selectors.fair_ranking(viewer=request.user, parent=parent, period=when)
    return schemas.fair_ranking_out(ranking)


# ---- lifecycle actions, one operation per entry of the action tables -----------------------------


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
            operation_id=f"supervision_{_lifecycle.name.replace('-', '_')}_{_action.name}",
            summary=str(_action.label),
        )(_operation(_lifecycle, _action))
