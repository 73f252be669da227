"""The annual report (述职) and its review (评议). At year end the system drafts the
report from the year's data — each scheme item's figure, the task list's items done
and not done — as editable text; the secretary edits and submits it; the named
reviewers (the upper committee's members, members' representatives) each give 好 /
较好 / 一般 / 差 with comments; the upper level concludes the review, which scores the
assessment and puts the problems found on the problem list."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.assessment import access, figures, given_grades, states
from jiceng.assessment.errors import (
    MSG_BAD_CHOICE,
    MSG_REVIEW_GIVEN,
    MSG_REVIEWER_EXISTS,
    MSG_REVIEWS_MISSING,
    MSG_STALE_VERSION,
    AssessmentErrorCode,
    conflict,
    invalid,
)
from jiceng.assessment.models import (
    COMMENT_MAX,
    REPORT_MAX,
    TEXT_MAX,
    Grade,
    Problem,
    Report,
    Reviewer,
)
from jiceng.assessment.services._common import audit_create, audit_update
from jiceng.assessment.services._common import checked_text as text
from jiceng.assessment.services.assessments import SCORE_FIELDS, score
from jiceng.assessment.services.problems import problem_raise
from jiceng.core.models import Area

Code = AssessmentErrorCode


def given_grade_lines(assessment, viewer) -> list[str]:
    """A street committee's report also lists the grades its street gave this year
    (assessment.given_grades: the field-office heads it assessed), as the writer may see
    them; other orgs' reports have no such section."""
    area = assessment.org.area
    if area.level != Area.Level.STREET:
        return []
    lines: list[str] = []
    for section in given_grades.sections(viewer, area, assessment.year):
        lines += ["", f"{section.label}（{len(section.rows)}）"]
        lines += [
            f"- {row.subject}（{row.department}）{row.person}：{row.grade}"
            + (f"。{row.comment}" if row.comment else "")
            for row in section.rows
        ] or ["- " + _("本年度未记录")]
    return lines


def draft_text(report: Report, viewer=None) -> str:
    """The report as the system drafts it from the year's data (what other apps give
    it, as `viewer`, the writer, may see; None: the system)."""
    assessment = report.assessment
    tasks = list(assessment.tasks.all())
    done = [t for t in tasks if t.is_done]
    undone = [t for t in tasks if not t.is_done]
    lines = [
        _("%(org)s %(year)s 年度书记抓基层党建工作述职")
        % {"org": assessment.org.name, "year": assessment.year},
        "",
        _("一、考核指标完成情况"),
    ]
    for line in current_figures(assessment):
        parts = ""
        if line["denominator"] is not None:
            parts = f"（{line['numerator']}/{line['denominator']}）"
        lines.append(f"- {line['label']}：{line['shown']}{parts}")
    lines += [
        "",
        _("二、任务清单完成情况（已完成 %(done)d 项，未完成 %(undone)d 项）")
        % {"done": len(done), "undone": len(undone)},
    ]
    for task in done:
        lines.append(f"- [{_('已完成')}] {task.text}：{task.done_note}")
    for task in undone:
        lines.append(f"- [{_('未完成')}] {task.text}")
    lines += given_grade_lines(assessment, viewer)
    lines += ["", _("三、存在的问题和不足"), "", _("四、下一步工作打算"), ""]
    return "\n".join(lines)[:REPORT_MAX]


def current_figures(assessment) -> list[dict]:
    """The figures as last scored, or computed now when never scored."""
    if assessment.figures:
        return assessment.figures
    items = list(assessment.scheme.items.all())
    return [line.as_dict() for line in figures.lines_for(assessment, items)]


@transaction.atomic
def report_draft(*, actor, report: Report) -> Report:
    """(Re)draft the report from the data; allowed while it is a draft."""
    locked = access.get_report_for(actor, report.pk, access.can_write_report)
    states.report_step(locked, "edit")
    locked.text = draft_text(locked, actor)
    locked.drafted_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["text", "drafted_at", "version"])
    audit_update(actor, locked, {"drafted": True})
    return locked


