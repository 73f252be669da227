"""Needs pages: a resident's need (no account), staff needs, a need's page with its two
actions (set up a project, close), and the conversion of an appeal into a need.

Each action parses its form, calls one service and redirects after success (POST →
redirect → GET). A refusal comes back on the form field it names; an object out of the
viewer's scope answers 404 (core middleware turns NotFound into the 404 page and
PermissionDenied into the 403 page).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.models import Need
from jiceng.cobuild.views._common import (
    bound,
    posted_form,
    require_kind,
    resource_choices,
)
from jiceng.core import crypto
from jiceng.core.access import can_manage_area
from jiceng.core.errors import PermissionDenied
from jiceng.core.masking import mask_phone
from jiceng.core.pickers import has_choices
from jiceng.core.ratelimit import client_id, hit
from jiceng.core.view_helpers import call_on_form

# ---- residents: no account needed --------------------------------------------------------


def _rate_limited(request) -> bool:
    return not hit(
        "need-report",
        client_id(request),
        limit=settings.APPEAL_PUBLIC_LIMIT,
        window_seconds=settings.APPEAL_PUBLIC_WINDOW_SECONDS,
    )


def _too_many(request):
    response = render(request, "appeals/too_many.html", status=429)
    response["Retry-After"] = str(settings.APPEAL_PUBLIC_WINDOW_SECONDS)
    return response


def _need_facts(data, community) -> services.NeedFacts:
    return services.NeedFacts(
        title=data["title"],
        category=data["category"],
        community=community,
        window_start=data["window_start"],
        window_end=data["window_end"],
        description=data["description"],
        place=data["place"],
        beneficiaries=data["beneficiaries"],
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
    )


def need_report(request):
    """A resident tells the community what the neighbourhood needs (an elderly meal
    service, a homework corner), from a phone and without an account."""
    chosen = None
    if request.method == "POST":
        if _rate_limited(request):
            return _too_many(request)
        form = forms.ResidentNeedForm(request.POST)
        value = request.POST.get("community", "")
        if value.isdigit():
            chosen = selectors.community_named(int(value))
        if form.is_valid():
            data = form.cleaned_data
            need = call_on_form(
                form,
                lambda: services.need_create(
                    actor=None,
                    facts=_need_facts(data, chosen),
                    source=Need.Source.RESIDENT,
                    idempotency_key=data["idempotency_key"],
                ),
            )
            if need is not None:
                messages.success(request, _("已收到您提出的需求，社区工作人员会尽快对接。"))
                return redirect("cobuild:need_report_done")
    else:
        form = forms.ResidentNeedForm()
    districts = selectors.districts()
    return render(
        request,
        "cobuild/need_report.html",
        {"form": form, "districts": districts, "chosen": chosen},
    )


def need_report_done(request):
    return render(request, "cobuild/need_report_done.html")


PLACE_PARENTS = {"street": "district", "community": "street"}


@require_GET
def places(request, level: str):
    """The next select of the resident's place picker, down to the community."""
    if level not in PLACE_PARENTS:
        raise Http404
    parent_id = request.GET.get(PLACE_PARENTS[level])
    parent = int(parent_id) if parent_id and parent_id.isdigit() else None
    children = selectors.place_children(parent_id=parent, level=level)
    return render(
        request, "cobuild/partials/place_select.html", {"level": level, "children": children}
    )


# ---- staff --------------------------------------------------------------------------------


@login_required
def need_new(request):
    """Community staff record a need they collected (a visit, a residents' meeting)."""
    require_kind(request.user)
    form = forms.StaffNeedForm(request.POST or None, viewer=request.user)
    if not has_choices(form, "community"):
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = data["community"]
        need = call_on_form(
            form,
            lambda: services.need_create(
                actor=request.user,
                facts=_need_facts(data, community),
                source=Need.Source.STAFF,
                idempotency_key=data["idempotency_key"],
            ),
        )
        if need is not None:
            messages.success(request, _("需求已登记"))
            return redirect("cobuild:need", pk=need.pk)
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("登记需求"),
            "intro": _("社区走访、议事会上收集到的需求。居民也可以自己在“我要提需求”页面提出。"),
            "submit": _("登记"),
        },
    )


