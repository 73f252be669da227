"""A department's own work in dispatch and notification, for `core.scope` (least
privilege, as appeals.own_work): its staff see the dispatches their department sent,
with their recipients, receipts, reports, fields, attachments and bulletin — not the
district's or other departments' sends."""

from collections.abc import Callable

from django.db.models import Q

from jiceng.appeals.own_work import units_of


def sent_by(prefix: str) -> Callable[[int], Q]:
    """The condition on a model reaching the dispatch through `prefix` ("dispatch__")."""

    def condition(user_id: int) -> Q:
        return Q(**{f"{prefix}sender_department__in": units_of(user_id)})

    return condition


dispatches_sent_by = sent_by("")
