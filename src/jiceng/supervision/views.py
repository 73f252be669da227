"""Supervision pages: the weak-org list and each case (its actions from the table), the
rules, star ratings and their criteria, inspections, talks, and the fair ranking beside
the raw one. Phone-first: one column, forms folded in <details>."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.inputs import has_control, too_long
from jiceng.orgs.access import get_org_for_view
from jiceng.orgs.selectors import org_list
from jiceng.supervision import access, actions, exports, schemas, selectors, services
from jiceng.supervision.errors import MSG_BAD_PERIOD
from jiceng.supervision.models import WeakOrgCase
from jiceng.supervision.services.checks import PROBLEM_MAX, PROBLEMS_MAX

# The problems text box: PROBLEMS_MAX lines of PROBLEM_MAX characters.
PROBLEMS_TEXT_MAX = PROBLEMS_MAX * (PROBLEM_MAX + 1)


def _kind(user) -> None:
    if not selectors.can_see(user):
        raise Http404


def _area(request):
    value = request.GET.get("area")
    try:
        return get_area_for_view(request.user, value) if value else None
    except NotFound:
        raise Http404 from None


def _year(request) -> int | None:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


def _data(request, lists: tuple[str, ...] = ()) -> dict:
    data: dict[str, Any] = {}
    for key in request.POST:
        if key in ("csrfmiddlewaretoken", "next"):
            continue
        if key in lists:
            data[key] = [v for v in request.POST.getlist(key) if v.strip()]
        elif (value := request.POST.get(key, "")) != "":
            data[key] = value
    return data


def _back(request, fallback: str) -> str:
    back = request.POST.get("next") or fallback
    if (
        not back.startswith("/")
        or has_control(back)
        or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        return fallback
    return back


@dataclass
class Input:
    name: str
    label: Any
    kind: str = "text"
    max_length: int | None = None
    required: bool = False
    choices: list = field(default_factory=list)


LABELS = {
    "reason": _lazy("理由"),
    "leader": _lazy("整顿责任领导"),
    "measures": _lazy("整顿措施"),
    "deadline": _lazy("整顿时限"),
    "override_reason": _lazy("仍命中规则时确认销号的理由（选填）"),
    "held_on": _lazy("日期"),
    "findings": _lazy("检查发现"),
    "problems": _lazy("发现的问题（每行一条，转入整改清单）"),
    "owner": _lazy("整改责任人（选填，默认书记）"),
    "result": _lazy("回访结果"),
}


def inputs_of(schema) -> list[Input]:
    """The form of an action, generated from its input schema: a page cannot ask for
    anything the API would not take."""
    result = []
    for name, info in schema.model_fields.items():
        limit = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
        for inner in getattr(info.annotation, "__metadata__", ()):
            limit = getattr(inner, "max_length", None) or limit
        if name == "problems":
            limit = PROBLEMS_TEXT_MAX
        if info.annotation in (datetime.date, datetime.date | None):
            kind = "date"
        elif name == "problems" or (limit and limit > 300):
            kind = "textarea"
        else:
            kind = "text"
        result.append(Input(name, LABELS.get(name, name), kind, limit or 200, info.is_required()))
    return result


def _offered(user, lifecycle: str, obj) -> list:
    return [(a, inputs_of(a.schema)) for a in actions.offered(user, lifecycle, obj)]


@login_required
@require_POST
def act(request, lifecycle: str, pk: int, name: str):
    """Every lifecycle action a page offers, dispatched from the action tables."""
    _kind(request.user)
    back = _back(request, "/supervision/")
    data = _data(request)
    try:
        if "problems" in data:
            # One problem a line in one text box: the box as a whole has its limit,
            # each line the schema's.
            if len(data["problems"]) > PROBLEMS_TEXT_MAX:
                raise schemas.refused(
                    "problems", too_long(PROBLEMS_TEXT_MAX, len(data["problems"]))
                )
            data["problems"] = [line for line in data["problems"].splitlines() if line.strip()]
        actions.perform(request.user, lifecycle, pk, name, data)
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(back)
    messages.success(request, str(actions.LIFECYCLES[lifecycle].actions[name].label))
    return redirect(back)


# ---- weak orgs -------------------------------------------------------------------------------


@login_required
def weak_orgs(request):
    _kind(request.user)
    area, year = _area(request), _year(request)
    state = request.GET.get("state") or None
    if state not in (None, *WeakOrgCase.State.values):
        state = None
    cases = selectors.weak_org_list(viewer=request.user, year=year, state=state, area=area)
    districts = [
        d
        for d in selectors.districts_in_sight(viewer=request.user)
        if access.can_decide(request.user, d)
    ]
    context = {
        "cases": cases[:300],
        "area": area,
        "year": year,
        "state": state,
        "states": WeakOrgCase.State.choices,
        "districts": districts,
        "this_year": timezone.localdate().year,
    }
    return render(request, "supervision/weak_orgs.html", context)


@login_required
def weak_org_detail(request, pk: int):
    _kind(request.user)
    try:
        case = selectors.weak_org_get(viewer=request.user, case_id=pk)
    except NotFound:
        raise Http404 from None
    context = {"case": case, "offered": _offered(request.user, "weak-orgs", case)}
    return render(request, "supervision/weak_org_detail.html", context)


@login_required
@require_POST
def weak_org_evaluate(request):
    _kind(request.user)
    try:
        payload = schemas.parse(schemas.DistrictYearIn, _data(request))
        district = services.district_for(request.user, payload.district)
        result = services.weak_org_evaluate(
            actor=request.user, district=district, year=payload.year
        )
        messages.success(
            request,
            _("研判完成：排查 %(orgs)d 个党组织，命中 %(hit)d 个，新增候选 %(created)d 个")
            % result,
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("supervision:weak_orgs")


@login_required
def weak_org_ledger(request):
    _kind(request.user)
    content, filename = exports.weak_org_ledger_xlsx(viewer=request.user, year=_year(request))
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def rules_page(request):
    _kind(request.user)
    context = {
        "rules": selectors.rules(),
        "can_configure": access.can_configure(request.user),
    }
    return render(request, "supervision/rules.html", context)


@login_required
@require_POST
def rule_update(request, code: str):
    _kind(request.user)
    rule = selectors.rule_get(code)
    if rule is None:
        raise Http404
    data = _data(request)
    params = {k.removeprefix("param_"): v for k, v in data.items() if k.startswith("param_")}
    try:
        payload = schemas.parse(
            schemas.WeakOrgRuleIn,
            {"name": data.get("name"), "enabled": data.get("enabled") == "on", "params": params},
        )
        services.weak_org_rule_update(
            actor=request.user,
            rule=rule,
            enabled=payload.enabled,
            params=payload.params,
            name=payload.name,
        )
        messages.success(request, _("已保存"))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("supervision:rules")


# ---- star ratings -----------------------------------------------------------------------------


@login_required
def stars(request):
    _kind(request.user)
    area, year = _area(request), _year(request)
    ratings = list(selectors.rating_list(viewer=request.user, year=year, area=area)[:300])
    context = {
        "ratings": [(r, _offered(request.user, "ratings", r)) for r in ratings],
        "criteria": selectors.criteria(),
        "can_configure": access.can_configure(request.user),
        "districts": [
            d
            for d in selectors.districts_in_sight(viewer=request.user)
            if access.can_decide(request.user, d)
        ],
        "this_year": timezone.localdate().year,
        "area": area,
        "year": year,
    }
    return render(request, "supervision/stars.html", context)


@login_required
@require_POST
def stars_compute(request):
    _kind(request.user)
    try:
        payload = schemas.parse(schemas.DistrictYearIn, _data(request))
        district = services.district_for(request.user, payload.district)
        rated = services.star_compute(actor=request.user, district=district, year=payload.year)
        messages.success(request, _("已评定 %(n)d 个党组织") % {"n": rated})
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("supervision:stars")


@login_required
@require_POST
def criterion_save(request, pk: int | None = None):
    _kind(request.user)
    criterion = None
    if pk is not None and (criterion := selectors.criterion_get(pk)) is None:
        raise Http404
    data = _data(request)
    data["enabled"] = data.get("enabled") == "on"
    try:
        payload = schemas.parse(schemas.StarCriterionIn, data)
        services.star_criterion_save(
            actor=request.user,
            criterion=criterion,
            name=payload.name,
            outcome_key=payload.outcome_key,
            threshold=payload.threshold,
            rule_code=payload.rule_code,
            enabled=payload.enabled,
            order=payload.order,
        )
        messages.success(request, _("已保存"))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("supervision:stars")


# ---- inspections and talks ---------------------------------------------------------------------


def _orgs_to_supervise(user) -> list:
    orgs = org_list(viewer=user, domain="community").exclude(kind="group")[:300]
    return [o for o in orgs if access.can_supervise_org(user, o)]


@login_required
def inspections(request):
    _kind(request.user)
    if request.method == "POST":
        try:
            payload = schemas.parse(schemas.InspectionPlanIn, _data(request))
            services.inspection_plan(
                actor=request.user,
                org=get_org_for_view(request.user, payload.org),
                inspectors=payload.inspectors,
                planned_on=payload.planned_on,
                focus=payload.focus,
            )
            messages.success(request, _("已列入检查计划"))
            return redirect("supervision:inspections")
        except NotFound:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, str(error.message))
    rows = list(selectors.inspection_list(viewer=request.user, area=_area(request))[:200])
    context = {
        "inspections": [(i, _offered(request.user, "inspections", i)) for i in rows],
        "orgs": _orgs_to_supervise(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/inspections.html", context)


@login_required
def talks(request):
    _kind(request.user)
    if request.method == "POST":
        try:
            payload = schemas.parse(schemas.TalkRecordIn, _data(request))
            services.talk_record(
                actor=request.user,
                org=get_org_for_view(request.user, payload.org),
                held_on=payload.held_on,
                talker=payload.talker,
                talked_to=payload.talked_to,
                reason=payload.reason,
                commitments=payload.commitments,
                follow_up_on=payload.follow_up_on,
            )
            messages.success(request, _("已记录约谈"))
            return redirect("supervision:talks")
        except NotFound:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, str(error.message))
    rows = list(
        selectors.talk_list(
            viewer=request.user, area=_area(request), awaiting=bool(request.GET.get("awaiting"))
        )[:200]
    )
    context = {
        "talks": [(t, _offered(request.user, "talks", t)) for t in rows],
        "orgs": _orgs_to_supervise(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/talks.html", context)


# ---- the fair ranking -------------------------------------------------------------------------


@login_required
def fair_ranking(request):
    _kind(request.user)
    districts = selectors.districts_in_sight(viewer=request.user)
    area = _area(request) or selectors.home_area(viewer=request.user)
    ranking = None
    period_text = request.GET.get("period", "")
    if area is not None:
        try:
            period = selectors.parse_period(period_text, timezone.localdate())
            ranking = selectors.fair_ranking(viewer=request.user, parent=area, period=period)
        except ValueError:
            messages.error(request, str(MSG_BAD_PERIOD))
    context = {
        "districts": districts,
        "area": area,
        "ranking": ranking,
        "period_text": period_text,
    }
    return render(request, "supervision/fair_ranking.html", context)
