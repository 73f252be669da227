"""Pages of a grid's people and of the big committees: appoint and end grid leaders,
grid workers and lane chiefs (街巷长); create a big committee (大党委) and add or end
its part-time members (兼职委员). Ending a post or a membership is an htmx button
that swaps the list in place; without JavaScript it posts and redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.access import can_manage_area, get_area_for_view
from jiceng.core.models import Area
from jiceng.core.pickers import has_choices
from jiceng.core.scope import KIND_PEOPLE
from jiceng.core.selectors import area_roots
from jiceng.orgs import forms, services
from jiceng.orgs.access import (
    get_committee_for_manage,
    get_committee_for_view,
    get_grid_post_for_manage,
    get_part_time_member_for_manage,
)
from jiceng.orgs.selectors import (
    big_committee_list,
    grid_page_with_post_counts,
    grid_post_history,
    grids_under,
    part_time_member_history,
)
from jiceng.orgs.views.common import call, end_errors, require_kind

# ---- grids ---------------------------------------------------------------------------------


@login_required
def grid_list_view(request):
    """The grids under a place, with how many leaders, workers and lane chiefs each has."""
    require_kind(request.user, KIND_PEOPLE)
    value = request.GET.get("area")
    if value:
        area = get_area_for_view(request.user, value)
    else:
        roots = area_roots(viewer=request.user)
        if not roots:
            raise Http404
        area = roots[0]
    # The page's grids first (read in path order and counted without the posts), then
    # the posts of those 100 counted: counting a city's 29,000 grids' posts to show 100
    # took 110 ms.
    page = Paginator(grids_under(viewer=request.user, area=area), 100).get_page(
        request.GET.get("page")
    )
    page.object_list = grid_page_with_post_counts(page)
    return render(request, "orgs/grid_list.html", {"area": area, "page": page})


def _grid_context(request, grid: Area, form=None) -> dict:
    manage = can_manage_area(request.user, grid)
    if manage and form is None:
        form = forms.GridPostForm(viewer=request.user)
    return {
        "grid": grid,
        "posts": grid_post_history(viewer=request.user, grid=grid),
        "can_manage": manage,
        "form": form,
    }


@login_required
def grid_detail(request, pk: int):
    """A grid's people, current and past; staff who manage it appoint from here."""
    require_kind(request.user, KIND_PEOPLE)
    grid = get_area_for_view(request.user, pk)
    if grid.level != Area.Level.GRID:
        raise Http404
    form = None
    if request.method == "POST":
        form = forms.GridPostForm(request.POST, viewer=request.user)
        if form.is_valid():
            data = form.cleaned_data
            person = data["user"]
            post = call(
                form,
                lambda: services.grid_post_assign(
                    actor=request.user,
                    grid=grid,
                    user=person,
                    duty=data["duty"],
                    lane=data["lane"],
                    started_on=data["started_on"],
                ),
            )
            if post is not None:
                messages.success(request, _("已任命"))
                return redirect("orgs:grid_detail", pk=grid.pk)
    context = _grid_context(request, grid, form)
    status = 422 if form is not None and form.errors else 200
    return render(request, "orgs/grid_detail.html", context, status=status)


@login_required
@require_POST
def grid_post_end(request, pk: int):
    form = forms.EndForm(request.POST)
    with transaction.atomic():
        post = get_grid_post_for_manage(request.user, pk)
        if form.is_valid():
            call(
                form,
                lambda: services.grid_post_end(
                    actor=request.user, post=post, ended_on=form.cleaned_data["ended_on"]
                ),
            )
    error = end_errors(form)
    if request.htmx:
        context = {**_grid_context(request, post.grid), "end_error": error}
        # htmx swaps 2xx answers only; the refusal shows inside the swapped list.
        return render(request, "orgs/partials/grid_posts.html", context)
    if error:
        messages.error(request, error)
    return redirect("orgs:grid_detail", pk=post.grid_id)


# ---- big committees ------------------------------------------------------------------------


@login_required
def committee_list(request):
    """The big committees the viewer sees, and the form to set one up."""
    committees = list(big_committee_list(viewer=request.user)[:500])
    form = forms.BigCommitteeForm(request.POST or None, viewer=request.user)
    may_set_up = has_choices(form, "area")
    if not committees and not may_set_up:
        raise Http404
    if request.method == "POST" and form.is_valid():
        area, org = form.cleaned_data["area"], form.cleaned_data["org"]
        committee = call(
            form,
            lambda: services.big_committee_create(
                actor=request.user, area=area, org=org, name=form.cleaned_data["name"]
            ),
        )
        if committee is not None:
            messages.success(request, _("大党委已成立"))
            return redirect("orgs:committee_detail", pk=committee.pk)
    status = 422 if form.is_bound and form.errors else 200
    context = {"committees": committees, "form": form if may_set_up else None}
    return render(request, "orgs/committee_list.html", context, status=status)


def _committee_context(request, committee, form=None) -> dict:
    manage = can_manage_area(request.user, committee.area)
    if manage and form is None:
        form = forms.PartTimeMemberForm(committee=committee, viewer=request.user)
    return {
        "committee": committee,
        "members": part_time_member_history(viewer=request.user, committee=committee),
        "can_manage": manage,
        "form": form,
    }


@login_required
def committee_detail(request, pk: int):
    committee = get_committee_for_view(request.user, pk)
    form = None
    if request.method == "POST":
        committee = get_committee_for_manage(request.user, pk)
        form = forms.PartTimeMemberForm(request.POST, committee=committee, viewer=request.user)
        if form.is_valid():
            data = form.cleaned_data
            unit = data["unit"]
            member = call(
                form,
                lambda: services.part_time_member_add(
                    actor=request.user,
                    committee=committee,
                    name=data["name"],
                    source=data["source"],
                    unit=unit,
                    position=data["position"],
                    started_on=data["started_on"],
                ),
            )
            if member is not None:
                messages.success(request, _("已增补兼职委员"))
                return redirect("orgs:committee_detail", pk=committee.pk)
    context = _committee_context(request, committee, form)
    status = 422 if form is not None and form.errors else 200
    return render(request, "orgs/committee_detail.html", context, status=status)


@login_required
@require_POST
def part_time_member_end(request, pk: int):
    form = forms.EndForm(request.POST)
    with transaction.atomic():
        member = get_part_time_member_for_manage(request.user, pk)
        if form.is_valid():
            call(
                form,
                lambda: services.part_time_member_end(
                    actor=request.user, member=member, ended_on=form.cleaned_data["ended_on"]
                ),
            )
    error = end_errors(form)
    if request.htmx:
        context = {**_committee_context(request, member.committee), "end_error": error}
        return render(request, "orgs/partials/part_time_members.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("orgs:committee_detail", args=[member.committee_id]))