@transaction.atomic
def report_edit(*, actor, report: Report, body: str, version: int | None = None) -> Report:
    """The secretary's edit of the draft; `version` guards against a lost update."""
    locked = access.get_report_for(actor, report.pk, access.can_write_report)
    states.report_step(locked, "edit")
    if version is not None and version != locked.version:
        raise conflict(MSG_STALE_VERSION, Code.STALE_VERSION, "version")
    locked.text = text(body, field="text", max_length=REPORT_MAX, required=True, kind="multiline")
    locked.version += 1
    locked.save(update_fields=["text", "version"])
    audit_update(actor, locked, {"text": locked.text})
    return locked


@transaction.atomic
def report_submit(*, actor, report: Report) -> Report:
    locked = access.get_report_for(actor, report.pk, access.can_write_report)
    text(locked.text, field="text", max_length=REPORT_MAX, required=True, kind="multiline")
    before = states.report_step(locked, "submit")
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["state", "submitted_at"])
    audit_update(actor, locked, {"state": {"old": before, "new": locked.state}})
    return locked


@transaction.atomic
def reviewer_add(*, actor, report: Report, account, capacity: str) -> Reviewer:
    """Name someone entitled to review (by the upper level), before the review ends."""
    locked = access.get_report_for(actor, report.pk, access.can_conclude_report)
    if locked.state not in (Report.State.DRAFT, Report.State.SUBMITTED):
        states.report_step(locked, "review")
    if capacity not in Reviewer.Capacity.values:
        raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, "capacity")
    if account is None or not getattr(account, "is_active", False):
        raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, "account")
    if locked.reviewers.filter(account=account).exists():
        raise conflict(MSG_REVIEWER_EXISTS, Code.REVIEWER_EXISTS, "account")
    row = Reviewer.objects.create(report=locked, account=account, capacity=capacity)
    audit_create(actor, row, {"report": locked.pk, "account": account.pk, "capacity": capacity})
    return row


@transaction.atomic
def review_give(*, actor, reviewer: Reviewer, grade: str, comment: str = "") -> Reviewer:
    """A named reviewer's grade and comments on a submitted report; once, and only by
    the reviewer named."""
    row = access.get_reviewer_for_review(actor, reviewer.pk)
    locked = Report.objects.select_for_update().get(pk=row.report_id)
    states.report_step(locked, "review")
    if row.given_at is not None:
        raise conflict(MSG_REVIEW_GIVEN, Code.REVIEW_GIVEN, "grade")
    if grade not in Grade.values:
        raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, "grade")
    row.grade = grade
    row.comment = text(comment, field="comment", max_length=COMMENT_MAX, kind="multiline")
    row.given_at = timezone.now()
    row.save(update_fields=["grade", "comment", "given_at"])
    audit_update(actor, row, {"grade": grade, "comment": row.comment})
    return row


@transaction.atomic
def report_conclude(*, actor, report: Report, problems: list[str] | None = None) -> Report:
    """The upper level concludes the review once every named reviewer has graded: the
    assessment is scored (grade and total) and the problems found go on the list."""
    locked = access.get_report_for(actor, report.pk, access.can_conclude_report)
    if locked.state == Report.State.SUBMITTED:
        missing = locked.reviewers.filter(given_at__isnull=True).count()
        if missing or not locked.reviewers.exists():
            message = str(MSG_REVIEWS_MISSING).format(missing=missing)
            raise conflict(message, Code.REVIEWS_MISSING, "reviewers")
    found = [
        text(p, field=f"problems.{i}", max_length=TEXT_MAX, kind="multiline")
        for i, p in enumerate(problems or [])
    ]
    before = states.report_step(locked, "conclude")
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["state", "reviewed_at"])
    assessment = locked.assessment
    assessment.report = locked
    score(assessment, refresh=False)
    assessment.save(update_fields=SCORE_FIELDS)
    for words in found:
        if words:
            problem_raise(
                actor=actor,
                org=assessment.org,
                source=Problem.Source.REVIEW,
                text=words,
                year=assessment.year,
                assessment=assessment,
            )
    audit_update(
        actor,
        locked,
        {
            "state": {"old": before, "new": locked.state},
            "grade": assessment.grade,
            "score": assessment.score,
        },
    )
    return locked
