"""The street's five powers over department field offices (五项权力), as records and
requests: the yearly assessment of field-office heads (人事考核权), and requests with a
deadline and an answer — consent asked by a department of the street (征得同意权),
the street's planning participation (规划参与权), its major-matter proposals (重大事项
建议权) and coordination requests (综合管理权)."""

import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.appeals.models import HandlingUnit
from jiceng.core.access import require
from jiceng.core.errors import NotFound
from jiceng.core.models import Area
from jiceng.core.types import Actor
from jiceng.duties import access, states, validators
from jiceng.duties.errors import (
    MSG_ANSWER_NOT_FOR_KIND,
    MSG_DEPARTMENT_REQUIRED,
    MSG_DUE_IN_PAST,
    MSG_REASON_REQUIRED,
    MSG_STREET_OUTSIDE,
    MSG_YEAR,
    DutyErrorCode,
    invalid,
)
from jiceng.duties.models import FieldOfficeAssessment, PowerRequest
from jiceng.duties.services._common import (
    audit_create,
    audit_update,
    check_street,
    district_of,
    serving_department,
    stored_actor,
)

Kind = PowerRequest.Kind


# ---- 人事考核权 ------------------------------------------------------------------------------


def assessment_record(
    *,
    actor: Actor,
    street: Area,
    department: HandlingUnit,
    office_name: str,
    head_name: str,
    year: int,
    grade: str,
    comment: str = "",
) -> FieldOfficeAssessment:
    """The street's assessment of a field office's head for a year: one per office and
    year; recording it again replaces the grade and comment (the audit keeps both)."""
    check_street(street)
    require(actor, street, actor is None or access.can_act_for_street(actor, street))
    serving_department(department, street)
    office = validators.text(
        office_name, model=FieldOfficeAssessment, field="office_name", required=True
    )
    head = validators.text(
        head_name, model=FieldOfficeAssessment, field="head_name", required=True, kind="name"
    )
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= this_year + 1:
        raise invalid(MSG_YEAR, DutyErrorCode.YEAR, "year")
    grade = validators.choice(grade, FieldOfficeAssessment.Grade, field="grade")
    comment = validators.text(
        comment, model=FieldOfficeAssessment, field="comment", kind="multiline"
    )
    with transaction.atomic():
        existing = (
            FieldOfficeAssessment.objects.select_for_update()
            .filter(street=street, office_name=office, year=year)
            .first()
        )
        values = {
            "department": department,
            "head_name": head,
            "grade": grade,
            "comment": comment,
            "assessed_by": stored_actor(actor),
            "assessed_at": timezone.now(),
        }
        if existing is None:
            assessment = FieldOfficeAssessment.objects.create(
                street=street, office_name=office, year=year, **values
            )
            audit_create(actor, assessment, {"year": year, "grade": grade})
            return assessment
        before = existing.grade
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        audit_update(actor, existing, {"grade": {"old": before, "new": grade}})
        return existing


# ---- requests with a deadline and an answer ---------------------------------------------


def power_request_create(
    *,
    actor: Actor,
    kind: str,
    street: Area,
    department: HandlingUnit | None,
    subject: str,
    body: str,
    due_on: datetime.date,
) -> PowerRequest:
    """Consent asked by a department of a street, or a street's proposal or
    coordination request to a department (or, for planning and major matters, to the
    district itself when no department is named)."""
    kind = validators.choice(kind, Kind, field="kind")
    check_street(street)
    if department is None and kind in (Kind.CONSENT, Kind.COORDINATION):
        raise invalid(MSG_DEPARTMENT_REQUIRED, DutyErrorCode.DEPARTMENT_REQUIRED, "department")
    if department is not None:
        serving_department(department, street)
    district = district_of(street)
    if district is None:
        raise invalid(MSG_STREET_OUTSIDE, DutyErrorCode.STREET_OUTSIDE, "street")
    allowed = actor is None or access.can_raise_request(actor, kind, street, department)
    asked_of: HandlingUnit | Area = street
    if kind == Kind.CONSENT and department is not None:
        asked_of = department
    require(actor, asked_of, allowed)
    subject = validators.text(subject, model=PowerRequest, field="subject", required=True)
    body = validators.text(body, model=PowerRequest, field="body", required=True, kind="multiline")
    due_on = validators.date(due_on, field="due_on")
    if due_on < timezone.localdate():
        raise invalid(MSG_DUE_IN_PAST, DutyErrorCode.DUE_IN_PAST, "due_on")
    with transaction.atomic():
        request = PowerRequest.objects.create(
            kind=kind,
            street=street,
            district=district,
            department=department,
            subject=subject,
            body=body,
            due_on=due_on,
            created_by=stored_actor(actor),
        )
        audit_create(
            actor,
            request,
            {"kind": kind, "street": street.pk, "department": getattr(department, "pk", None)},
        )
    return request


def _locked(request: PowerRequest, actor: Actor, action: str) -> PowerRequest:
    if action not in states.REQUEST_TRANSITIONS:
        raise NotFound()
    request = (
        PowerRequest.objects.select_for_update(of=("self",))
        .select_related("street", "district", "department")
        .get(pk=request.pk)
    )
    require(actor, request, actor is None or access.can_act_on_request(actor, request, action))
    return request


def power_request_answer(
    *, actor: Actor, request: PowerRequest, answer: str, reason: str = ""
) -> PowerRequest:
    """The answer, with its reason: consent is agreed or not; a proposal or a
    coordination request is adopted, partly adopted or not. Disagreeing needs a reason;
    a consent answer always carries one."""
    answer = validators.choice(answer, PowerRequest.Answer, field="answer")
    reason = validators.text(
        reason, model=PowerRequest, field="answer_reason", kind="multiline", name="reason"
    )
    with transaction.atomic():
        request = _locked(request, actor, "answer")
        transition = states.transition_for(request, "answer")
        if request.kind == Kind.CONSENT and answer == PowerRequest.Answer.PARTLY:
            raise invalid(MSG_ANSWER_NOT_FOR_KIND, DutyErrorCode.ANSWER_NOT_FOR_KIND, "answer")
        needs_reason = request.kind == Kind.CONSENT or answer == PowerRequest.Answer.DISAGREE
        if needs_reason and not reason:
            raise invalid(MSG_REASON_REQUIRED, DutyErrorCode.REASON_REQUIRED, "reason")
        request.state = transition.target
        request.answer, request.answer_reason = answer, reason
        request.answered_at, request.answered_by = timezone.now(), stored_actor(actor)
        request.save(
            update_fields=["state", "answer", "answer_reason", "answered_at", "answered_by"]
        )
        audit_update(
            actor,
            request,
            {"state": {"old": PowerRequest.State.OPEN, "new": request.state}, "answer": answer},
        )
    return request


def power_request_withdraw(*, actor: Actor, request: PowerRequest) -> PowerRequest:
    """The asking side withdraws an open request."""
    with transaction.atomic():
        request = _locked(request, actor, "withdraw")
        transition = states.transition_for(request, "withdraw")
        request.state = transition.target
        request.save(update_fields=["state"])
        audit_update(
            actor, request, {"state": {"old": PowerRequest.State.OPEN, "new": request.state}}
        )
    return request
