"""Democratic appraisal results (民主评议党员) on members' files."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.members import access
from jiceng.members.errors import (
    MSG_APPRAISAL_GRADE,
    MSG_APPRAISAL_YEAR,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.models import (
    Member,
    MemberEvent,
)

APPRAISAL_GRADES = {
    "excellent": _("优秀"),
    "qualified": _("合格"),
    "basically_qualified": _("基本合格"),
    "unqualified": _("不合格"),
}


@transaction.atomic
def member_appraisal_record(
    *, actor, member: Member, year: int, grade: str, source: str = "", data: dict | None = None
) -> MemberEvent:
    """Write the result of a democratic appraisal (民主评议党员) onto the member's file:
    one event per member and year; a later result for the same year is a new event, so
    the file keeps the correction beside the original."""
    return member_appraisal_record_many(
        actor=actor, results=[(member, grade)], year=year, source=source, data=data
    )[0]


@transaction.atomic
def member_appraisal_record_many(
    *,
    actor,
    results: Sequence[tuple[Member, str]],
    year: int,
    source: str = "",
    data: dict | None = None,
) -> list[MemberEvent]:
    """`member_appraisal_record` for a whole meeting's results at once: the same checks,
    one event and one audit entry per member, written in two statements (a branch's
    appraisal covers its whole register)."""
    from jiceng.core.audit import AuditLine, audit_record_many
    from jiceng.members.events import event_actor

    if isinstance(year, bool) or not isinstance(year, int) or not 1921 <= year <= 2200:
        raise ValidationFailed(MSG_APPRAISAL_YEAR, field="year", code=Code.BAD_APPRAISAL_YEAR)
    checked: set[int] = set()
    for member, grade in results:
        if member.org_id not in checked:
            access.require_manage_member(actor, member)
            checked.add(member.org_id)
        if grade not in APPRAISAL_GRADES:
            raise ValidationFailed(
                MSG_APPRAISAL_GRADE, field="grade", code=Code.BAD_APPRAISAL_GRADE
            )
    now = timezone.now()
    events = MemberEvent.objects.bulk_create(
        [
            MemberEvent(
                member=member,
                kind=MemberEvent.Kind.APPRAISED,
                at=now,
                actor=event_actor(actor),
                note=f"{year} {APPRAISAL_GRADES[grade]}",
                data={"year": year, "grade": grade, "source": source[:60], **(data or {})},
            )
            for member, grade in results
        ]
    )
    audit_record_many(
        [
            AuditLine(
                action=AuditEntry.Action.UPDATE,
                target=member,
                changes={"appraisal": {"year": year, "grade": grade}},
                actor=actor,
            )
            for member, grade in results
        ]
    )
    return events


def member_appraisals(member: Member) -> list[MemberEvent]:
    """The member's appraisal results, latest first (the file's own rows)."""
    return list(member.events.filter(kind=MemberEvent.Kind.APPRAISED).order_by("-at", "-id"))
