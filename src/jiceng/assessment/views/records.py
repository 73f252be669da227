"""The assessed org's pages: its assessment (figures drillable to their records, the
task list), its report and reviews, the problem list and the rectification list; every
action through the action tables."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.assessment import access, actions, downloads, selectors
from jiceng.assessment.models import Grade, Problem, Rectification, Reviewer
from jiceng.assessment.views._common import (
    form_data,
    offered_forms,
    refusal_text,
    require_kind,
    year_param,
)
from jiceng.core.errors import ApplicationError, NotFound


def _found(getter, **kwargs):
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404 from None


@login_required
def assessment_detail(request, pk: int):
    require_kind(request.user)
    assessment = _found(selectors.assessment_get, viewer=request.user, assessment_id=pk)
    tasks = list(selectors.task_list(viewer=request.user, assessment=assessment))
    context = {
        "assessment": assessment,
        "report": assessment.report,
        "tasks": [(t, offered_forms(request.user, "tasks", t)) for t in tasks],
        "actions": offered_forms(request.user, "assessments", assessment),
        "problems": selectors.problem_list(viewer=request.user, org=assessment.org).filter(
            year=assessment.year
        ),
        "grades": dict(Grade.choices),
    }
    return render(request, "assessment/assessment_detail.html", context)


@login_required
def report_detail(request, pk: int):
    require_kind(request.user)
    report = _found(selectors.report_get, viewer=request.user, report_id=pk)
    capacities = Reviewer.Capacity.choices
    context = {
        "report": report,
        "assessment": report.assessment,
        "reviewers": selectors.reviewers_of(report),
        "actions": offered_forms(
            request.user,
            "reports",
            report,
            {
                "capacity": capacities,
                "account": selectors.reviewer_candidates(report=report),
            },
        ),
        "can_edit": "edit" in [a.name for a in actions.offered(request.user, "reports", report)],
    }
    return render(request, "assessment/report_detail.html", context)


@login_required
def review_detail(request, pk: int):
    """A named reviewer's page: the report to read and the grade to give. A reviewer
    reaches it as whatever role they hold (a members' representative too)."""
    row = _found(selectors.reviewer_get, viewer=request.user, reviewer_id=pk)
    if not access.can_give_review(request.user, row):
        raise Http404
    context = {
        "row": row,
        "report": row.report,
        "actions": offered_forms(request.user, "reviews", row, {"grade": Grade.choices}),
    }
    return render(request, "assessment/review_detail.html", context)


@login_required
def problem_list(request):
    require_kind(request.user)
    year = year_param(request) or timezone.localdate().year
    source = request.GET.get("source", "")
    source = source if source in Problem.Source.values else None
    problems = selectors.problem_list(viewer=request.user, year=year, source=source)[:300]
    orgs = [
        o
        for o in selectors.orgs_for_problems(viewer=request.user)
        if access.can_raise_problem(request.user, o)
    ]
    context = {
        "year": year,
        "source": source,
        "sources": Problem.Source.choices,
        "problems": [(p, offered_forms(request.user, "problems", p)) for p in problems],
        "orgs": orgs,
    }
    return render(request, "assessment/problems.html", context)


@login_required
@require_POST
def problem_new(request):
    require_kind(request.user)
    try:
        actions.perform(request.user, "problems", None, "raise", form_data(request))
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("已列入问题清单"))
    return redirect("assessment:problems")


@login_required
def rectification_list(request):
    require_kind(request.user)
    year = year_param(request)
    state = request.GET.get("state", "")
    states = [*Rectification.State.choices, (selectors.OVERDUE, _("已逾期"))]
    state = state if state in dict(states) else None
    org = selectors.org_for_filter(viewer=request.user, value=request.GET.get("org", ""))
    items = selectors.rectification_list(viewer=request.user, year=year, state=state, org=org)
    context = {
        "year": year,
        "state": state,
        "states": states,
        "items": items[:300],
        "today": timezone.localdate(),
    }
    return render(request, "assessment/rectifications.html", context)


@login_required
def rectification_detail(request, pk: int):
    require_kind(request.user)
    item = _found(selectors.rectification_get, viewer=request.user, item_id=pk)
    context = {
        "item": item,
        "evidence": selectors.evidence_of(item),
        "actions": offered_forms(request.user, "rectifications", item),
        "overdue": item.is_overdue(timezone.localdate()),
    }
    return render(request, "assessment/rectification_detail.html", context)


@login_required
def evidence(request, pk: int):
    require_kind(request.user)
    found = _found(selectors.evidence_get, viewer=request.user, evidence_id=pk)
    return downloads.evidence_response(found)
