"""A year's reviews for many reports at once, for the demo's other streets (and an import
of past results): each report drafted from its data, submitted, graded by one upper-level
reviewer and concluded — the same state table (`states`), drafting and scoring the
services use, written in a few statements with one audit entry per report."""

from django.db import transaction
from django.utils import timezone

from jiceng.assessment import states
from jiceng.assessment.models import Assessment, Report, Reviewer
from jiceng.assessment.services.assessments import SCORE_FIELDS, score
from jiceng.assessment.services.reports import draft_text
from jiceng.core.audit import AuditLine, audit_record_many
from jiceng.core.models import AuditEntry


@transaction.atomic
def review_many(*, actor, reports: list[Report], reviewer, grades: list[str]) -> int:
    """Draft, submit, review (by `reviewer`, `grades` in turn) and conclude each draft
    report of `reports`; returns how many."""
    now = timezone.now()
    ids = [r.pk for r in reports]
    locked = list(
        Report.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, state=Report.State.DRAFT)
        .select_related("assessment__org__area", "assessment__scheme")
        .prefetch_related("assessment__tasks")
        .order_by("pk")
    )
    rows = []
    for index, report in enumerate(locked):
        report.text = draft_text(report, actor)
        report.drafted_at = report.submitted_at = report.reviewed_at = now
        states.report_step(report, "submit")
        rows.append(
            Reviewer(
                report=report,
                account=reviewer,
                capacity=Reviewer.Capacity.UPPER_COMMITTEE,
                grade=grades[index % len(grades)],
                given_at=now,
            )
        )
        states.report_step(report, "conclude")
    Reviewer.objects.bulk_create(rows)
    Report.objects.bulk_update(
        locked, ["text", "state", "drafted_at", "submitted_at", "reviewed_at"]
    )
    assessments = []
    for report, row in zip(locked, rows, strict=True):
        assessment: Assessment = report.assessment
        report._prefetched_objects_cache = {"reviewers": [row]}
        assessment.report = report
        assessments.append(score(assessment, refresh=False))
    Assessment.objects.bulk_update(assessments, SCORE_FIELDS, batch_size=500)
    audit_record_many(
        [
            AuditLine(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                target=report,
                changes={
                    "state": {"old": Report.State.DRAFT, "new": report.state},
                    "grade": report.assessment.grade,
                    "score": report.assessment.score,
                },
            )
            for report in locked
        ]
    )
    return len(locked)
