"""Meetings and lectures: recorded once with attendance from the register, edited with
the earlier version kept, the appraisal's results written onto members' files, and
decisions become tasks."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from jiceng.cobuild.models import Venue
from jiceng.core import uploads
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.members.models import Member
from jiceng.orglife import access, rollup, validators
from jiceng.orglife.errors import (
    MSG_ATTACHMENT_REQUIRED,
    MSG_ATTACHMENT_TYPE,
    MSG_ATTACHMENTS_FULL,
    MSG_DATE_BEFORE_FOUNDING,
    MSG_DATE_REQUIRED,
    MSG_DEADLINE_BEFORE_MEETING,
    MSG_ELSEWHERE_NOT_MOBILE,
    MSG_KIND_NOT_FOR_ORG,
    MSG_NOT_APPRAISAL,
    MSG_NOT_ON_REGISTER,
    MSG_ORG_CLOSED,
    MSG_PERIOD,
    MSG_REASON_REQUIRED,
    MSG_STALE_VERSION,
    MSG_TASK_DONE,
    MSG_TASK_OWNER,
    MSG_VENUE_ELSEWHERE,
    OrgLifeErrorCode,
    conflict,
    invalid,
)
from jiceng.orglife.events import meeting_event
from jiceng.orglife.models import (
    ATTACHMENTS_PER_MEETING,
    CAPTION_MAX,
    DECISIONS_MAX,
    MINUTES_MAX,
    NAME_MAX,
    OWNER_MAX,
    PLACE_MAX,
    REASON_MAX,
    TASK_MAX,
    TOPIC_MAX,
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingEvent,
    MeetingKind,
    MeetingRequirement,
    MeetingTask,
)
from jiceng.orglife.selectors import register_on
from jiceng.orglife.services._common import audit_create, audit_update
from jiceng.orgs.access import require_manage_org
from jiceng.orgs.models import PartyOrg

K = MeetingKind
OK = PartyOrg.Kind
BRANCH_KINDS = frozenset({OK.BRANCH, OK.JOINT_BRANCH, OK.GENERAL_BRANCH})
COMMITTEE_KINDS = frozenset({OK.COMMITTEE, OK.WORKING_COMMITTEE})
# Which org kinds hold which meetings: a fact of the kinds, unlike the frequencies.
KINDS_FOR_ORG: dict[str, frozenset[str]] = {
    K.MEMBER_MEETING: BRANCH_KINDS,
    K.COMMITTEE_MEETING: BRANCH_KINDS,
    K.GROUP_MEETING: frozenset({OK.GROUP}),
    K.LECTURE: BRANCH_KINDS | COMMITTEE_KINDS | {OK.GROUP},
    K.THEMED_DAY: BRANCH_KINDS | COMMITTEE_KINDS | {OK.GROUP},
    K.ORG_LIFE_REVIEW: BRANCH_KINDS | COMMITTEE_KINDS,
    K.MEMBER_APPRAISAL: BRANCH_KINDS,
    K.PARTY_COMMITTEE: COMMITTEE_KINDS,
    K.CONGRESS: COMMITTEE_KINDS,
}
# Meetings of the whole register: everyone on it gets a row, absent unless marked. The
# others (committees, a group, a congress) list only those who belong to that body.
WHOLE_REGISTER = frozenset(
    {K.MEMBER_MEETING, K.LECTURE, K.THEMED_DAY, K.ORG_LIFE_REVIEW, K.MEMBER_APPRAISAL}
)
FACT_FIELDS = (
    "kind",
    "held_on",
    "place",
    "venue",
    "topic",
    "presider",
    "lecturer",
    "minutes",
    "decisions",
)


@dataclass
class MeetingFacts:
    kind: str
    held_on: datetime.date | None
    topic: str
    place: str = ""
    venue: Venue | None = None
    presider: str = ""
    lecturer: str = ""
    minutes: str = ""
    decisions: str = ""


@dataclass
class Mark:
    """One member's attendance: present, elsewhere (a mobile member at their host org,
    `reason` naming it), excused (`reason` required) or absent."""

    member_id: int
    status: str
    reason: str = ""


@dataclass
class _Clean:
    facts: MeetingFacts
    rows: list[Attendance] = field(default_factory=list)


def _district_path(path: str) -> str:
    return "/".join(path.split("/")[:2])


def _clean(org: PartyOrg, facts: MeetingFacts, marks: list[Mark]) -> _Clean:
    kind = validators.choice(facts.kind, MeetingKind, field="kind")
    if org.kind not in KINDS_FOR_ORG[kind]:
        raise invalid(MSG_KIND_NOT_FOR_ORG, OrgLifeErrorCode.KIND_NOT_FOR_ORG, "kind")
    held_on = validators.past_date(facts.held_on, field="held_on")
    if org.established_on and held_on < org.established_on:
        raise invalid(MSG_DATE_BEFORE_FOUNDING, OrgLifeErrorCode.DATE_BEFORE_FOUNDING, "held_on")
    if org.closed_on and held_on > org.closed_on:
        raise invalid(MSG_ORG_CLOSED, OrgLifeErrorCode.ORG_CLOSED, "held_on")
    venue = facts.venue
    if venue is not None and _district_path(venue.area.path) != _district_path(org.area.path):
        raise invalid(MSG_VENUE_ELSEWHERE, OrgLifeErrorCode.VENUE_ELSEWHERE, "venue")
    place = validators.text(facts.place, field="place", max_length=PLACE_MAX)
    if not place and venue is not None:
        place = venue.name[:PLACE_MAX]
    clean = MeetingFacts(
        kind=kind,
        held_on=held_on,
        topic=validators.text(facts.topic, field="topic", max_length=TOPIC_MAX, required=True),
        place=place,
        venue=venue,
        presider=validators.text(facts.presider, field="presider", max_length=NAME_MAX),
        lecturer=validators.text(facts.lecturer, field="lecturer", max_length=NAME_MAX),
        minutes=validators.text(
            facts.minutes, field="minutes", max_length=MINUTES_MAX, multiline=True
        ),
        decisions=validators.text(
            facts.decisions, field="decisions", max_length=DECISIONS_MAX, multiline=True
        ),
    )
    register = {m.pk: m for m in register_on(org, held_on)}
    given: dict[int, Mark] = {}
    for mark in marks:
        member = register.get(mark.member_id)
        if member is None:
            raise invalid(MSG_NOT_ON_REGISTER, OrgLifeErrorCode.NOT_ON_REGISTER, "attendance")
        status = validators.choice(mark.status, Attendance.Status, field="attendance")
        reason = validators.text(mark.reason, field="attendance", max_length=REASON_MAX)
        if status in (Attendance.Status.EXCUSED, Attendance.Status.ELSEWHERE) and not reason:
            raise invalid(MSG_REASON_REQUIRED, OrgLifeErrorCode.REASON_REQUIRED, "attendance")
        if status == Attendance.Status.ELSEWHERE and member.category != Member.Category.MOBILE:
            raise invalid(
                MSG_ELSEWHERE_NOT_MOBILE, OrgLifeErrorCode.ELSEWHERE_NOT_MOBILE, "attendance"
            )
        given[member.pk] = Mark(member.pk, status, reason)
    members = register.values() if kind in WHOLE_REGISTER else [register[i] for i in given]
    rows = []
    for member in members:
        mark = given.get(member.pk, Mark(member.pk, Attendance.Status.ABSENT))
        rows.append(
            Attendance(
                member=member,
                status=mark.status,
                reason=mark.reason if mark.status != Attendance.Status.ABSENT else "",
                probationary=member.status == Member.Status.PROBATIONARY,
            )
        )
    return _Clean(facts=clean, rows=rows)


def _write(meeting: Meeting, clean: _Clean) -> None:
    for name in FACT_FIELDS:
        setattr(meeting, name, getattr(clean.facts, name))
    meeting.register_count = len(clean.rows)
    meeting.attended_count = sum(1 for r in clean.rows if r.status in Attendance.ATTENDED)
    existed = meeting.pk is not None
    meeting.save()
    if existed:  # a correction replaces the list; a new record has none to remove
        meeting.attendance.all().delete()
    for row in clean.rows:
        row.meeting = meeting
    Attendance.objects.bulk_create(clean.rows)


def _attendance_state(meeting: Meeting) -> list[list]:
    return [[a.member_id, a.status, a.reason] for a in meeting.attendance.order_by("member_id")]


@transaction.atomic
def meeting_record(
    *, actor, org: PartyOrg, facts: MeetingFacts, attendance: list[Mark] | None = None
) -> Meeting:
    """Record a meeting of `org`. The attendance list is the org's register on the day
    (for a party group, its branch's): everyone on it is listed for a meeting of the whole
    register, absent unless marked; only those marked for a committee or group meeting."""
    require_manage_org(actor, org)
    clean = _clean(org, facts, attendance or [])
    meeting = Meeting(
        org=org, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    _write(meeting, clean)
    rollup.refresh(org, [meeting.held_on.year])
    meeting_event(meeting, MeetingEvent.Action.RECORDED, actor=actor)
    audit_create(
        actor,
        meeting,
        {
            **snapshot(meeting, ("org", "kind", "held_on", "topic")),
            "register": meeting.register_count,
            "attended": meeting.attended_count,
        },
    )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    facts: MeetingFacts,
    attendance: list[Mark] | None = None,
    version: int | None = None,
) -> Meeting:
    """Correct a record. The version it replaces is kept as an event row (fields and
    attendance as they stood), so the minute book's history stays readable. `version`,
    when given, must be the one the editor saw."""
    locked = access.get_meeting_for_update(actor, meeting.pk)
    if version is not None and version != locked.version:
        raise conflict(MSG_STALE_VERSION, OrgLifeErrorCode.STALE_VERSION, "version")
    before = snapshot(locked, FACT_FIELDS)
    old_year = locked.held_on.year
    previous = {
        **before,
        "version": locked.version,
        "attendance": _attendance_state(locked),
    }
    clean = _clean(locked.org, facts, attendance or [])
    locked.version += 1
    _write(locked, clean)
    rollup.refresh(locked.org, {old_year, locked.held_on.year})
    meeting_event(locked, MeetingEvent.Action.UPDATED, actor=actor, previous=previous)
    changes = changes_between(before, snapshot(locked, FACT_FIELDS))
    changes["version"] = {"old": locked.version - 1, "new": locked.version}
    audit_update(actor, locked, changes)
    return locked


@transaction.atomic
def appraisal_record(*, actor, meeting: Meeting, grades: dict[int, str]) -> Meeting:
    """The results of a democratic appraisal (优秀/合格/基本合格/不合格), each written onto
    the member's file through the members app's service."""
    from jiceng.members.services import member_appraisal_record_many

    locked = access.get_meeting_for_update(actor, meeting.pk)
    if locked.kind != MeetingKind.MEMBER_APPRAISAL:
        raise invalid(MSG_NOT_APPRAISAL, OrgLifeErrorCode.NOT_APPRAISAL, "kind")
    rows = {a.member_id: a for a in locked.attendance.select_related("member")}
    for member_id in grades:
        if member_id not in rows:
            raise invalid(MSG_NOT_ON_REGISTER, OrgLifeErrorCode.NOT_ON_REGISTER, "grades")
    member_appraisal_record_many(
        actor=actor,
        results=[(rows[member_id].member, grade) for member_id, grade in sorted(grades.items())],
        year=locked.held_on.year,
        source="orglife",
        data={"meeting": locked.pk},
    )
    event = meeting_event(locked, MeetingEvent.Action.APPRAISED, actor=actor)
    event.previous = {"grades": {str(k): v for k, v in sorted(grades.items())}}
    event.save(update_fields=["previous"])
    return locked


@transaction.atomic
def meeting_task_add(
    *,
    actor,
    meeting: Meeting,
    decision: str,
    deadline: datetime.date | None,
    owner_member: Member | None = None,
    owner_name: str = "",
) -> MeetingTask:
    """A decision of the meeting becomes a task with an owner (a member of the org's
    register, or a named person) and a deadline."""
    locked = access.get_meeting_for_update(actor, meeting.pk)
    decision = validators.text(decision, field="decision", max_length=TASK_MAX, required=True)
    owner_name = validators.text(owner_name, field="owner_name", max_length=OWNER_MAX)
    if owner_member is None and not owner_name:
        raise invalid(MSG_TASK_OWNER, OrgLifeErrorCode.TASK_OWNER, "owner_name")
    on_list = owner_member is not None and (
        locked.attendance.filter(member=owner_member).exists()
        or owner_member.org_id == locked.org_id
    )
    if owner_member is not None and not on_list:
        raise invalid(MSG_NOT_ON_REGISTER, OrgLifeErrorCode.NOT_ON_REGISTER, "owner_member")
    if not isinstance(deadline, datetime.date):
        raise invalid(MSG_DATE_REQUIRED, OrgLifeErrorCode.DATE_REQUIRED, "deadline")
    if deadline < locked.held_on:
        raise invalid(
            MSG_DEADLINE_BEFORE_MEETING, OrgLifeErrorCode.DEADLINE_BEFORE_MEETING, "deadline"
        )
    task = MeetingTask.objects.create(
        meeting=locked,
        decision=decision,
        owner_member=owner_member,
        owner_name=owner_name,
        deadline=deadline,
    )
    meeting_event(locked, MeetingEvent.Action.TASK_ADDED, actor=actor)
    audit_create(
        actor,
        task,
        {
            "meeting": locked.pk,
            "deadline": deadline,
            "owner_member": owner_member.pk if owner_member else None,
            "owner_name": owner_name,
        },
    )
    return task


@transaction.atomic
def meeting_task_done(*, actor, task: MeetingTask, note: str = "") -> MeetingTask:
    locked = access.get_task_for_update(actor, task.pk)
    note = validators.text(note, field="note", max_length=500, multiline=True)
    if locked.status == MeetingTask.Status.DONE:
        raise conflict(MSG_TASK_DONE, OrgLifeErrorCode.TASK_DONE, "status")
    locked.status = MeetingTask.Status.DONE
    locked.done_at = timezone.now()
    locked.done_note = note
    locked.save(update_fields=["status", "done_at", "done_note"])
    audit_update(actor, locked, {"status": {"old": "open", "new": "done"}, "note": note})
    return locked


@transaction.atomic
def requirement_update(
    *, actor, requirement: MeetingRequirement, period: str, times: int
) -> MeetingRequirement:
    """Tighten (or restore) a required frequency. The rule holds for the whole city, so
    only who manages the city's root area may change it; every change is audited and
    the compliance figures follow at once (they are computed from the table)."""
    from jiceng.core.access import require_manage_area
    from jiceng.core.models import Area

    root = Area.objects.filter(parent__isnull=True).order_by("id").first()
    if root is None:
        raise invalid(MSG_PERIOD, OrgLifeErrorCode.PERIOD, "period")
    require_manage_area(actor, root)
    period = validators.choice(period, MeetingRequirement.Period, field="period")
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 31:
        raise invalid(MSG_PERIOD, OrgLifeErrorCode.PERIOD, "times")
    locked = MeetingRequirement.objects.select_for_update().get(pk=requirement.pk)
    before = snapshot(locked, ("period", "times"))
    locked.period, locked.times = period, times
    locked.save(update_fields=["period", "times"])
    # Every org's yearly rows were computed from the old frequency.
    rollup.rebuild()
    audit_update(actor, locked, changes_between(before, snapshot(locked, ("period", "times"))))
    return locked


# ---- attachments (photos and files, optional) ------------------------------------------------

_UPLOAD_CODES = {
    str(uploads.MSG_IMAGE_SIZE): OrgLifeErrorCode.ATTACHMENT_SIZE,
    str(uploads.MSG_IMAGE_PIXELS): OrgLifeErrorCode.ATTACHMENT_SIZE,
    str(uploads.MSG_DOCUMENT_SIZE): OrgLifeErrorCode.ATTACHMENT_SIZE,
    str(uploads.MSG_IMAGE_BROKEN): OrgLifeErrorCode.ATTACHMENT_BROKEN,
}


def _stored_file(upload, meeting: Meeting):
    """What core.uploads makes of the upload: a PDF checked by its content, anything
    else decoded and encoded again as a photo; refusals with the app's codes."""
    prefix = f"m{meeting.pk}-"
    try:
        if uploads.is_pdf(upload):
            return MeetingAttachment.Kind.DOCUMENT, uploads.accept_pdf(
                upload, field="file", prefix=prefix
            )
        return MeetingAttachment.Kind.PHOTO, uploads.reencode_image(
            upload, field="file", prefix=prefix
        )
    except ValidationFailed as refused:
        code = _UPLOAD_CODES.get(str(refused.message))
        if code is None:
            raise invalid(MSG_ATTACHMENT_TYPE, OrgLifeErrorCode.ATTACHMENT_TYPE, "file") from None
        raise invalid(refused.message, code, "file") from None


@transaction.atomic
def meeting_attachment_add(
    *, actor, meeting: Meeting, upload, caption: str = ""
) -> MeetingAttachment:
    """Keep a photo or a PDF with the meeting record (optional: no record needs one).
    The stored file is never what the client sent (core.uploads), its name is
    generated, and an event row and an audit entry say who added what."""
    locked = access.get_meeting_for_update(actor, meeting.pk)
    caption = validators.text(caption, field="caption", max_length=CAPTION_MAX)
    if upload is None or not getattr(upload, "size", 0):
        raise invalid(MSG_ATTACHMENT_REQUIRED, OrgLifeErrorCode.ATTACHMENT_REQUIRED, "file")
    if locked.attachments.count() >= ATTACHMENTS_PER_MEETING:
        message = str(MSG_ATTACHMENTS_FULL).format(limit=ATTACHMENTS_PER_MEETING)
        raise conflict(message, OrgLifeErrorCode.ATTACHMENTS_FULL, "file")
    kind, content = _stored_file(upload, locked)
    attachment = MeetingAttachment(
        meeting=locked,
        kind=kind,
        caption=caption,
        size=content.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(content.name, content, save=False)
    attachment.save()
    meeting_event(
        locked,
        MeetingEvent.Action.ATTACHED,
        actor=actor,
        previous={"attachment": attachment.pk, "kind": kind},
    )
    audit_create(
        actor,
        attachment,
        {"meeting": locked.pk, "kind": kind, "size": attachment.size, "caption": caption},
    )
    return attachment


@transaction.atomic
def meeting_attachment_remove(*, actor, attachment: MeetingAttachment) -> Meeting:
    """Remove an attachment put on the wrong record. The event row and the audit entry
    keep what it was; the stored file goes once the transaction has committed."""
    locked = access.get_attachment_for_update(actor, attachment.pk)
    meeting = locked.meeting
    facts = {
        "meeting": meeting.pk,
        "kind": locked.kind,
        "size": locked.size,
        "caption": locked.caption,
    }
    meeting_event(meeting, MeetingEvent.Action.DETACHED, actor=actor, previous=facts)
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, target=locked, changes=facts)
    storage, name = locked.file.storage, locked.file.name
    locked.delete()
    transaction.on_commit(lambda: storage.delete(name))
    return meeting
