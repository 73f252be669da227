"""Mediation of dispute cases (枫桥经验: settled locally): the parties and the outcome."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from jiceng.appeals import access, events
from jiceng.appeals.errors import MSG_NOT_MEDIATION, MSG_OUTCOME, MSG_PARTIES, invalid
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal, Mediation
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry
from jiceng.core.types import Actor
from jiceng.core.validators import clean_name


def check_mediation(appeal: Appeal, *, parties: Sequence[str], outcome: str) -> list[str]:
    """A dispute case, two parties at least, a known outcome (or none yet): the parties'
    names as stored. Live and recorded mediations alike."""
    if not appeal.category.is_mediation:
        raise invalid(MSG_NOT_MEDIATION, Code.NOT_MEDIATION, "category")
    names = [clean_name(p) for p in parties if clean_name(p)]
    if len(names) < 2:
        raise invalid(MSG_PARTIES, Code.PARTIES_REQUIRED, "parties")
    if outcome and outcome not in Mediation.Outcome.values:
        raise invalid(MSG_OUTCOME, Code.OUTCOME_INVALID, "outcome")
    return names


@transaction.atomic
def mediation_record(
    *,
    actor: Actor,
    appeal: Appeal,
    parties: list[str],
    outcome: str = "",
    agreement: str = "",
    mediator: str = "",
    mediated_on: datetime.date | None = None,
) -> Mediation:
    """Record the parties and the outcome of a dispute case (枫桥经验: settled locally)."""
    access.require_handle(actor, appeal)
    parties = check_mediation(appeal, parties=parties, outcome=outcome)
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
    events.record(events.mediated(appeal, outcome=outcome, at=timezone.now(), actor=actor))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=mediation,
        changes={"parties": len(parties), "outcome": outcome},
    )
    return mediation
