"""Co-building in the JSON API: the three lists, matching runs and proposals, and the
service-centre floor-area check. Scoped like every other endpoint."""

from django.db import transaction
from ninja import Header, Router, Status

from jiceng.cobuild import schemas, selectors, services
from jiceng.cobuild.models import MatchProposal
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound
from jiceng.core.idempotency import IdempotencyKeyHeader
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.scope import KIND_COBUILD, scope_for

router = Router(tags=["cobuild 区域化党建"])


def _kind(request) -> None:
    if not scope_for(request.user).can_see_kind(KIND_COBUILD):
        raise NotFound()


def _area(request, area):
    return get_area_for_view(request.user, area) if area else None


@router.get("/needs", response=list[schemas.NeedOut])
@paginate(LimitOffsetPagination)
def needs(request, area: int | None = None, status: str | None = None, category: str = ""):
    _kind(request)
    return selectors.need_list(
        viewer=request.user, area=_area(request, area), status=status, category=category or None
    )


@router.post("/needs", response={200: schemas.NeedOut, 201: schemas.NeedOut})
def need_create(
    request,
    payload: schemas.NeedIn,
    idempotency_key: IdempotencyKeyHeader = Header(""),  # noqa: B008
):
    """Record a need. Send an `Idempotency-Key` header (up to 255 characters): a retry of
    the same need returns the first one (200); the same key with another need is
    refused (422), and while the first request is still being handled (409)."""
    _kind(request)
    community = get_area_for_view(request.user, payload.community)
    need, created = services.need_submit(
        actor=request.user,
        facts=services.NeedFacts(
            title=payload.title,
            category=payload.category,
            community=community,
            window_start=payload.window_start,
            window_end=payload.window_end,
            description=payload.description,
            place=payload.place,
            beneficiaries=payload.beneficiaries,
        ),
        idempotency_key=idempotency_key,
        client=f"api:{request.user.pk}",
    )
    return Status(201 if created else 200, need)


@router.get("/resources", response=list[schemas.ResourceOut])
@paginate(LimitOffsetPagination)
def resources(request, area: int | None = None, category: str = ""):
    _kind(request)
    return selectors.resource_list(
        viewer=request.user, area=_area(request, area), category=category or None
    )


@router.get("/projects", response=list[schemas.ProjectOut])
@paginate(LimitOffsetPagination)
def projects(request, area: int | None = None, state: str | None = None):
    _kind(request)
    return selectors.project_list(viewer=request.user, area=_area(request, area), state=state)


@router.post("/match-runs", response={201: schemas.RunOut})
def match_run(request, payload: schemas.RunIn):
    _kind(request)
    area = get_area_for_view(request.user, payload.area)
    return Status(201, services.match_run_create(actor=request.user, area=area))


@router.get("/proposals", response=list[schemas.ProposalOut])
@paginate(LimitOffsetPagination)
def proposals(request, run: int | None = None, state: str | None = None):
    _kind(request)
    match_run_obj = None
    if run:
        match_run_obj = selectors.match_run_list(viewer=request.user).filter(pk=run).first()
        if match_run_obj is None:
            raise NotFound()
    return selectors.proposal_list(viewer=request.user, run=match_run_obj, state=state)


@router.post("/proposals/{int:proposal_id}/{decision}", response=schemas.ProposalOut)
def proposal_decide(request, proposal_id: int, decision: str):
    _kind(request)
    if decision not in ("accept", "reject"):
        raise NotFound()
    with transaction.atomic():
        proposal = scope_for(request.user).get(MatchProposal.objects.all(), pk=proposal_id)
        if decision == "accept":
            services.proposal_accept(actor=request.user, proposal=proposal)
        else:
            services.proposal_reject(actor=request.user, proposal=proposal)
    proposal.refresh_from_db()
    return proposal


@router.get("/floor-area", response=list[schemas.FloorAreaOut])
def floor_area(request, area: int | None = None):
    _kind(request)
    return [
        {
            "community_id": c.community.pk,
            "community_name": c.community.name,
            "floor_area": c.floor_area,
            "required": c.required,
            "ok": c.ok,
            "shortfall": c.shortfall,
        }
        for c in selectors.service_centre_floor_area(viewer=request.user, area=_area(request, area))
    ]
