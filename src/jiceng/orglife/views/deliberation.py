"""Deliberation pages: issues and topics for staff, the procedure step by step (the forms
come from the action table), and the public disclosure pages residents open without an
account, which show titles, stages and the published texts only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiceng.core.errors import NotFound
from jiceng.core.models import Area
from jiceng.core.pickers import has_choices
from jiceng.core.view_helpers import refusals_as_messages
from jiceng.orglife import actions, forms, schemas, selectors, services
from jiceng.orglife.models import Step, Topic
from jiceng.orglife.views._common import action_inputs, area_param, form_data, require_kind


def _issue_form(request, data=None):
    return forms.IssueForm(data, viewer=request.user, auto_id="issue_%s")


def _topic_form(request, data=None):
    return forms.TopicForm(data, viewer=request.user, auto_id="topic_%s")


@login_required
def topic_list(request):
    require_kind(request.user)
    return _topic_list(request)


def _topic_list(request, *, issue_form=None, topic_form=None, status: int = 200):
    """The topics and unassigned issues, with the forms to register an issue and set up
    a topic (one of them bound when it was refused); the forms only where the viewer
    manages a community."""
    area = area_param(request)
    if issue_form is None:
        issue_form = _issue_form(request)
    if topic_form is None:
        topic_form = _topic_form(request)
    context = {
        "area": area,
        "topics": selectors.topic_list(viewer=request.user, area=area)[:200],
        "issues": selectors.issue_list(viewer=request.user, area=area, unassigned=True)[:200],
        "may_propose": has_choices(issue_form, "community"),
        "issue_form": issue_form,
        "topic_form": topic_form,
    }
    return render(request, "orglife/topics.html", context, status=status)


@login_required
def issue_new(request):
    require_kind(request.user)
    if request.method == "POST":
        form = _issue_form(request, request.POST)
        if not form.is_valid():
            return _topic_list(request, issue_form=form, status=422)
        with refusals_as_messages(request):
            payload = schemas.parse(schemas.IssueIn, form_data(request))
            services.issue_create(
                actor=request.user,
                community=form.cleaned_data["community"],
                text=payload.text,
                source=payload.source,
            )
            messages.success(request, _("已登记议事问题"))
    return redirect("orglife:topics")


@login_required
def issue_from_appeal(request, appeal_id: int):
    """An appeal that is really a common matter becomes an issue, with its history."""
    require_kind(request.user)
    try:
        appeal = selectors.appeal_get(viewer=request.user, appeal_id=appeal_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        with refusals_as_messages(request, not_found_is_404=False):
            payload = schemas.parse(schemas.IssueFromAppealIn, form_data(request))
            services.issue_from_appeal(actor=request.user, appeal=appeal, text=payload.text)
            messages.success(request, _("已转为议事问题"))
            return redirect("orglife:topics")
    return render(request, "orglife/issue_from_appeal.html", {"appeal": appeal})


@login_required
def topic_new(request):
    require_kind(request.user)
    if request.method != "POST":
        return redirect("orglife:topics")
    form = _topic_form(request, request.POST)
    if not form.is_valid():
        return _topic_list(request, topic_form=form, status=422)
    data = form_data(request, lists=("issues",))
    with refusals_as_messages(request):
        payload = schemas.parse(schemas.TopicIn, data)
        with transaction.atomic():
            community, org = form.cleaned_data["community"], form.cleaned_data["org"]
            issues = [selectors.issue_get(viewer=request.user, issue_id=i) for i in payload.issues]
            topic = services.topic_create(
                actor=request.user,
                community=community,
                org=org,
                title=payload.title,
                description=payload.description,
                issues=issues,
            )
        messages.success(request, _("已设立议题"))
        return redirect("orglife:topic", topic.pk)
    return redirect("orglife:topics")


@login_required
def topic_detail(request, pk: int):
    require_kind(request.user)
    try:
        topic = selectors.topic_get(viewer=request.user, topic_id=pk)
    except NotFound:
        raise Http404 from None
    issues = selectors.issue_list(viewer=request.user, area=topic.community, unassigned=True)
    choices = {
        "assembly": [("", "—"), *Step.Assembly.choices],
        "issue": [(i.pk, i.text[:60]) for i in issues[:100]],
    }
    offered = [
        (a, action_inputs(a, choices)) for a in actions.offered(request.user, "topics", topic)
    ]
    context = {
        "topic": topic,
        "actions": offered,
        "procedure": [(k, Step.Kind(k).label) for k in services.STEP_ORDER],
        "done": {s.kind for s in topic.steps.all()},
        "assemblies": Step.Assembly.choices,
        "orgs": selectors.open_orgs(viewer=request.user, under=topic.community),
        "issues": selectors.issue_list(viewer=request.user, area=topic.community, unassigned=True)[
            :100
        ],
    }
    return render(request, "orglife/topic_detail.html", context)


# ---- public pages, no account ----------------------------------------------------------------


def public_index(request):
    return render(
        request, "orglife/public_index.html", {"communities": selectors.public_communities()}
    )


def public_community(request, community_id: int):
    community = get_object_or_404(Area, pk=community_id, level=Area.Level.COMMUNITY)
    topics = [selectors.public_view(t) for t in selectors.public_topics(community)[:200]]
    return render(
        request,
        "orglife/public_community.html",
        {
            "community": community,
            "open": [
                t
                for t in topics
                if t["result_published_on"] is None and t["state"] != Topic.State.REJECTED
            ],
            "past": [
                t
                for t in topics
                if t["result_published_on"] is not None or t["state"] == Topic.State.REJECTED
            ],
        },
    )
