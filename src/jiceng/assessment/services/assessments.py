"""The assessed org's year: its task list (任务清单: the scheme's items, and items the
upper level sets), done or not; its score from the scheme (figures from the outcomes,
points by each item's rule, the review part) and its rank among its group."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiceng.assessment import access, figures, scoring
from jiceng.assessment.errors import (
    MSG_NOT_OPEN,
    MSG_PUBLISHED,
    MSG_TASK_DONE,
    AssessmentErrorCode,
    conflict,
)
from jiceng.assessment.models import (
    MEASURE_MAX,
    TEXT_MAX,
    Assessment,
    Report,
    Scheme,
    TaskItem,
)
from jiceng.assessment.services._common import (
    audit_create,
    audit_update,
    stored_actor,
)
from jiceng.assessment.services._common import (
    checked_date as date,
)
from jiceng.assessment.services._common import (
    checked_text as text,
)

Code = AssessmentErrorCode


def _editable(assessment: Assessment) -> None:
    if assessment.scheme.state != Scheme.State.OPEN:
        raise conflict(MSG_NOT_OPEN, Code.NOT_OPEN, "scheme")
    if assessment.scheme.is_published:
        raise conflict(MSG_PUBLISHED, Code.PUBLISHED, "scheme")


@transaction.atomic
def task_set(
    *, actor, assessment: Assessment, task: str, measure: str, deadline: datetime.date
) -> TaskItem:
    """An item the upper level sets on the secretary's task list."""
    locked = access.get_assessment_for(actor, assessment.pk, access.can_manage_assessment)
    _editable(locked)
    item = TaskItem.objects.create(
        assessment=locked,
        source=TaskItem.Source.UPPER,
        text=text(task, field="task", max_length=TEXT_MAX, required=True, kind="multiline"),
        measure=text(measure, field="measure", max_length=MEASURE_MAX, kind="multiline"),
        deadline=date(deadline, field="deadline"),
        created_by=stored_actor(actor),
    )
    audit_create(
        actor,
        item,
        {
            "assessment": locked.pk,
            "text": item.text,
            "measure": item.measure,
            "deadline": item.deadline,
        },
    )
    return item


@transaction.atomic
def task_done(
    *, actor, task: TaskItem, note: str, done_on: datetime.date | None = None
) -> TaskItem:
    """The secretary records a task as done, with what was done."""
    locked = access.get_task_for_done(actor, task.pk)
    _editable(locked.assessment)
    if locked.is_done:
        raise conflict(MSG_TASK_DONE, Code.TASK_DONE, "task")
    locked.done_note = text(
        note, field="note", max_length=TEXT_MAX, required=True, kind="multiline"
    )
    locked.done_on = date(done_on or timezone.localdate(), field="done_on")
    locked.save(update_fields=["done_note", "done_on"])
    audit_update(actor, locked, {"done_on": locked.done_on, "done_note": locked.done_note})
    return locked


def score(assessment: Assessment, items=None, *, refresh: bool = True) -> Assessment:
    """Compute (in memory) the assessment's figures and item part — or, with `refresh`
    False, keep those last computed when there are any (the district refreshes them all
    with `scheme_score`) — and, once its review is concluded, the review part, total and
    grade."""
    if refresh or not assessment.figures:
        items = items if items is not None else list(assessment.scheme.items.all())
        lines = figures.lines_for(assessment, items)
        assessment.figures = [line.as_dict() for line in lines]
    assessment.item_score = sum((Decimal(f["points"]) for f in assessment.figures), Decimal("0.00"))
    report = getattr(assessment, "report", None)
    grades = []
    if report is not None and report.state in (Report.State.REVIEWED, Report.State.PUBLISHED):
        grades = [r.grade for r in report.reviewers.all() if r.grade]
    mean = scoring.review_mean(grades)
    if mean is None:
        assessment.review_score = assessment.score = None
        assessment.grade = ""
    else:
        assessment.review_score = mean
        assessment.grade = scoring.grade_for(mean)
        assessment.score = scoring.total(
            assessment.item_score, mean, assessment.scheme.review_weight
        )
    assessment.scored_at = timezone.now()
    return assessment


SCORE_FIELDS = ["figures", "item_score", "review_score", "score", "grade", "scored_at"]


def rank(scheme: Scheme) -> None:
    """Rank each group's scored assessments by total, highest first; equal totals
    share a rank (1, 2, 2, 4)."""
    rows = list(Assessment.objects.filter(scheme=scheme).order_by("group", "-score", "org_id"))
    previous: tuple[str, Decimal | None] | None = None
    position = shown = 0
    group = None
    for row in rows:
        if row.group != group:
            group, position, previous = row.group, 0, None
        position += 1
        if row.score is None:
            row.rank = None
            continue
        if previous != (row.group, row.score):
            shown = position
        row.rank = shown
        previous = (row.group, row.score)
    Assessment.objects.bulk_update(rows, ["rank"])


@transaction.atomic
def scheme_score(*, actor, scheme: Scheme) -> int:
    """Recompute every assessment of the scheme from the data as it stands, and rank."""
    locked = access.get_scheme_for_manage(actor, scheme.pk)
    if locked.state != Scheme.State.OPEN:
        raise conflict(MSG_NOT_OPEN, Code.NOT_OPEN, "scheme")
    if locked.is_published:
        raise conflict(MSG_PUBLISHED, Code.PUBLISHED, "scheme")
    items = list(locked.items.all())
    rows = list(
        Assessment.objects.filter(scheme=locked)
        .select_related("org__area", "scheme", "report")
        .prefetch_related("report__reviewers")
    )
    for row in rows:
        score(row, items)
    Assessment.objects.bulk_update(rows, SCORE_FIELDS, batch_size=500)
    rank(locked)
    audit_update(actor, locked, {"scored": len(rows)})
    return len(rows)
