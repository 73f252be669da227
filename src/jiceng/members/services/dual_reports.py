"""Dual reporting (双报到): a unit org or an in-service member reporting to a
community, the post they serve in and the service recorded."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.members import access
from jiceng.members.errors import (
    MSG_COMMUNITY_LEVEL,
    MSG_DATE_FUTURE,
    MSG_HOURS,
    MSG_ORG_CLOSED,
    MSG_REPORT_ENDED,
    MSG_REPORT_EXISTS,
    MSG_REPORT_KIND,
    MSG_TASK,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.events import member_event
from jiceng.members.models import (
    DualReport,
    Member,
    MemberEvent,
    ServiceRecord,
)
from jiceng.orgs.models import PartyOrg


def _check_community(community: Area) -> None:
    if community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY_LEVEL, field="community", code=Code.COMMUNITY_REQUIRED)


@transaction.atomic
def dual_report_unit_org(
    *, actor, unit_org: PartyOrg, community: Area, reported_on: datetime.date | None = None
) -> DualReport:
    """A unit's org reports to the community where the unit sits."""
    access.require_manage_org_members(actor, unit_org)
    _check_community(community)
    if unit_org.closed_on is not None:
        raise ValidationFailed(MSG_ORG_CLOSED, field="unit_org", code=Code.ORG_CLOSED)
    return _dual_report_create(
        actor=actor,
        kind=DualReport.Kind.UNIT_ORG,
        community=community,
        reported_on=reported_on,
        unit_org=unit_org,
    )


@transaction.atomic
def dual_report_member(
    *, actor, member: Member, community: Area | None = None, reported_on=None
) -> DualReport:
    """An in-service member reports to the community where they live."""
    access.require_manage_member(actor, member)
    community = community or member.residence_community
    if community is None:
        raise ValidationFailed(MSG_COMMUNITY_LEVEL, field="community", code=Code.COMMUNITY_REQUIRED)
    _check_community(community)
    if member.category != Member.Category.IN_SERVICE:
        raise ValidationFailed(MSG_REPORT_KIND, field="member", code=Code.REPORT_NOT_IN_SERVICE)
    report = _dual_report_create(
        actor=actor,
        kind=DualReport.Kind.MEMBER,
        community=community,
        reported_on=reported_on,
        member=member,
    )
    member_event(
        member,
        MemberEvent.Kind.DUAL_REPORTED,
        actor=actor,
        note=str(community),
        data={"report": report.pk},
    )
    return report


def _dual_report_create(*, actor, kind, community, reported_on, **subject) -> DualReport:
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="reported_on", code=Code.DATE_FUTURE)
    open_reports = DualReport.objects.filter(ended_on__isnull=True, **subject)
    if kind == DualReport.Kind.UNIT_ORG:
        open_reports = open_reports.filter(community=community)
    if open_reports.exists():
        raise Conflict(MSG_REPORT_EXISTS, field="community", code=Code.REPORT_EXISTS)
    try:
        with transaction.atomic():
            report = DualReport.objects.create(
                kind=kind, community=community, reported_on=reported_on, **subject
            )
    except IntegrityError:
        raise Conflict(MSG_REPORT_EXISTS, field="community", code=Code.REPORT_EXISTS) from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=report,
        changes={"kind": kind, "community": community.pk},
    )
    return report


@transaction.atomic
def dual_report_assign_post(*, actor, report: DualReport, service_post: str) -> DualReport:
    """The community gives the reporting org or member a post to serve in."""
    access.require_manage_dual_report(actor, report)
    if report.ended_on is not None:
        raise Conflict(MSG_REPORT_ENDED, field="report", code=Code.REPORT_ENDED)
    service_post = (service_post or "").strip()
    if not service_post:
        raise ValidationFailed(MSG_TASK, field="service_post", code=Code.TASK_REQUIRED)
    before = report.service_post
    report.service_post = service_post[:100]
    report.save(update_fields=["service_post"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=report,
        changes={"service_post": {"old": before, "new": report.service_post}},
    )
    return report


@transaction.atomic
def service_record_add(
    *, actor, report: DualReport, task: str, served_on: datetime.date, hours
) -> ServiceRecord:
    """The community records service done; the unit org sees it as the report-back."""
    access.require_manage_dual_report(actor, report)
    if report.ended_on is not None:
        raise Conflict(MSG_REPORT_ENDED, field="report", code=Code.REPORT_ENDED)
    task = (task or "").strip()
    if not task:
        raise ValidationFailed(MSG_TASK, field="task", code=Code.TASK_REQUIRED)
    if served_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="served_on", code=Code.DATE_FUTURE)
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except ArithmeticError:
        raise ValidationFailed(MSG_HOURS, field="hours", code=Code.BAD_HOURS) from None
    if not Decimal("0.5") <= hours <= Decimal("24"):
        raise ValidationFailed(MSG_HOURS, field="hours", code=Code.BAD_HOURS)
    record = ServiceRecord.objects.create(
        report=report,
        task=task[:150],
        served_on=served_on,
        hours=hours,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if report.member_id:
        member_event(
            report.member,
            MemberEvent.Kind.SERVICE_RECORDED,
            actor=actor,
            note=task,
            data={"hours": str(hours), "served_on": served_on.isoformat()},
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=record,
        changes={"task": task, "served_on": served_on, "hours": str(hours)},
    )
    return record


@transaction.atomic
def dual_report_end(*, actor, report: DualReport, ended_on: datetime.date | None = None):
    access.require_manage_dual_report(actor, report)
    if report.ended_on is not None:
        raise Conflict(MSG_REPORT_ENDED, field="report", code=Code.REPORT_ENDED)
    report.ended_on = ended_on or timezone.localdate()
    report.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=report,
        changes={"ended_on": report.ended_on},
    )
    return report
