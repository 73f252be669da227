"""The district's scheme pages: the list, the editor (a new scheme, or a new version of
a draft), one scheme with its items, versions and actions, and the ranking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.assessment import actions, exports, given_grades, selectors
from jiceng.assessment.errors import MSG_FROZEN
from jiceng.assessment.errors import AssessmentErrorCode as Code
from jiceng.assessment.models import AssessedGroup, Grade, Scheme, SchemeItem
from jiceng.assessment.views._common import (
    offered_forms,
    refusal_text,
    require_kind,
    year_param,
)
from jiceng.core.errors import ApplicationError, NotFound, ValidationFailed
from jiceng.core.inputs import check_text
from jiceng.core.models import Area

ROWS = 8
# The form's text inputs and their limits (the schema's own, or a number's width).
LIMITS = {"name": 120, "label": 100, "floor": 20, "target": 20, "thresholds": 200}


@login_required
def home(request):
    # A reviewer named as a party member (whose role sees no assessments) comes here for
    # the reviews they are to give, and sees nothing else.
    if not selectors.can_see(request.user):
        reviews = selectors.reviews_to_give(viewer=request.user)[:50]
        if not reviews:
            raise Http404
        return render(request, "assessment/home.html", {"reviews": reviews, "only_reviews": True})
    year = year_param(request) or timezone.localdate().year
    schemes = list(selectors.schemes_covering(viewer=request.user, year=year))
    context = {
        "year": year,
        "schemes": schemes,
        "manageable": [s for s in schemes if actions.access.can_manage_scheme(request.user, s)],
        "districts": _districts(request.user),
        "mine": selectors.assessment_list(viewer=request.user, year=year)[:50],
        "reviews": selectors.reviews_to_give(viewer=request.user)[:50],
    }
    return render(request, "assessment/home.html", context)


def _districts(user) -> list[Area]:
    return [d for d in selectors.districts(viewer=user) if actions.access.can_manage_area(user, d)]


def _number(value: str, field: str):
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationFailed(_("请填写数字"), field=field, code=str(Code.RULE)) from None


def _thresholds(value: str, field: str) -> list[list[float]]:
    steps = []
    for part in value.replace("；", ";").replace("，", ",").replace(",", ";").split(";"):
        if not part.strip():
            continue
        pieces = part.replace("：", ":").split(":")
        if len(pieces) != 2:
            raise ValidationFailed(
                _("每档写作“数值:得分比例”，以分号分隔"), field=field, code=str(Code.RULE)
            )
        steps.append([_number(pieces[0].strip(), field), _number(pieces[1].strip(), field)])
    return steps


def scheme_data(post) -> dict:
    """The editor's POST as the API's body: the text checked first under the one input
    policy (length, control characters), each refusal naming its field."""
    for key, value in post.items():
        base = key.rsplit("_", 1)[0] if key[-1:].isdigit() else key
        if base in LIMITS:
            check_text(value, field=key, max_length=LIMITS[base])
    items = []
    for i in range(ROWS):
        key = post.get(f"outcome_key_{i}", "")
        if not key:
            continue
        weight = post.get(f"weight_{i}", "")
        items.append(
            {
                "outcome_key": key,
                "weight": int(weight) if weight.isdigit() else 0,
                "rule": post.get(f"rule_{i}", "linear"),
                "floor": _number(post.get(f"floor_{i}", ""), f"floor_{i}"),
                "target": _number(post.get(f"target_{i}", ""), f"target_{i}"),
                "thresholds": _thresholds(post.get(f"thresholds_{i}", ""), f"thresholds_{i}"),
                "label": post.get(f"label_{i}", ""),
            }
        )
    weight = post.get("review_weight", "")
    year = post.get("year", "")
    return {
        "district": post.get("district", ""),
        "year": int(year) if year.isdigit() else 0,
        "name": post.get("name", ""),
        "groups": post.getlist("groups"),
        "review_weight": int(weight) if weight.isdigit() else -1,
        "items": items,
    }


def _rows(scheme: Scheme | None) -> list[dict]:
    items = list(scheme.items.all()) if scheme else []
    rows = []
    for i in range(ROWS):
        item = items[i] if i < len(items) else None
        rows.append(
            {
                "i": i,
                "item": item,
                "thresholds": "；".join(f"{v:g}:{s:g}" for v, s in item.thresholds) if item else "",
            }
        )
    return rows


def _editor(request, scheme: Scheme | None):
    context = {
        "scheme": scheme,
        "rows": _rows(scheme),
        "outcomes": selectors.outcome_choices(),
        "rules": SchemeItem.Rule.choices,
        "groups": AssessedGroup.choices,
        "chosen": scheme.group_list() if scheme else list(AssessedGroup.values),
        "districts": _districts(request.user) if scheme is None else [scheme.district],
        "year": scheme.year if scheme else timezone.localdate().year,
        "limits": LIMITS,
    }
    return render(request, "assessment/scheme_form.html", context)


@login_required
def scheme_new(request):
    require_kind(request.user)
    if request.method == "POST":
        try:
            scheme = actions.perform(
                request.user, "schemes", None, "create", scheme_data(request.POST)
            )
        except NotFound:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, refusal_text(error))
            return _editor(request, None)
        messages.success(request, _("已保存考核方案"))
        return redirect("assessment:scheme", scheme.pk)
    return _editor(request, None)


@login_required
def scheme_edit(request, pk: int):
    require_kind(request.user)
    try:
        scheme = selectors.scheme_get(viewer=request.user, scheme_id=pk)
    except NotFound:
        raise Http404 from None
    if scheme.is_frozen:
        # An open (or superseded) version is frozen: nothing to edit.
        messages.error(request, refusal_text(ValidationFailed(MSG_FROZEN, code=str(Code.FROZEN))))
        return redirect("assessment:scheme", scheme.pk)
    if request.method == "POST":
        data = {}
        try:
            data = scheme_data(request.POST)
            data.pop("district"), data.pop("year")
            new = actions.perform(request.user, "schemes", scheme.pk, "update", data)
        except NotFound:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, refusal_text(error))
            return _editor(request, scheme)
        messages.success(request, _("已保存为第 %(v)d 版") % {"v": new.version})
        return redirect("assessment:scheme", new.pk)
    return _editor(request, scheme)


@login_required
def scheme_detail(request, pk: int):
    require_kind(request.user)
    try:
        scheme = selectors.scheme_get(viewer=request.user, scheme_id=pk)
    except NotFound:
        raise Http404 from None
    context = {
        "scheme": scheme,
        "items": list(scheme.items.all()),
        "versions": selectors.scheme_versions(viewer=request.user, scheme=scheme),
        "actions": offered_forms(request.user, "schemes", scheme),
        "can_edit": scheme.state == Scheme.State.DRAFT
        and actions.access.can_manage_scheme(request.user, scheme),
        "counts": selectors.assessment_list(viewer=request.user, scheme=scheme).count(),
    }
    return render(request, "assessment/scheme_detail.html", context)


@login_required
def ranking(request, pk: int):
    require_kind(request.user)
    scheme = selectors.schemes_covering(viewer=request.user).filter(pk=pk).first()
    if scheme is None:
        raise Http404
    group = request.GET.get("group", "")
    group = group if group in AssessedGroup.values else None
    rows, whole = selectors.ranking(viewer=request.user, scheme=scheme, group=group)
    context = {
        "scheme": scheme,
        "rows": rows,
        "whole": whole,
        "group": group,
        "groups": AssessedGroup.choices,
        "grades": dict(Grade.choices),
        # What the district's streets graded this year (assessment.given_grades).
        "given": given_grades.sections(request.user, scheme.district, scheme.year),
    }
    return render(request, "assessment/ranking.html", context)


@login_required
def export(request, name: str):
    require_kind(request.user)
    if name not in exports.NAMES:
        raise Http404
    scheme = None
    if name == "assessments":
        value = request.GET.get("scheme", "")
        scheme = (
            selectors.schemes_covering(viewer=request.user).filter(pk=value).first()
            if value.isdigit()
            else None
        )
        if scheme is None:
            raise Http404
    year = scheme.year if scheme else (year_param(request) or timezone.localdate().year)
    content, filename = exports.export_xlsx(
        viewer=request.user, name=name, year=year, scheme=scheme
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
