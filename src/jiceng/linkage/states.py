"""The two lifecycles of dispatch and notification, declared once (as appeals.states).

A dispatch: draft → sent → closed, or withdrawn from draft or sent. A recipient's
report on a task: pending → submitted → accepted, or returned for revision and
submitted again. "Late" is no state: it follows from the deadline (`is_late`), so no
job has to mark it and no clock can disagree with the stored row. Nothing else changes
`Dispatch.state` or `Report.state`: the services take every step through `step`."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.linkage.errors import MSG_ILLEGAL, LinkageErrorCode, conflict
from jiceng.linkage.models import Dispatch, Report

D = Dispatch.State
R = Report.State


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: object


def _t(action: str, sources: set[str], target: str, label) -> Transition:
    return Transition(action=action, sources=frozenset(sources), target=target, label=label)


DISPATCH_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("send", {D.DRAFT}, D.SENT, _("下发")),
        _t("close", {D.SENT}, D.CLOSED, _("结束")),
        _t("withdraw", {D.DRAFT, D.SENT}, D.WITHDRAWN, _("撤回")),
    )
}

REPORT_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("submit", {R.PENDING, R.RETURNED}, R.SUBMITTED, _("报送")),
        _t("return", {R.SUBMITTED}, R.RETURNED, _("退回修改")),
        _t("accept", {R.SUBMITTED}, R.ACCEPTED, _("采纳")),
    )
}

# Reports still owed by the recipient.
OWED = frozenset({R.PENDING, R.RETURNED})


def _check(table: dict[str, Transition], state: str, labels, action: str) -> Transition:
    transition = table[action]
    if state not in transition.sources:
        message = str(MSG_ILLEGAL).format(state=labels(state).label, action=transition.label)
        raise conflict(message, LinkageErrorCode.ILLEGAL_TRANSITION, "state")
    return transition


def step_dispatch(dispatch: Dispatch, action: str) -> str:
    """Move the dispatch in memory; returns the state before (the caller saves)."""
    before = dispatch.state
    dispatch.state = _check(DISPATCH_TRANSITIONS, before, Dispatch.State, action).target
    return before


def step_report(report: Report, action: str) -> str:
    before = report.state
    report.state = _check(REPORT_TRANSITIONS, before, Report.State, action).target
    return before


def dispatch_allows(dispatch: Dispatch, action: str) -> bool:
    return dispatch.state in DISPATCH_TRANSITIONS[action].sources


def report_allows(report: Report, action: str) -> bool:
    return report.state in REPORT_TRANSITIONS[action].sources


def is_late(
    deadline: datetime.date | None, report_state: str | None, today: datetime.date | None = None
) -> bool:
    """A report still owed after the deadline's day."""
    if deadline is None or report_state not in OWED:
        return False
    return deadline < (today or timezone.localdate())
