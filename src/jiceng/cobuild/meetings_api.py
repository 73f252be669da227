"""Joint meetings of the big committees in the JSON API: calling a meeting, recording
attendance and minutes, a decision as a task, a task done. The same forms parse the input
as on the meeting pages (cobuild.views.meetings) and the same services decide; a meeting
out of the viewer's scope is 404."""

import datetime

from ninja import Router, Schema, Status

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.api import _kind, _parsed
from jiceng.cobuild.models import JointMeeting, MeetingTask
from jiceng.core.inputs import limited_text, model_text
from jiceng.core.pickers import without_pickers
from jiceng.orgs.access import get_committee_for_view

router = Router(tags=["cobuild 区域化党建"])


class JointMeetingIn(Schema):
    committee: int  # a street's or community's big committee the viewer manages
    title: model_text(JointMeeting, "title")
    held_on: datetime.date
    place: model_text(JointMeeting, "place") = ""
    agenda: model_text(JointMeeting, "agenda", kind="multiline")


class JointMeetingOut(Schema):
    id: int
    committee_id: int
    title: str
    held_on: datetime.date
    place: str
    agenda: str
    minutes: str


class JointMeetingRecordIn(Schema):
    attendees: list[int] = []  # part-time members of the committee serving that day
    minutes: model_text(JointMeeting, "minutes", kind="multiline") = ""


class JointMeetingTaskIn(Schema):
    decision: model_text(MeetingTask, "decision")
    owner_member: int | None = None  # a part-time member of the committee …
    owner_name: model_text(MeetingTask, "owner_name") = ""  # … or a named person or unit
    deadline: datetime.date


class JointMeetingTaskDoneIn(Schema):
    note: limited_text(500) = ""


class JointMeetingTaskOut(Schema):
    id: int
    meeting_id: int
    decision: str
    owner_member_id: int | None
    owner_name: str
    deadline: datetime.date
    status: str


@router.post("/meetings", response={201: JointMeetingOut})
def meeting_create(request, payload: JointMeetingIn):
    """Call a joint meeting of a big committee, with its agenda."""
    _kind(request)
    committee = get_committee_for_view(request.user, payload.committee)
    data = payload.dict(exclude={"committee"})
    cleaned = _parsed(without_pickers(forms.MeetingForm(data)))
    meeting = services.meeting_create(actor=request.user, committee=committee, **cleaned)
    return Status(201, meeting)


@router.put("/meetings/{int:meeting_id}/record", response=JointMeetingOut)
def meeting_record(request, meeting_id: int, payload: JointMeetingRecordIn):
    """Who attended and the minutes; replaces any earlier record."""
    _kind(request)
    meeting = access.get_meeting_for_view(request.user, meeting_id)
    held_on = meeting.held_on
    serving = [
        m
        for m in selectors.committee_members(meeting.committee)
        if m.started_on <= held_on and (m.ended_on is None or m.ended_on >= held_on)
    ]
    cleaned = _parsed(forms.AttendanceForm(payload.dict(), members=serving))
    chosen = [m for m in serving if m.pk in set(cleaned["attendees"])]
    return services.meeting_record(
        actor=request.user, meeting=meeting, attendees=chosen, minutes=cleaned["minutes"]
    )


@router.post("/meetings/{int:meeting_id}/tasks", response={201: JointMeetingTaskOut})
def meeting_task_add(request, meeting_id: int, payload: JointMeetingTaskIn):
    """A decision of the meeting becomes a task with an owner and a deadline."""
    _kind(request)
    meeting = access.get_meeting_for_view(request.user, meeting_id)
    members = list(selectors.committee_members(meeting.committee))
    data = {**payload.dict(), "owner_member": payload.owner_member or ""}
    cleaned = _parsed(forms.TaskForm(data, members=members))
    owner = next((m for m in members if m.pk == cleaned["owner_member"]), None)
    task = services.meeting_task_add(
        actor=request.user,
        meeting=meeting,
        decision=cleaned["decision"],
        deadline=cleaned["deadline"],
        owner_member=owner,
        owner_name=cleaned["owner_name"],
    )
    return Status(201, task)


@router.post("/meetings/tasks/{int:task_id}/done", response=JointMeetingTaskOut)
def meeting_task_done(request, task_id: int, payload: JointMeetingTaskDoneIn):
    """A task of a meeting is done, with an optional note."""
    _kind(request)
    task = access.get_task_for_view(request.user, task_id)
    cleaned = _parsed(forms.TaskDoneForm(payload.dict()))
    return services.meeting_task_done(actor=request.user, task=task, note=cleaned["note"])
