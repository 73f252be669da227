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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.appeals import events, open_rollup, rollup, states
from jiceng.appeals.claims import claim
from jiceng.appeals.deadlines import AWAITING_REPLY, AWAITING_RESPONSE
from jiceng.appeals.models import Appeal
from jiceng.appeals.services.handling import appeal_close_unrated
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry
from jiceng.core.notifications import managers_of, notify_after_commit

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
    open_counted = open_rollup.contribution(appeal)
    move = states.overdue(appeal, clock)
    before = states.apply(appeal, move)
    appeal.save(update_fields=list(move.fields))
    rollup.apply(appeal, counted, rollup.contribution(appeal))
    open_rollup.change(open_counted, open_rollup.contribution(appeal))
    events.record(events.moved(appeal, move, before=before, at=now))
    audit_record(actor=None, action=AuditEntry.Action.UPDATE, target=appeal, changes=move.data)
    if "escalated_to" in move.fields:
        result.escalated += 1


def _notify_overdue(batch: list[Appeal], clock: str) -> None:
    """The cases of a batch that just became overdue: per unit, its handlers hear of
    them (unassigned cases: the street's staff), once the batch commits. Each case and
    clock is marked once, so nobody hears of it twice; one notification per unit and
    batch, not per case."""
    from jiceng.appeals.models import HandlerMembership

    if not batch:
        return
    by_unit: dict[int, list[Appeal]] = {}
    by_street: dict[int, list[Appeal]] = {}
    for appeal in batch:
        if appeal.unit_id is not None:
            by_unit.setdefault(appeal.unit_id, []).append(appeal)
        else:
            by_street.setdefault(appeal.street_id, []).append(appeal)
    handlers: dict[int, list[int]] = {}
    rows = HandlerMembership.objects.filter(unit_id__in=list(by_unit), ended_at__isnull=True)
    for unit_id, user_id in rows.values_list("unit_id", "user_id"):
        handlers.setdefault(unit_id, []).append(user_id)
    groups = [(handlers.get(unit_id, []), cases) for unit_id, cases in by_unit.items()]
    groups += [(managers_of(area=cases[0].street), cases) for cases in by_street.values()]
    label = _("响应超时") if clock == "response" else _("办理超时")
    for users, cases in groups:
        one = len(cases) == 1
        notify_after_commit(
            users,
            title=_("诉求%(label)s %(n)d 件") % {"label": label, "n": len(cases)},
            body="、".join(c.tracking_code for c in cases[:10] if c.tracking_code),
            url=reverse("appeals:detail", args=[cases[0].pk]) if one else reverse("appeals:list"),
        )


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
            _notify_overdue(batch, "response")
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
            _notify_overdue(batch, "resolution")
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
