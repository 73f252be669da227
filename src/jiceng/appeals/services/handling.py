"""The case's life at the handling unit and the street: dispatch, sign for, return, work
on, reply, rate, reopen, close. Each service checks access, builds the step from the
lifecycle (appeals.states: the inputs checked, the fields, the event) and takes it with
`take`: the row locked, the move checked against the state as stored, the fields saved,
the monthly counters adjusted, an event and an audit entry written.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.appeals import access, events, open_rollup, rollup, states
from jiceng.appeals.errors import MSG_ROUTING_PENDING, conflict
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal, HandlingUnit
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry
from jiceng.core.notifications import notify_after_commit
from jiceng.core.types import Actor


def take(appeal: Appeal, move: states.Move, *, actor: Actor, at: datetime.datetime) -> None:
    """Take one step (and the step that follows it, if any) on a stored case: lock the
    row, check the move against the state as stored (not as the caller last saw it),
    apply it, save, count, record the event and the audit entry."""
    list(Appeal.objects.select_for_update().filter(pk=appeal.pk).values_list("pk"))
    # The overdue flags too: the counters subtract what the case counts for as stored.
    appeal.refresh_from_db(
        fields=["state", "routing_pending", "response_overdue", "resolution_overdue"]
    )
    if appeal.routing_pending:
        # `process-intake` routes it within the minute; a hand dispatch meanwhile would
        # race the automatic one.
        raise conflict(MSG_ROUTING_PENDING, Code.ROUTING_PENDING, "state")
    step: states.Move | None = move
    while step is not None:
        counted = rollup.contribution(appeal)
        open_counted = open_rollup.contribution(appeal)
        before = states.apply(appeal, step)
        appeal.save(update_fields=["state", *step.fields])
        rollup.apply(appeal, counted, rollup.contribution(appeal))
        open_rollup.change(open_counted, open_rollup.contribution(appeal))
        events.record(events.moved(appeal, step, before=before, at=at, actor=actor))
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            target=appeal,
            changes=states.state_change(before, appeal, step.action),
        )
        if step.action == "dispatch":
            _notify_handlers(appeal)
        step = step.then


def _notify_handlers(appeal: Appeal) -> None:
    """A case dispatched to a unit: its handlers hear of it once the step commits."""
    unit = appeal.unit
    if unit is None:
        return
    handlers = unit.handlers.filter(ended_at__isnull=True).values_list("user_id", flat=True)
    notify_after_commit(
        list(handlers),
        title=_("新派单：%(unit)s") % {"unit": unit.name},
        body=appeal.category.name if appeal.category_id else "",
        url=reverse("appeals:detail", args=[appeal.pk]),
    )


@transaction.atomic
def appeal_dispatch(*, actor: Actor, appeal: Appeal, unit: HandlingUnit, note: str = "") -> Appeal:
    """The street sends a waiting, returned or reopened case to a handling unit."""
    access.require_dispatch(actor, appeal)
    states.check_unit_for(appeal, unit)
    take(appeal, states.dispatch(unit=unit, note=note), actor=actor, at=timezone.now())
    return appeal


@transaction.atomic
def appeal_accept(*, actor: Actor, appeal: Appeal) -> Appeal:
    """The unit signs for the case; the response clock stops."""
    access.require_handle(actor, appeal)
    now = timezone.now()
    take(appeal, states.accept(appeal, at=now), actor=actor, at=now)
    return appeal


@transaction.atomic
def appeal_return(*, actor: Actor, appeal: Appeal, reason: str) -> Appeal:
    """退单: the unit says the case is not theirs; it goes back to the street's queue."""
    access.require_handle(actor, appeal)
    take(appeal, states.return_(appeal, reason=reason), actor=actor, at=timezone.now())
    return appeal


@transaction.atomic
def appeal_start(*, actor: Actor, appeal: Appeal, note: str = "") -> Appeal:
    access.require_handle(actor, appeal)
    take(appeal, states.start(note=note), actor=actor, at=timezone.now())
    return appeal


@transaction.atomic
def appeal_reply(*, actor: Actor, appeal: Appeal, reply: str) -> Appeal:
    """The unit answers the resident; the answer is public on the tracking page."""
    access.require_handle(actor, appeal)
    now = timezone.now()
    take(appeal, states.reply(reply=reply, at=now), actor=actor, at=now)
    return appeal


@transaction.atomic
def appeal_rate(*, appeal: Appeal, resolved: bool, satisfaction: str, comment: str = "") -> Appeal:
    """The resident rates the answer through the tracking code. A satisfied or basically
    satisfied rating closes the case; an unsatisfied one leaves it open for reopening."""
    now = timezone.now()
    move = states.rate(resolved=resolved, satisfaction=satisfaction, comment=comment, at=now)
    take(appeal, move, actor=None, at=now)
    return appeal


@transaction.atomic
def appeal_reopen(*, actor: Actor, appeal: Appeal, reason: str) -> Appeal:
    """The resident (actor None) or the street reopens an answer the resident did not
    accept, within the category's reopen period counted from the reply."""
    if actor is not None:
        access.require_dispatch(actor, appeal)
    now = timezone.now()
    take(appeal, states.reopen(appeal, reason=reason, at=now), actor=actor, at=now)
    return appeal


@transaction.atomic
def appeal_close_unrated(*, appeal: Appeal, note: str = "") -> Appeal:
    """The system closes a replied case the resident did not rate in time."""
    now = timezone.now()
    take(appeal, states.close(at=now, note=note), actor=None, at=now)
    return appeal
