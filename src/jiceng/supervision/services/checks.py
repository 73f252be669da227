"""Spot checks (督促检查) and talks (约谈): planned and recorded by the street or the
district for an org under it; problems found go to the rectification list."""

import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.core.inputs import check_text
from jiceng.supervision import access
from jiceng.supervision.errors import (
    MSG_DATE_FUTURE,
    MSG_FOLLOW_UP_BEFORE_TALK,
    MSG_FOLLOWED_UP,
    MSG_INSPECTION_RECORDED,
    MSG_ORG_CLOSED,
    MSG_REASON_REQUIRED,
    SupervisionErrorCode,
    conflict,
    invalid,
)
from jiceng.supervision.models import NAME_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX, Inspection, Talk
from jiceng.supervision.services._common import audit_create, audit_update, rectification_for

Code = SupervisionErrorCode
PROBLEM_MAX = 200
PROBLEMS_MAX = 20
RECTIFY_DAYS = 30


def _required(value: str, field: str, limit: int, kind="text") -> str:
    text = check_text(value, field=field, max_length=limit, kind=kind)
    if not text:
        raise invalid(MSG_REASON_REQUIRED, Code.REASON_REQUIRED, field)
    return text


def _not_future(day: datetime.date, field: str) -> datetime.date:
    if day > timezone.localdate():
        raise invalid(MSG_DATE_FUTURE, Code.DATE_FUTURE, field)
    return day


def _open_org(actor, org) -> None:
    access.require(actor, org, access.can_supervise_org(actor, org))
    if org.closed_on is not None:
        raise conflict(MSG_ORG_CLOSED, Code.ORG_CLOSED, "org")


@transaction.atomic
def inspection_plan(
    *, actor, org, inspectors: str, planned_on: datetime.date, focus: str = ""
) -> Inspection:
    _open_org(actor, org)
    inspection = Inspection.objects.create(
        org=org,
        inspectors=_required(inspectors, "inspectors", TITLE_MAX),
        planned_on=planned_on,
        focus=check_text(focus, field="focus", max_length=REASON_MAX),
        created_at=timezone.now(),
    )
    audit_create(actor, inspection, {"org": org.pk, "planned_on": str(planned_on)})
    return inspection


@transaction.atomic
def inspection_record(
    *,
    actor,
    inspection: Inspection,
    held_on: datetime.date,
    findings: str,
    problems: list[str],
    owner: str = "",
) -> Inspection:
    """What the check found; each problem goes to the rectification list (assessment)
    with the org's secretary (or `owner`) answering for it within RECTIFY_DAYS."""
    inspection = access.locked(actor, Inspection, inspection.pk, "org", "org__area")
    access.require(actor, inspection, access.can_supervise_record(actor, inspection))
    if inspection.state != Inspection.State.PLANNED:
        raise conflict(MSG_INSPECTION_RECORDED, Code.INSPECTION_RECORDED, "state")
    _not_future(held_on, "held_on")
    findings = _required(findings, "findings", TEXT_MAX, "multiline")
    cleaned = []
    for i, problem in enumerate(problems[:PROBLEMS_MAX]):
        text = check_text(problem, field=f"problems.{i}", max_length=PROBLEM_MAX)
        if text:
            cleaned.append(text)
    owner = check_text(owner, field="owner", max_length=NAME_MAX, kind="name")
    inspection.state = Inspection.State.RECORDED
    inspection.held_on, inspection.findings, inspection.problems = held_on, findings, cleaned
    inspection.save()
    for text in cleaned:
        rectification_for(
            actor=actor,
            org=inspection.org,
            source="inspection",
            source_ref=f"supervision.inspection:{inspection.pk}",
            year=held_on.year,
            text=text,
            owner=owner or inspection.org.secretary_name or "书记",
            measures=findings,
            deadline=held_on + datetime.timedelta(days=RECTIFY_DAYS),
        )
    audit_update(actor, inspection, {"state": inspection.state, "problems": len(cleaned)})
    return inspection


@transaction.atomic
def talk_record(
    *,
    actor,
    org,
    held_on: datetime.date,
    talker: str,
    talked_to: str,
    reason: str,
    commitments: str,
    follow_up_on: datetime.date,
) -> Talk:
    _open_org(actor, org)
    _not_future(held_on, "held_on")
    if follow_up_on < held_on:
        raise invalid(MSG_FOLLOW_UP_BEFORE_TALK, Code.FOLLOW_UP_BEFORE_TALK, "follow_up_on")
    talk = Talk.objects.create(
        org=org,
        held_on=held_on,
        talker=_required(talker, "talker", NAME_MAX, "name"),
        talked_to=_required(talked_to, "talked_to", NAME_MAX, "name"),
        reason=_required(reason, "reason", REASON_MAX),
        commitments=check_text(
            commitments, field="commitments", max_length=TEXT_MAX, kind="multiline"
        ),
        follow_up_on=follow_up_on,
        created_at=timezone.now(),
    )
    audit_create(actor, talk, {"org": org.pk, "held_on": str(held_on)})
    return talk


@transaction.atomic
def talk_follow_up(*, actor, talk: Talk, result: str) -> Talk:
    talk = access.locked(actor, Talk, talk.pk, "org", "org__area")
    access.require(actor, talk, access.can_supervise_record(actor, talk))
    if talk.followed_up_at is not None:
        raise conflict(MSG_FOLLOWED_UP, Code.FOLLOWED_UP, "state")
    talk.follow_up_result = _required(result, "result", TEXT_MAX, "multiline")
    talk.followed_up_at = timezone.now()
    talk.save(update_fields=["follow_up_result", "followed_up_at"])
    audit_update(actor, talk, {"followed_up": True})
    return talk
