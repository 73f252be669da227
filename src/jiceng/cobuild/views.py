"""Co-building pages: the three lists, the street's matching with its proposals, venues
with the floor-area check, joint meetings and their tasks, agreements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.cobuild import access, selectors, services
from jiceng.cobuild.models import MatchProposal, Need
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.models import Area
from jiceng.core.scope import KIND_COBUILD, scope_for


def _require_kind(user) -> None:
    if not scope_for(user).can_see_kind(KIND_COBUILD):
        raise Http404


def _area(request):
    value = request.GET.get("area")
    return get_area_for_view(request.user, value) if value else None


@login_required
def overview(request):
    """The three lists (需求、资源、项目清单) side by side."""
    _require_kind(request.user)
    area = _area(request)
    status = request.GET.get("status") or Need.Status.OPEN
    context = {
        "area": area,
        "status": status,
        "statuses": Need.Status.choices,
        "needs": selectors.need_list(viewer=request.user, area=area, status=status)[:100],
        "resources": selectors.resource_list(viewer=request.user, area=area)[:100],
        "projects": selectors.project_list(viewer=request.user, area=area)[:100],
    }
    return render(request, "cobuild/overview.html", context)


def _streets(user):
    areas = scope_for(user).filter(
        Area.objects.filter(level__in=[Area.Level.STREET, Area.Level.DISTRICT])
    )
    return [a for a in areas.order_by("path")[:300] if access.can_run_matching(user, a)]


@login_required
def matching(request):
    _require_kind(request.user)
    runs = list(selectors.match_run_list(viewer=request.user)[:20])
    run = runs[0] if runs else None
    if request.GET.get("run"):
        run = next((r for r in runs if str(r.pk) == request.GET["run"]), run)
    proposals = (
        selectors.proposal_list(viewer=request.user, run=run)[:300]
        if run
        else selectors.proposal_list(viewer=request.user, state=MatchProposal.State.PENDING)[:300]
    )
    context = {
        "runs": runs,
        "run": run,
        "proposals": [(p, access.can_decide_proposal(request.user, p)) for p in proposals],
        "areas": _streets(request.user),
    }
    return render(request, "cobuild/matching.html", context)


@login_required
@require_POST
def matching_run(request):
    _require_kind(request.user)
    try:
        area = get_area_for_view(request.user, request.POST.get("area"))
        run = services.match_run_create(actor=request.user, area=area)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("cobuild:matching")
    messages.success(
        request,
        _("匹配完成：%(needs)s 项需求、%(resources)s 项资源，建议对接 %(matched)s 项")
        % {
            "needs": run.needs_considered,
            "resources": run.resources_considered,
            "matched": run.matched,
        },
    )
    return redirect(reverse("cobuild:matching") + f"?run={run.pk}")


@login_required
@require_POST
def proposal_decide(request, pk: int, decision: str):
    _require_kind(request.user)
    try:
        with transaction.atomic():
            proposal = scope_for(request.user).get(
                MatchProposal.objects.select_related("need", "resource", "run"), pk=pk
            )
            if decision == "accept":
                services.proposal_accept(actor=request.user, proposal=proposal)
                messages.success(request, _("已采纳，生成项目"))
            elif decision == "reject":
                services.proposal_reject(
                    actor=request.user, proposal=proposal, note=request.POST.get("note", "")
                )
                messages.success(request, _("已驳回"))
            else:
                raise Http404
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "cobuild:matching"  # only back to a page of this site
    return redirect(target)


@login_required
def venues(request):
    _require_kind(request.user)
    area = _area(request)
    context = {
        "area": area,
        "checks": selectors.service_centre_floor_area(viewer=request.user, area=area)[:500],
        "venues": selectors.venue_list(viewer=request.user, area=area)[:200],
        "required": selectors.service_centre_min_floor_area(),
    }
    return render(request, "cobuild/venues.html", context)


@login_required
def meetings(request):
    _require_kind(request.user)
    area = _area(request)
    context = {
        "meetings": selectors.meeting_list(viewer=request.user, area=area)[:100],
        "overdue": selectors.overdue_tasks(viewer=request.user, area=area)[:100],
        "agreements": selectors.agreement_list(viewer=request.user, area=area)[:100],
    }
    return render(request, "cobuild/meetings.html", context)
