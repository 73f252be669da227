"""The life of a project as a transition table: action → (states it may start from, state
it leads to). Services consult it; nothing else changes `Project.state`.

proposed (立项: staff accepted a match or set one up) → claimed (认领: the providing org
takes it on) → in_progress → completed → evaluated (by the beneficiaries, 1–5).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.cobuild.errors import CobuildErrorCode
from jiceng.cobuild.models import Project
from jiceng.core.errors import Conflict

S = Project.State


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
        _t("claim", {S.PROPOSED}, S.CLAIMED, _("认领")),
        _t("start", {S.CLAIMED}, S.IN_PROGRESS, _("开始实施")),
        _t("complete", {S.IN_PROGRESS}, S.COMPLETED, _("完成")),
        _t("evaluate", {S.COMPLETED}, S.EVALUATED, _("评价")),
    )
}

MSG_ILLEGAL = _("项目当前状态为“{state}”，不能{action}")


def transition_for(project: Project, action: str) -> Transition:
    """The transition, or a Conflict naming the state and the refused action."""
    transition = TRANSITIONS[action]
    if project.state not in transition.sources:
        message = str(MSG_ILLEGAL).format(
            state=Project.State(project.state).label, action=transition.label
        )
        raise Conflict(message, field="state", code=CobuildErrorCode.ILLEGAL_TRANSITION)
    return transition


def allowed_actions(project: Project) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if project.state in t.sources]
