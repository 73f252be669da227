"""Matching pages: the street's runs with their proposals, running the matching, and the
decisions on a proposal (accept, reject, change to another resource)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.models import MatchProposal, Resource
from jiceng.cobuild.views._common import require_kind, resource_choices
from jiceng.core.access import get_area_for_view
from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.core.view_helpers import call_on_form, refusals_as_messages


def _streets(user):
    areas = scope_for(user).filter(
        Area.objects.filter(level__in=[Area.Level.STREET, Area.Level.DISTRICT])
    )
    return [a for a in areas.order_by("path")[:300] if access.can_run_matching(user, a)]


@login_required
def matching(request):
    require_kind(request.user)
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
    require_kind(request.user)
    with refusals_as_messages(request):
        area = get_area_for_view(request.user, request.POST.get("area"))
        run = services.match_run_create(actor=request.user, area=area)
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
    return redirect("cobuild:matching")


@login_required
@require_POST
def proposal_decide(request, pk: int, decision: str):
    require_kind(request.user)
    with refusals_as_messages(request), transaction.atomic():
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
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "cobuild:matching"  # only back to a page of this site
    return redirect(target)


@login_required
def proposal_change(request, pk: int):
    """Staff take another resource for a proposal's need (改选): the choices are the
    resources that pass the same matching rules, without the solver's own pick."""
    require_kind(request.user)
    proposal = access.get_proposal_for_view(request.user, pk)
    access.require_decide_proposal(request.user, proposal)
    if proposal.state != MatchProposal.State.PENDING:
        messages.error(request, _("该建议已处理，不能再改选"))
        return redirect(f"{reverse('cobuild:matching')}?run={proposal.run_id}")
    choices = [
        choice
        for choice in resource_choices(request.user, proposal.need)
        if choice[0] != proposal.resource_id
    ]
    posted = request.POST if request.method == "POST" else None
    form = forms.ProposalChangeForm(posted, resources=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = call_on_form(
            form,
            lambda: services.proposal_change(
                actor=request.user,
                proposal=proposal,
                resource=Resource.objects.get(pk=data["resource"]),
                note=data["note"],
            ),
        )
        if project is not None:
            messages.success(request, _("已改选资源，生成项目"))
            return redirect("cobuild:project", pk=project.pk)
    intro = _("需求：{need}。求解器建议：{resource}。可改用下列同样符合类别、时间和容量的资源。")
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("改选资源"),
            "intro": intro.format(need=proposal.need.title, resource=proposal.resource.title),
            "submit": _("改选并立项"),
        },
    )
