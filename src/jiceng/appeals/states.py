"""The life of a case as a transition table: action → (states it may start from, state it
leads to). Services consult it; nothing else changes `Appeal.state`."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.appeals.models import Appeal

S = Appeal.State


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: str


def _t(action: str, sources: set[str], target: str, label) -> Transition:
    return Transition(action=action, sources=frozenset(sources), target=target, label=label)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("dispatch", {S.RECEIVED, S.RETURNED, S.REOPENED}, S.DISPATCHED, _("派单")),
        _t("accept", {S.DISPATCHED}, S.ACCEPTED, _("签收")),
        _t("return", {S.DISPATCHED, S.ACCEPTED}, S.RETURNED, _("退单")),
        _t("start", {S.ACCEPTED}, S.IN_PROGRESS, _("开始办理")),
        _t("reply", {S.ACCEPTED, S.IN_PROGRESS}, S.REPLIED, _("答复")),
        _t("rate", {S.REPLIED}, S.RATED, _("评价")),
        _t("close", {S.REPLIED, S.RATED}, S.CLOSED, _("办结")),
        _t("reopen", {S.RATED, S.CLOSED}, S.REOPENED, _("重办")),
    )
}

MSG_ILLEGAL = _("当前状态为“{state}”，不能{action}")


def transition_for(appeal: Appeal, action: str) -> Transition:
    """The transition, or a Conflict naming the state and the refused action."""
    from jiceng.core.errors import Conflict

    transition = TRANSITIONS[action]
    if appeal.state not in transition.sources:
        message = str(MSG_ILLEGAL).format(
            state=Appeal.State(appeal.state).label, action=transition.label
        )
        raise Conflict(message, field="state", code="illegal_transition")
    return transition


def allowed_actions(appeal: Appeal) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if appeal.state in t.sources]
