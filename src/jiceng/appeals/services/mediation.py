"""Mediation of dispute cases (枫桥经验: settled locally): the parties and the outcome."""

import datetime

from django.db import transaction

from jiceng.appeals import access
from jiceng.appeals.errors import MSG_NOT_MEDIATION, MSG_OUTCOME, MSG_PARTIES
from jiceng.appeals.models import Appeal, Mediation
from jiceng.appeals.services.handling import _event
from jiceng.core.audit import audit_record
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.validators import clean_name


@transaction.atomic
def mediation_record(
    *,
    actor,
    appeal: Appeal,
    parties: list[str],
    outcome: str = "",
    agreement: str = "",
    mediator: str = "",
    mediated_on: datetime.date | None = None,
) -> Mediation:
    """Record the parties and the outcome of a dispute case (枫桥经验: settled locally)."""
    access.require_handle(actor, appeal)
    if not appeal.category.is_mediation:
        raise ValidationFailed(MSG_NOT_MEDIATION, field="category")
    parties = [clean_name(p) for p in parties if clean_name(p)]
    if len(parties) < 2:
        raise ValidationFailed(MSG_PARTIES, field="parties")
    if outcome and outcome not in Mediation.Outcome.values:
        raise ValidationFailed(MSG_OUTCOME, field="outcome")
    mediation, _created = Mediation.objects.update_or_create(
        appeal=appeal,
        defaults={
            "parties": parties[:10],
            "outcome": outcome,
            "agreement": (agreement or "").strip()[:2000],
            "mediator": (mediator or "").strip()[:50],
            "mediated_on": mediated_on,
        },
    )
    _event(appeal, "mediation", actor=actor, from_state=appeal.state, data={"outcome": outcome})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=mediation,
        changes={"parties": len(parties), "outcome": outcome},
    )
    return mediation
