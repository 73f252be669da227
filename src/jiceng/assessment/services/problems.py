"""The problem list (问题清单) and the rectification list (整改清单): problems raised by
the review, by inspections, by weak-org rectification or otherwise (other apps call
`problem_raise`); one rectification item per problem, tracked to closure (销号) with
evidence and the upper level's confirmation; overdue items marked once by the daily
check and escalated to the level above."""

import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.assessment import access, states
from jiceng.assessment.errors import (
    MSG_BAD_CHOICE,
    MSG_EVIDENCE_FULL,
    MSG_EVIDENCE_REQUIRED,
    MSG_EVIDENCE_TYPE,
    MSG_HAS_RECTIFICATION,
    MSG_ORG_CLOSED,
    MSG_REASON_REQUIRED,
    MSG_YEAR,
    AssessmentErrorCode,
    conflict,
    invalid,
)
from jiceng.assessment.models import (
    CAPTION_MAX,
    EVIDENCE_PER_ITEM,
    MEASURE_MAX,
    OWNER_MAX,
    TEXT_MAX,
    Evidence,
    Problem,
    Rectification,
)
from jiceng.assessment.services._common import (
    audit_create,
    audit_update,
    stored_actor,
)
from jiceng.assessment.services._common import (
    checked_date as date,
)
from jiceng.assessment.services._common import checked_text as clean_text
from jiceng.core import uploads
from jiceng.core.access import require
from jiceng.core.audit import AuditLine, audit_record_many
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.orgs.models import PartyOrg

Code = AssessmentErrorCode


def _year(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise invalid(MSG_YEAR, Code.YEAR, "year")
    return value


@transaction.atomic
def problem_raise(
    *,
    actor,
    org: PartyOrg,
    source: str,
    text: str,
    year: int,
    source_ref: str = "",
    assessment=None,
) -> Problem:
    """Put a problem on the org's list for `year`. `source`: Problem.Source (review,
    inspection, weak_org, other); `source_ref` names the record it came from in the
    raising app. Raised by the upper level (or the system)."""
    require(actor, org, access.can_raise_problem(actor, org))
    if source not in Problem.Source.values:
        raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, "source")
    if not org.is_open:
        raise conflict(MSG_ORG_CLOSED, Code.ORG_CLOSED, "org")
    problem = Problem.objects.create(
        org=org,
        year=_year(year),
        source=source,
        source_ref=clean_text(source_ref, field="source_ref", max_length=80),
        assessment=assessment,
        text=clean_text(text, field="text", max_length=TEXT_MAX, required=True, kind="multiline"),
        raised_by=stored_actor(actor),
    )
    audit_create(
        actor,
        problem,
        {"org": org.pk, "year": problem.year, "source": source, "text": problem.text},
    )
    return problem


@transaction.atomic
def rectification_create(
    *,
    actor,
    problem: Problem,
    owner: str,
    measures: str,
    deadline: datetime.date,
    owner_account=None,
) -> Rectification:
    """The problem's rectification item: who answers for it, the measures and the
    deadline. Set by the upper level; one per problem."""
    locked = access.get_problem_for_rectification(actor, problem.pk)
    if Rectification.objects.filter(problem=locked).exists():
        raise conflict(MSG_HAS_RECTIFICATION, Code.HAS_RECTIFICATION, "problem")
    item = Rectification.objects.create(
        problem=locked,
        org=locked.org,
        owner=clean_text(owner, field="owner", max_length=OWNER_MAX, required=True, kind="name"),
        owner_account=owner_account,
        measures=clean_text(
            measures, field="measures", max_length=MEASURE_MAX, required=True, kind="multiline"
        ),
        deadline=date(deadline, field="deadline"),
    )
    audit_create(
        actor,
        item,
        {
            "problem": locked.pk,
            "owner": item.owner,
            "measures": item.measures,
            "deadline": item.deadline,
        },
    )
    return item


def _stored_file(upload, item: Rectification):
    prefix = f"r{item.pk}-"
    try:
        if uploads.is_pdf(upload):
            return uploads.PDF_CONTENT_TYPE, uploads.accept_pdf(upload, field="file", prefix=prefix)
        content = uploads.reencode_image(upload, field="file", prefix=prefix)
    except ValidationFailed as refused:
        if str(refused.message) in (str(uploads.MSG_IMAGE_TYPE), str(uploads.MSG_DOCUMENT_TYPE)):
            raise invalid(MSG_EVIDENCE_TYPE, Code.EVIDENCE_TYPE, "file") from None
        raise invalid(refused.message, Code.EVIDENCE_TYPE, "file") from None
    return uploads.content_type_of(content.name or ""), content


