"""Co-building pages that write: a resident's need (no account), staff needs and the
conversion of an appeal, resources, a project's steps, agreements and their reviews,
joint meetings and their tasks, venues, rooms and bookings.

Each page parses its form, calls one service and redirects after success (POST →
redirect → GET). A refusal from the service comes back on the form field it names; an
object out of the viewer's scope answers 404 (core middleware turns NotFound into the
404 page and PermissionDenied into the 403 page).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.models import (
    AgreementReview,
    Commitment,
    MatchProposal,
    MeetingTask,
    Need,
    Resource,
    Venue,
)
from jiceng.cobuild.states import TRANSITIONS, allowed_actions
from jiceng.core import crypto
from jiceng.core.access import can_manage_area
from jiceng.core.errors import ApplicationError, NotFound, PermissionDenied
from jiceng.core.masking import mask_phone
from jiceng.core.models import Area
from jiceng.core.ratelimit import client_id, hit
from jiceng.core.scope import KIND_COBUILD, scope_for
from jiceng.members.models import DualReport
from jiceng.orgs.access import can_manage_org
from jiceng.orgs.models import BigCommittee, PartTimeMember, PartyOrg

CHOICES_MAX = 2000


def _require_kind(user) -> None:
    if not scope_for(user).can_see_kind(KIND_COBUILD):
        raise Http404


def _fail(form, error: ApplicationError, aliases: dict | None = None) -> None:
    """Put a service's refusal on the field it names (or above the form)."""
    field = (aliases or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


def _call(form, call, aliases: dict | None = None):
    """Run one service; on a refusal, put it on the form and return None. Out of scope
    and forbidden propagate (404 and 403 pages)."""
    try:
        return call()
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as error:
        _fail(form, error, aliases)
        return None


def _posted(request, form_name: str) -> bool:
    return request.method == "POST" and request.POST.get("form") == form_name


# ---- choices a viewer may pick from -----------------------------------------------------


def _managed_areas(user, levels) -> list[Area]:
    areas = (
        scope_for(user).filter(Area.objects.filter(level__in=levels)).order_by("path")[:CHOICES_MAX]
    )
    return [a for a in areas if can_manage_area(user, a)]


def _managed_communities(user) -> list[Area]:
    return _managed_areas(user, [Area.Level.COMMUNITY])


def _posted_id(request, name: str) -> int:
    """A hidden id posted back (which commitment, which task); 0, which names nothing,
    for anything that is not a number, so a tampered field is a 404, never a 500."""
    value = request.POST.get(name) or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def _pick(items, pk):
    found = next((item for item in items if item.pk == pk), None)
    if found is None:
        raise NotFound()
    return found


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
            chosen = Area.objects.filter(pk=int(value), level=Area.Level.COMMUNITY).first()
        if form.is_valid():
            data = form.cleaned_data
            need = _call(
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
    districts = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code")
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
    children = Area.objects.none()
    if parent_id and parent_id.isdigit():
        children = Area.objects.filter(parent_id=int(parent_id), level=level).order_by("code")
    return render(
        request, "cobuild/partials/place_select.html", {"level": level, "children": children}
    )


# ---- needs (staff) ------------------------------------------------------------------------


@login_required
def need_new(request):
    """Community staff record a need they collected (a visit, a residents' meeting)."""
    _require_kind(request.user)
    communities = _managed_communities(request.user)
    if not communities:
        raise Http404
    form = forms.StaffNeedForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = _pick(communities, data["community"])
        need = _call(
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


def _resource_choices(user, need: Need) -> list[tuple[int, str]]:
    """Active resources the viewer sees that satisfy the matching rules for the need."""
    candidates = selectors.resource_list(viewer=user, category=need.category).filter(
        available_until__gte=need.window_start, available_from__lte=need.window_end
    )[:200]
    choices = []
    for resource in candidates:
        try:
            services.check_pair(need, resource)
        except ApplicationError:
            continue
        if resource.used >= resource.capacity:
            continue
        choices.append((resource.pk, f"{resource.title}（{_provider_name(resource)}）"))
    return choices


def _provider_name(resource: Resource) -> str:
    if resource.offered_by_org_id:
        return resource.offered_by_org.name
    return resource.dual_report.member.name


@login_required
def need_detail(request, pk: int):
    _require_kind(request.user)
    need = access.get_need_for_view(request.user, pk)
    can_manage = access.can_manage_need(request.user, need)
    is_open = need.status == Need.Status.OPEN
    close_form = forms.NeedCloseForm(request.POST if _posted(request, "close") else None)
    project_form = None
    if can_manage and is_open:
        project_form = forms.ProjectCreateForm(
            request.POST if _posted(request, "project") else None,
            resources=_resource_choices(request.user, need),
        )
    if _posted(request, "close") and can_manage and close_form.is_valid():
        done = _call(
            close_form,
            lambda: services.need_close(
                actor=request.user, need=need, reason=close_form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, _("需求已关闭"))
            return redirect("cobuild:need", pk=need.pk)
    if _posted(request, "project") and project_form is not None and project_form.is_valid():
        data = project_form.cleaned_data
        chosen = list(Resource.objects.filter(pk__in=data["resources"]).order_by("pk"))
        project = _call(
            project_form,
            lambda: services.project_create(
                actor=request.user,
                need=need,
                resources=chosen,
                title=data["title"],
                owner=request.user,
                budget=data["budget"],
            ),
        )
        if project is not None:
            messages.success(request, _("项目已立项，待承接党组织认领"))
            return redirect("cobuild:project", pk=project.pk)
    context = {
        "need": need,
        "phone": mask_phone(crypto.decrypt(need.contact_phone_encrypted)),
        "history": selectors.need_history(viewer=request.user, need=need),
        "projects": selectors.project_list(viewer=request.user).filter(need=need),
        "can_manage": can_manage and is_open,
        "close_form": close_form,
        "project_form": project_form,
    }
    return render(request, "cobuild/need_detail.html", context)


@login_required
def proposal_change(request, pk: int):
    """Staff take another resource for a proposal's need (改选): the choices are the
    resources that pass the same matching rules, without the solver's own pick."""
    _require_kind(request.user)
    proposal = access.get_proposal_for_view(request.user, pk)
    access.require_decide_proposal(request.user, proposal)
    if proposal.state != MatchProposal.State.PENDING:
        messages.error(request, _("该建议已处理，不能再改选"))
        return redirect(f"{reverse('cobuild:matching')}?run={proposal.run_id}")
    choices = [
        choice
        for choice in _resource_choices(request.user, proposal.need)
        if choice[0] != proposal.resource_id
    ]
    posted = request.POST if request.method == "POST" else None
    form = forms.ProposalChangeForm(posted, resources=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = _call(
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


@login_required
def need_from_appeal(request, appeal_id: int):
    """Turn an appeal that is really a need into one; its history stays readable."""
    from jiceng.appeals.access import get_appeal_for_view

    _require_kind(request.user)
    appeal = get_appeal_for_view(request.user, appeal_id)
    existing = Need.objects.filter(appeal=appeal).first()
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
        need = _call(
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


# ---- resources ----------------------------------------------------------------------------


def _providers(user) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Orgs the viewer speaks for, and in-service members' open dual reports the viewer
    manages (their org or the community they reported to): "org:<id>" / "report:<id>"."""
    from jiceng.orgs.selectors import org_list

    by_key: dict[str, object] = {}
    choices: list[tuple[str, str]] = []
    orgs = org_list(viewer=user).exclude(kind=PartyOrg.Kind.GROUP)[:500]
    for org in orgs:
        if can_manage_org(user, org):
            by_key[f"org:{org.pk}"] = org
            choices.append((f"org:{org.pk}", org.name))
    reports = scope_for(user).filter(
        DualReport.objects.filter(kind=DualReport.Kind.MEMBER, ended_on__isnull=True)
        .select_related("community", "member", "member__org", "member__org__area")
        .order_by("community__path", "member__name", "id")
    )[:500]
    for report in reports:
        if can_manage_area(user, report.community) or can_manage_org(user, report.member.org):
            key = f"report:{report.pk}"
            by_key[key] = report
            label = _("在职党员 %(name)s（报到%(community)s）") % {
                "name": report.member.name,
                "community": report.community.name,
            }
            choices.append((key, label))
    return by_key, choices


@login_required
def resource_new(request):
    """A unit's party org, or an in-service member through their dual report, offers a
    venue, skilled volunteers, funds, a service or materials."""
    _require_kind(request.user)
    providers, choices = _providers(request.user)
    if not choices:
        raise Http404
    # Streets and communities only: a grid-level place is the provider's own (the default).
    areas = _managed_areas(request.user, [Area.Level.STREET, Area.Level.COMMUNITY])
    form = forms.ResourceForm(request.POST or None, providers=choices, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        provider = providers[data["provider"]]
        area = _pick(areas, data["area"]) if data["area"] else None
        if area is None and isinstance(provider, PartyOrg):
            area = provider.area
        facts = services.ResourceFacts(
            title=data["title"],
            kind=data["kind"],
            category=data["category"],
            available_from=data["available_from"],
            available_until=data["available_until"],
            capacity=data["capacity"],
            area=area,
            description=data["description"],
        )
        resource = _call(
            form,
            lambda: services.resource_offer(
                actor=request.user,
                facts=facts,
                org=provider if isinstance(provider, PartyOrg) else None,
                dual_report=provider if isinstance(provider, DualReport) else None,
            ),
            aliases={"offered_by_org": "provider", "dual_report": "provider"},
        )
        if resource is not None:
            messages.success(request, _("资源已登记，进入资源清单参与供需匹配"))
            return redirect("cobuild:resource", pk=resource.pk)
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("提供资源"),
            "intro": _(
                "驻区单位党组织和报到的在职党员提供的场地、专业志愿者、资金、服务、物资。"
                "容量是可同时承接的需求项数。"
            ),
            "submit": _("登记资源"),
        },
    )


@login_required
def resource_detail(request, pk: int):
    """A resource, the projects it serves, and its provider's edit and withdraw forms."""
    _require_kind(request.user)
    resource = access.get_resource_for_view(request.user, pk)
    can_manage = access.can_manage_resource(request.user, resource) and resource.is_active
    initial = {
        "title": resource.title,
        "capacity": resource.capacity,
        "available_from": resource.available_from,
        "available_until": resource.available_until,
        "description": resource.description,
    }
    edit_form = forms.ResourceEditForm(
        request.POST if _posted(request, "edit") else None, initial=initial
    )
    withdraw_form = forms.ReasonForm(request.POST if _posted(request, "withdraw") else None)
    if _posted(request, "edit") and can_manage and edit_form.is_valid():
        data = edit_form.cleaned_data
        done = _call(
            edit_form,
            lambda: services.resource_update(actor=request.user, resource=resource, **data),
        )
        if done is not None:
            messages.success(request, _("资源已更新"))
            return redirect("cobuild:resource", pk=resource.pk)
    if _posted(request, "withdraw") and can_manage and withdraw_form.is_valid():
        done = _call(
            withdraw_form,
            lambda: services.resource_withdraw(
                actor=request.user,
                resource=resource,
                reason=withdraw_form.cleaned_data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, _("资源已撤回，进行中的项目不受影响"))
            return redirect("cobuild:resource", pk=resource.pk)
    projects = (
        selectors.project_list(viewer=request.user)
        .filter(resource_links__resource=resource)
        .distinct()
    )
    context = {
        "resource": resource,
        "provider": _provider_name(resource),
        "used": services.resource_used_capacity(resource),
        "projects": projects,
        "can_manage": can_manage,
        "edit_form": edit_form,
        "withdraw_form": withdraw_form,
    }
    return render(request, "cobuild/resource_detail.html", context)


# ---- projects -----------------------------------------------------------------------------

STEP_SERVICES = {
    "claim": services.project_claim,
    "start": services.project_start,
    "complete": services.project_complete,
}


@login_required
def project_detail(request, pk: int):
    """A project's record and, for who may take them, the next step of its life:
    claim, start and complete (the providing org), evaluate and plan (the community)."""
    _require_kind(request.user)
    project = access.get_project_for_view(request.user, pk)
    user = request.user
    allowed = set(allowed_actions(project))
    can_carry = access.can_carry_out_project(user, project)
    can_steer = access.can_steer_project(user, project)
    action = request.POST.get("form") if request.method == "POST" else None
    steps = [
        (
            name,
            TRANSITIONS[name].label,
            forms.ProjectStepForm(request.POST if action == name else None),
        )
        for name in STEP_SERVICES
        if name in allowed and can_carry
    ]
    evaluate_form = None
    if "evaluate" in allowed and can_steer:
        evaluate_form = forms.ProjectEvaluateForm(request.POST if action == "evaluate" else None)
    plan_form = None
    if project.is_active and can_steer:
        plan_form = forms.ProjectPlanForm(
            request.POST if action == "plan" else None,
            initial={"title": project.title, "plan": project.plan, "budget": project.budget},
        )
    if action in STEP_SERVICES:
        form = next((f for name, _label, f in steps if name == action), None)
        if form is None:
            # Not a step this viewer may take now: let the service say why.
            form = forms.ProjectStepForm(request.POST)
            steps.append((action, TRANSITIONS[action].label, form))
        if form.is_valid():
            done = _call(
                form,
                lambda: STEP_SERVICES[action](
                    actor=user, project=project, note=form.cleaned_data["note"]
                ),
                aliases={"state": None},
            )
            if done is not None:
                messages.success(request, _("已%(step)s") % {"step": TRANSITIONS[action].label})
                return redirect("cobuild:project", pk=project.pk)
    elif action == "evaluate":
        form = evaluate_form or forms.ProjectEvaluateForm(request.POST)
        evaluate_form = form
        if form.is_valid():
            done = _call(
                form,
                lambda: services.project_evaluate(
                    actor=user,
                    project=project,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                ),
                aliases={"state": None},
            )
            if done is not None:
                messages.success(request, _("评价已记录，需求已关闭"))
                return redirect("cobuild:project", pk=project.pk)
    elif action == "plan":
        form = plan_form or forms.ProjectPlanForm(request.POST)
        plan_form = form
        if form.is_valid():
            done = _call(
                form,
                lambda: services.project_update_plan(
                    actor=user, project=project, **form.cleaned_data
                ),
                aliases={"state": None},
            )
            if done is not None:
                messages.success(request, _("项目方案已更新"))
                return redirect("cobuild:project", pk=project.pk)
    elif action is not None:
        raise Http404
    context = {
        "project": project,
        "events": selectors.project_events(viewer=user, project=project),
        "resources": project.resources.all(),
        "steps": steps,
        "evaluate_form": evaluate_form,
        "plan_form": plan_form,
    }
    return render(request, "cobuild/project.html", context)


# ---- agreements ---------------------------------------------------------------------------


@login_required
def agreement_new(request):
    """The community signs a co-building agreement with a resident unit, with each
    side's commitments; all of it is checked before anything is written."""
    _require_kind(request.user)
    communities = _managed_communities(request.user)
    if not communities:
        raise Http404
    from jiceng.orgs.selectors import unit_list

    units = list(unit_list(viewer=request.user)[:CHOICES_MAX])
    bound = request.method == "POST"
    form = forms.AgreementForm(
        request.POST if bound else None, communities=communities, units=units
    )
    rows = forms.CommitmentFormSet(request.POST if bound else None, prefix="c")
    if bound and form.is_valid() and rows.is_valid():
        data = form.cleaned_data
        community = _pick(communities, data["community"])
        unit = _pick(units, data["unit"])
        kept = [r for r in rows.forms if not r.is_blank()]
        specs = [
            services.CommitmentSpec(
                side=r.cleaned_data["side"],
                content=r.cleaned_data["content"],
                target=r.cleaned_data["target"] if r.cleaned_data["target"] is not None else "",
                measure=r.cleaned_data["measure"],
            )
            for r in kept
        ]
        try:
            agreement = services.agreement_create(
                actor=request.user,
                community=community,
                unit=unit,
                title=data["title"],
                signed_on=data["signed_on"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                commitments=specs,
            )
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as error:
            # "commitments[2].target" names the row and its field.
            if error.field and error.field.startswith("commitments["):
                index, _dot, name = error.field[len("commitments[") :].partition("].")
                _fail(kept[int(index)], error, {error.field: name})
            else:
                _fail(form, error)
        else:
            messages.success(request, _("共建协议已登记"))
            return redirect("cobuild:agreement", pk=agreement.pk)
    return render(request, "cobuild/agreement_new.html", {"form": form, "rows": rows})


@login_required
def agreement_detail(request, pk: int):
    """An agreement's commitments with their progress, the yearly two-way review, and
    the forms of each side."""
    _require_kind(request.user)
    user = request.user
    agreement = access.get_agreement_for_view(user, pk)
    live = agreement.ended_on is None
    sides = {
        side
        for side in (Commitment.Side.COMMUNITY, Commitment.Side.UNIT)
        if access.can_act_for_side(user, agreement, side)
    }
    action = request.POST.get("form") if request.method == "POST" else None
    commitment_form = forms.CommitmentForm(request.POST if action == "commitment" else None)
    review_form = forms.ReviewForm(request.POST if action == "review" else None, reviewers=sides)
    end_form = forms.EndForm(
        request.POST if action == "end" else None, initial={"ended_on": timezone.localdate()}
    )
    commitments = list(selectors.commitment_list(viewer=user, agreement=agreement))
    achieved_forms = {}
    for commitment in commitments:
        if live and commitment.side in sides:
            posted = action == "achieved" and request.POST.get("commitment") == str(commitment.pk)
            achieved_forms[commitment.pk] = forms.AchievedForm(
                request.POST if posted else None,
                initial={"achieved": commitment.achieved},
                prefix=f"a{commitment.pk}",
            )
    result = None
    if action == "commitment" and commitment_form.is_valid():
        data = commitment_form.cleaned_data
        result = _call(
            commitment_form,
            lambda: services.commitment_add(
                actor=user, agreement=agreement, spec=services.CommitmentSpec(**data)
            ),
            aliases={"agreement": None},
        )
        success = _("承诺已添加")
    elif action == "achieved":
        form = achieved_forms.get(_posted_id(request, "commitment"))
        if form is None:
            raise Http404
        if form.is_valid():
            commitment = _pick(commitments, _posted_id(request, "commitment"))
            result = _call(
                form,
                lambda: services.commitment_record(
                    actor=user, commitment=commitment, achieved=form.cleaned_data["achieved"]
                ),
                aliases={"agreement": None},
            )
        success = _("完成情况已记录")
    elif action == "review" and review_form.is_valid():
        result = _call(
            review_form,
            lambda: services.agreement_review(
                actor=user, agreement=agreement, **review_form.cleaned_data
            ),
        )
        success = _("评价已记录")
    elif action == "end" and end_form.is_valid():
        result = _call(
            end_form,
            lambda: services.agreement_end(
                actor=user, agreement=agreement, ended_on=end_form.cleaned_data["ended_on"]
            ),
            aliases={"agreement": None},
        )
        success = _("协议已终止")
    elif action not in (None, "commitment", "achieved", "review", "end"):
        raise Http404
    if result is not None:
        messages.success(request, success)
        return redirect("cobuild:agreement", pk=agreement.pk)
    context = {
        "agreement": agreement,
        "commitments": [(c, achieved_forms.get(c.pk)) for c in commitments],
        "reviews": selectors.review_list(viewer=user, agreement=agreement),
        "live": live,
        "community_side": Commitment.Side.COMMUNITY in sides,
        "commitment_form": commitment_form,
        "review_form": review_form if sides else None,
        "end_form": end_form,
        "reviewer_labels": dict(AgreementReview.Reviewer.choices),
    }
    return render(request, "cobuild/agreement_detail.html", context)


# ---- joint meetings -----------------------------------------------------------------------


def _managed_committees(user) -> list[BigCommittee]:
    committees = (
        scope_for(user)
        .filter(BigCommittee.objects.select_related("area", "org"))
        .order_by("area__path")[:CHOICES_MAX]
    )
    return [c for c in committees if access.can_manage_meeting(user, c)]


@login_required
def meeting_new(request):
    _require_kind(request.user)
    committees = _managed_committees(request.user)
    if not committees:
        raise Http404
    form = forms.MeetingForm(request.POST or None, committees=committees)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        committee = _pick(committees, data.pop("committee"))
        meeting = _call(
            form,
            lambda: services.meeting_create(actor=request.user, committee=committee, **data),
        )
        if meeting is not None:
            messages.success(request, _("会议已登记；会后在本页记录出席、纪要和议定事项"))
            return redirect("cobuild:meeting", pk=meeting.pk)
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("召开联席会议"),
            "intro": _("街道、社区大党委的联席会议：先登记议程，会后记录出席、纪要和议定事项。"),
            "submit": _("登记会议"),
        },
    )


@login_required
def meeting_detail(request, pk: int):
    """Agenda, attendance and minutes, and the decisions become tasks with an owner and
    a deadline, each marked done when it is."""
    _require_kind(request.user)
    user = request.user
    meeting = access.get_meeting_for_view(user, pk)
    can_manage = access.can_manage_meeting(user, meeting.committee)
    members = list(
        PartTimeMember.objects.filter(committee=meeting.committee)
        .select_related("unit")
        .order_by("name", "id")
    )
    serving = [
        m
        for m in members
        if m.started_on <= meeting.held_on and (m.ended_on is None or m.ended_on >= meeting.held_on)
    ]
    attending = set(meeting.attendance.values_list("member_id", flat=True))
    action = request.POST.get("form") if request.method == "POST" else None
    attendance_form = forms.AttendanceForm(
        request.POST if action == "attendance" else None,
        members=serving,
        initial={"attendees": sorted(attending), "minutes": meeting.minutes},
    )
    task_form = forms.TaskForm(request.POST if action == "task" else None, members=members)
    tasks = list(selectors.task_list(viewer=user, meeting=meeting))
    done_forms = {
        t.pk: forms.TaskDoneForm(
            request.POST if action == "done" and request.POST.get("task") == str(t.pk) else None,
            prefix=f"t{t.pk}",
        )
        for t in tasks
        if t.status == MeetingTask.Status.OPEN
    }
    result = None
    if action and not can_manage:
        raise PermissionDenied()
    if action == "attendance" and attendance_form.is_valid():
        data = attendance_form.cleaned_data
        chosen = [m for m in members if m.pk in set(data["attendees"])]
        result = _call(
            attendance_form,
            lambda: services.meeting_record(
                actor=user, meeting=meeting, attendees=chosen, minutes=data["minutes"]
            ),
        )
        success = _("出席和纪要已保存")
    elif action == "task" and task_form.is_valid():
        data = task_form.cleaned_data
        owner = _pick(members, data["owner_member"]) if data["owner_member"] else None
        result = _call(
            task_form,
            lambda: services.meeting_task_add(
                actor=user,
                meeting=meeting,
                decision=data["decision"],
                deadline=data["deadline"],
                owner_member=owner,
                owner_name=data["owner_name"],
            ),
        )
        success = _("议定事项已列为任务")
    elif action == "done":
        form = done_forms.get(_posted_id(request, "task"))
        if form is None:  # done already (a second tap): say so on the page
            _pick(tasks, _posted_id(request, "task"))
            messages.info(request, str(services.MSG_TASK_DONE))
            return redirect("cobuild:meeting", pk=meeting.pk)
        if form.is_valid():
            task = _pick(tasks, _posted_id(request, "task"))
            result = _call(
                form,
                lambda: services.meeting_task_done(
                    actor=user, task=task, note=form.cleaned_data["note"]
                ),
                aliases={"status": None},
            )
        success = _("事项已办结")
    elif action not in (None, "attendance", "task", "done"):
        raise Http404
    if result is not None:
        messages.success(request, success)
        return redirect("cobuild:meeting", pk=meeting.pk)
    today = timezone.localdate()
    context = {
        "meeting": meeting,
        "attendees": [m for m in members if m.pk in attending],
        "tasks": [(t, done_forms.get(t.pk), t.deadline < today) for t in tasks],
        "can_manage": can_manage,
        "attendance_form": attendance_form,
        "task_form": task_form,
    }
    return render(request, "cobuild/meeting_detail.html", context)


# ---- venues, rooms and bookings -----------------------------------------------------------


@login_required
def venue_new(request):
    """A party–mass service centre (street or community staff) or a venue a unit opens
    to residents (the unit's org, or the territory staff)."""
    _require_kind(request.user)
    from jiceng.orgs.selectors import unit_list

    areas = _managed_areas(request.user, [Area.Level.STREET, Area.Level.COMMUNITY])
    units = [
        u
        for u in unit_list(viewer=request.user)[:CHOICES_MAX]
        if can_manage_area(request.user, u.area) or access.can_act_for_unit(request.user, u)
    ]
    if not areas and not units:
        raise Http404
    form = forms.VenueForm(request.POST or None, areas=areas, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = _pick(areas, data["area"]) if data["area"] else None
        unit = _pick(units, data["unit"]) if data["unit"] else None
        venue = _call(
            form,
            lambda: services.venue_create(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                floor_area=data["floor_area"],
                area=area,
                unit=unit,
                address=data["address"],
                opening_hours=data["opening_hours"],
            ),
        )
        if venue is not None:
            messages.success(request, _("阵地已登记，请添加功能室"))
            return redirect("cobuild:venue", pk=venue.pk)
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("登记阵地"),
            "intro": _(
                "党群服务中心设在街道或社区，不属于单位；单位开放阵地选择开放单位。"
                "社区党群服务中心面积合计与标准对照。"
            ),
            "submit": _("登记阵地"),
        },
    )


@login_required
def venue_detail(request, pk: int):
    """A venue, its rooms and their coming bookings; booking refuses overlapping times
    and names the booking in the way."""
    _require_kind(request.user)
    user = request.user
    venue = access.get_venue_for_view(user, pk)
    can_manage = access.can_manage_venue(user, venue) and venue.closed_on is None
    rooms = list(venue.rooms.order_by("name", "id"))
    bookable = [r for r in rooms if r.is_active]
    action = request.POST.get("form") if request.method == "POST" else None
    if action and not access.can_manage_venue(user, venue):
        raise PermissionDenied()
    edit_form = forms.VenueEditForm(
        request.POST if action == "edit" else None,
        initial={"floor_area": venue.floor_area, "opening_hours": venue.opening_hours},
    )
    room_form = forms.RoomForm(request.POST if action == "room" else None)
    booking_form = forms.BookingForm(request.POST if action == "booking" else None, rooms=bookable)
    result = None
    if action == "edit" and edit_form.is_valid():
        result = _call(
            edit_form,
            lambda: services.venue_update(actor=user, venue=venue, **edit_form.cleaned_data),
        )
        success = _("阵地信息已更新")
    elif action == "close":
        result = _call(edit_form, lambda: services.venue_close(actor=user, venue=venue))
        success = _("阵地已停用")
    elif action == "room" and room_form.is_valid():
        result = _call(
            room_form,
            lambda: services.room_add(actor=user, venue=venue, **room_form.cleaned_data),
            aliases={"venue": None},
        )
        success = _("功能室已添加")
    elif action == "booking" and booking_form.is_valid():
        data = booking_form.cleaned_data
        room = _pick(bookable, data.pop("room"))
        result = _call(
            booking_form,
            lambda: services.booking_create(actor=user, room=room, **data),
        )
        success = _("已预约")
    elif action == "cancel":
        booking = access.get_booking_for_view(user, request.POST.get("booking"))
        if booking.room.venue_id != venue.pk:
            raise Http404
        try:
            result = services.booking_cancel(actor=user, booking=booking)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return redirect("cobuild:venue", pk=venue.pk)
        success = _("预约已取消")
    elif action not in (None, "edit", "close", "room", "booking", "cancel"):
        raise Http404
    if result is not None:
        messages.success(request, success)
        return redirect("cobuild:venue", pk=venue.pk)
    now = timezone.now()
    bookings = selectors.booking_list(viewer=user, venue=venue, start=now)[:200]
    context = {
        "venue": venue,
        "rooms": rooms,
        "bookings": bookings,
        "can_manage": can_manage,
        "edit_form": edit_form,
        "room_form": room_form,
        "booking_form": booking_form if bookable else None,
        "is_centre": venue.kind == Venue.Kind.SERVICE_CENTRE,
    }
    return render(request, "cobuild/venue_detail.html", context)
