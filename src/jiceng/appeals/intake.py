"""Intake acknowledged after one write, and the deferred step that routes in batches.

Other systems file through Open311 at hotline-centre rates (issue 4: 1,000 cases a
second on two cores). Doing a case's whole intake in the request (routing, the
duplicate check, dispatch, events, two appends to the audit chain, the monthly counter)
costs some 28 queries and serializes every request on the audit chain's head row. So
the Open311 POST is split in two (docs/decisions/0009-deferred-intake-routing.md):

1. `appeal_receive`, in the request: the checks every intake passes, then the case in
   state received, marked routing_pending, with its public "received" event, written in
   ONE statement on PostgreSQL (a CTE: INSERT … ON CONFLICT on the idempotency key
   RETURNING, then the event from what it returned). The case exists, with its tracking
   code and deadlines, the moment the client is answered; deadlines run from then.
2. `intake_process` (`jiceng process-intake`, also run first by `jiceng check-deadlines`
   every minute): takes pending cases in batches (SELECT … FOR UPDATE SKIP LOCKED on
   PostgreSQL), routes them, checks for earlier similar open cases, dispatches, writes
   the dispatch events and the monthly counters, and appends each case's audit entries
   to the chain in one batch (`audit_record_many`). Idempotent: a case is taken once,
   under its row lock, and leaves the pending state in the same transaction.

What the request reads (the key, the category, the place) is reference data, cached per
process for INTAKE_CACHE_SECONDS (`appeals.cache`). A revoked key is still refused at
once: the insert itself requires the key to be unrevoked.
"""

import datetime
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jiceng.appeals import events, open_rollup, rollup, states
from jiceng.appeals.cache import (  # noqa: F401 (forget_cached, open311_key_cached: callers' names)
    Place,
    forget_cached,
    open311_key_cached,
)
from jiceng.appeals.claims import claim
from jiceng.appeals.deadlines import deadlines
from jiceng.appeals.errors import MSG_NO_RULE, MSG_POSSIBLE_DUPLICATE
from jiceng.appeals.models import Appeal, Open311Key
from jiceng.appeals.places import community_of, street_of
from jiceng.appeals.routing import route_many
from jiceng.appeals.selectors import earlier_similar_open
from jiceng.appeals.services.cases import (
    Intake,
    intake_keys,
    intake_request,
    intake_texts,
    new_tracking_code,
)
from jiceng.core import idempotency
from jiceng.core.audit import AuditLine, audit_record_many
from jiceng.core.bulk import execute_bound
from jiceng.core.models import AuditEntry, IdempotencyKey

BATCH = 500


# ---- 1. in the request: one write ----------------------------------------------------------


@dataclass(frozen=True)
class Received:
    pk: int
    tracking_code: str
    resolution_due_at: datetime.datetime
    created: bool  # False: a retry, answered with the case its first attempt created


APPEAL_COLUMNS = (
    "tracking_code",
    "channel",
    "category_id",
    "area_id",
    "street_id",
    "community_id",
    "address",
    "latitude",
    "longitude",
    "description",
    "photo",
    "contact_name",
    "contact_phone_encrypted",
    "state",
    "unroutable_reason",
    "received_at",
    "response_due_at",
    "resolution_due_at",
    "satisfaction",
    "public_reply",
    "public_description",
    "response_overdue",
    "resolution_overdue",
    "reopen_count",
    "client",
    "idempotency_key",
    "created_by_id",
    "routing_pending",
    "placement_pending",
    "placement_reason",
)