@transaction.atomic
def rectification_attach(*, actor, item: Rectification, upload, caption: str = "") -> Evidence:
    """Evidence of the rectification: a photo (re-encoded) or a PDF (checked by content)."""
    locked = access.get_rectification_for(actor, item.pk, access.can_act_on_rectification)
    states.rectification_step(locked, "attach")
    caption = clean_text(caption, field="caption", max_length=CAPTION_MAX)
    if upload is None or not getattr(upload, "size", 0):
        raise invalid(MSG_EVIDENCE_REQUIRED, Code.EVIDENCE_REQUIRED, "file")
    if locked.evidence.count() >= EVIDENCE_PER_ITEM:
        message = str(MSG_EVIDENCE_FULL).format(limit=EVIDENCE_PER_ITEM)
        raise conflict(message, Code.EVIDENCE_FULL, "file")
    content_type, content = _stored_file(upload, locked)
    evidence = Evidence(
        rectification=locked,
        content_type=content_type,
        caption=caption,
        uploaded_by=stored_actor(actor),
    )
    evidence.file.save(content.name, content, save=False)
    evidence.save()
    audit_create(
        actor,
        evidence,
        {"rectification": locked.pk, "content_type": content_type, "caption": caption},
    )
    return evidence


@transaction.atomic
def rectification_submit(*, actor, item: Rectification, note: str) -> Rectification:
    """申请销号: the owner says what was done; at least one piece of evidence is needed."""
    locked = access.get_rectification_for(actor, item.pk, access.can_act_on_rectification)
    note = clean_text(note, field="note", max_length=TEXT_MAX, required=True, kind="multiline")
    before = states.rectification_step(locked, "submit")
    if not locked.evidence.exists():
        raise invalid(MSG_EVIDENCE_REQUIRED, Code.EVIDENCE_REQUIRED, "file")
    locked.closure_note = note
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["state", "closure_note", "submitted_at"])
    audit_update(
        actor, locked, {"state": {"old": before, "new": locked.state}, "closure_note": note}
    )
    return locked


@transaction.atomic
def rectification_confirm(*, actor, item: Rectification) -> Rectification:
    """The upper level confirms the closure (销号)."""
    locked = access.get_rectification_for(actor, item.pk, access.can_confirm_rectification)
    before = states.rectification_step(locked, "confirm")
    locked.closed_at = timezone.now()
    locked.closed_by = stored_actor(actor)
    locked.save(update_fields=["state", "closed_at", "closed_by"])
    audit_update(actor, locked, {"state": {"old": before, "new": locked.state}})
    return locked


@transaction.atomic
def rectification_return(*, actor, item: Rectification, reason: str) -> Rectification:
    """The upper level sends the item back: the rectification is not done yet."""
    locked = access.get_rectification_for(actor, item.pk, access.can_confirm_rectification)
    reason = clean_text(reason, field="reason", max_length=TEXT_MAX, kind="multiline")
    if not reason:
        raise invalid(MSG_REASON_REQUIRED, Code.REASON_REQUIRED, "reason")
    before = states.rectification_step(locked, "return")
    locked.return_reason = reason
    locked.save(update_fields=["state", "return_reason"])
    audit_update(
        actor, locked, {"state": {"old": before, "new": locked.state}, "return_reason": reason}
    )
    return locked


@transaction.atomic
def rectification_overdue_check(*, today: datetime.date | None = None) -> int:
    """Mark, once, every item past its deadline and not closed, and escalate it to the
    area above the org's (whose workbench then shows it). Run daily
    (`jiceng assessment_overdue`); returns how many were marked."""
    today = today or timezone.localdate()
    due = list(
        Rectification.objects.select_for_update(of=("self",))
        .filter(deadline__lt=today, overdue_marked_at__isnull=True)
        .exclude(state=Rectification.State.CLOSED)
        .select_related("org__area")
    )
    now = timezone.now()
    lines = []
    for item in due:
        item.overdue_marked_at = now
        item.escalated_to_id = item.org.area.parent_id or item.org.area_id
        lines.append(
            AuditLine(
                actor=None,
                action=AuditEntry.Action.UPDATE,
                target=item,
                changes={"overdue": True, "escalated_to": item.escalated_to_id},
            )
        )
    Rectification.objects.bulk_update(due, ["overdue_marked_at", "escalated_to"])
    if lines:
        audit_record_many(lines)
    return len(due)
