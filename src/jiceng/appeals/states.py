"""The life of a case, declared once.

The transition table: action → (states it may start from, state it leads to). Beside
it, what each step does besides the state: a `Move` per action, built by the function
of that name from the step's inputs (which it checks), with the fields it sets, its
event's note, publicity and data. `apply` carries a move out on the case in memory;
the live services (appeals.services.handling: lock, save, count, event, audit), the
deferred routing step (appeals.intake) and the recorded history's replay
(appeals.services.history) all take their steps through it, so the three cannot drift
apart. The monthly counters follow from the fields (appeals.rollup.contribution); the
events are written by appeals.events. Nothing else changes `Appeal.state`.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiceng.appeals.deadlines import deadlines, escalation_target
from jiceng.appeals.errors import (
    DESCRIPTION_MAX,
    MSG_DESCRIPTION_LONG,
    MSG_PLACEMENT_PENDING,
    MSG_REASON,
    MSG_REOPEN_LATE,
    MSG_REOPEN_SATISFIED,
    MSG_REPLY,
    MSG_SATISFACTION,
    MSG_UNIT_INACTIVE,
    MSG_UNIT_TERRITORY,
    conflict,
    invalid,
)
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal, HandlingUnit, RoutingRule
from jiceng.core.validators import clean_text

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
NOTE_DISPATCHED = _("已派至{unit}")
NOTE_ACCEPTED = _("承办单位已签收")
REASON_RETURNED = _("退单：{reason}")
REASON_REOPENED = _("重办：{reason}")


def transition_for(appeal: Appeal, action: str) -> Transition:
    """The transition, or a Conflict naming the state and the refused action."""
    transition = TRANSITIONS[action]
    if appeal.state not in transition.sources:
        message = str(MSG_ILLEGAL).format(
            state=Appeal.State(appeal.state).label, action=transition.label
        )
        raise conflict(message, Code.ILLEGAL_TRANSITION, "state")
    return transition


def allowed_actions(appeal: Appeal) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if appeal.state in t.sources]


# ---- what each step does ------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One step as `apply` carries it out: the action (a transition of the table, or
    "overdue", which leaves the state alone), the fields it sets beside the state, and
    its event's note, publicity and data. `then`: a step that follows at once."""

    action: str
    fields: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    public: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    then: "Move | None" = None


def apply(appeal: Appeal, move: Move) -> str:
    """Carry `move` out on the case in memory: the state the table gives (checked against
    the state the case is in now) and the move's fields. Returns the state before."""
    before = appeal.state
    if move.action in TRANSITIONS:
        appeal.state = transition_for(appeal, move.action).target
    for name, value in move.fields.items():
        setattr(appeal, name, value)
    return before


def state_change(before: str, appeal: Appeal, action: str) -> dict[str, Any]:
    """What the audit entry of a step records."""
    return {"state": {"old": before, "new": appeal.state}, "action": action}


def check_unit_for(appeal: Appeal, unit: HandlingUnit) -> None:
    """A case goes by hand only to an active unit answering for its place."""
    if appeal.placement_pending:
        raise invalid(MSG_PLACEMENT_PENDING, Code.PLACEMENT_PENDING, "area")
    if not unit.is_active:
        raise invalid(MSG_UNIT_INACTIVE, Code.UNIT_INACTIVE, "unit")
    # A unit answers for its area; a department may serve the district above the street.
    if not (
        appeal.area.path.startswith(unit.area.path) or unit.area.path.startswith(appeal.street.path)
    ):
        raise invalid(MSG_UNIT_TERRITORY, Code.UNIT_TERRITORY, "unit")


def dispatched_note(unit: HandlingUnit) -> str:
    return str(NOTE_DISPATCHED).format(unit=unit.name)


def dispatch(
    *, unit: HandlingUnit, rule: RoutingRule | None = None, note: str = "", public: bool = False
) -> Move:
    """To a handling unit: by the street's hand (its note, internal), or by a routing
    rule (`rule`: a public note naming the unit). The reason it waited is cleared."""
    data = {"unit": unit.pk}
    if rule is not None:
        data["rule"] = rule.pk
        note, public = dispatched_note(unit), True
    fields = {"unit": unit, "unroutable_reason": ""}
    return Move("dispatch", fields, note=note, public=public, data=data)