class _NeedPage:
    """A need's page and its forms; the one named `action` bound to the POST."""

    def __init__(self, request, pk: int, action: str | None = None):
        require_kind(request.user)
        self.request = request
        self.need = need = access.get_need_for_view(request.user, pk)
        self.can_manage = access.can_manage_need(request.user, need)
        self.is_open = need.status == Need.Status.OPEN
        self.close_form = forms.NeedCloseForm(bound(request, action, "close"))
        self.project_form = None
        if self.can_manage and self.is_open:
            self.project_form = forms.ProjectCreateForm(
                bound(request, action, "project"),
                resources=resource_choices(request.user, need),
            )

    def render(self):
        need, user = self.need, self.request.user
        context = {
            "need": need,
            "phone": mask_phone(crypto.decrypt(need.contact_phone_encrypted)),
            "history": selectors.need_history(viewer=user, need=need),
            "projects": selectors.project_list(viewer=user).filter(need=need),
            "can_manage": self.can_manage and self.is_open,
            "close_form": self.close_form,
            "project_form": self.project_form,
        }
        return render(self.request, "cobuild/need_detail.html", context)


@login_required
def need_detail(request, pk: int):
    action = NEED_ACTIONS.get(posted_form(request))
    if action is not None:
        return action(request, pk)
    return _NeedPage(request, pk).render()


@login_required
@require_POST
def need_close(request, pk: int):
    page = _NeedPage(request, pk, "close")
    form = page.close_form
    if page.can_manage and form.is_valid():
        done = call_on_form(
            form,
            lambda: services.need_close(
                actor=request.user, need=page.need, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, _("需求已关闭"))
            return redirect("cobuild:need", pk=page.need.pk)
    return page.render()


@login_required
@require_POST
def need_project(request, pk: int):
    """Set up a project for the need with the resources chosen (立项)."""
    page = _NeedPage(request, pk, "project")
    form = page.project_form
    if form is not None and form.is_valid():
        data = form.cleaned_data
        chosen = selectors.resources_by_ids(data["resources"])
        project = call_on_form(
            form,
            lambda: services.project_create(
                actor=request.user,
                need=page.need,
                resources=chosen,
                title=data["title"],
                owner=request.user,
                budget=data["budget"],
            ),
        )
        if project is not None:
            messages.success(request, _("项目已立项，待承接党组织认领"))
            return redirect("cobuild:project", pk=project.pk)
    return page.render()


NEED_ACTIONS = {"close": need_close, "project": need_project}


@login_required
def need_from_appeal(request, appeal_id: int):
    """Turn an appeal that is really a need into one; its history stays readable."""
    from jiceng.appeals.access import get_appeal_for_view

    require_kind(request.user)
    appeal = get_appeal_for_view(request.user, appeal_id)
    existing = selectors.need_for_appeal(appeal)
    if existing is not None:
        messages.info(request, _("该诉求已转为需求"))
        return redirect("cobuild:need", pk=existing.pk)
    if appeal.community is None or not can_manage_area(request.user, appeal.community):
        raise PermissionDenied()
    today = timezone.localdate()
    initial = {
        "title": f"{appeal.category.name}：{appeal.description}"[:100],
        "category": services.APPEAL_CATEGORY_TO_NEED.get(appeal.category.code, ""),
        "window_start": today,
        "window_end": today + datetime.timedelta(days=30),
        "beneficiaries": 1,
    }
    form = forms.AppealToNeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        need = call_on_form(
            form,
            lambda: services.need_from_appeal(
                actor=request.user,
                appeal=appeal,
                category=data["category"],
                title=data["title"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                beneficiaries=data["beneficiaries"],
            ),
            aliases={"appeal": None},
        )
        if need is not None:
            messages.success(request, _("已转为共建需求，原诉求的办理记录保留在需求页面"))
            return redirect("cobuild:need", pk=need.pk)
    return render(request, "cobuild/need_from_appeal.html", {"form": form, "appeal": appeal})
