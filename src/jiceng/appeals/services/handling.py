"""The case's life at the handling unit and the street: dispatch, sign for, return, work
on, reply, rate, reopen, close. Each step goes through the transition table
(appeals.states): the row is locked, the move checked against the state as stored, the
fields set, the monthly counters adjusted, an event and an audit entry written.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.appeals import access, rollup
from jiceng.appeals.deadlines import deadlines
from jiceng.appeals.errors import (
    DESCRIPTION_MAX,
    MSG_DESCRIPTION_LONG,
    MSG_REASON,
    MSG_REOPEN_LATE,
    MSG_REOPEN_SATISFIED,
    MSG_REPLY,
    MSG_ROUTING_PENDING,
    MSG_SATISFACTION,
    MSG_UNIT_INACTIVE,
    MSG_UNIT_TERRITORY,
)
from jiceng.appeals.models import Appeal, AppealEvent, HandlingUnit
from jiceng.appeals.states import transition_for
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.validators import clean_text


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(appeal, action, *, actor, from_state="", note="", public=False, data=None):
    return AppealEvent.objects.create(
        appeal=appeal,
        action=action,
        from_state=from_state,
        to_state=appeal.state,
        at=timezone.now(),
        actor=_actor(actor),
        actor_label=(actor.get_username() if _actor(actor) else "system"),
        note=note,
        is_public=public,
        data=data or {},
    )


def _move(appeal: Appeal, action: str, *, actor, note="", public=False, data=None, **fields):
    """Apply one transition: lock the row, check the transition against the state as
    stored (not as the caller last saw it), set the state and fields, save, record."""
    list(Appeal.objects.select_for_update().filter(pk=appeal.pk).values_list("pk"))
    appeal.refresh_from_db(fields=["state", "routing_pending"])
    if appeal.routing_pending:
        # `process-intake` routes it within the minute; a hand dispatch meanwhile would
        # race the automatic one.
        raise Conflict(MSG_ROUTING_PENDING, field="state", code="routing_pending")
    transition = transition_for(appeal, action)
    before = appeal.state
    counted = rollup.contribution(appeal)
    appeal.state = transition.target
    for key, value in fields.items():
        setattr(appeal, key, value)
    appeal.save(update_fields=["state", *fields])
    rollup.apply(appeal, counted, rollup.contribution(appeal))
    event = _event(
        appeal, action, actor=actor, from_state=before, note=note, public=public, data=data
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=appeal,
        changes={"state": {"old": before, "new": appeal.state}, "action": action},
    )
    return event


def _check_unit_for(appeal: Appeal, unit: HandlingUnit) -> None:
    if not unit.is_active:
        raise ValidationFailed(MSG_UNIT_INACTIVE, field="unit")
    # A unit answers for its area; a department may serve the district above the street.
    if not (
        appeal.area.path.startswith(unit.area.path) or unit.area.path.startswith(appeal.street.path)
    ):
        raise ValidationFailed(MSG_UNIT_TERRITORY, field="unit")


@transaction.atomic
def appeal_dispatch(*, actor, appeal: Appeal, unit: HandlingUnit, note: str = "") -> Appeal:
    """The street sends a waiting, returned or reopened case to a handling unit."""
    access.require_dispatch(actor, appeal)
    _check_unit_for(appeal, unit)
    _move(
        appeal,
        "dispatch",
        actor=actor,
        note=note,
        unit=unit,
        unroutable_reason="",
        data={"unit": unit.pk},
    )
    return appeal


@transaction.atomic
def appeal_accept(*, actor, appeal: Appeal) -> Appeal:
    """The unit signs for the case; the response clock stops."""
    access.require_handle(actor, appeal)
    now = timezone.now()
    fields = {}
    if appeal.responded_at is None:
        fields["responded_at"] = now
    _move(appeal, "accept", actor=actor, public=True, note=str(_("承办单位已签收")), **fields)
    return appeal


@transaction.atomic
def appeal_return(*, actor, appeal: Appeal, reason: str) -> Appeal:
    """退单: the unit says the case is not theirs; it goes back to the street's queue."""
    access.require_handle(actor, appeal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason")
    unit = appeal.unit
    _move(
        appeal,
        "return",
        actor=actor,
        note=reason[:500],
        unit=None,
        unroutable_reason=str(_("退单：{reason}")).format(reason=reason[:150]),
        data={"unit": unit.pk if unit else None},
    )
    return appeal


@transaction.atomic
def appeal_start(*, actor, appeal: Appeal, note: str = "") -> Appeal:
    access.require_handle(actor, appeal)
    _move(appeal, "start", actor=actor, note=note[:500])
    return appeal


@transaction.atomic
def appeal_reply(*, actor, appeal: Appeal, reply: str) -> Appeal:
    """The unit answers the resident; the answer is public on the tracking page."""
    access.require_handle(actor, appeal)
    reply = clean_text(reply, multiline=True)
    if not reply:
        raise ValidationFailed(MSG_REPLY, field="reply")
    if len(reply) > DESCRIPTION_MAX:
        raise ValidationFailed(MSG_DESCRIPTION_LONG, field="reply")
    _move(
        appeal,
        "reply",
        actor=actor,
        note=reply,
        public=True,
        replied_at=timezone.now(),
        public_reply=reply,
    )
    return appeal


@transaction.atomic
def appeal_rate(*, appeal: Appeal, resolved: bool, satisfaction: str, comment: str = "") -> Appeal:
    """The resident rates the answer through the tracking code. A satisfied or basically
    satisfied rating closes the case; an unsatisfied one leaves it open for reopening."""
    if satisfaction not in Appeal.Satisfaction.values:
        raise ValidationFailed(MSG_SATISFACTION, field="satisfaction")
    _move(
        appeal,
        "rate",
        actor=None,
        note=clean_text(comment, multiline=True)[:500],
        public=True,
        resolved=bool(resolved),
        satisfaction=satisfaction,
        rated_at=timezone.now(),
    )
    if satisfaction != Appeal.Satisfaction.UNSATISFIED:
        _move(appeal, "close", actor=None, public=True, closed_at=timezone.now())
    return appeal


@transaction.atomic
def appeal_reopen(*, actor, appeal: Appeal, reason: str) -> Appeal:
    """The resident (actor None) or the street reopens an answer the resident did not
    accept, within the category's reopen period counted from the reply."""
    if actor is not None:
        access.require_dispatch(actor, appeal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason")
    if appeal.satisfaction and appeal.satisfaction != Appeal.Satisfaction.UNSATISFIED:
        raise Conflict(MSG_REOPEN_SATISFIED, field="state")
    limit = (appeal.replied_at or appeal.received_at) + datetime.timedelta(
        days=appeal.category.reopen_days
    )
    if timezone.now() > limit:
        raise Conflict(MSG_REOPEN_LATE, field="state")
    now = timezone.now()
    response_due, resolution_due = deadlines(appeal.category, now)
    _move(
        appeal,
        "reopen",
        actor=actor,
        note=reason[:500],
        public=True,
        reopen_count=appeal.reopen_count + 1,
        closed_at=None,
        unroutable_reason=str(_("重办：{reason}")).format(reason=reason[:150]),
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        response_overdue=False,
        resolution_overdue=False,
    )
    return appeal


@transaction.atomic
def appeal_close_unrated(*, appeal: Appeal, note: str = "") -> Appeal:
    """The system closes a replied case the resident did not rate in time."""
    _move(appeal, "close", actor=None, note=note, public=True, closed_at=timezone.now())
    return appeal