def accept(appeal: Appeal, *, at: datetime.datetime) -> Move:
    """The unit signs for the case; the response clock stops the first time."""
    fields = {"responded_at": at} if appeal.responded_at is None else {}
    return Move("accept", fields, note=str(NOTE_ACCEPTED), public=True)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise invalid(MSG_REASON, Code.REASON_REQUIRED, "reason")
    return reason


def return_(appeal: Appeal, *, reason: str) -> Move:
    """退单: not the unit's case; back to the street's queue, with the reason."""
    reason = _reason(reason)
    fields = {
        "unit": None,
        "unroutable_reason": str(REASON_RETURNED).format(reason=reason[:150]),
    }
    data = {"unit": appeal.unit_id}
    return Move("return", fields, note=reason[:500], data=data)


def start(*, note: str = "") -> Move:
    return Move("start", note=(note or "")[:500])


def reply(*, reply: str, at: datetime.datetime) -> Move:
    """The answer to the resident, public on the tracking page."""
    reply = clean_text(reply, multiline=True)
    if not reply:
        raise invalid(MSG_REPLY, Code.REPLY_REQUIRED, "reply")
    if len(reply) > DESCRIPTION_MAX:
        raise invalid(MSG_DESCRIPTION_LONG, Code.REPLY_TOO_LONG, "reply")
    fields = {"replied_at": at, "public_reply": reply}
    return Move("reply", fields, note=reply, public=True)


def close(*, at: datetime.datetime, note: str = "") -> Move:
    return Move("close", {"closed_at": at}, note=note, public=True)


def rate(*, resolved: bool | None, satisfaction: str, comment: str, at: datetime.datetime) -> Move:
    """The resident's rating; a satisfied or basically satisfied one closes the case, an
    unsatisfied one leaves it open for reopening."""
    if satisfaction not in Appeal.Satisfaction.values:
        raise invalid(MSG_SATISFACTION, Code.SATISFACTION_INVALID, "satisfaction")
    fields = {"resolved": bool(resolved), "satisfaction": satisfaction, "rated_at": at}
    closing = close(at=at) if satisfaction != Appeal.Satisfaction.UNSATISFIED else None
    note = clean_text(comment, multiline=True)[:500]
    return Move("rate", fields, note=note, public=True, then=closing)


def reopen(appeal: Appeal, *, reason: str, at: datetime.datetime) -> Move:
    """An answer the resident did not accept, within the category's reopen period from
    the reply: the clocks start again from `at`."""
    reason = _reason(reason)
    if appeal.satisfaction and appeal.satisfaction != Appeal.Satisfaction.UNSATISFIED:
        raise conflict(MSG_REOPEN_SATISFIED, Code.REOPEN_SATISFIED, "state")
    limit = (appeal.replied_at or appeal.received_at) + datetime.timedelta(
        days=appeal.category.reopen_days
    )
    if at > limit:
        raise conflict(MSG_REOPEN_LATE, Code.REOPEN_LATE, "state")
    response_due, resolution_due = deadlines(appeal.category, at)
    fields = {
        "reopen_count": appeal.reopen_count + 1,
        "closed_at": None,
        "unroutable_reason": str(REASON_REOPENED).format(reason=reason[:150]),
        "response_due_at": response_due,
        "resolution_due_at": resolution_due,
        "response_overdue": False,
        "resolution_overdue": False,
    }
    return Move("reopen", fields, note=reason[:500], public=True)


def overdue(appeal: Appeal, clock: str) -> Move:
    """The `clock` ("response" or "resolution") ran out: marked once, and the case is
    escalated one level up the first time either clock runs out. The state stays."""
    fields: dict[str, Any] = {f"{clock}_overdue": True}
    data: dict[str, Any] = {"clock": clock}
    if appeal.escalated_to_id is None:
        target = escalation_target(appeal)
        if target is not None:
            fields["escalated_to"] = target
            data["escalated_to"] = target.pk
    return Move("overdue", fields, data=data)
