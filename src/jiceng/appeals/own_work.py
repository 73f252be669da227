"""What a handler's own work is, for `core.scope` (least privilege): the roles that see
appeals only where their own work is (a department's staff, core.roles) see the cases
dispatched to, summoned to, or once handled by the handling units they work in — not
every case of the district they serve.

Each function takes a user id and returns a condition on its model; every branch is a
`pk__in` subquery or a forward lookup, so the scope's OR of them never duplicates rows.
"""

from django.db.models import IntegerField, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from jiceng.appeals.models import AppealEvent, HandlerMembership, SummonsTarget

# The events that name the unit a case went to or came back from (appeals.states:
# `dispatch` and `return` both store {"unit": id}).
UNIT_EVENTS = ("dispatch", "return")


def units_of(user_id: int) -> QuerySet:
    """The ids of the handling units the user works in now (open memberships)."""
    return HandlerMembership.objects.filter(user_id=user_id, ended_at__isnull=True).values(
        "unit_id"
    )


def appeals_worked_by(user_id: int) -> Q:
    """Cases held by one of the user's units now, summoned to one (吹哨报到), or sent to or
    returned by one before (the case's events keep the unit)."""
    units = units_of(user_id)
    summoned = SummonsTarget.objects.filter(unit__in=units).values("summons__appeal_id")
    handled = (
        AppealEvent.objects.filter(action__in=UNIT_EVENTS)
        .annotate(event_unit=Cast(KeyTextTransform("unit", "data"), IntegerField()))
        .filter(event_unit__in=units)
        .values("appeal_id")
    )
    return Q(unit__in=units) | Q(pk__in=summoned) | Q(pk__in=handled)


def units_worked_by(user_id: int) -> Q:
    """A department sees its own handling units."""
    return Q(pk__in=units_of(user_id))


def rules_worked_by(user_id: int) -> Q:
    """…and the routing rules that send cases to them."""
    return Q(unit__in=units_of(user_id))
