"""A case's timeline (AppealEvent rows), written here and nowhere else (Saleor's
`order/events.py`).

Typed helpers build each kind of event: received, a step of the transition table
(`moved`, also the deadline check's "overdue" mark), a summons and its answers, a
mediation, a publication of the description, the case taken up as a co-building need or
an issue for deliberation (cobuild, orglife). Two writers store them: `record` for one
event now (the live services), `record_many` for many in one statement (the deferred
routing step and the recorded history). The fast intake writes its "received" event
in the same SQL statement as the case (`receive_insert_sql`).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from jiceng.appeals.models import Appeal, AppealEvent, Summons, SummonsTarget
from jiceng.appeals.states import Move
from jiceng.core.bulk import insert_rows
from jiceng.core.types import Actor

SYSTEM = "system"  # the actor label of what no person did: the system, a resident
NOTE_RECEIVED = _("诉求已受理")
NOTE_PLACED = _("已确定发生地")
NOTE_TO_NEED = _("已转为共建需求，纳入需求清单")
NOTE_TO_ISSUE = _("已转为协商议事问题")
COLUMNS = [
    "appeal_id",
    "action",
    "from_state",
    "to_state",
    "at",
    "actor_id",
    "actor_label",
    "note",
    "is_public",
    "data",
]


@dataclass
class Event:
    """One row of a case's timeline, not yet stored. `data` may name rows that are
    written after the event is built (a recorded summons): they are stored by id."""

    appeal: Appeal
    action: str
    from_state: str
    to_state: str
    at: datetime.datetime
    actor: Actor = None  # the user who did it; None for the system or a resident
    actor_label: str = SYSTEM
    note: str = ""
    is_public: bool = False
    data: dict[str, Any] = field(default_factory=dict)


def signed_in(actor: Actor) -> Actor:
    """The acting user if a signed-in one, else None (the system, a resident)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _by(actor: Actor, label: str = "") -> dict[str, Any]:
    """Who did it: a signed-in user by user name; else `label` (who a recorded step
    names) or the system."""
    user = signed_in(actor)
    return {"actor": user, "actor_label": user.get_username() if user else (label or SYSTEM)}


def _about(appeal: Appeal, action: str, at: datetime.datetime, **values) -> Event:
    """An event that leaves the state as it is."""
    return Event(appeal, action, from_state=appeal.state, to_state=appeal.state, at=at, **values)


# ---- the kinds of event ------------------------------------------------------------------


def received(appeal: Appeal, *, at: datetime.datetime, actor: Actor = None) -> Event:
    """The case entered: public, so the resident sees it on the tracking page."""
    return Event(
        appeal,
        "receive",
        from_state="",
        to_state=appeal.state,
        at=at,
        note=str(NOTE_RECEIVED),
        is_public=True,
        **_by(actor),
    )


def moved(
    appeal: Appeal,
    move: Move,
    *,
    before: str,
    at: datetime.datetime,
    actor: Actor = None,
    label: str = "",
) -> Event:
    """A step of the case's life (appeals.states), after it was applied: from `before`
    to the case's state now, with the step's note, publicity and data."""
    return Event(
        appeal,
        move.action,
        from_state=before,
        to_state=appeal.state,
        at=at,
        note=move.note,
        is_public=move.public,
        data=dict(move.data),
        **_by(actor, label),
    )


def summoned(
    appeal: Appeal,
    *,
    summons: Summons,
    units: Iterable[int],
    reason: str,
    at: datetime.datetime,
    actor: Actor = None,
    label: str = "",
) -> Event:
    data = {"summons": summons, "units": list(units)}
    return _about(appeal, "summon", at, note=reason, data=data, **_by(actor, label))


def summons_answered(
    appeal: Appeal,
    *,
    action: str,
    target: SummonsTarget,
    at: datetime.datetime,
    note: str = "",
    actor: Actor = None,
    label: str = "",
) -> Event:
    """A summoned department reported (summons_report) or recorded what it did
    (summons_act)."""
    data = {"target": target, "unit": target.unit_id}
    return _about(appeal, action, at, note=note, data=data, **_by(actor, label))


def mediated(
    appeal: Appeal, *, outcome: str, at: datetime.datetime, actor: Actor = None, label: str = ""
) -> Event:
    return _about(appeal, "mediation", at, data={"outcome": outcome}, **_by(actor, label))


