"""The two lifecycles of the app, each declared once (STYLE 15; model: appeals/states.py):
action → (states it may start from, state it leads to). Services take every step
through `step`, which refuses an action from a state the table does not allow, naming
the state and the action. Nothing else changes `Report.state` or `Rectification.state`."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.assessment.errors import MSG_ILLEGAL, conflict
from jiceng.assessment.errors import AssessmentErrorCode as Code
from jiceng.assessment.models import Rectification, Report

R = Report.State
X = Rectification.State


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: str


def _t(action: str, sources: set[str], target: str, label) -> Transition:
    return Transition(action=action, sources=frozenset(sources), target=target, label=label)


REPORT_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # Editing keeps the state; it is allowed only while the report is a draft.
        _t("edit", {R.DRAFT}, R.DRAFT, _("修改述职报告")),
        _t("submit", {R.DRAFT}, R.SUBMITTED, _("提交述职报告")),
        _t("review", {R.SUBMITTED}, R.SUBMITTED, _("评议")),
        _t("conclude", {R.SUBMITTED}, R.REVIEWED, _("完成评议")),
        _t("publish", {R.REVIEWED}, R.PUBLISHED, _("公布结果")),
    )
}

RECTIFICATION_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("attach", {X.OPEN, X.RETURNED}, X.OPEN, _("上传佐证")),
        _t("submit", {X.OPEN, X.RETURNED}, X.SUBMITTED, _("申请销号")),
        _t("confirm", {X.SUBMITTED}, X.CLOSED, _("确认销号")),
        _t("return", {X.SUBMITTED}, X.RETURNED, _("退回整改")),
    )
}


def _check(table: dict[str, Transition], state: str, label: str, action: str) -> Transition:
    transition = table[action]
    if state not in transition.sources:
        message = str(MSG_ILLEGAL).format(state=label, action=transition.label)
        raise conflict(message, Code.ILLEGAL_TRANSITION, "state")
    return transition


def report_step(report: Report, action: str) -> str:
    """Move `report` by `action` in memory (refused from a state the table does not
    allow); returns the state before."""
    before = report.state
    transition = _check(REPORT_TRANSITIONS, report.state, report.get_state_display(), action)
    report.state = transition.target
    return before


def rectification_step(item: Rectification, action: str) -> str:
    before = item.state
    transition = _check(RECTIFICATION_TRANSITIONS, item.state, item.get_state_display(), action)
    # Attaching evidence to a returned item keeps it returned until it is resubmitted.
    if action != "attach":
        item.state = transition.target
    return before


def report_actions(report: Report) -> list[str]:
    return [a for a, t in REPORT_TRANSITIONS.items() if report.state in t.sources]


def rectification_actions(item: Rectification) -> list[str]:
    return [a for a, t in RECTIFICATION_TRANSITIONS.items() if item.state in t.sources]