@functools.cache
def receive_sql() -> str:
    """The case and its "received" event in one statement (PostgreSQL). The key check
    rides in the same statement, so a key revoked a moment ago files nothing even where
    a worker still has it cached. ON CONFLICT names the partial unique index of (client,
    idempotency_key): a retry inserts nothing and is answered with the case its first
    attempt made. Each parameter is cast to its column's type, so the statement also
    runs with server-side binding (psycopg alone, as the benchmark's raw inserts do)."""
    fields = {f.column: f for f in Appeal._meta.concrete_fields}

    def cast(column: str) -> str:
        # varchar(n) without its length: an explicit cast would cut a long value short
        # where the column itself refuses it.
        kind = fields[column].cast_db_type(connection)
        return "varchar" if kind.startswith("varchar") else kind

    marks = ", ".join(f"%s::{cast(c)}" for c in APPEAL_COLUMNS)
    return f"""
WITH new_case AS (
    INSERT INTO appeals_appeal ({", ".join(APPEAL_COLUMNS)})
    SELECT {marks}
    WHERE %s::bigint IS NULL OR EXISTS (
        SELECT 1 FROM appeals_open311key WHERE id = %s::bigint AND revoked_at IS NULL
    )
    ON CONFLICT (client, idempotency_key) WHERE NOT (idempotency_key = '') DO NOTHING
    RETURNING id, tracking_code, resolution_due_at
), key_row AS (
    INSERT INTO core_idempotencykey (client, key, digest, target_type, target_id, created_at)
    SELECT %s::varchar, %s::varchar, %s::varchar, 'appeals.appeal', id::text, %s::timestamptz
    FROM new_case WHERE %s::varchar <> ''
    ON CONFLICT (client, key) DO NOTHING
), received AS (
    {events.receive_insert_sql("new_case")}
)
SELECT id, tracking_code, resolution_due_at FROM new_case
"""


def appeal_receive(
    *, intake: Intake, place: Place | None = None, key: Open311Key | None = None
) -> Received | None:
    """Receive a case for `process-intake` to route, acknowledged after one write.

    The same checks as `appeals.services.appeal_intake` (category, place, text, phone;
    ValidationFailed names the field), the same deadlines from the moment of receipt,
    the same idempotency (core.idempotency): a retry of the same case with the client's
    idempotency key returns the first case with created False, the same key with another
    case raises KeyReused and writes nothing. The key and the request's digest are
    written by the same statement as the case, so there is no moment at which the key is
    taken and the case not yet there (and so no 409 to answer): a concurrent retry waits
    on the unique index for the first statement and is answered with its case. The case
    is in state received and routing_pending until `intake_process` takes it. Machine
    intake: there is no acting user.

    `key`: the Open311 key filing the case, which must still be unrevoked when the case
    is written; None is returned when it was revoked meanwhile, and nothing is written.
    """
    texts = intake_texts(intake)
    if place is None:
        place = Place(intake.area, street_of(intake.area).pk, community_of(intake.area).pk)
    client, idempotency_key = intake_keys(intake)
    digest = idempotency.request_digest(intake_request(intake)) if idempotency_key else ""
    now = timezone.now()
    response_due, resolution_due = deadlines(intake.category, now)
    fields = {
        "channel": intake.channel,
        "category_id": intake.category.pk,
        "area_id": place.area.pk,
        "street_id": place.street_id,
        "community_id": place.community_id,
        "latitude": intake.latitude,
        "longitude": intake.longitude,
        **texts,
        "photo": "",
        "state": Appeal.State.RECEIVED.value,
        "unroutable_reason": "",
        "received_at": now,
        "response_due_at": response_due,
        "resolution_due_at": resolution_due,
        "satisfaction": "",
        "public_reply": "",
        "public_description": "",
        "response_overdue": False,
        "resolution_overdue": False,
        "reopen_count": 0,
        "client": client,
        "idempotency_key": idempotency_key,
        "created_by_id": None,
        "routing_pending": True,
        # Only placed cases come this way (places.locate placed it, or address_id did).
        "placement_pending": False,
        "placement_reason": "",
    }
    key_id = key.pk if key is not None else None
    for attempt in range(3):
        fields["tracking_code"] = new_tracking_code()
        try:
            if connection.vendor == "postgresql":
                row = _receive_postgresql(fields, key_id, now, digest)
            else:
                row = _receive_orm(fields, key_id, now, digest)
        except IntegrityError:
            # Tracking codes are random (31^12): a clash is astronomically rare, but a
            # clash must not lose the case. A clash on the idempotency key never gets
            # here on PostgreSQL (ON CONFLICT); on SQLite it is a retry, found below.
            if idempotency_key and _first_attempt(client, idempotency_key) is not None:
                break
            if attempt == 2:
                raise
            continue
        if row is not None:
            return Received(row[0], row[1], row[2], True)
        break
    # Nothing was inserted: a retry (the first case is on file), or a revoked key.
    if idempotency_key and (key_id is None or _key_active(key_id)):
        first = _first_attempt(client, idempotency_key)
        if first is not None:
            idempotency.check_digest(first.stored_digest, digest)
            return Received(first.pk, first.tracking_code, first.resolution_due_at, False)
    return None


