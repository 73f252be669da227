"""Meetings recorded in bulk: a year of minute books at once (the demo's organizational
life, an import of past records), where `services.meeting_record` one meeting at a time
costs a register query, a dozen statements and a lock of the audit head per meeting.

`MeetingBatch` takes the same inputs as `meeting_record`, `meeting_task_add` and
`appraisal_record`, runs the same checks as each is added (same errors, same fields),
and `write()` then writes the same rows in a handful of statements: the meetings, their
attendance lists, their events (recorded, task added, appraised), the tasks, the
appraisal results on the members' files, and the audit entries, chained in the order
the services would have appended them one by one. The register is read once per org and
worked out per day from the membership stretches, by the rule of
`selectors.register_on`. tests/orglife/test_bulk.py records the same meetings both ways
and compares every row, so the two paths cannot drift apart unnoticed."""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from jiceng.core.audit import AuditLine, audit_record_many, snapshot
from jiceng.core.bulk import insert_rows
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.types import Actor
from jiceng.members.models import Member, MemberEvent, Membership
from jiceng.orglife import rollup
from jiceng.orglife import validators as inputs
from jiceng.orglife.errors import (
    MSG_DATE_BEFORE_FOUNDING,
    MSG_DEADLINE_BEFORE_MEETING,
    MSG_ELSEWHERE_NOT_MOBILE,
    MSG_KIND_NOT_FOR_ORG,
    MSG_NOT_APPRAISAL,
    MSG_NOT_ON_REGISTER,
    MSG_ORG_CLOSED,
    MSG_REASON_REQUIRED,
    MSG_TASK_OWNER,
    MSG_VENUE_ELSEWHERE,
    OrgLifeErrorCode,
    invalid,
)
from jiceng.orglife.models import (
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
    MeetingEvent,
    MeetingKind,
    MeetingTask,
)
from jiceng.orglife.selectors import register_org
from jiceng.orglife.services import KINDS_FOR_ORG, WHOLE_REGISTER, Mark, MeetingFacts
from jiceng.orgs.access import require_manage_org
from jiceng.orgs.models import PartyOrg

# The register's columns, as `selectors.register_on` reads them.
REGISTER_FIELDS = ("id", "name", "status", "category", "joined_on", "org_id")


class AttendanceRow(NamedTuple):
    """One row of an attendance list as it will be stored (a plain tuple: a year of
    meetings holds some fifty thousand)."""

    member: Member
    member_id: int
    status: str
    reason: str
    probationary: bool


STATUSES = frozenset(Attendance.Status.values)
ATTENDANCE_COLUMNS = ["meeting_id", "member_id", "status", "reason", "probationary"]
MEETING_EVENT_COLUMNS = [
    "meeting_id",
    "action",
    "version",
    "at",
    "actor_id",
    "actor_label",
    "previous",
]
MEMBER_EVENT_COLUMNS = ["member_id", "kind", "at", "actor_id", "note", "data"]


@dataclass
class PlannedMeeting:
    """One meeting of a batch, checked and not yet written: `rows` is its attendance
    list as it will be stored (in register order)."""

    meeting: Meeting
    rows: list[AttendanceRow]
    tasks: list[MeetingTask] = field(default_factory=list)
    grades: dict[int, str] | None = None

    def attendance_by_member(self) -> list[AttendanceRow]:
        """The list in the order a stored meeting's `attendance` reads (by member)."""
        return sorted(self.rows, key=lambda row: row.member_id)


@dataclass
class _Register:
    """One org's members with their stretches there, in the register's order."""

    members: list[Member]
    stretches: dict[int, list[tuple[datetime.date, datetime.date | None, str]]]
    days: dict[datetime.date, dict[int, Member]] = field(default_factory=dict)

    def on(self, day: datetime.date) -> dict[int, Member]:
        """The register on `day` by member id, in the register's order."""
        found = self.days.get(day)
        if found is None:
            found = self.days[day] = {
                member.id: member
                for member in self.members
                if member.joined_on <= day
                and any(
                    (ended is None or ended >= day)
                    and (started <= day or reason == Membership.Reason.REGISTERED)
                    for started, ended, reason in self.stretches[member.id]
                )
            }
        return found


def _district_path(path: str) -> str:
    return "/".join(path.split("/")[:2])


