"""What the assessment pages share: the kind check, the generated action forms, and the
action dispatcher every lifecycle page posts to (the same `actions.perform` the API
calls)."""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jiceng.assessment import actions, selectors
from jiceng.core.action_tables import form_data as action_form_data
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.inputs import has_control

HOME = "/assessment/"
PROBLEMS_MAX = 5000


def require_kind(user) -> None:
    if not selectors.can_see(user):
        raise Http404


def year_param(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@dataclass
class Input:
    name: str
    label: Any
    kind: str = "text"  # text, textarea, date, number, select
    max_length: int | None = None
    required: bool = False
    choices: list[tuple[Any, Any]] = field(default_factory=list)


FIELD_LABELS = {
    "task": _lazy("任务"),
    "measure": _lazy("举措"),
    "deadline": _lazy("时限"),
    "note": _lazy("完成情况"),
    "done_on": _lazy("完成日期"),
    "text": _lazy("内容"),
    "version": _lazy("版本"),
    "account": _lazy("评议人"),
    "capacity": _lazy("身份"),
    "grade": _lazy("评议等次"),
    "comment": _lazy("评议意见"),
    "problems": _lazy("发现的问题（每行一条）"),
    "owner": _lazy("责任人"),
    "measures": _lazy("整改措施"),
    "caption": _lazy("说明（选填）"),
    "reason": _lazy("退回原因"),
    "name": _lazy("方案名称"),
    "year": _lazy("年度"),
    "groups": _lazy("考核对象"),
    "review_weight": _lazy("评议权重"),
    "items": _lazy("考核指标"),
    "outcome_key": _lazy("指标"),
    "weight": _lazy("权重"),
    "rule": _lazy("计分规则"),
    "floor": _lazy("下限"),
    "target": _lazy("目标值"),
    "thresholds": _lazy("分档"),
    "label": _lazy("名称（选填）"),
    "org": _lazy("党组织"),
    "source": _lazy("来源"),
    "file": _lazy("照片或 PDF 文件"),
}


def field_label(field: str | None) -> str:
    """The label a page shows for the field an error names ("items.0.floor" → 下限)."""
    if not field:
        return ""
    parts = [p for p in field.split(".") if not p.isdigit()]
    last = re.sub(r"_\d+$", "", parts[-1] if parts else field)
    return str(FIELD_LABELS.get(last, field))


def refusal_text(error) -> str:
    label = field_label(error.field)
    return f"{label}：{error.message}" if label else str(error.message)


def action_inputs(action, choices: dict[str, list] | None = None) -> list[Input]:
    """The form of an action, generated from its input schema: the page cannot ask for
    anything the API would not take."""
    choices = choices or {}
    result = []
    for name, info in action.schema.model_fields.items():
        if name == "version":
            continue
        annotation = info.annotation
        limit = next((m.max_length for m in info.metadata if getattr(m, "max_length", None)), None)
        if name in choices:
            kind = "select"
        elif annotation in (datetime.date, datetime.date | None):
            kind = "date"
        elif annotation in (int, int | None):
            kind = "number"
        elif name == "problems" or (limit and limit > 300):
            kind = "textarea"
        else:
            kind = "text"
        if name == "problems":
            # One problem a line; each line is held to the problem's own limit.
            limit = PROBLEMS_MAX
        result.append(
            Input(
                name=name,
                label=FIELD_LABELS.get(name, name),
                kind=kind,
                max_length=limit,
                required=info.is_required(),
                choices=choices.get(name, []),
            )
        )
    return result


def offered_forms(user, lifecycle: str, obj, choices=None) -> list[tuple]:
    return [(a, action_inputs(a, choices)) for a in actions.offered(user, lifecycle, obj)]


def form_data(request) -> dict:
    """The POST as a dict for a schema; a textarea of problems becomes a list, one per
    line. The page to go back to (`next`) is not input."""
    data = action_form_data(request, lines=("problems",))
    data.pop("next", None)
    return data


def _back(request) -> str:
    back = request.POST.get("next", "") or request.META.get("HTTP_REFERER") or HOME
    if (
        not back.startswith("/")
        or has_control(back)
        or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HOME
    return back


@login_required
@require_POST
def act(request, lifecycle: str, pk: int, name: str):
    """Every lifecycle action a page offers, dispatched from the action tables."""
    if lifecycle != "reviews":
        require_kind(request.user)
    back = _back(request)
    try:
        actions.perform(
            request.user, lifecycle, pk, name, form_data(request), upload=request.FILES.get("file")
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, refusal_text(error))
        return redirect(back)
    messages.success(request, str(actions.LIFECYCLES[lifecycle].actions[name].label))
    return redirect(back)
