"""吹哨报到 (the street summons departments to a case) and their answers: report, act.
The checks (`check_summons`, `report`, `act`) hold for live and recorded summons alike."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.appeals import access, events, states
from jiceng.appeals.errors import (
    MSG_CASE_CLOSED,
    MSG_PLACEMENT_PENDING,
    MSG_REASON,
    MSG_REPLY,
    MSG_SUMMONS_DONE,
    MSG_SUMMONS_KIND,
    MSG_SUMMONS_NOT_REPORTED,
    MSG_SUMMONS_UNITS,
    conflict,
    invalid,
)
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal, HandlerMembership, HandlingUnit, Summons, SummonsTarget
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry
from jiceng.core.notifications import notify_after_commit
from jiceng.core.types import Actor
from jiceng.core.workdays import add_hours, add_working_days


def check_summons(
    appeal: Appeal, *, reason: str, units: Sequence[HandlingUnit]
) -> tuple[str, list[HandlingUnit]]:
    """An open case, a reason, and at least one department answering for the place:
    the reason and the departments (each once)."""
    if not appeal.is_open:
        raise conflict(MSG_CASE_CLOSED, Code.CASE_CLOSED, "state")
    reason = (reason or "").strip()
    if not reason:
        raise invalid(MSG_REASON, Code.REASON_REQUIRED, "reason")
    units = list({u.pk: u for u in units}.values())
    if not units:
        raise invalid(MSG_SUMMONS_UNITS, Code.SUMMONS_UNITS_REQUIRED, "units")
    for unit in units:
        if unit.kind != HandlingUnit.Kind.DEPARTMENT:
            raise invalid(MSG_SUMMONS_KIND, Code.SUMMONS_NOT_DEPARTMENT, "units")
        states.check_unit_for(appeal, unit)
    return reason, units


def report(target: SummonsTarget, *, at: datetime.datetime) -> None:
    """报到, once."""
    if target.reported_at is not None:
        raise conflict(MSG_SUMMONS_DONE, Code.SUMMONS_ALREADY_REPORTED, "reported_at")
    target.reported_at = at


def act(target: SummonsTarget, *, note: str, at: datetime.datetime) -> str:
    """What the department did, after it reported; returns the note as given."""
    if target.reported_at is None:
        raise conflict(MSG_SUMMONS_NOT_REPORTED, Code.SUMMONS_NOT_REPORTED, "reported_at")
    note = (note or "").strip()
    if not note:
        raise invalid(MSG_REPLY, Code.SUMMONS_NOTE_REQUIRED, "note")
    target.acted_at = at
    target.action_note = note[:2000]
    return note


@transaction.atomic
def summons_create(
    *,
    actor: Actor,
    appeal: Appeal,
    units: list[HandlingUnit],
    reason: str,
    report_hours: int = 24,
    act_working_days: int = 3,
) -> Summons:
    """The street blows the whistle: each department must report within `report_hours`
    and act within `act_working_days`."""
    access.require_dispatch(actor, appeal)
    street = appeal.street
    if street is None or appeal.placement_pending:  # the placement queue's first
        raise invalid(MSG_PLACEMENT_PENDING, Code.PLACEMENT_PENDING, "area")
    reason, units = check_summons(appeal, reason=reason, units=units)
    now = timezone.now()
    summons = Summons.objects.create(
        appeal=appeal,
        street=street,
        reason=reason[:300],
        created_at=now,
        created_by=events.signed_in(actor),
    )
    SummonsTarget.objects.bulk_create(
        SummonsTarget(
            summons=summons,
            unit=unit,
            report_due_at=add_hours(now, report_hours),
            act_due_at=add_working_days(now, act_working_days),
        )
        for unit in units
    )
    events.record(
        events.summoned(
            appeal, summons=summons, units=[u.pk for u in units], reason=reason, at=now, actor=actor
        )
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=summons,
        changes={"units": [u.pk for u in units], "reason": reason},
    )
    # Each summoned unit's handlers hear of it once the whistle is committed.
    handlers = HandlerMembership.objects.filter(unit__in=units, ended_at__isnull=True)
    notify_after_commit(
        list(handlers.values_list("user_id", flat=True)),
        title=_("吹哨报到：%(street)s") % {"street": street.name},
        body=reason[:300],
        url=reverse("appeals:detail", args=[appeal.pk]),
    )
    return summons


@transaction.atomic
def summons_report(*, actor: Actor, target: SummonsTarget) -> SummonsTarget:
    """报到: the department answers the whistle."""
    access.require_summons_answer(actor, target)
    target = SummonsTarget.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    report(target, at=now)
    target.reported_by = events.signed_in(actor)
    target.save(update_fields=["reported_at", "reported_by"])
    appeal = target.summons.appeal
    events.record(
        events.summons_answered(appeal, action="summons_report", target=target, at=now, actor=actor)
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes={"reported": True}
    )
    return target


@transaction.atomic
def summons_act(*, actor: Actor, target: SummonsTarget, note: str) -> SummonsTarget:
    """The department records what it did on the case."""
    access.require_summons_answer(actor, target)
    target = SummonsTarget.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    note = act(target, note=note, at=now)
    target.save(update_fields=["acted_at", "action_note"])
    appeal = target.summons.appeal
    events.record(
        events.summons_answered(
            appeal, action="summons_act", target=target, at=now, note=note, actor=actor
        )
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes={"acted": True}
    )
    return target
