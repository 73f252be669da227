"""A member's record: registration, correction, an audited reveal of a personal
number and the audit of a lookup by one."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.audit import audit_record, changes_between
from jiceng.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.members import access, rollup
from jiceng.members.errors import (
    MSG_FIELD_LOCKED,
    MSG_ID_TAKEN,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.events import member_event
from jiceng.members.models import (
    Member,
    MemberEvent,
    Membership,
)
from jiceng.members.services._common import (
    PHONE_PURPOSE,
    MemberFacts,
    _member_snapshot,
    build_member,
    check_org,
    check_residence,
    clean_member_facts,
    id_number_index,
)
from jiceng.orgs.models import PartyOrg, Unit


@transaction.atomic
def member_register(
    *,
    actor,
    org: PartyOrg,
    facts: MemberFacts,
    residence_community: Area | None = None,
    work_unit: Unit | None = None,
) -> Member:
    """Register a member in an org. One person is one member: the ID number is unique."""
    access.require_manage_org_members(actor, org)
    check_org(org)
    check_residence(residence_community)
    facts = clean_member_facts(facts)
    if Member.objects.filter(id_number_index=id_number_index(facts.id_number)).exists():
        raise Conflict(MSG_ID_TAKEN, field="id_number", code=Code.ID_TAKEN)
    member = build_member(
        facts, org=org, residence_community=residence_community, work_unit=work_unit
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise Conflict(MSG_ID_TAKEN, field="id_number", code=Code.ID_TAKEN) from None
    Membership.objects.create(
        member=member, org=org, started_on=timezone.localdate(), reason=Membership.Reason.REGISTERED
    )
    rollup.change(None, rollup.facts_of(member))
    member_event(member, MemberEvent.Kind.REGISTERED, actor=actor, data={"org": org.pk})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=member,
        changes=_member_snapshot(member),
    )
    return member


EDITABLE_FIELDS = {
    "name",
    "ethnicity",
    "education",
    "full_on",
    "status",
    "category",
    "phone",
    "residence_community",
    "work_unit",
    "work_unit_name",
    "post",
}


@transaction.atomic
def member_update(*, actor, member: Member, **fields) -> Member:
    """Correct or update a member's facts. The org changes only through a transfer; the
    ID number, gender and birth date are fixed at registration."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(MSG_FIELD_LOCKED, field=sorted(unknown)[0], code=Code.FIELD_LOCKED)
    access.require_manage_member(actor, member)
    before = _member_snapshot(member)
    counted = rollup.facts_of(member)
    number = crypto.decrypt(member.id_number_encrypted)
    facts = MemberFacts(
        name=fields.get("name", member.name),
        id_number=number,
        ethnicity=fields.get("ethnicity", member.ethnicity),
        education=fields.get("education", member.education),
        joined_on=member.joined_on,
        status=fields.get("status", member.status),
        category=fields.get("category", member.category),
        gender=member.gender,
        birth_date=member.birth_date,
        full_on=fields.get("full_on", member.full_on),
        phone=fields.get("phone", crypto.decrypt(member.phone_encrypted)),
        work_unit_name=fields.get("work_unit_name", member.work_unit_name),
        post=fields.get("post", member.post),
    )
    facts = clean_member_facts(facts)
    residence = fields.get("residence_community", member.residence_community)
    check_residence(residence)
    member.name, member.ethnicity, member.education = facts.name, facts.ethnicity, facts.education
    member.status, member.category, member.full_on = facts.status, facts.category, facts.full_on
    member.work_unit_name, member.post = facts.work_unit_name, facts.post
    member.residence_community = residence
    member.work_unit = fields.get("work_unit", member.work_unit)
    member.phone_encrypted = crypto.encrypt(facts.phone) if facts.phone else ""
    member.phone_index = (
        crypto.blind_index(facts.phone, purpose=PHONE_PURPOSE) if facts.phone else ""
    )
    member.save()
    rollup.change(counted, rollup.facts_of(member))
    changes = changes_between(before, _member_snapshot(member))
    if changes:
        member_event(
            member, MemberEvent.Kind.UPDATED, actor=actor, data={"fields": sorted(changes)}
        )
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=member, changes=changes)
    return member


@transaction.atomic
def member_reveal(*, actor, member: Member, field: str) -> str:
    """The full ID number or phone, for those who keep the record; every reveal audited."""
    if field not in ("id_number", "phone"):
        raise ValidationFailed(MSG_FIELD_LOCKED, field="field", code=Code.REVEAL_FIELD)
    if not access.can_reveal_member(actor, member):
        access.require_manage_member(actor, member)
        raise PermissionDenied()
    token = member.id_number_encrypted if field == "id_number" else member.phone_encrypted
    audit_record(
        actor=actor, action=AuditEntry.Action.REVEAL, target=member, changes={"field": field}
    )
    return crypto.decrypt(token)


def member_lookup_audit(*, actor, field: str, query: str, members: Sequence[Member]) -> None:
    """A search by a whole ID number or phone confirms that a person is a party member
    in the searcher's scope, so it is audited like a reveal: one entry per member found
    (one without a target when none was), the number kept only as a keyed hash."""
    from jiceng.core.audit import AuditLine, audit_record_many

    changes = {"field": field, "query_hash": crypto.blind_index(query, purpose="audit.lookup")}
    lines = [
        AuditLine(action=AuditEntry.Action.LOOKUP, target=m, changes=changes, actor=actor)
        for m in members
    ] or [
        AuditLine(
            action=AuditEntry.Action.LOOKUP,
            target_type="members.member",
            target_label="",
            changes={**changes, "found": 0},
            actor=actor,
        )
    ]
    with transaction.atomic():
        audit_record_many(lines)
