"""Organizational life in the JSON API. Every write a page offers is an operation here
calling the same service: the creations one by one, the lifecycle actions generated from
the action tables (`actions.py`). Reads go through the selectors, scoped; errors answer
{"code", "message", "field"}."""

import datetime

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Status

from jiceng.core.access import get_area_for_view
from jiceng.core.action_tables import add_operations
from jiceng.core.errors import NotFound
from jiceng.core.inputs import Year
from jiceng.core.pagination import Converted, LimitOffsetPagination, paginate
from jiceng.core.scope import KIND_ORGLIFE, scope_for
from jiceng.orglife import actions, downloads, exports, schemas, selectors, services
from jiceng.orglife.compliance import year_range
from jiceng.orgs.access import get_org_for_view

router = Router(tags=["orglife 组织生活"])
public_router = Router(tags=["public 公开"], auth=None)


def _kind(request) -> None:
    if not scope_for(request.user).can_see_kind(KIND_ORGLIFE):
        raise NotFound()


def _area(request, area):
    return get_area_for_view(request.user, area) if area else None


# ---- meetings --------------------------------------------------------------------------


@router.get("/meetings", response=list[schemas.MeetingOut])
@paginate(LimitOffsetPagination)
def meetings(
    request,
    org: int | None = None,
    area: int | None = None,
    kind: str = "",
    year: Year | None = None,
):
    _kind(request)
    return selectors.meeting_list(
        viewer=request.user,
        org=get_org_for_view(request.user, org) if org else None,
        area=_area(request, area),
        kind=kind or None,
        year=year,
    )


@router.get("/meetings/{int:meeting_id}", response=schemas.MeetingDetailOut)
def meeting(request, meeting_id: int):
    _kind(request)
    return selectors.meeting_get(viewer=request.user, meeting_id=meeting_id)


@router.get("/meetings/{int:meeting_id}/events", response=list[schemas.MeetingEventOut])
def meeting_events(request, meeting_id: int):
    """The record's history: each entry and correction with the version it replaced."""
    _kind(request)
    return list(selectors.meeting_get(viewer=request.user, meeting_id=meeting_id).events.all())


@router.get("/attachments/{int:attachment_id}/file", url_name="orglife_attachment_file")
def attachment_file(request, attachment_id: int):
    """A meeting's photo or PDF, to those who may see the meeting."""
    _kind(request)
    attachment = selectors.attachment_get(viewer=request.user, attachment_id=attachment_id)
    return downloads.attachment_response(attachment)


@router.get("/tasks", response=list[schemas.TaskOut])
@paginate(LimitOffsetPagination)
def tasks(request, area: int | None = None, status: str = ""):
    _kind(request)
    return selectors.task_list(
        viewer=request.user, area=_area(request, area), status=status or None
    )


@router.get("/requirements", response=list[schemas.RequirementOut])
def requirements(request):
    """The required frequencies the compliance figures are computed from."""
    _kind(request)
    return selectors.requirements()


@router.put("/requirements/{kind}", response=schemas.RequirementOut)
def requirement_update(request, kind: str, payload: schemas.RequirementIn):
    """Change a frequency (city administrators only; audited)."""
    _kind(request)
    requirement = selectors.requirement_get(kind)
    if requirement is None:
        raise NotFound()
    return services.requirement_update(
        actor=request.user, requirement=requirement, period=payload.period, times=payload.times
    )


@router.get("/compliance/orgs/{int:org_id}", response=schemas.ComplianceOut)
def org_compliance(request, org_id: int, year: Year | None = None):
    _kind(request)
    start, end = year_range(year or datetime.date.today().year)
    org = get_org_for_view(request.user, org_id)
    return schemas.compliance_out(
        selectors.org_compliance(viewer=request.user, org=org, start=start, end=end)
    )


@router.get("/compliance/areas/{int:area_id}", response=list[schemas.ComplianceLineOut])
def area_compliance(request, area_id: int, year: Year | None = None, behind: bool = False):
    """Each org under the area with its figures for the year (from the yearly rollup);
    `behind` keeps those that missed a period already over. Drill down to one org with
    /compliance/orgs/{id}."""
    _kind(request)
    year = year or timezone.localdate().year
    area = get_area_for_view(request.user, area_id)
    rows = selectors.area_compliance(viewer=request.user, area=area, year=year, only_behind=behind)
    return [schemas.compliance_line_out(r, year) for r in rows]