def _receive_postgresql(fields: dict, key_id: int | None, now, digest: str) -> tuple | None:
    params = [fields[c] for c in APPEAL_COLUMNS]
    key = fields["idempotency_key"]
    params += [key_id, key_id, fields["client"], key, digest, now, key]
    params += [now, str(events.NOTE_RECEIVED)]  # the "received" event
    # Autocommit outside a caller's transaction: the statement is its own transaction,
    # one round trip to the server. Prepared once per connection: planning this CTE
    # cost the server as much as running it (INTAKE_PREPARE=False turns that off for a
    # pooler that cannot keep prepared statements).
    prepare = True if getattr(settings, "INTAKE_PREPARE", True) else None
    rows = execute_bound(receive_sql(), params, prepare=prepare)
    return rows[0] if rows else None


def _receive_orm(fields: dict, key_id: int | None, now, digest: str) -> tuple | None:
    with transaction.atomic():
        if key_id is not None and not _key_active(key_id):
            return None
        key = fields["idempotency_key"]
        if key and _first_attempt(fields["client"], key) is not None:
            return None
        appeal = Appeal.objects.create(**fields)
        if key:
            IdempotencyKey.objects.create(
                client=fields["client"],
                key=key,
                digest=digest,
                target_type="appeals.appeal",
                target_id=str(appeal.pk),
                created_at=now,
            )
        events.record(events.received(appeal, at=now))
    return appeal.pk, appeal.tracking_code, appeal.resolution_due_at


def _key_active(key_id: int) -> bool:
    return Open311Key.objects.filter(pk=key_id, revoked_at=None).exists()


def _first_attempt(client: str, idempotency_key: str) -> Appeal | None:
    """The case filed with this key, with the digest of the request stored beside it
    (`stored_digest`), in one query."""
    return (
        Appeal.objects.filter(client=client, idempotency_key=idempotency_key)
        .annotate(stored_digest=idempotency.stored_digest(client=client, key=idempotency_key))
        .only("id", "tracking_code", "resolution_due_at")
        .first()
    )


# ---- 2. deferred: route, check, dispatch, count and audit in batches ----------------------


@dataclass
class IntakeResult:
    processed: int = 0
    dispatched: int = 0
    unroutable: int = 0  # no routing rule: the street's queue
    duplicates: int = 0  # an earlier similar open case: the street's queue
    seconds: float = 0.0
    batches: list[int] = field(default_factory=list)


def intake_process(*, batch_size: int = BATCH, max_cases: int | None = None) -> IntakeResult:
    """Route every case waiting since its fast intake, `batch_size` cases per
    transaction, until none is left (or `max_cases` were taken).

    Each case gets what `appeal_intake` does after writing it, in the same order of
    decisions: the routing rule (`route`, for many at once), then the duplicate check
    against similar open cases received before it, then dispatch to the rule's unit with
    a public event; a case with no rule or with an earlier similar case waits in the
    street's queue with the reason. Its monthly counters are added, and its audit
    entries (received, and dispatched when it was) are appended to the chain.

    Safe to run again and at once from several processes: cases are claimed with
    SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite runs one writer at a time), and
    a case leaves the pending state in the transaction that handles it.
    """
    started = time.perf_counter()
    result = IntakeResult()
    while max_cases is None or result.processed < max_cases:
        size = batch_size if max_cases is None else min(batch_size, max_cases - result.processed)
        with transaction.atomic():
            batch = _claim(size)
            if batch:
                _process(batch, result)
        if batch:
            result.batches.append(len(batch))
        if len(batch) < size:
            break
    result.seconds = time.perf_counter() - started
    return result


