"""Co-building in the JSON API: the three lists, matching runs and proposals, and the
service-centre floor-area check. Scoped like every other endpoint."""

import datetime
from decimal import Decimal

from django.db import transaction
from ninja import Header, Router, Schema, Status

from jiceng.appeals.access import get_appeal_for_view
from jiceng.cobuild import access, forms, schemas, selectors, services
from jiceng.cobuild.errors import CobuildErrorCode
from jiceng.cobuild.models import Need, Project, Resource
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.idempotency import IdempotencyKeyHeader
from jiceng.core.inputs import form_failure, limited_text, model_decimal, model_text
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.pickers import without_pickers
from jiceng.core.scope import KIND_COBUILD, scope_for
from jiceng.members.access import get_dual_report_for_view
from jiceng.orgs.access import get_org_for_view

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


class ProposalChangeIn(Schema):
    resource: int  # another active resource the viewer sees that fits the need
    note: limited_text(200, kind="multiline") = ""


@router.post("/proposals/{int:proposal_id}/change", response={201: schemas.ProjectOut})
def proposal_change(request, proposal_id: int, payload: ProposalChangeIn):
    """Pick another resource than the solver's for a pending proposal; the project is
    set up at once."""
    _kind(request)
    proposal = access.get_proposal_for_view(request.user, proposal_id)
    resource = access.get_resource_for_view(request.user, payload.resource)
    form = forms.ProposalChangeForm(payload.dict(), resources=[(resource.pk, resource.title)])
    cleaned = _parsed(form)
    project = services.proposal_change(
        actor=request.user, proposal=proposal, resource=resource, note=cleaned["note"]
    )
    return Status(201, project)


@router.post("/proposals/{int:proposal_id}/{decision}", response=schemas.ProposalOut)
def proposal_decide(request, proposal_id: int, decision: str):
    _kind(request)
    if decision not in ("accept", "reject"):
        raise NotFound()
    with transaction.atomic():
        proposal = access.get_proposal_for_decide(request.user, proposal_id)
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


# ---- the pages' writes: the same forms parse, the same services decide ------------------


def _parsed(form) -> dict:
    if not form.is_valid():
        raise form_failure(form)
    return form.cleaned_data


class NeedCloseIn(Schema):
    reason: limited_text(200)


class NeedFromAppealIn(Schema):
    title: model_text(Need, "title")
    category: model_text(Need, "category", kind="code")
    window_start: datetime.date
    window_end: datetime.date
    beneficiaries: int = 1


class ProjectCreateIn(Schema):
    resources: list[int]  # resources the viewer sees that fit the need
    title: model_text(Project, "title") = ""  # blank: the need's title
    budget: model_decimal(Project, "budget") = Decimal("0")


class ProjectStepIn(Schema):
    note: limited_text(2000, kind="multiline") = ""


class ProjectEvaluateIn(Schema):
    score: int  # 1 to 5, from the people served
    comment: limited_text(500, kind="multiline") = ""


class ProjectPlanIn(Schema):
    title: model_text(Project, "title")
    plan: limited_text(4000, kind="multiline") = ""
    budget: model_decimal(Project, "budget")


@router.post("/needs/{int:need_id}/close", response=schemas.NeedOut)
def need_close(request, need_id: int, payload: NeedCloseIn):
    """Close an open need the viewer manages, with the reason."""
    _kind(request)
    need = access.get_need_for_view(request.user, need_id)
    cleaned = _parsed(forms.NeedCloseForm(payload.dict()))
    return services.need_close(actor=request.user, need=need, reason=cleaned["reason"])


@router.post("/needs/from-appeal/{int:appeal_id}", response={201: schemas.NeedOut})
def need_from_appeal(request, appeal_id: int, payload: NeedFromAppealIn):
    """Turn an appeal in the viewer's community into a need; its history stays readable
    from the need. An appeal already turned into one is refused (409)."""
    _kind(request)
    appeal = get_appeal_for_view(request.user, appeal_id)
    cleaned = _parsed(forms.AppealToNeedForm(payload.dict()))
    need = services.need_from_appeal(actor=request.user, appeal=appeal, **cleaned)
    return Status(201, need)


@router.post("/needs/{int:need_id}/projects", response={201: schemas.ProjectOut})
def project_create(request, need_id: int, payload: ProjectCreateIn):
    """Set up a project for the need (立项) with the resources chosen; the providing
    org then claims it."""
    _kind(request)
    need = access.get_need_for_view(request.user, need_id)
    chosen = [access.get_resource_for_view(request.user, pk) for pk in payload.resources]
    data = {"resources": [r.pk for r in chosen], "title": payload.title, "budget": payload.budget}
    form = forms.ProjectCreateForm(data, resources=[(r.pk, r.title) for r in chosen])
    cleaned = _parsed(form)
    project = services.project_create(
        actor=request.user,
        need=need,
        resources=chosen,
        title=cleaned["title"],
        owner=request.user,
        budget=cleaned["budget"],
    )
    return Status(201, project)