def published(appeal: Appeal, *, text: str, at: datetime.datetime, actor: Actor = None) -> Event:
    """The description the public feed shows was published (or, empty, withdrawn):
    internal, with its length only."""
    action = "publish" if text else "unpublish"
    return _about(appeal, action, at, data={"characters": len(text)}, **_by(actor))


def placed(
    appeal: Appeal, *, from_area_id: int, at: datetime.datetime, actor: Actor = None
) -> Event:
    """A case from the placement queue (待定位) got its place: internal, naming both."""
    data = {"from_area": from_area_id, "to_area": appeal.area_id}
    return _about(appeal, "place", at, note=str(NOTE_PLACED), data=data, **_by(actor))


def turned_into_need(
    appeal: Appeal, *, need_id: int, at: datetime.datetime, actor: Actor = None
) -> Event:
    """The case became a co-building need (cobuild): public, the state stays."""
    note, data = str(NOTE_TO_NEED), {"need": need_id}
    return _about(appeal, "to_need", at, note=note, is_public=True, data=data, **_by(actor))


def turned_into_issue(
    appeal: Appeal, *, issue_id: int, at: datetime.datetime, actor: Actor = None
) -> Event:
    """The case became an issue for deliberation (orglife): public, the state stays."""
    note, data = str(NOTE_TO_ISSUE), {"issue": issue_id}
    return _about(appeal, "to_issue", at, note=note, is_public=True, data=data, **_by(actor))


# ---- listeners: what other apps hear of committed events ----------------------------------


@dataclass(frozen=True)
class Announced:
    """What a listener hears of a stored event, once its transaction has committed."""

    appeal_id: int
    action: str
    at: datetime.datetime
    to_state: str


Listener = Callable[[list[Announced]], None]
_LISTENERS: list[Listener] = []


def register_listener(listener: Listener) -> None:
    """Hear every committed event (integrations' outbox). Called from an app's `ready()`;
    appeals never imports its listeners."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def announce(events: Iterable[Event]) -> None:
    """Tell the listeners of `events` after the transaction commits (nothing when it
    rolls back, so no one hears of a case that was never stored)."""
    if not _LISTENERS:
        return
    heard = [Announced(e.appeal.pk, e.action, e.at, e.to_state) for e in events]
    if not heard:
        return

    def tell() -> None:
        for listener in list(_LISTENERS):
            listener(heard)

    # robust: a listener that fails (its database write) never fails the case, which
    # is committed already; the failure is logged.
    transaction.on_commit(tell, robust=True)


# ---- writers ------------------------------------------------------------------------------


def _stored(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value.pk if isinstance(value, Model) else value for key, value in data.items()}


def record(event: Event) -> AppealEvent:
    """Store one event now."""
    announce([event])
    return AppealEvent.objects.create(
        appeal=event.appeal,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        at=event.at,
        actor=event.actor,
        actor_label=event.actor_label,
        note=event.note,
        is_public=event.is_public,
        data=_stored(event.data),
    )


def record_many(events: Iterable[Event], *, live: bool = True) -> int:
    """Store many events in one statement (COPY on PostgreSQL). The cases must be
    stored already. Returns the number of events. `live` False for a recorded history
    (appeal_bulk_create): what happened before is no news to the listeners."""
    events = list(events)
    if live:
        announce(events)
    rows = [
        (
            e.appeal.pk,
            e.action,
            e.from_state,
            e.to_state,
            e.at,
            e.actor.pk if e.actor is not None else None,
            e.actor_label,
            e.note,
            e.is_public,
            _stored(e.data),
        )
        for e in events
    ]
    insert_rows(AppealEvent, COLUMNS, rows)
    return len(rows)


def receive_insert_sql(source: str) -> str:
    """The "received" event of the case a CTE named `source` returned, as an INSERT …
    SELECT for that CTE, with two parameters: the time and the note (NOTE_RECEIVED).
    The same row as `received` makes, for the fast intake's single statement."""
    table = AppealEvent._meta.db_table
    return f"""INSERT INTO {table} ({", ".join(COLUMNS)})
    SELECT id, 'receive', '', '{Appeal.State.RECEIVED.value}', %s::timestamptz, NULL,
        '{SYSTEM}', %s::text, true, '{{}}'::jsonb
    FROM {source}"""
