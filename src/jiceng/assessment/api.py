"""The responsibility system in the JSON API. Every write a page offers is an operation
here calling the same service, generated from the action tables (`actions.py`). Reads
go through the selectors, scoped; errors answer {"code", "message", "field"}."""

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router

from jiceng.assessment import actions, downloads, exports, schemas, selectors
from jiceng.core.action_tables import add_operations
from jiceng.core.errors import NotFound
from jiceng.core.inputs import Year
from jiceng.core.pagination import LimitOffsetPagination, paginate

router = Router(tags=["assessment 述职评议考核"])


def _kind(request) -> None:
    if not selectors.can_see(request.user):
        raise NotFound()


@router.get("/outcomes", response=list[schemas.OutcomeOut])
def outcomes(request):
    """The registered outcome indicators a scheme may score."""
    _kind(request)
    return [
        {
            "key": o.key,
            "label": str(o.label),
            "app": o.app,
            "unit": o.unit,
            "description": str(o.description),
        }
        for o in selectors.outcome_choices()
    ]


@router.get("/schemes", response=list[schemas.SchemeOut])
@paginate(LimitOffsetPagination)
def schemes(request, year: Year | None = None):
    _kind(request)
    return selectors.scheme_list(viewer=request.user, year=year).prefetch_related("items")


@router.get("/schemes/{int:scheme_id}", response=schemas.SchemeOut)
def scheme(request, scheme_id: int):
    _kind(request)
    return selectors.scheme_get(viewer=request.user, scheme_id=scheme_id)


@router.get("/schemes/{int:scheme_id}/ranking", response=list[schemas.AssessmentRankingRowOut])
def scheme_ranking(request, scheme_id: int, group: str = ""):
    """The ranking: the whole district's to the district, and to every assessed org once
    published; before that an assessed org sees its own row only."""
    _kind(request)
    scheme = _covering_scheme(request, scheme_id)
    rows, _whole = selectors.ranking(viewer=request.user, scheme=scheme, group=group or None)
    return rows


def _covering_scheme(request, scheme_id: int):
    scheme = selectors.schemes_covering(viewer=request.user).filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound()
    return scheme


@router.get("/assessments", response=list[schemas.AssessmentOut])
@paginate(LimitOffsetPagination)
def assessments(request, year: Year | None = None, group: str = ""):
    _kind(request)
    return selectors.assessment_list(viewer=request.user, year=year, group=group or None)


@router.get("/assessments/{int:assessment_id}", response=schemas.AssessmentOut)
def assessment(request, assessment_id: int):
    _kind(request)
    return selectors.assessment_get(viewer=request.user, assessment_id=assessment_id)


@router.get("/tasks", response=list[schemas.AssessmentTaskOut])
@paginate(LimitOffsetPagination)
def tasks(request, year: Year | None = None, assessment: int | None = None):
    _kind(request)
    owner = (
        selectors.assessment_get(viewer=request.user, assessment_id=assessment)
        if assessment
        else None
    )
    return selectors.task_list(viewer=request.user, year=year, assessment=owner)


@router.get("/reports/{int:report_id}", response=schemas.ReportOut)
def report(request, report_id: int):
    _kind(request)
    return selectors.report_get(viewer=request.user, report_id=report_id)


@router.get("/reviews", response=list[schemas.ReviewerOut])
@paginate(LimitOffsetPagination)
def reviews(request):
    """The viewer's own reviews still to give."""
    return selectors.reviews_to_give(viewer=request.user)


@router.get("/problems", response=list[schemas.AssessmentProblemOut])
@paginate(LimitOffsetPagination)
def problems(request, year: Year | None = None, source: str = ""):
    _kind(request)
    return selectors.problem_list(viewer=request.user, year=year, source=source or None)


@router.get("/rectifications", response=list[schemas.RectificationOut])
@paginate(LimitOffsetPagination)
def rectifications(request, year: Year | None = None, state: str = ""):
    """`state`: open, submitted, closed, returned, or overdue."""
    _kind(request)
    return selectors.rectification_list(viewer=request.user, year=year, state=state or None)


@router.get("/evidence/{int:evidence_id}/file", url_name="assessment_evidence_file")
def evidence_file(request, evidence_id: int):
    _kind(request)
    evidence = selectors.evidence_get(viewer=request.user, evidence_id=evidence_id)
    return downloads.evidence_response(evidence)


@router.get("/export/{name}")
def export(request, name: str, year: Year | None = None, scheme: int | None = None):
    """assessments (needs `scheme`), tasks, problems or rectifications, as Excel."""
    _kind(request)
    if name not in exports.NAMES or (name == "assessments" and not scheme):
        raise NotFound()
    found = _covering_scheme(request, scheme) if scheme else None
    content, filename = exports.export_xlsx(
        viewer=request.user,
        name=name,
        year=found.year if found else (year or timezone.localdate().year),
        scheme=found,
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


# ---- lifecycle actions, one operation per entry of the action tables -------------------------


def _reviewer(request) -> None:
    """A reviewer named as a party member reaches the review without the kind (the
    service lets only the reviewer's own account give it)."""


for _name, _lifecycle in actions.LIFECYCLES.items():
    # `perform` looked up at each call, so the one path stays the module's; each action
    # one transaction.
    add_operations(
        router,
        {_name: _lifecycle},
        perform=lambda *args, **kwargs: actions.perform(*args, **kwargs),
        check=_reviewer if _name == "reviews" else _kind,
        prefix="assessment",
        atomic=True,
    )