class MeetingBatch:
    """Meetings, their tasks and appraisal results, checked as added, written at once.

    The whole batch is written in one transaction by `write()`; nothing is written
    before it. Registers are read when an org's first meeting is added, so a batch is
    for records of the past, built and written in one go."""

    def __init__(self, *, actor: Actor) -> None:
        self.actor = actor
        self.planned: list[PlannedMeeting] = []
        self._registers: dict[int, _Register] = {}
        self._managed: set[int] = set()
        self._reasons: dict[str, str] = {}

    # ---- the register ---------------------------------------------------------------

    def register(self, org: PartyOrg, day: datetime.date) -> list[Member]:
        """`selectors.register_on(org, day)`, from one read per org."""
        return list(self._register(org, day).values())

    def _register(self, org: PartyOrg, day: datetime.date) -> dict[int, Member]:
        source = register_org(org)
        register = self._registers.get(source.pk)
        if register is None:
            stretches: dict[int, list] = {}
            rows = Membership.objects.filter(org=source)
            for member_id, started, ended, reason in rows.values_list(
                "member_id", "started_on", "ended_on", "reason"
            ):
                stretches.setdefault(member_id, []).append((started, ended, reason))
            members = list(
                Member.objects.filter(pk__in=rows.values("member_id"))
                .only(*REGISTER_FIELDS)
                .order_by("name", "id")
            )
            register = self._registers[source.pk] = _Register(members, stretches)
        return register.on(day)

    # ---- adding ---------------------------------------------------------------------

    def add(self, *, org: PartyOrg, facts: MeetingFacts, attendance: list[Mark]) -> PlannedMeeting:
        """`services.meeting_record`'s checks; the meeting joins the batch."""
        if org.pk not in self._managed:
            require_manage_org(self.actor, org)
            self._managed.add(org.pk)
        kind = inputs.choice(facts.kind, MeetingKind, field="kind")
        if org.kind not in KINDS_FOR_ORG[kind]:
            raise invalid(MSG_KIND_NOT_FOR_ORG, OrgLifeErrorCode.KIND_NOT_FOR_ORG, "kind")
        held_on = inputs.past_date(facts.held_on, field="held_on")
        if org.established_on and held_on < org.established_on:
            raise invalid(
                MSG_DATE_BEFORE_FOUNDING, OrgLifeErrorCode.DATE_BEFORE_FOUNDING, "held_on"
            )
        if org.closed_on and held_on > org.closed_on:
            raise invalid(MSG_ORG_CLOSED, OrgLifeErrorCode.ORG_CLOSED, "held_on")
        venue = facts.venue
        if venue is not None and _district_path(venue.area.path) != _district_path(org.area.path):
            raise invalid(MSG_VENUE_ELSEWHERE, OrgLifeErrorCode.VENUE_ELSEWHERE, "venue")
        place = inputs.text(facts.place, field="place", max_length=PLACE_MAX)
        if not place and venue is not None:
            place = venue.name[:PLACE_MAX]
        meeting = Meeting(
            org=org,
            created_by=self._stored_actor(),
            kind=kind,
            held_on=held_on,
            place=place,
            venue=venue,
            topic=inputs.text(facts.topic, field="topic", max_length=TOPIC_MAX, required=True),
            presider=inputs.text(facts.presider, field="presider", max_length=NAME_MAX),
            lecturer=inputs.text(facts.lecturer, field="lecturer", max_length=NAME_MAX),
            minutes=inputs.text(
                facts.minutes, field="minutes", max_length=MINUTES_MAX, multiline=True
            ),
            decisions=inputs.text(
                facts.decisions, field="decisions", max_length=DECISIONS_MAX, multiline=True
            ),
        )
        rows = self._attendance(org, held_on, kind, attendance)
        meeting.register_count = len(rows)
        meeting.attended_count = sum(1 for r in rows if r.status in Attendance.ATTENDED)
        planned = PlannedMeeting(meeting=meeting, rows=rows)
        self.planned.append(planned)
        return planned

    def _attendance(
        self, org: PartyOrg, held_on: datetime.date, kind: str, marks: list[Mark]
    ) -> list[AttendanceRow]:
        register = self._register(org, held_on)
        given: dict[int, Mark] = {}
        for mark in marks:
            member = register.get(mark.member_id)
            if member is None:
                raise invalid(MSG_NOT_ON_REGISTER, OrgLifeErrorCode.NOT_ON_REGISTER, "attendance")
            status = mark.status
            if status not in STATUSES:
                inputs.choice(status, Attendance.Status, field="attendance")  # raises
            reason = self._reasons.get(mark.reason)
            if reason is None:  # the same few reasons recur: each checked once
                reason = inputs.text(mark.reason, field="attendance", max_length=REASON_MAX)
                self._reasons[mark.reason] = reason
            if status in (Attendance.Status.EXCUSED, Attendance.Status.ELSEWHERE) and not reason:
                raise invalid(MSG_REASON_REQUIRED, OrgLifeErrorCode.REASON_REQUIRED, "attendance")
            if status == Attendance.Status.ELSEWHERE and member.category != Member.Category.MOBILE:
                raise invalid(
                    MSG_ELSEWHERE_NOT_MOBILE, OrgLifeErrorCode.ELSEWHERE_NOT_MOBILE, "attendance"
                )
            given[member.id] = Mark(member.id, status, reason)
        ids = register if kind in WHOLE_REGISTER else given
        rows = []
        for member_id in ids:
            member = register[member_id]
            mark = given.get(member_id)
            status = mark.status if mark is not None else Attendance.Status.ABSENT
            rows.append(
                AttendanceRow(
                    member,
                    member_id,
                    status,
                    mark.reason if mark is not None and status != Attendance.Status.ABSENT else "",
                    member.status == Member.Status.PROBATIONARY,
                )
            )
        return rows

    def add_task(
        self,
        planned: PlannedMeeting,
        *,
        decision: str,
        deadline: datetime.date | None,
        owner_member: Member | None = None,
        owner_name: str = "",
    ) -> MeetingTask:
        """`services.meeting_task_add`'s checks; the task is written with its meeting."""
        meeting = planned.meeting
        decision = inputs.text(decision, field="decision", max_length=TASK_MAX, required=True)
        owner_name = inputs.text(owner_name, field="owner_name", max_length=OWNER_MAX)
        if owner_member is None and not owner_name:
            raise invalid(MSG_TASK_OWNER, OrgLifeErrorCode.TASK_OWNER, "owner_name")
        on_list = owner_member is not None and (
            any(row.member_id == owner_member.pk for row in planned.rows)
            or owner_member.org_id == meeting.org_id
        )
        if owner_member is not None and not on_list:
            raise invalid(MSG_NOT_ON_REGISTER, OrgLifeErrorCode.NOT_ON_REGISTER, "owner_member")
        if not isinstance(deadline, datetime.date):
            raise invalid(inputs.MSG_DATE_REQUIRED, OrgLifeErrorCode.DATE_REQUIRED, "deadline")
        if deadline < meeting.held_on:
            raise invalid(
                MSG_DEADLINE_BEFORE_MEETING, OrgLifeErrorCode.DEADLINE_BEFORE_MEETING, "deadline"
            )
        task = MeetingTask(
            decision=decision, owner_member=owner_member, owner_name=owner_name, deadline=deadline
        )
        planned.tasks.append(task)
        return task

    def add_appraisal(self, planned: PlannedMeeting, *, grades: dict[int, str]) -> None:
        """`services.appraisal_record`'s checks (and those of the members' service that
        writes the results onto the files)."""
        from jiceng.members.access import require_manage_member
        from jiceng.members.errors import MemberErrorCode
        from jiceng.members.services import (
            APPRAISAL_GRADES,
            MSG_APPRAISAL_GRADE,
            MSG_APPRAISAL_YEAR,
        )

        meeting = planned.meeting
        if meeting.kind != MeetingKind.MEMBER_APPRAISAL:
            raise invalid(MSG_NOT_APPRAISAL, OrgLifeErrorCode.NOT_APPRAISAL, "kind")
        rows = {row.member_id: row for row in planned.rows}
        for member_id in grades:
            if member_id not in rows:
                raise invalid(MSG_NOT_ON_REGISTER, OrgLifeErrorCode.NOT_ON_REGISTER, "grades")
        year = meeting.held_on.year
        if not 1921 <= year <= 2200:
            raise ValidationFailed(
                MSG_APPRAISAL_YEAR, field="year", code=MemberErrorCode.BAD_APPRAISAL_YEAR
            )
        checked: set[int] = set()
        for member_id, grade in sorted(grades.items()):
            member = rows[member_id].member
            if member.org_id not in checked:
                require_manage_member(self.actor, member)
                checked.add(member.org_id)
            if grade not in APPRAISAL_GRADES:
                raise ValidationFailed(
                    MSG_APPRAISAL_GRADE, field="grade", code=MemberErrorCode.BAD_APPRAISAL_GRADE
                )
        planned.grades = dict(grades)

    # ---- writing --------------------------------------------------------------------

    def _stored_actor(self):
        return self.actor if getattr(self.actor, "is_authenticated", False) else None

    @transaction.atomic
    def write(self) -> list[Meeting]:
        """Write every meeting of the batch with what it carries; returns the meetings."""
        from jiceng.members.services import APPRAISAL_GRADES

        if not self.planned:
            return []
        now = timezone.now()
        who = self._stored_actor()
        label = who.get_username() if who else "system"
        meetings = Meeting.objects.bulk_create([p.meeting for p in self.planned])
        attendance: list[tuple] = []
        tasks: list[MeetingTask] = []
        for planned in self.planned:
            pk = planned.meeting.pk
            attendance.extend(
                (pk, row.member_id, row.status, row.reason, row.probationary)
                for row in planned.rows
            )
            for task in planned.tasks:
                task.meeting = planned.meeting
            tasks.extend(planned.tasks)
        insert_rows(Attendance, ATTENDANCE_COLUMNS, attendance)
        MeetingTask.objects.bulk_create(tasks)

        who_id = who.pk if who else None
        events: list[tuple] = []
        results: list[tuple] = []
        lines: list[AuditLine] = []
        kinds = {kind: str(name) for kind, name in MeetingKind.choices}
        grade_names = {grade: str(name) for grade, name in APPRAISAL_GRADES.items()}

        def event(meeting: Meeting, action: str, previous: dict | None = None) -> None:
            events.append((meeting.pk, action, meeting.version, now, who_id, label, previous or {}))

        # In the order the services append them: each meeting, then its tasks, then its
        # appraisal results.
        for planned in self.planned:
            meeting = planned.meeting
            event(meeting, MeetingEvent.Action.RECORDED)
            lines.append(
                AuditLine(
                    action=AuditEntry.Action.CREATE,
                    target=meeting,
                    # str(meeting), without a translation lookup per meeting
                    target_label=f"{meeting.held_on} {kinds[meeting.kind]} {meeting.topic}",
                    changes={
                        **snapshot(meeting, ("org", "kind", "held_on", "topic")),
                        "register": meeting.register_count,
                        "attended": meeting.attended_count,
                    },
                    actor=self.actor,
                )
            )
            for task in planned.tasks:
                event(meeting, MeetingEvent.Action.TASK_ADDED)
                lines.append(
                    AuditLine(
                        action=AuditEntry.Action.CREATE,
                        target=task,
                        changes={
                            "meeting": meeting.pk,
                            "deadline": task.deadline,
                            "owner_member": task.owner_member_id,
                            "owner_name": task.owner_name,
                        },
                        actor=self.actor,
                    )
                )
            if planned.grades is None:
                continue
            year = meeting.held_on.year
            rows = {row.member_id: row for row in planned.rows}
            for member_id, grade in sorted(planned.grades.items()):
                member = rows[member_id].member
                data = {"year": year, "grade": grade, "source": "orglife", "meeting": meeting.pk}
                results.append(
                    (
                        member.pk,
                        MemberEvent.Kind.APPRAISED,
                        now,
                        who_id,
                        f"{year} {grade_names[grade]}",
                        data,
                    )
                )
                lines.append(
                    AuditLine(
                        action=AuditEntry.Action.UPDATE,
                        target=member,
                        changes={"appraisal": {"year": year, "grade": grade}},
                        actor=self.actor,
                    )
                )
            grades = {str(k): v for k, v in sorted(planned.grades.items())}
            event(meeting, MeetingEvent.Action.APPRAISED, {"grades": grades})
        insert_rows(MeetingEvent, MEETING_EVENT_COLUMNS, events)
        insert_rows(MemberEvent, MEMBER_EVENT_COLUMNS, results)
        audit_record_many(lines)
        # The compliance rows the services keep per meeting (rollup.refresh), once per
        # org and year of the batch.
        by_year: dict[int, set[int]] = {}
        for meeting in meetings:
            by_year.setdefault(meeting.held_on.year, set()).add(meeting.org_id)
        for year, org_ids in sorted(by_year.items()):
            rollup.rebuild(year=year, orgs=sorted(org_ids))
        return meetings
