"""What the orglife pages share: the kind check, the generic form description the one
form template renders, and the action dispatcher every lifecycle page posts to."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jiceng.core.access import get_area_for_view
from jiceng.core.action_tables import form_data
from jiceng.core.errors import NotFound
from jiceng.core.scope import KIND_ORGLIFE, scope_for
from jiceng.core.view_helpers import refusals_as_messages, safe_next
from jiceng.orglife import actions


def require_kind(user) -> None:
    if not scope_for(user).can_see_kind(KIND_ORGLIFE):
        raise Http404


def area_param(request):
    value = request.GET.get("area")
    try:
        return get_area_for_view(request.user, value) if value else None
    except NotFound:
        raise Http404 from None


@dataclass
class Input:
    """One form field for `orglife/form.html`."""

    name: str
    label: Any
    kind: str = "text"  # text, textarea, date, number, select
    value: Any = ""
    max_length: int | None = None
    required: bool = False
    choices: list[tuple[Any, Any]] = field(default_factory=list)
    help: Any = ""


@login_required
@require_POST
def act(request, lifecycle: str, pk: int, name: str):
    """Every lifecycle action a page offers, dispatched from the action tables."""
    require_kind(request.user)
    data = form_data(request)
    back = data.pop("next", "") or request.META.get("HTTP_REFERER") or "/"
    back = safe_next(request, back, "/orglife/")
    if lifecycle == "meetings" and name == "appraise":
        data = {
            "grades": {
                key.removeprefix("grade_"): value
                for key, value in data.items()
                if key.startswith("grade_")
            }
        }
    with refusals_as_messages(request):
        actions.perform(request.user, lifecycle, pk, name, data, upload=request.FILES.get("file"))
        label = actions.LIFECYCLES[lifecycle].actions[name].label
        messages.success(request, str(label))
    return redirect(back)


# Labels of the action schemas' fields, for the generated forms.
FIELD_LABELS = {
    "held_on": _lazy("日期"),
    "participants": _lazy("参加人员"),
    "note": _lazy("说明"),
    "eligible": _lazy("应到人数"),
    "attended": _lazy("实到人数"),
    "votes_for": _lazy("赞成"),
    "votes_against": _lazy("反对"),
    "votes_abstain": _lazy("弃权"),
    "assembly": _lazy("会议形式"),
    "text": _lazy("公开内容"),
    "issue": _lazy("议事问题"),
    "decision": _lazy("议定事项"),
    "deadline": _lazy("完成时限"),
    "owner_member": _lazy("责任党员"),
    "owner_name": _lazy("责任人"),
    "resolution": _lazy("解决情况"),
    "resolved_on": _lazy("解决日期"),
    "category": _lazy("类别"),
    "ended_on": _lazy("结束日期"),
    "reason": _lazy("结束原因"),
    "caption": _lazy("说明（选填）"),
}


def action_inputs(action, choices: dict[str, list] | None = None) -> list[Input]:
    """The form of an action, generated from its input schema: the page cannot ask for
    anything the API would not take."""
    import datetime

    choices = choices or {}
    result = []
    for name, info in action.schema.model_fields.items():
        annotation = info.annotation
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        limit = extra.get("maxLength") or next(
            (m.max_length for m in info.metadata if hasattr(m, "max_length")), None
        )
        if name in choices:
            kind = "select"
        elif annotation in (datetime.date, datetime.date | None):
            kind = "date"
        elif annotation in (int, int | None):
            kind = "number"
        elif limit and limit > 300:
            kind = "textarea"
        else:
            kind = "text"
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
