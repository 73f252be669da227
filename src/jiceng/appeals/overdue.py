"""The overdue checker, run from cron every minute by `jiceng check-deadlines`: marks the
cases whose clocks ran out (the deadlines themselves: `appeals.deadlines`), escalates
them, and closes the replies nobody rated in time.

Idempotent: each case is marked overdue once per clock (response, resolution), and
escalated one level up once; running twice changes nothing the second time. Rows are
claimed with SELECT … FOR UPDATE SKIP LOCKED where the database has it, so two
overlapping runs never process the same case.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiceng.appeals import events, rollup, states
from jiceng.appeals.claims import claim
from jiceng.appeals.deadlines import AWAITING_REPLY, AWAITING_RESPONSE
from jiceng.appeals.models import Appeal
from jiceng.appeals.services.handling import appeal_close_unrated
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry

BATCH = 500


@dataclass
class CheckResult:
    response_overdue: int = 0
    resolution_overdue: int = 0
    escalated: int = 0
    closed_unrated: int = 0


def _claim(queryset):
    return claim(queryset.select_related("street", "street__parent", "unit"), BATCH)


def _mark(appeal: Appeal, clock: str, now: datetime.datetime, result: CheckResult) -> None:
    """The clock ran out: the lifecycle's "overdue" step (appeals.states.overdue)."""
    counted = rollup.contribution(appeal)
    move = states.overdue(appeal, clock)
    before = states.apply(appeal, move)
    appeal.save(update_fields=list(move.fields))
    rollup.apply(appeal, counted, rollup.contribution(appeal))
    events.record(events.moved(appeal, move, before=before, at=now))
    audit_record(actor=None, action=AuditEntry.Action.UPDATE, target=appeal, changes=move.data)
    if "escalated_to" in move.fields:
        result.escalated += 1


def check_deadlines(*, now: datetime.datetime | None = None) -> CheckResult:
    now = now or timezone.now()
    result = CheckResult()
    while True:
        with transaction.atomic():
            batch = _claim(
                Appeal.objects.filter(
                    state__in=AWAITING_RESPONSE,
                    responded_at__isnull=True,
                    response_due_at__lt=now,
                    response_overdue=False,
                )
            )
            for appeal in batch:
                _mark(appeal, "response", now, result)
                result.response_overdue += 1
        if len(batch) < BATCH:
            break
    while True:
        with transaction.atomic():
            batch = _claim(
                Appeal.objects.filter(
                    state__in=AWAITING_REPLY, resolution_due_at__lt=now, resolution_overdue=False
                )
            )
            for appeal in batch:
                _mark(appeal, "resolution", now, result)
                result.resolution_overdue += 1
        if len(batch) < BATCH:
            break
    result.closed_unrated = _close_unrated(now)
    return result


def _close_unrated(now: datetime.datetime) -> int:
    """A reply the resident has not rated within the rating period closes by itself."""
    days = getattr(settings, "APPEAL_RATING_DAYS", 7)
    cutoff = now - datetime.timedelta(days=days)
    closed = 0
    while True:
        with transaction.atomic():
            batch = _claim(
                Appeal.objects.filter(Q(state=Appeal.State.REPLIED) & Q(replied_at__lt=cutoff))
            )
            for appeal in batch:
                appeal_close_unrated(appeal=appeal, note="逾期未评价，系统办结")
                closed += 1
        if len(batch) < BATCH:
            break
    return closed
