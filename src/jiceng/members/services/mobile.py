"""Mobile members (流动党员): outflows from the home org, inflows registered by the
destination community (凡进必登) and checked against the outflow (凡登必核)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.inputs import check_model_text
from jiceng.core.masking import mask_id_number
from jiceng.core.models import Area, AuditEntry
from jiceng.core.validators import (
    normalize_text,
    validate_id_number,
)
from jiceng.members import access, rollup
from jiceng.members.errors import (
    MSG_CERTIFICATE,
    MSG_COMMUNITY_LEVEL,
    MSG_DATE_FUTURE,
    MSG_DESTINATION,
    MSG_INFLOW_DECIDED,
    MSG_NAME,
    MSG_OUTFLOW_OPEN,
    MSG_OUTFLOW_RETURNED,
    MSG_RETURN_BEFORE_LEFT,
    MSG_VERIFY_CERTIFICATE,
    MSG_VERIFY_NAME,
    MSG_VERIFY_NO_OUTFLOW,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.events import member_event
from jiceng.members.models import (
    Member,
    MemberEvent,
    MobileInflow,
    MobileOutflow,
)
from jiceng.members.services._common import (
    id_number_index,
)


@transaction.atomic
def outflow_register(
    *,
    actor,
    member: Member,
    certificate_number: str,
    destination: str,
    left_on: datetime.date,
    expected_return_on: datetime.date | None = None,
    reason: str = "",
) -> MobileOutflow:
    """The home org registers a member going away, with the activity certificate number.
    Any inflow registrations already waiting for this member are checked at once."""
    access.require_manage_member(actor, member)
    certificate = normalize_text(certificate_number or "").replace(" ", "").upper()
    if not certificate:
        raise ValidationFailed(
            MSG_CERTIFICATE, field="certificate_number", code=Code.CERTIFICATE_REQUIRED
        )
    destination = (destination or "").strip()
    if not destination:
        raise ValidationFailed(MSG_DESTINATION, field="destination", code=Code.DESTINATION_REQUIRED)
    if left_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="left_on", code=Code.DATE_FUTURE)
    if expected_return_on is not None and expected_return_on < left_on:
        raise ValidationFailed(
            MSG_RETURN_BEFORE_LEFT, field="expected_return_on", code=Code.RETURN_BEFORE_LEFT
        )
    if MobileOutflow.objects.filter(member=member, state=MobileOutflow.State.OUT).exists():
        raise Conflict(MSG_OUTFLOW_OPEN, field="member", code=Code.OUTFLOW_OPEN)
    try:
        with transaction.atomic():
            outflow = MobileOutflow.objects.create(
                member=member,
                home_org=member.org,
                certificate_number=certificate,
                destination=destination[:150],
                reason=(reason or "").strip()[:100],
                left_on=left_on,
                expected_return_on=expected_return_on,
            )
    except IntegrityError:
        raise Conflict(MSG_OUTFLOW_OPEN, field="member", code=Code.OUTFLOW_OPEN) from None
    counted = rollup.facts_of(member)
    member.category = Member.Category.MOBILE
    member.save(update_fields=["category"])
    rollup.change(counted, rollup.facts_of(member))
    member_event(
        member,
        MemberEvent.Kind.OUTFLOW_REGISTERED,
        actor=actor,
        note=destination,
        data={"outflow": outflow.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=outflow,
        changes={"certificate_number": certificate, "destination": destination},
    )
    for inflow in MobileInflow.objects.filter(
        id_number_index=member.id_number_index, state=MobileInflow.State.PENDING
    ):
        _try_verify(inflow, actor=None)
    return outflow


@transaction.atomic
def outflow_return(*, actor, outflow: MobileOutflow, returned_on: datetime.date) -> MobileOutflow:
    """The member is back: the record closes, and so does any inflow registration."""
    access.require_manage_outflow(actor, outflow)
    outflow = MobileOutflow.objects.select_for_update().get(pk=outflow.pk)
    if outflow.state != MobileOutflow.State.OUT:
        raise Conflict(MSG_OUTFLOW_RETURNED, field="state", code=Code.OUTFLOW_RETURNED)
    if returned_on < outflow.left_on:
        raise ValidationFailed(
            MSG_RETURN_BEFORE_LEFT, field="returned_on", code=Code.RETURN_BEFORE_LEFT
        )
    if returned_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="returned_on", code=Code.DATE_FUTURE)
    outflow.state = MobileOutflow.State.RETURNED
    outflow.returned_on = returned_on
    outflow.save(update_fields=["state", "returned_on"])
    outflow.inflows.exclude(state=MobileInflow.State.CLOSED).update(state=MobileInflow.State.CLOSED)
    member = outflow.member
    if member.category == Member.Category.MOBILE:
        counted = rollup.facts_of(member)
        member.category = Member.Category.IN_SERVICE
        member.save(update_fields=["category"])
        rollup.change(counted, rollup.facts_of(member))
    member_event(
        member, MemberEvent.Kind.MOBILE_RETURNED, actor=actor, data={"outflow": outflow.pk}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=outflow,
        changes={"state": {"old": "out", "new": "returned"}, "returned_on": returned_on},
    )
    return outflow


def _try_verify(inflow: MobileInflow, *, actor) -> MobileInflow:
    """Check an inflow against the home org's open outflow of the same person (matched by
    the ID number's blind index) and its certificate number."""
    outflow = (
        MobileOutflow.objects.select_related("member")
        .filter(member__id_number_index=inflow.id_number_index, state=MobileOutflow.State.OUT)
        .first()
    )
    if outflow is None:
        inflow.verify_note = str(MSG_VERIFY_NO_OUTFLOW)
        inflow.save(update_fields=["verify_note"])
        return inflow
    if outflow.certificate_number != inflow.certificate_number:
        inflow.verify_note = str(MSG_VERIFY_CERTIFICATE)
        inflow.state = MobileInflow.State.REJECTED
    elif outflow.member.name != inflow.name:
        inflow.verify_note = str(MSG_VERIFY_NAME)
        inflow.state = MobileInflow.State.REJECTED
    else:
        inflow.state = MobileInflow.State.VERIFIED
        inflow.outflow = outflow
        inflow.verify_note = ""
        inflow.verified_at = timezone.now()
        member_event(
            outflow.member,
            MemberEvent.Kind.INFLOW_VERIFIED,
            actor=actor,
            note=str(inflow.community),
            data={"inflow": inflow.pk},
        )
    inflow.save(update_fields=["state", "outflow", "verify_note", "verified_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=inflow,
        changes={"state": inflow.state, "note": inflow.verify_note},
    )
    return inflow


@transaction.atomic
def inflow_register(
    *,
    actor,
    community: Area,
    name: str,
    id_number: str,
    certificate_number: str,
    home_org_name: str,
    registered_on: datetime.date | None = None,
) -> MobileInflow:
    """凡进必登: the destination community registers an arriving member; the record stays
    pending until it matches the home org's outflow record (凡登必核)."""
    access.require_manage_community(actor, community)
    if community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY_LEVEL, field="community", code=Code.COMMUNITY_REQUIRED)
    name = check_model_text(MobileInflow, "name", name, kind="name")
    if not name:
        raise ValidationFailed(MSG_NAME, field="name", code=Code.NAME_REQUIRED)
    number = validate_id_number(id_number)
    certificate = check_model_text(
        MobileInflow, "certificate_number", certificate_number, kind="number"
    )
    certificate = certificate.replace(" ", "").upper()
    home_org_name = check_model_text(MobileInflow, "home_org_name", home_org_name)
    if not certificate:
        raise ValidationFailed(
            MSG_CERTIFICATE, field="certificate_number", code=Code.CERTIFICATE_REQUIRED
        )
    registered_on = registered_on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="registered_on", code=Code.DATE_FUTURE)
    inflow = MobileInflow.objects.create(
        community=community,
        name=name,
        id_number_encrypted=crypto.encrypt(number),
        id_number_index=id_number_index(number),
        certificate_number=certificate,
        home_org_name=home_org_name,
        registered_on=registered_on,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=inflow,
        changes={"id_number": mask_id_number(number), "certificate_number": certificate},
    )
    return _try_verify(inflow, actor=actor)


@transaction.atomic
def inflow_verify(*, actor, inflow: MobileInflow) -> MobileInflow:
    """Check a pending inflow again (the home org may have registered the outflow since)."""
    access.require_manage_inflow(actor, inflow)
    inflow = MobileInflow.objects.select_for_update().get(pk=inflow.pk)
    if inflow.state != MobileInflow.State.PENDING:
        raise Conflict(MSG_INFLOW_DECIDED, field="state", code=Code.INFLOW_DECIDED)
    return _try_verify(inflow, actor=actor)