def _project_step(request, project_id: int, payload: ProjectStepIn, service):
    _kind(request)
    project = access.get_project_for_view(request.user, project_id)
    cleaned = _parsed(forms.ProjectStepForm(payload.dict()))
    return service(actor=request.user, project=project, note=cleaned["note"])


@router.post("/projects/{int:project_id}/claim", response=schemas.ProjectOut)
def project_claim(request, project_id: int, payload: ProjectStepIn):
    """The providing org takes the project on (认领)."""
    return _project_step(request, project_id, payload, services.project_claim)


@router.post("/projects/{int:project_id}/start", response=schemas.ProjectOut)
def project_start(request, project_id: int, payload: ProjectStepIn):
    return _project_step(request, project_id, payload, services.project_start)


@router.post("/projects/{int:project_id}/complete", response=schemas.ProjectOut)
def project_complete(request, project_id: int, payload: ProjectStepIn):
    return _project_step(request, project_id, payload, services.project_complete)


@router.post("/projects/{int:project_id}/evaluation", response=schemas.ProjectOut)
def project_evaluate(request, project_id: int, payload: ProjectEvaluateIn):
    """The community's evaluation of a completed project; the need closes with it."""
    _kind(request)
    project = access.get_project_for_view(request.user, project_id)
    cleaned = _parsed(forms.ProjectEvaluateForm(payload.dict()))
    return services.project_evaluate(
        actor=request.user, project=project, score=cleaned["score"], comment=cleaned["comment"]
    )


@router.put("/projects/{int:project_id}/plan", response=schemas.ProjectOut)
def project_update_plan(request, project_id: int, payload: ProjectPlanIn):
    """Replace an active project's title, plan and budget."""
    _kind(request)
    project = access.get_project_for_view(request.user, project_id)
    cleaned = _parsed(forms.ProjectPlanForm(payload.dict()))
    return services.project_update_plan(actor=request.user, project=project, **cleaned)


# ---- resources --------------------------------------------------------------------------


class ResourceEditIn(Schema):
    title: model_text(Resource, "title")
    capacity: int  # how many needs it serves at once, 1 to 1000
    available_from: datetime.date
    available_until: datetime.date
    description: model_text(Resource, "description", kind="multiline") = ""


class ResourceOfferIn(ResourceEditIn):
    org: int | None = None  # a party org the viewer speaks for …
    dual_report: int | None = None  # … or an in-service member's open dual report
    kind: model_text(Resource, "kind", kind="code")
    category: model_text(Resource, "category", kind="code")
    area: int | None = None  # a street or community; none: the provider's own place


class ResourceWithdrawIn(Schema):
    reason: limited_text(200) = ""


@router.post("/resources", response={201: schemas.ResourceOut})
def resource_offer(request, payload: ResourceOfferIn):
    """A unit's party org (`org`), or an in-service member through their dual report
    (`dual_report`), offers a resource: exactly one of the two."""
    _kind(request)
    org = get_org_for_view(request.user, payload.org) if payload.org else None
    report = (
        get_dual_report_for_view(request.user, payload.dual_report) if payload.dual_report else None
    )
    area = get_area_for_view(request.user, payload.area) if payload.area else None
    if (org is None) == (report is None):
        # The service refuses it too, on its own column; here on the payload's field.
        raise ValidationFailed(
            services.resources.MSG_PROVIDER,
            field="org",
            code=CobuildErrorCode.ONE_PROVIDER_REQUIRED,
        )
    cleaned = _parsed(without_pickers(forms.ResourceForm(payload.dict())))
    if area is None and org is not None:
        area = org.area
    facts = services.ResourceFacts(
        title=cleaned["title"],
        kind=cleaned["kind"],
        category=cleaned["category"],
        available_from=cleaned["available_from"],
        available_until=cleaned["available_until"],
        capacity=cleaned["capacity"],
        area=area,
        description=cleaned["description"],
    )
    resource = services.resource_offer(actor=request.user, facts=facts, org=org, dual_report=report)
    return Status(201, resource)


@router.patch("/resources/{int:resource_id}", response=schemas.ResourceOut)
def resource_update(request, resource_id: int, payload: ResourceEditIn):
    """Change an active resource's title, capacity, dates and description."""
    _kind(request)
    resource = access.get_resource_for_view(request.user, resource_id)
    cleaned = _parsed(forms.ResourceEditForm(payload.dict()))
    return services.resource_update(actor=request.user, resource=resource, **cleaned)


@router.post("/resources/{int:resource_id}/withdraw", response=schemas.ResourceOut)
def resource_withdraw(request, resource_id: int, payload: ResourceWithdrawIn):
    """Withdraw a resource from matching; projects under way keep it."""
    _kind(request)
    resource = access.get_resource_for_view(request.user, resource_id)
    cleaned = _parsed(forms.ReasonForm(payload.dict()))
    return services.resource_withdraw(
        actor=request.user, resource=resource, reason=cleaned["reason"]
    )
