"""Registering many members at once (imports, the demo): the rules of
`member_register`, written in multi-row inserts (COPY on PostgreSQL)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.members import access, rollup
from jiceng.members.errors import (
    MSG_BULK_ROW,
    MSG_ID_REPEATED,
    MSG_ID_TAKEN,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.models import (
    Member,
    MemberEvent,
    Membership,
)
from jiceng.members.services._common import (
    PHONE_PURPOSE,
    MemberFacts,
    check_org,
    check_residence,
    clean_member_facts,
    id_number_index,
)
from jiceng.orgs.models import PartyOrg, Unit

MEMBER_COLUMNS = [
    "name", "gender", "ethnicity", "birth_date", "id_number_encrypted", "id_number_index",
    "phone_encrypted", "phone_index", "education", "joined_on", "full_on", "status",
    "category", "org_id", "residence_community_id", "work_unit_id", "work_unit_name", "post",
    "created_at",
]  # fmt: skip
BULK_BATCH = 5000
PER_ORG_AUDITED = 200


@dataclass
class MemberRow:
    """One person for `member_bulk_create`: the facts as a form would give them, the org
    that keeps the record, where they live and where they work."""

    facts: MemberFacts
    org: PartyOrg
    residence_community: Area | None = None
    work_unit: Unit | None = None


def member_bulk_create(
    *, actor, rows: "list[MemberRow]", note: str = "", data: dict | None = None
) -> int:
    """Register many people, in any number of orgs, with the rules of `member_register`:
    the actor must manage each org, each org must take members, each residence must be a
    community, each row passes `clean_member_facts`, and one person is one member (an ID
    number already registered, or twice in `rows`, is refused).

    All or nothing: the first bad row raises the error `member_register` would, with the
    row's place in `rows` (from 1) in the message, and nothing is written. Members, their
    open memberships and "registered" events are written in plain multi-row inserts (COPY
    on PostgreSQL); one audit entry for the call, which counts people per org and never
    carries a personal number. Returns the number of members created."""
    checked_orgs: set[int] = set()
    checked_areas: set[int] = set()
    cleaned: list[tuple[MemberFacts, PartyOrg, Area | None, Unit | None]] = []
    seen: dict[str, int] = {}
    today = timezone.localdate()
    for number, row in enumerate(rows, start=1):
        try:
            if row.org.pk not in checked_orgs:
                access.require_manage_org_members(actor, row.org)
                check_org(row.org)
                checked_orgs.add(row.org.pk)
            residence = row.residence_community
            if residence is not None and residence.pk not in checked_areas:
                check_residence(residence)
                checked_areas.add(residence.pk)
            facts = clean_member_facts(row.facts, today=today)
            first = seen.setdefault(facts.id_number, number)
            if first != number:
                raise Conflict(
                    str(MSG_ID_REPEATED).format(row=first), field="id_number", code=Code.ID_REPEATED
                )
        except (ValidationFailed, Conflict) as error:
            message = str(MSG_BULK_ROW).format(row=number, message=error.message)
            raise type(error)(message, field=error.field, code=error.code) from None
        cleaned.append((facts, row.org, residence, row.work_unit))
    if not cleaned:
        return 0
    with transaction.atomic():
        # Written first, checked if the unique index refuses: looking up every number
        # beforehand costs more than the insert itself (a quarter of a minute for two
        # million), and nothing stays written either way.
        try:
            with transaction.atomic():
                created = _write_members(cleaned, actor=actor, note=note, data=data)
        except IntegrityError:
            taken = _registered_rows([facts for facts, *_rest in cleaned])
            if not taken:
                raise
            first = min(seen[number] for number in taken)
            message = str(MSG_BULK_ROW).format(row=first, message=MSG_ID_TAKEN)
            raise Conflict(message, field="id_number", code=Code.ID_TAKEN) from None
        per_org: dict[int, int] = {}
        for _facts, org, _residence, _unit in cleaned:
            per_org[org.pk] = per_org.get(org.pk, 0) + 1
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_CREATE,
            target_type="members.member",
            target_label=f"{created} members",
            changes={
                "count": created,
                "orgs": len(per_org),
                # Who went where, while the entry stays a readable size.
                **(
                    {"per_org": {str(pk): n for pk, n in sorted(per_org.items())}}
                    if len(per_org) <= PER_ORG_AUDITED
                    else {}
                ),
                **({"note": note[:100]} if note else {}),
            },
        )
    return created


def _registered_rows(facts: list[MemberFacts]) -> set[str]:
    """The ID numbers among `facts` already registered as members."""
    index_of = {id_number_index(f.id_number): f.id_number for f in facts}
    keys = list(index_of)
    taken: set[str] = set()
    for start in range(0, len(keys), BULK_BATCH):
        taken.update(
            Member.objects.filter(id_number_index__in=keys[start : start + BULK_BATCH]).values_list(
                "id_number_index", flat=True
            )
        )
    return {index_of[key] for key in taken}


def _sealed(facts: MemberFacts) -> tuple[str, str, str, str]:
    """ID number and phone encrypted, each with its blind index."""
    if facts.phone:
        phone = crypto.encrypt(facts.phone)
        phone_index = crypto.blind_index(facts.phone, purpose=PHONE_PURPOSE)
    else:
        phone = phone_index = ""
    return crypto.encrypt(facts.id_number), id_number_index(facts.id_number), phone, phone_index


def _reserve_ids(model, count: int) -> list[int] | None:
    """Ids for `count` new rows taken from the table's sequence (PostgreSQL), so that a
    COPY can carry them and nothing has to be read back; None elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql" or not count:
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _write_members(cleaned, *, actor, note: str, data: dict | None) -> int:
    """Insert cleaned (facts, org, residence, work unit) rows with their memberships and
    events, BULK_BATCH at a time. Callers have checked everything and audit the batch."""
    from jiceng.core.bulk import insert_rows

    today = timezone.localdate()
    now = timezone.now()
    event_actor = actor.pk if getattr(actor, "is_authenticated", False) else None
    extra = dict(data or {})
    created = 0
    counted = rollup.state()  # None until the rollup is built: then nothing to add
    for start in range(0, len(cleaned), BULK_BATCH):
        chunk = cleaned[start : start + BULK_BATCH]
        rows = []
        orgs: dict[str, int] = {}
        for facts, org, residence, unit in chunk:
            id_sealed, id_index, phone_sealed, phone_index = _sealed(facts)
            orgs[id_index] = org.pk
            rows.append(
                (
                    facts.name, facts.gender, facts.ethnicity, facts.birth_date, id_sealed,
                    id_index, phone_sealed, phone_index, facts.education, facts.joined_on,
                    facts.full_on, facts.status, facts.category, org.pk,
                    residence.pk if residence is not None else None,
                    unit.pk if unit is not None else None,
                    facts.work_unit_name or (unit.name if unit is not None else ""),
                    facts.post, now,
                )
            )  # fmt: skip
        ids = _reserve_ids(Member, len(rows))
        if ids is not None:
            insert_rows(
                Member, ["id", *MEMBER_COLUMNS], [(pk, *r) for pk, r in zip(ids, rows, strict=True)]
            )
            placed = [(pk, r[13]) for pk, r in zip(ids, rows, strict=True)]
        else:
            insert_rows(Member, MEMBER_COLUMNS, rows)
            placed = []
            keys = list(orgs)
            for part in range(0, len(keys), 2000):
                placed.extend(
                    (pk, orgs[key])
                    for pk, key in Member.objects.filter(
                        id_number_index__in=keys[part : part + 2000]
                    ).values_list("id", "id_number_index")
                )
        insert_rows(
            Membership,
            ["member_id", "org_id", "started_on", "ended_on", "reason"],
            [(pk, org_id, today, None, Membership.Reason.REGISTERED) for pk, org_id in placed],
        )
        insert_rows(
            MemberEvent,
            ["member_id", "kind", "at", "actor_id", "note", "data"],
            [
                (pk, MemberEvent.Kind.REGISTERED, now, event_actor, note, {**extra, "org": org_id})
                for pk, org_id in placed
            ],
        )
        created += len(placed)
        if counted is not None:
            totals: rollup.Totals = rollup.Counter()
            for facts, org, _residence, _unit in chunk:
                rollup.tally(totals, rollup.bulk_facts(facts, org.pk), counted.bands_on)
            rollup.add_totals(totals)
    return created


@transaction.atomic
def member_bulk_register(
    *, actor, org: PartyOrg, rows: list, note: str = "", data: dict | None = None
) -> int:
    """Register many people in one org: `rows` are (cleaned MemberFacts, residence
    community or None), already checked by `clean_member_facts` and free of people
    registered anywhere (the Excel import checks them row by row to report every error
    at once). The caller writes the audit entry for the batch."""
    access.require_manage_org_members(actor, org)
    check_org(org)
    for _facts, residence in rows:
        check_residence(residence)
    return _write_members(
        [(facts, org, residence, None) for facts, residence in rows],
        actor=actor,
        note=note,
        data=data,
    )