@router.get("/compliance/areas/{int:area_id}/counts", response=schemas.ComplianceCountsOut)
def area_compliance_counts(request, area_id: int, year: Year | None = None):
    """How many orgs under the area are due and how many behind, per child area too."""
    _kind(request)
    year = year or timezone.localdate().year
    area = get_area_for_view(request.user, area_id)
    counts = selectors.compliance_counts(viewer=request.user, area=area, year=year)
    from jiceng.core.selectors import area_children

    children = area_children(viewer=request.user, area=area)
    return {
        "area_id": area.pk,
        "year": year,
        "orgs": counts.orgs,
        "behind": counts.behind,
        "children": [
            {
                "area_id": child.pk,
                "area_name": child.name,
                "orgs": counts.children.get(child.code, [0, 0])[0],
                "behind": counts.children.get(child.code, [0, 0])[1],
            }
            for child in children
        ],
    }


@router.get("/ledger/{int:org_id}/{int:year}")
def ledger(request, org_id: int, year: Year):
    """The org's 组织生活 ledger for the year as Excel, generated from the records."""
    _kind(request)
    org = get_org_for_view(request.user, org_id)
    content, filename = exports.ledger_xlsx(viewer=request.user, org=org, year=year)
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@router.get("/export/{name}")
def export(request, name: str, area: int | None = None, year: Year | None = None):
    """A list as Excel (compliance needs `area`): compliance, topics, problems, visits."""
    _kind(request)
    if name not in ("compliance", "topics", "problems", "visits"):
        raise NotFound()
    where = _area(request, area)
    if name == "compliance" and where is None:
        raise NotFound()
    content, filename = exports.list_xlsx(
        viewer=request.user, name=name, area=where, year=year or datetime.date.today().year
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


# ---- deliberation -----------------------------------------------------------------------------


@router.get("/issues", response=list[schemas.IssueOut])
@paginate(LimitOffsetPagination)
def issues(request, area: int | None = None, unassigned: bool = False):
    _kind(request)
    return selectors.issue_list(
        viewer=request.user, area=_area(request, area), unassigned=unassigned
    )


@router.post("/issues", response={201: schemas.IssueOut})
def issue_create(request, payload: schemas.IssueIn):
    _kind(request)
    community = get_area_for_view(request.user, payload.community)
    return Status(
        201,
        services.issue_create(
            actor=request.user, community=community, text=payload.text, source=payload.source
        ),
    )


@router.post("/issues/from-appeal/{int:appeal_id}", response={201: schemas.IssueOut})
def issue_from_appeal(request, appeal_id: int, payload: schemas.IssueFromAppealIn):
    _kind(request)
    appeal = selectors.appeal_get(viewer=request.user, appeal_id=appeal_id)
    return Status(
        201, services.issue_from_appeal(actor=request.user, appeal=appeal, text=payload.text)
    )


@router.get("/topics", response=list[schemas.TopicOut])
@paginate(LimitOffsetPagination)
def topics(request, area: int | None = None, state: str = ""):
    _kind(request)
    return selectors.topic_list(viewer=request.user, area=_area(request, area), state=state or None)


@router.get("/topics/{int:topic_id}", response=schemas.TopicDetailOut)
def topic(request, topic_id: int):
    _kind(request)
    return selectors.topic_get(viewer=request.user, topic_id=topic_id)


@router.get("/topics/{int:topic_id}/steps", response=list[schemas.StepOut])
def topic_steps(request, topic_id: int):
    _kind(request)
    return list(selectors.topic_get(viewer=request.user, topic_id=topic_id).steps.all())


@router.post("/topics", response={201: schemas.TopicOut})
def topic_create(request, payload: schemas.TopicIn):
    _kind(request)

    with transaction.atomic():
        community = get_area_for_view(request.user, payload.community)
        org = get_org_for_view(request.user, payload.org)
        issues = [selectors.issue_get(viewer=request.user, issue_id=i) for i in payload.issues]
        topic = services.topic_create(
            actor=request.user,
            community=community,
            org=org,
            title=payload.title,
            description=payload.description,
            issues=issues,
        )
    return Status(201, topic)


# ---- contact points and household links ------------------------------------------------------


@router.get("/contact-points", response=list[schemas.ContactPointOut])
@paginate(LimitOffsetPagination)
def contact_points(request, area: int | None = None):
    _kind(request)
    return selectors.contact_point_list(viewer=request.user, area=_area(request, area))


@router.get("/contact-points/{int:point_id}", response=schemas.ContactPointDetailOut)
def contact_point(request, point_id: int):
    """One contact point with its visits and problems (an ended one too: history kept)."""
    _kind(request)
    return selectors.contact_point_get(viewer=request.user, point_id=point_id)


@router.post("/contact-points", response={201: schemas.ContactPointOut})
def contact_point_create(request, payload: schemas.ContactPointIn):
    _kind(request)
    point = services.contact_point_create(
        actor=request.user,
        official_name=payload.official_name,
        official_title=payload.official_title,
        official_area=get_area_for_view(request.user, payload.official_area),
        org=get_org_for_view(request.user, payload.org),
        started_on=payload.started_on,
    )
    return Status(201, point)


@router.post("/contact-points/{int:point_id}/visits", response={201: schemas.ContactVisitOut})
def contact_visit_record(request, point_id: int, payload: schemas.ContactVisitIn):
    _kind(request)
    point = selectors.contact_point_get(viewer=request.user, point_id=point_id)
    visit = services.contact_visit_record(
        actor=request.user,
        point=point,
        visited_on=payload.visited_on,
        notes=payload.notes,
        problems=payload.problems,
    )
    return Status(201, visit)


@router.get("/problems", response=list[schemas.ProblemOut])
@paginate(LimitOffsetPagination)
def problems(request, area: int | None = None, status: str = ""):
    _kind(request)
    return selectors.problem_list(
        viewer=request.user, area=_area(request, area), status=status or None
    )


@router.get("/household-links", response=list[schemas.HouseholdLinkOut])
@paginate(LimitOffsetPagination)
def household_links(request, area: int | None = None, ended: bool = False):
    """The current links, or with `ended` those ended (with date and reason)."""
    _kind(request)
    return selectors.household_link_list(
        viewer=request.user, area=_area(request, area), ended=ended
    )


@router.post("/household-links", response={201: schemas.HouseholdLinkOut})
def household_link_create(request, payload: schemas.HouseholdLinkIn):
    _kind(request)
    link = services.household_link_create(
        actor=request.user,
        member=actions._member(request.user, payload.member),
        grid=get_area_for_view(request.user, payload.grid),
        household=payload.household,
        started_on=payload.started_on,
    )
    return Status(201, link)


@router.get("/visits", response=list[schemas.HouseholdVisitOut])
@paginate(LimitOffsetPagination)
def visits(request, area: int | None = None):
    _kind(request)
    return selectors.visit_list(viewer=request.user, area=_area(request, area))


@router.post("/household-links/{int:link_id}/visits", response={201: schemas.HouseholdVisitOut})
def household_visit_record(request, link_id: int, payload: schemas.HouseholdVisitIn):

    _kind(request)
    link = selectors.household_link_get(viewer=request.user, link_id=link_id)
    visit = services.household_visit_record(
        actor=request.user, link=link, visited_on=payload.visited_on, raised=payload.raised
    )
    return Status(201, visit)


# ---- lifecycle actions, one operation per entry of the action tables -----------------------------


# `perform` looked up at each call, so the one path stays the module's (and a test's spy).
add_operations(
    router,
    actions.LIFECYCLES,
    perform=lambda *args, **kwargs: actions.perform(*args, **kwargs),
    check=_kind,
    prefix="orglife",
)


# ---- public disclosure (no login) ----------------------------------------------------------------


@public_router.get("/deliberation/{int:community_id}", response=list[schemas.PublicTopicOut])
@paginate(LimitOffsetPagination)
def public_topics(request, community_id: int):

    community = selectors.public_community(community_id)
    if community is None:
        raise NotFound()
    return Converted(selectors.public_topics(community), selectors.public_view)
