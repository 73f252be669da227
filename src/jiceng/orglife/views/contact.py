"""Contact points and household visits: the list of contact points with open problems,
one point with its visits and problems (actions from the table), household links and
visits, each raised matter forwarded in one step."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cobuild.models import Category as NeedCategory
from jiceng.core.errors import NotFound
from jiceng.core.pickers import has_choices
from jiceng.core.view_helpers import refusals_as_messages
from jiceng.orglife import actions, forms, schemas, selectors, services
from jiceng.orglife.views._common import action_inputs, area_param, form_data, require_kind


@login_required
def contact_points(request):
    require_kind(request.user)
    return _contact_points(request, forms.ContactPointForm(viewer=request.user))


def _contact_points(request, form, status: int = 200):
    """The list with the form to make one more (`form` bound when it was refused)."""
    area = area_param(request)
    context = {
        "area": area,
        "points": selectors.contact_point_list(viewer=request.user, area=area)[:200],
        "form": form if has_choices(form, "official_area") else None,
        "today": timezone.localdate(),
    }
    return render(request, "orglife/contact_points.html", context, status=status)


@login_required
def contact_point_new(request):
    require_kind(request.user)
    if request.method == "POST":
        form = forms.ContactPointForm(request.POST, viewer=request.user)
        if not form.is_valid():
            return _contact_points(request, form, status=422)
        with refusals_as_messages(request):
            payload = schemas.parse(schemas.ContactPointIn, form_data(request))
            point = services.contact_point_create(
                actor=request.user,
                official_name=payload.official_name,
                official_title=payload.official_title,
                official_area=form.cleaned_data["official_area"],
                org=form.cleaned_data["org"],
                started_on=payload.started_on,
            )
            messages.success(request, _("已建立联系点"))
            return redirect("orglife:contact_point", point.pk)
    return redirect("orglife:contact_points")


@login_required
def contact_point_detail(request, pk: int):
    require_kind(request.user)
    try:
        point = selectors.contact_point_get(viewer=request.user, point_id=pk)
    except NotFound:
        raise Http404 from None
    categories = selectors.appeal_categories()
    if request.method == "POST":
        with refusals_as_messages(request, not_found_is_404=False):
            payload = schemas.parse(schemas.ContactVisitIn, form_data(request, lists=("problems",)))
            services.contact_visit_record(
                actor=request.user,
                point=point,
                visited_on=payload.visited_on,
                notes=payload.notes,
                problems=payload.problems,
            )
            messages.success(request, _("已记录调研"))
            return redirect("orglife:contact_point", point.pk)
    context = {
        "point": point,
        "problems": [
            (
                p,
                [
                    (a, action_inputs(a, {"category": categories}))
                    for a in actions.offered(request.user, "problems", p)
                ],
            )
            for p in point.problems.all()
        ],
        "point_actions": [
            (a, action_inputs(a)) for a in actions.offered(request.user, "contact-points", point)
        ],
        "today": timezone.localdate(),
    }
    return render(request, "orglife/contact_point_detail.html", context)


@login_required
def households(request):
    require_kind(request.user)
    return _households(request, forms.HouseholdLinkForm(viewer=request.user))


def _households(request, form, status: int = 200):
    """The links and visits with the form to link one more (`form` bound when refused)."""
    area = area_param(request)
    # A street or district holds thousands of links, each with its action forms: the
    # page shows 50 links and 50 visits at a time (the export has them all).
    links = Paginator(selectors.household_link_list(viewer=request.user, area=area), 50)
    link_page = links.get_page(request.GET.get("page"))
    visit_page = Paginator(selectors.visit_list(viewer=request.user, area=area), 50).get_page(
        request.GET.get("visit_page")
    )
    visits = list(visit_page)
    form = form if has_choices(form, "grid") else None
    appeal_categories = selectors.appeal_categories()
    context = {
        "area": area,
        "links": [
            (
                link,
                [
                    (a, action_inputs(a))
                    for a in actions.offered(request.user, "household-links", link)
                ],
            )
            for link in link_page
        ],
        "link_page": link_page,
        "visit_page": visit_page,
        "ended_links": selectors.household_link_list(viewer=request.user, area=area, ended=True)[
            :100
        ],
        "visits": [
            (
                v,
                [
                    (
                        a,
                        action_inputs(
                            a,
                            {
                                "category": appeal_categories
                                if a.name == "to_appeal"
                                else NeedCategory.choices
                            },
                        ),
                    )
                    for a in actions.offered(request.user, "visits", v)
                ],
            )
            for v in visits
        ],
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "orglife/households.html", context, status=status)


@login_required
def household_link_new(request):
    require_kind(request.user)
    if request.method == "POST":
        form = forms.HouseholdLinkForm(request.POST, viewer=request.user)
        if not form.is_valid():
            return _households(request, form, status=422)
        with refusals_as_messages(request):
            payload = schemas.parse(schemas.HouseholdLinkIn, form_data(request))
            with transaction.atomic():
                services.household_link_create(
                    actor=request.user,
                    member=form.cleaned_data["member"],
                    grid=form.cleaned_data["grid"],
                    household=payload.household,
                    started_on=payload.started_on,
                )
            messages.success(request, _("已建立联户关系"))
    return redirect("orglife:households")


@login_required
def household_visit_new(request, link_id: int):
    require_kind(request.user)
    try:
        link = selectors.household_link_get(viewer=request.user, link_id=link_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        with refusals_as_messages(request, not_found_is_404=False):
            payload = schemas.parse(schemas.HouseholdVisitIn, form_data(request))
            services.household_visit_record(
                actor=request.user, link=link, visited_on=payload.visited_on, raised=payload.raised
            )
            messages.success(request, _("已记录走访"))
    return redirect("orglife:households")
