"""What the linkage pages share: the kind check, the labels of the fields refusals
name, and the action dispatcher every lifecycle page posts to."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jiceng.core.action_tables import form_data
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.inputs import has_control
from jiceng.core.scope import KIND_LINKAGE, scope_for
from jiceng.linkage import actions

FIELD_LABELS: dict[str, Any] = {
    "sender_area": _("发出单位"),
    "kind": _("类别"),
    "title": _("标题"),
    "text": _("正文"),
    "deadline": _("截止日期"),
    "period": _("统计期间"),
    "targeting": _("下发范围"),
    "target_level": _("下发层级"),
    "target_areas": _("接收区域"),
    "target_orgs": _("接收党组织"),
    "rule_outcome": _("规则指标"),
    "rule_period": _("规则期间"),
    "rule_comparison": _("比较方式"),
    "rule_threshold": _("阈值"),
    "duty_reference": _("准入职责编号"),
    "duty": _("依据事项"),
    "sender_department": _("发出部门"),
    "label": _("回报项名称"),
    "outcome_key": _("指标"),
    "choices": _("选项（每行一个）"),
    "reason": _("原因"),
    "summary": _("通报内容"),
    "caption": _("附件说明"),
    "file": _("附件"),
    "address": _("地址"),
    "channel": _("渠道"),
    "fields": _("回报项"),
}


def require_kind(user) -> None:
    if not scope_for(user).can_see_kind(KIND_LINKAGE):
        raise Http404


def label_for(field: str | None, labels: dict[str, Any] | None = None) -> str:
    """The label a person saw for the field a refusal names ("fields.0.label" → the
    field row's label; "values.12" → that question's label when given)."""
    if not field:
        return ""
    labels = {**FIELD_LABELS, **(labels or {})}
    if field in labels:
        return str(labels[field])
    last = field.rsplit(".", 1)[-1]
    return str(labels.get(last, field))


def refusal_message(error: ApplicationError, labels: dict[str, Any] | None = None) -> str:
    label = label_for(error.field, labels)
    message = str(error.message)
    return f"{label}：{message}" if label and label not in message else message


def safe_back(request, back: str, default: str) -> str:
    # Only a path on this site, as typed: anything else would make the redirect fail.
    if (
        not back.startswith("/")
        or has_control(back)
        or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return default
    return back


def report_payload(request) -> dict:
    """The report form's fields (value_<id>, note_<id>) as the API's ReportIn."""
    answers: dict[int, dict] = {}
    for key, value in request.POST.items():
        prefix, _sep, rest = key.partition("_")
        if prefix in ("value", "note") and rest.isdigit():
            answers.setdefault(int(rest), {"field": int(rest)})[prefix] = value
    data: dict[str, Any] = {"answers": [answers[k] for k in sorted(answers)]}
    if request.POST.get("version", "").isdigit():
        data["version"] = int(request.POST["version"])
    return data


@login_required
@require_POST
def act(request, lifecycle: str, pk: int, name: str):
    """Every lifecycle action a page offers, dispatched from the action tables."""
    require_kind(request.user)
    data = form_data(request)
    back = safe_back(request, data.pop("next", "") or "/linkage/", "/linkage/")
    try:
        result = actions.perform(
            request.user, lifecycle, pk, name, data, upload=request.FILES.get("file")
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, refusal_message(error))
        return redirect(back)
    label = actions.LIFECYCLES[lifecycle].actions[name].label
    if isinstance(result, dict) and "chased" in result:
        messages.success(request, f"{label}：{result['chased']}")
    else:
        messages.success(request, str(label))
    return redirect(back)
