"""The life of a duty application and of a power request, declared once: action →
(states it may start from, state it leads to, label). The services take every step
through `transition_for`; nothing else changes a state. Who may take each step is
`duties.access`; the page and the API dispatch from `duties.actions`."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.duties.errors import MSG_ILLEGAL, DutyErrorCode, conflict
from jiceng.duties.models import Duty, PowerRequest

D = Duty.State
R = PowerRequest.State


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: object
    # Whether the step needs a reason (a refusal, a revocation).
    needs_reason: bool = False


def _t(action, sources, target, label, needs_reason=False) -> Transition:
    return Transition(action, frozenset(sources), target, label, needs_reason)


DUTY_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("submit", {D.DRAFT}, D.SUBMITTED, _("提交审核")),
        _t("withdraw", {D.DRAFT, D.SUBMITTED}, D.WITHDRAWN, _("撤回申请")),
        _t("admit", {D.SUBMITTED}, D.ADMITTED, _("准入")),
        _t("refuse", {D.SUBMITTED}, D.REFUSED, _("不予准入"), needs_reason=True),
        _t("revoke", {D.ADMITTED}, D.REVOKED, _("撤销准入"), needs_reason=True),
    )
}

REQUEST_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("answer", {R.OPEN}, R.ANSWERED, _("答复")),
        _t("withdraw", {R.OPEN}, R.WITHDRAWN, _("撤回")),
    )
}


def transition_for(obj: Duty | PowerRequest, action: str) -> Transition:
    """The transition, or a Conflict naming the state and the refused action."""
    table = DUTY_TRANSITIONS if isinstance(obj, Duty) else REQUEST_TRANSITIONS
    transition = table[action]
    if obj.state not in transition.sources:
        states = Duty.State if isinstance(obj, Duty) else PowerRequest.State
        message = str(MSG_ILLEGAL).format(state=states(obj.state).label, action=transition.label)
        raise conflict(message, DutyErrorCode.ILLEGAL_TRANSITION, "state")
    return transition


def allowed_actions(obj: Duty | PowerRequest) -> list[str]:
    table = DUTY_TRANSITIONS if isinstance(obj, Duty) else REQUEST_TRANSITIONS
    return [a for a, t in table.items() if obj.state in t.sources]
