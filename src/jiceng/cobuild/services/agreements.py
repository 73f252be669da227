"""Co-building agreements (共建协议): signing with commitments, recording progress,
the yearly two-way review and the end."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.cobuild import access
from jiceng.cobuild.errors import (
    MSG_ACHIEVED,
    MSG_AGREEMENT_ENDED,
    MSG_COMMUNITY,
    MSG_CONTENT,
    MSG_DATE_REQUIRED,
    MSG_MEASURE,
    MSG_REVIEW_EXISTS,
    MSG_REVIEW_SCORE,
    MSG_REVIEW_YEAR,
    MSG_REVIEWER,
    MSG_SIDE,
    MSG_TARGET,
    MSG_TITLE,
    MSG_UNIT_CLOSED,
    MSG_UNIT_DISTRICT,
    MSG_WINDOW_ORDER,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.matching import (
    Place,
)
from jiceng.cobuild.models import (
    Agreement,
    AgreementReview,
    Commitment,
)
from jiceng.cobuild.services._common import (
    _actor,
    _choice,
    _decimal,
    _integer,
    _text,
    _window,
)
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.orgs.models import Unit


@dataclass
class CommitmentSpec:
    side: str
    content: str
    target: Decimal | int | str
    measure: str


def _clean_commitment(spec: CommitmentSpec, *, prefix: str = "") -> CommitmentSpec:
    return CommitmentSpec(
        side=_choice(
            spec.side,
            Commitment.Side,
            field=f"{prefix}side",
            message=MSG_SIDE,
            code=Code.BAD_SIDE,
        ),
        content=_text(spec.content, field=f"{prefix}content", max_length=300, required=MSG_CONTENT),
        target=_decimal(
            spec.target,
            field=f"{prefix}target",
            message=MSG_TARGET,
            code=Code.BAD_TARGET,
            strict=True,
        ),
        measure=_text(spec.measure, field=f"{prefix}measure", max_length=20, required=MSG_MEASURE),
    )


@transaction.atomic
def agreement_create(
    *,
    actor,
    community: Area,
    unit: Unit,
    title: str,
    signed_on: datetime.date | None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    commitments: list[CommitmentSpec] = (),
) -> Agreement:
    """The community signs a co-building agreement with a resident unit, with each side's
    commitments. All commitments are checked before anything is written."""
    if community is None or community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY, field="community", code=Code.COMMUNITY_REQUIRED)
    require_manage_area(actor, community)
    if unit.closed_on is not None:
        raise ValidationFailed(MSG_UNIT_CLOSED, field="unit", code=Code.UNIT_CLOSED)
    if Place.from_path(unit.area.path).district != Place.from_path(community.path).district:
        raise ValidationFailed(MSG_UNIT_DISTRICT, field="unit", code=Code.UNIT_DISTRICT)
    title = _text(title, field="title", max_length=120, required=MSG_TITLE)
    if not isinstance(signed_on, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field="signed_on", code=Code.DATE_REQUIRED)
    valid_from = valid_from or signed_on
    if valid_until is not None:
        _window(valid_from, valid_until, start_field="valid_from", end_field="valid_until")
    specs = [
        _clean_commitment(spec, prefix=f"commitments[{i}].") for i, spec in enumerate(commitments)
    ]
    agreement = Agreement.objects.create(
        title=title,
        community=community,
        unit=unit,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=_actor(actor),
    )
    Commitment.objects.bulk_create(
        [
            Commitment(
                agreement=agreement,
                side=s.side,
                content=s.content,
                target=s.target,
                measure=s.measure,
            )
            for s in specs
        ]
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=agreement,
        changes={
            "community": community.pk,
            "unit": unit.pk,
            "valid": [valid_from, valid_until],
            "commitments": [[s.side, s.content, str(s.target), s.measure] for s in specs],
        },
    )
    return agreement


def _require_live(agreement: Agreement) -> None:
    if agreement.ended_on is not None:
        raise Conflict(MSG_AGREEMENT_ENDED, field="agreement", code=Code.AGREEMENT_ENDED)


@transaction.atomic
def commitment_add(*, actor, agreement: Agreement, spec: CommitmentSpec) -> Commitment:
    access.require_act_for_side(actor, agreement, Commitment.Side.COMMUNITY)
    spec = _clean_commitment(spec)
    _require_live(agreement)
    commitment = Commitment.objects.create(
        agreement=agreement,
        side=spec.side,
        content=spec.content,
        target=spec.target,
        measure=spec.measure,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=commitment,
        changes={"agreement": agreement.pk, "side": spec.side, "target": str(spec.target)},
    )
    return commitment


@transaction.atomic
def commitment_record(*, actor, commitment: Commitment, achieved) -> Commitment:
    """The committed side records how much it has achieved so far."""
    agreement = commitment.agreement
    access.require_act_for_side(actor, agreement, commitment.side)
    achieved = _decimal(achieved, field="achieved", message=MSG_ACHIEVED, code=Code.BAD_ACHIEVED)
    _require_live(agreement)
    before = commitment.achieved
    commitment.achieved = achieved
    commitment.save(update_fields=["achieved"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=commitment,
        changes={"achieved": {"old": str(before), "new": str(achieved)}},
    )
    return commitment


@transaction.atomic
def agreement_review(
    *, actor, agreement: Agreement, year: int, reviewer: str, score: int, comment: str = ""
) -> AgreementReview:
    """双向考核: each side scores the other once a year (0–100). The community side is
    its staff; the unit side is the unit's party org (see access.can_act_for_side)."""
    reviewer = _choice(
        reviewer,
        AgreementReview.Reviewer,
        field="reviewer",
        message=MSG_REVIEWER,
        code=Code.BAD_REVIEWER,
    )
    access.require_act_for_side(actor, agreement, reviewer)
    year = _integer(
        year,
        field="year",
        low=1949,
        high=9999,
        message=MSG_REVIEW_YEAR,
        code=Code.BAD_REVIEW_YEAR,
    )
    last_year = timezone.localdate().year
    if agreement.valid_until is not None:
        last_year = min(last_year, agreement.valid_until.year)
    if agreement.ended_on is not None:
        last_year = min(last_year, agreement.ended_on.year)
    if not agreement.valid_from.year <= year <= last_year:
        raise ValidationFailed(MSG_REVIEW_YEAR, field="year", code=Code.BAD_REVIEW_YEAR)
    score = _integer(
        score,
        field="score",
        low=0,
        high=100,
        message=MSG_REVIEW_SCORE,
        code=Code.BAD_REVIEW_SCORE,
    )
    comment = _text(comment, field="comment", max_length=500)
    if AgreementReview.objects.filter(agreement=agreement, year=year, reviewer=reviewer).exists():
        raise Conflict(MSG_REVIEW_EXISTS, field="year", code=Code.REVIEW_EXISTS)
    try:
        with transaction.atomic():
            review = AgreementReview.objects.create(
                agreement=agreement,
                year=year,
                reviewer=reviewer,
                score=score,
                comment=comment,
                reviewed_by=_actor(actor),
            )
    except IntegrityError:
        raise Conflict(MSG_REVIEW_EXISTS, field="year", code=Code.REVIEW_EXISTS) from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=review,
        changes={"agreement": agreement.pk, "year": year, "reviewer": reviewer, "score": score},
    )
    return review


@transaction.atomic
def agreement_end(
    *, actor, agreement: Agreement, ended_on: datetime.date | None = None
) -> Agreement:
    access.require_act_for_side(actor, agreement, Commitment.Side.COMMUNITY)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_live(agreement)
    ended_on = ended_on or timezone.localdate()
    if ended_on < agreement.valid_from:
        raise ValidationFailed(MSG_WINDOW_ORDER, field="ended_on", code=Code.ENDS_BEFORE_START)
    agreement.ended_on = ended_on
    agreement.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=agreement,
        changes={"ended_on": ended_on},
    )
    return agreement
