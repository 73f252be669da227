"""Joint meetings (联席会议) of a big committee: calling, attendance and minutes, and
the decisions as tasks."""

import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.cobuild import access
from jiceng.cobuild.errors import (
    MSG_AGENDA,
    MSG_ATTENDEE,
    MSG_CONTENT,
    MSG_DATE_REQUIRED,
    MSG_DEADLINE,
    MSG_TASK_DONE,
    MSG_TASK_OWNER,
    MSG_TASK_OWNER_COMMITTEE,
    MSG_TITLE,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.models import (
    JointMeeting,
    MeetingAttendance,
    MeetingTask,
)
from jiceng.cobuild.services._common import (
    _actor,
    _text,
)
from jiceng.core.audit import audit_record, changes_between
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.orgs.models import BigCommittee, PartTimeMember


@transaction.atomic
def meeting_create(
    *,
    actor,
    committee: BigCommittee,
    title: str,
    held_on: datetime.date | None,
    agenda: str,
    place: str = "",
) -> JointMeeting:
    """Call a joint meeting of a street's or community's big committee."""
    access.require_manage_committee(actor, committee)
    title = _text(title, field="title", max_length=120, required=MSG_TITLE)
    if not isinstance(held_on, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field="held_on", code=Code.DATE_REQUIRED)
    agenda = _text(agenda, field="agenda", max_length=4000, required=MSG_AGENDA)
    place = _text(place, field="place", max_length=120)
    meeting = JointMeeting.objects.create(
        committee=committee,
        title=title,
        held_on=held_on,
        place=place,
        agenda=agenda,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=meeting,
        changes={"committee": committee.pk, "held_on": held_on, "title": title},
    )
    return meeting


def _serving_on(member: PartTimeMember, day: datetime.date) -> bool:
    return member.started_on <= day and (member.ended_on is None or member.ended_on >= day)


@transaction.atomic
def meeting_record(
    *,
    actor,
    meeting: JointMeeting,
    attendees: list[PartTimeMember],
    minutes: str = "",
) -> JointMeeting:
    """Record who attended (part-time members of this committee serving that day) and
    the minutes. Replaces any earlier record of attendance."""
    access.require_manage_meeting(actor, meeting)
    minutes = _text(minutes, field="minutes", max_length=8000)
    attendees = list({m.pk: m for m in attendees}.values())
    for member in attendees:
        if member.committee_id != meeting.committee_id or not _serving_on(member, meeting.held_on):
            raise ValidationFailed(MSG_ATTENDEE, field="attendees", code=Code.ATTENDEE_NOT_SERVING)
    before = sorted(meeting.attendance.values_list("member_id", flat=True))
    meeting.attendance.all().delete()
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, member=m) for m in attendees]
    )
    old_minutes = meeting.minutes
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=meeting,
        changes=changes_between(
            {"attendees": before, "minutes": old_minutes},
            {"attendees": sorted(m.pk for m in attendees), "minutes": minutes},
        ),
    )
    return meeting


@transaction.atomic
def meeting_task_add(
    *,
    actor,
    meeting: JointMeeting,
    decision: str,
    deadline: datetime.date | None,
    owner_member: PartTimeMember | None = None,
    owner_name: str = "",
) -> MeetingTask:
    """A decision of the meeting becomes a task with an owner (a part-time member, or a
    named person or unit) and a deadline."""
    access.require_manage_meeting(actor, meeting)
    decision = _text(decision, field="decision", max_length=300, required=MSG_CONTENT)
    owner_name = _text(owner_name, field="owner_name", max_length=100)
    if owner_member is None and not owner_name:
        raise ValidationFailed(MSG_TASK_OWNER, field="owner_name", code=Code.TASK_OWNER_REQUIRED)
    if owner_member is not None and owner_member.committee_id != meeting.committee_id:
        raise ValidationFailed(
            MSG_TASK_OWNER_COMMITTEE,
            field="owner_member",
            code=Code.TASK_OWNER_NOT_ON_COMMITTEE,
        )
    if not isinstance(deadline, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field="deadline", code=Code.DATE_REQUIRED)
    if deadline < meeting.held_on:
        raise ValidationFailed(MSG_DEADLINE, field="deadline", code=Code.DEADLINE_BEFORE_MEETING)
    task = MeetingTask.objects.create(
        meeting=meeting,
        decision=decision,
        owner_member=owner_member,
        owner_name=owner_name,
        deadline=deadline,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=task,
        changes={
            "meeting": meeting.pk,
            "deadline": deadline,
            "owner_member": owner_member.pk if owner_member else None,
            "owner_name": owner_name,
        },
    )
    return task


@transaction.atomic
def meeting_task_done(*, actor, task: MeetingTask, note: str = "") -> MeetingTask:
    access.require_manage_task(actor, task)
    note = _text(note, field="note", max_length=500)
    locked = MeetingTask.objects.select_for_update().get(pk=task.pk)
    if locked.status == MeetingTask.Status.DONE:
        raise Conflict(MSG_TASK_DONE, field="status", code=Code.TASK_DONE)
    task.status = MeetingTask.Status.DONE
    task.done_at = timezone.now()
    task.done_note = note
    task.save(update_fields=["status", "done_at", "done_note"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=task,
        changes={"status": {"old": "open", "new": "done"}, "note": note},
    )
    return task
