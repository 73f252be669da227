"""The life of a weak-org case, declared once: action → (states it may start from, state
it leads to). Services take every step through `transition_for`; nothing else changes
`WeakOrgCase.state`.

    candidate → confirmed | dismissed;  confirmed → rectifying (a plan);
    rectifying → cleared (a review: the rules evaluated again, refused while one still
    hits unless the district overrides with a reason)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.supervision.errors import MSG_ILLEGAL, SupervisionErrorCode, conflict
from jiceng.supervision.models import WeakOrgCase

S = WeakOrgCase.State


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: object


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("confirm", frozenset({S.CANDIDATE}), S.CONFIRMED, _("认定为软弱涣散")),
        Transition("dismiss", frozenset({S.CANDIDATE}), S.DISMISSED, _("排除")),
        Transition("plan", frozenset({S.CONFIRMED}), S.RECTIFYING, _("制定整顿方案")),
        Transition("review", frozenset({S.RECTIFYING}), S.CLEARED, _("验收销号")),
    )
}

# Seen by the community itself only from confirmation on (core.scope decides the
# territory; this decides the stage).
CONFIRMED_STATES = frozenset({S.CONFIRMED, S.RECTIFYING, S.CLEARED})
OPEN_STATES = frozenset({S.CANDIDATE, S.CONFIRMED, S.RECTIFYING})


def transition_for(case: WeakOrgCase, action: str) -> Transition:
    """The transition, or a Conflict naming the state and the refused action."""
    transition = TRANSITIONS[action]
    if case.state not in transition.sources:
        message = str(MSG_ILLEGAL).format(
            state=WeakOrgCase.State(case.state).label, action=transition.label
        )
        raise conflict(message, SupervisionErrorCode.ILLEGAL_TRANSITION, "state")
    return transition


def allowed_actions(case: WeakOrgCase) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if case.state in t.sources]
