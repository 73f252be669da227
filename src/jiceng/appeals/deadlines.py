"""A case's deadlines: when its response and resolution fall due, in which states each
clock runs, and where a case whose clock ran out is escalated.

The categories set the periods (response in hours, resolution in hours or working
days, core.workdays); the clocks start at receipt and again at reopening. The overdue
checker (`appeals.overdue`, `jiceng check-deadlines`) and the recorded history's replay
both read them from here.
"""

import datetime

from jiceng.appeals.models import Appeal, Category, HandlingUnit
from jiceng.core.models import Area
from jiceng.core.workdays import add_hours, add_working_days

# The states in which each clock runs: the response clock until the unit signs for the
# case, the resolution clock until it is answered.
AWAITING_RESPONSE = [Appeal.State.RECEIVED, Appeal.State.DISPATCHED, Appeal.State.REOPENED]
AWAITING_REPLY = [
    Appeal.State.RECEIVED,
    Appeal.State.DISPATCHED,
    Appeal.State.ACCEPTED,
    Appeal.State.IN_PROGRESS,
    Appeal.State.RETURNED,
    Appeal.State.REOPENED,
]


def deadlines(
    category: Category, received_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """(response due, resolution due) for a case of `category` received (or reopened) at
    `received_at`."""
    response_due = add_hours(received_at, category.response_hours)
    if category.resolution_unit == Category.DeadlineUnit.HOURS:
        resolution_due = add_hours(received_at, category.resolution_amount)
    else:
        resolution_due = add_working_days(received_at, category.resolution_amount)
    return response_due, resolution_due


def escalation_target(appeal: Appeal) -> Area | None:
    """One level above whoever holds the case: a community's case goes to its street, a
    street's or a department's to the district."""
    if appeal.unit is not None and appeal.unit.kind == HandlingUnit.Kind.COMMUNITY:
        return appeal.street
    if appeal.street is None:  # waiting to be placed: its district holds it already
        return appeal.area
    return appeal.street.parent