# What the step reads of a case: routing, the duplicate check, the audit entries and
# the monthly counters (rollup.contribution), and no more.
CLAIMED_FIELDS = (
    "tracking_code",
    "channel",
    "client",
    "state",
    "routing_pending",
    "unit_id",
    "unroutable_reason",
    "description",
    "street_id",
    "community_id",
    "received_at",
    "response_due_at",
    "resolution_due_at",
    "responded_at",
    "replied_at",
    "rated_at",
    "resolved",
    "satisfaction",
    "response_overdue",
    "resolution_overdue",
    "category",
    "area",
    "category__code",
    "category__name",
    "area__path",
    "area__level",
)


def _claim(size: int) -> list[Appeal]:
    pending = Appeal.objects.filter(routing_pending=True)
    return claim(pending.select_related("category", "area").only(*CLAIMED_FIELDS), size)


def _process(batch: Sequence[Appeal], result: IntakeResult) -> None:
    now = timezone.now()
    no_rule, duplicate = str(MSG_NO_RULE), str(MSG_POSSIBLE_DUPLICATE)
    waiting = [a for a in batch if a.state == Appeal.State.RECEIVED]
    rules = route_many((a.category, a.area) for a in waiting)
    similar = earlier_similar_open(waiting)
    dispatches: list[events.Event] = []
    lines: list[AuditLine] = []
    totals = rollup.Totals()
    for appeal in batch:
        lines.append(
            AuditLine(
                action=AuditEntry.Action.CREATE,
                target=appeal,
                changes={
                    "channel": appeal.channel,
                    "category": appeal.category.code,
                    "area": appeal.area_id,
                    "client": appeal.client,  # which system filed it
                    "received_at": appeal.received_at,
                },
            )
        )
        appeal.routing_pending = False
        if appeal.state == Appeal.State.RECEIVED:
            rule = rules.get((appeal.category_id, appeal.area_id))
            if rule is None:
                appeal.unroutable_reason = no_rule
                result.unroutable += 1
            elif appeal.pk in similar:
                appeal.unroutable_reason = duplicate
                result.duplicates += 1
            else:
                # The dispatch `appeal_intake` makes at once, as the lifecycle declares it.
                move = states.dispatch(unit=rule.unit, rule=rule)
                before = states.apply(appeal, move)
                dispatches.append(events.moved(appeal, move, before=before, at=now))
                changes = states.state_change(before, appeal, move.action)
                lines.append(
                    AuditLine(action=AuditEntry.Action.UPDATE, target=appeal, changes=changes)
                )
                result.dispatched += 1
        # Not counted while pending (rollup.apply skips it), so the whole of what the
        # case counts for now is added, whatever happened to it meanwhile.
        rollup.tally(totals, appeal)
    _save(batch)
    # The fast intake wrote each "received" event in its one SQL statement; listeners
    # hear of it now that the case is taken up (a case received through the ORM path was
    # announced already, and listeners drop what they heard twice).
    events.announce(events.received(appeal, at=appeal.received_at) for appeal in batch)
    events.record_many(dispatches)
    rollup.add_many(totals)
    open_rollup.add_cases(batch)
    audit_record_many(lines)
    result.processed += len(batch)


def _save(batch: Sequence[Appeal]) -> None:
    """The cases' new state, unit, reason and pending flag in one statement."""
    if connection.vendor == "postgresql":
        execute_bound(
            "UPDATE appeals_appeal AS a SET routing_pending = false, state = v.state,"
            " unit_id = v.unit_id, unroutable_reason = v.reason"
            " FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::text[])"
            " AS v(id, state, unit_id, reason) WHERE a.id = v.id",
            [
                [a.pk for a in batch],
                [a.state for a in batch],
                [a.unit_id for a in batch],
                [a.unroutable_reason for a in batch],
            ],
        )
        return
    Appeal.objects.bulk_update(batch, ["routing_pending", "state", "unit", "unroutable_reason"])
