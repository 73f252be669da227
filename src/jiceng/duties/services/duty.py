"""Duty applications (职责下沉准入): a department drafts and submits, the district
admits, refuses or revokes — each step through `duties.states` with its audit entry —
and the check the linkage app calls before a department's task goes to streets
(`require_admitted`). Tasks a street marks as outside its list are recorded here too."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiceng.appeals.models import HandlingUnit
from jiceng.core.access import require
from jiceng.core.errors import NotFound
from jiceng.core.models import Area
from jiceng.core.types import Actor
from jiceng.duties import access, states, validators
from jiceng.duties.errors import (
    MSG_DUTY_MISSING,
    MSG_DUTY_NOT_ADMITTED,
    MSG_DUTY_NOT_COVERING,
    MSG_DUTY_OTHER_DEPARTMENT,
    MSG_NO_DISTRICT,
    MSG_NOT_DEPARTMENT,
    MSG_REASON_REQUIRED,
    MSG_STREET_OUTSIDE,
    MSG_STREETS_REQUIRED,
    DutyErrorCode,
    DutyNotAdmitted,
    invalid,
)
from jiceng.duties.models import Duty, DutyTarget, OutsideListReport
from jiceng.duties.services._common import (
    audit_create,
    audit_update,
    check_street,
    district_of,
    serving_department,
    stored_actor,
    street_of,
)


def _department_district(department: HandlingUnit) -> Area:
    if not access.is_department(department):
        raise invalid(MSG_NOT_DEPARTMENT, DutyErrorCode.NOT_DEPARTMENT, "department")
    district = district_of(department.area)
    if district is None:
        raise invalid(MSG_NO_DISTRICT, DutyErrorCode.NO_DISTRICT, "department")
    return district


def _target_streets(district: Area, streets: Iterable[Area]) -> list[Area]:
    chosen = list({s.pk: s for s in streets}.values())
    if not chosen:
        raise invalid(MSG_STREETS_REQUIRED, DutyErrorCode.STREETS_REQUIRED, "streets")
    for street in chosen:
        if street.level != Area.Level.STREET or not street.is_within(district):
            raise invalid(MSG_STREET_OUTSIDE, DutyErrorCode.STREET_OUTSIDE, "streets")
    return sorted(chosen, key=lambda s: s.code)


def duty_apply(
    *,
    actor: Actor,
    department: HandlingUnit,
    title: str,
    description: str,
    legal_basis: str,
    expected_volume: str,
    target_level: str,
    staff_count: int,
    funds_yuan: Decimal | int | str,
    streets: Sequence[Area],
    resources_note: str = "",
    submit: bool = False,
) -> Duty:
    """A department's application, with its target streets, kept as a draft or
    submitted for review at once. Everything is checked before anything is written."""
    district = _department_district(department)
    require(actor, department, actor is None or access.can_apply(actor, department))
    fields = {
        "title": validators.text(title, model=Duty, field="title", required=True),
        "description": validators.text(
            description, model=Duty, field="description", required=True, kind="multiline"
        ),
        "legal_basis": validators.text(
            legal_basis, model=Duty, field="legal_basis", required=True, kind="multiline"
        ),
        "expected_volume": validators.text(
            expected_volume, model=Duty, field="expected_volume", required=True
        ),
        "resources_note": validators.text(
            resources_note, model=Duty, field="resources_note", kind="multiline"
        ),
        "target_level": validators.choice(target_level, Duty.Level, field="target_level"),
        "staff_count": validators.count(staff_count, field="staff_count"),
        "funds_yuan": validators.amount(funds_yuan, field="funds_yuan"),
    }
    targets = _target_streets(district, streets)
    with transaction.atomic():
        duty = Duty.objects.create(
            department=department,
            district=district,
            created_by=stored_actor(actor),
            **fields,
        )
        DutyTarget.objects.bulk_create([DutyTarget(duty=duty, street=s) for s in targets])
        audit_create(
            actor,
            duty,
            {
                "department": department.pk,
                "streets": [s.pk for s in targets],
                "staff_count": fields["staff_count"],
                "funds_yuan": str(fields["funds_yuan"]),
            },
        )
        if submit:
            duty = _step(actor=actor, duty=duty, action="submit", reason="")
    return duty


def _step(*, actor: Actor, duty: Duty, action: str, reason: str) -> Duty:
    transition = states.transition_for(duty, action)
    reason = validators.text(reason, model=Duty, field="reason", kind="multiline")
    if transition.needs_reason and not reason:
        raise invalid(MSG_REASON_REQUIRED, DutyErrorCode.REASON_REQUIRED, "reason")
    before = duty.state
    now = timezone.now()
    duty.state = transition.target
    update = ["state", "updated_at"]
    if action == "submit":
        duty.submitted_at = now
        update.append("submitted_at")
    elif action in ("admit", "refuse", "revoke"):
        duty.decided_at, duty.decided_by = now, stored_actor(actor)
        duty.reason = reason
        update += ["decided_at", "decided_by", "reason"]
    duty.save(update_fields=update)
    audit_update(
        actor,
        duty,
        {"state": {"old": before, "new": duty.state}, "action": action, "reason": reason},
    )
    return duty


def duty_act(*, actor: Actor, duty: Duty, action: str, reason: str = "") -> Duty:
    """One step of the table (submit, withdraw, admit, refuse, revoke) on a duty: the
    actor must be allowed (404 out of sight, 403 otherwise), the state must allow it,
    a refusal and a revocation need the reason."""
    if action not in states.DUTY_TRANSITIONS:
        raise NotFound()
    with transaction.atomic():
        locked = Duty.objects.select_for_update().select_related("department", "district")
        duty = locked.get(pk=duty.pk)
        require(actor, duty, actor is None or access.can_act_on_duty(actor, duty, action))
        return _step(actor=actor, duty=duty, action=action, reason=reason)


# ---- the check the linkage app calls ----------------------------------------------------


def _covers(duty: Duty, place: Area) -> bool:
    street = street_of(place)
    if street is None:
        return False
    return any(t.street_id == street.pk for t in duty.targets.all())


def require_admitted(*, department: HandlingUnit, recipients: Sequence[Area], duty) -> Duty:
    """The admitted duty a department's task to `recipients` (streets, or communities and
    grids under them) rests on; `duty` a Duty, its id, or None. Raises DutyNotAdmitted
    (field "duty", a DutyErrorCode) when it is missing, not admitted now, another
    department's, or not admitted for one of the recipients' streets."""
    if duty is not None and not isinstance(duty, Duty):
        try:
            duty = Duty.objects.filter(pk=int(duty)).first()
        except (TypeError, ValueError):
            duty = None
    if duty is None:
        raise DutyNotAdmitted(MSG_DUTY_MISSING, field="duty", code=str(DutyErrorCode.DUTY_MISSING))
    if duty.department_id != department.pk:
        message = str(MSG_DUTY_OTHER_DEPARTMENT).format(title=duty.title)
        raise DutyNotAdmitted(message, field="duty", code=str(DutyErrorCode.DUTY_OTHER_DEPARTMENT))
    if duty.state != Duty.State.ADMITTED:
        message = str(MSG_DUTY_NOT_ADMITTED).format(
            title=duty.title, state=Duty.State(duty.state).label
        )
        raise DutyNotAdmitted(message, field="duty", code=str(DutyErrorCode.DUTY_NOT_ADMITTED))
    for place in recipients:
        if not _covers(duty, place):
            message = str(MSG_DUTY_NOT_COVERING).format(title=duty.title, place=place.name)
            raise DutyNotAdmitted(message, field="duty", code=str(DutyErrorCode.DUTY_NOT_COVERING))
    return duty


# ---- tasks outside the list (清单外事项) -----------------------------------------------------


def outside_list_report(
    *,
    actor: Actor,
    street: Area,
    department: HandlingUnit,
    description: str,
    task_reference: str = "",
    reported_on: datetime.date | None = None,
) -> OutsideListReport:
    """A street marks a task it received from a department as outside its duty list;
    the district sees it (and the department, whose task it was)."""
    check_street(street)
    require(actor, street, actor is None or access.can_act_for_street(actor, street))
    serving_department(department, street)
    text = validators.text(
        description, model=OutsideListReport, field="description", required=True,
        kind="multiline",
    )  # fmt: skip
    reference = validators.text(
        task_reference, model=OutsideListReport, field="task_reference", kind="code"
    )
    on = validators.date(reported_on or timezone.localdate(), field="reported_on")
    with transaction.atomic():
        report = OutsideListReport.objects.create(
            street=street,
            department=department,
            description=text,
            task_reference=reference,
            reported_on=on,
            reported_by=stored_actor(actor),
        )
        audit_create(actor, report, {"street": street.pk, "department": department.pk})
    return report
