"""Meeting records: attendance from the register, edits keeping the earlier version,
the appraisal onto members' files, decisions as tasks; every refusal with its code."""

import datetime

import pytest

from jiceng.core.errors import ApplicationError, NotFound, PermissionDenied
from jiceng.core.models import AuditEntry
from jiceng.members.models import MemberEvent, Membership
from jiceng.orglife import errors, services
from jiceng.orglife.errors import OrgLifeErrorCode as Code
from jiceng.orglife.models import Attendance, Meeting, MeetingEvent, MeetingTask

from .conftest import day


def _audits(target) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk)
        ).order_by("id")
    )


def test_record_takes_the_register_and_counts_probationary_and_mobile(life):
    m = life.members
    meeting = life.meeting(
        marks=[
            services.Mark(m["wang"].pk, "present"),
            services.Mark(m["zhao"].pk, "present"),
            services.Mark(m["li"].pk, "excused", "出差"),
            services.Mark(m["chen"].pk, "elsewhere", "在苏州市某社区党支部参加"),
        ],
        actor="xh_c1_secretary",
    )
    rows = {a.member_id: a for a in meeting.attendance.all()}
    # Everyone on the branch's register has a row; nobody from another org.
    assert set(rows) == {m["wang"].pk, m["li"].pk, m["zhao"].pk, m["chen"].pk}
    assert rows[m["zhao"].pk].probationary is True
    assert rows[m["li"].pk].status == "excused" and rows[m["li"].pk].reason == "出差"
    assert (meeting.register_count, meeting.attended_count) == (4, 3)
    assert meeting.attendance_rate == 0.75
    assert [e.action for e in meeting.events.all()] == ["recorded"]
    (audit,) = _audits(meeting)
    assert audit.action == "create" and audit.actor.username == "xh_c1_secretary"


def test_unmarked_members_are_absent(life):
    meeting = life.meeting()
    assert set(meeting.attendance.values_list("status", flat=True)) == {"absent"}
    assert meeting.attended_count == 0 and meeting.register_count == 4


def test_committee_meeting_lists_only_those_marked(life):
    meeting = life.meeting(
        kind="committee_meeting", marks=[services.Mark(life.members["wang"].pk, "present")]
    )
    assert meeting.register_count == 1 and meeting.attended_count == 1


def test_group_meeting_draws_on_the_branch_register(life, territory):
    from jiceng.members import services as member_services
    from tests.members.factories import facts

    member = member_services.member_register(
        actor=None, org=territory.orgs["xh_unit_org"], facts=facts(name="孙立")
    )
    meeting = life.meeting(
        org="xh_unit_group",
        kind="group_meeting",
        marks=[services.Mark(member.pk, "present")],
    )
    assert list(meeting.attendance.values_list("member_id", flat=True)) == [member.pk]


@pytest.mark.parametrize(
    "mark, code",
    [
        (("zhou", "present", ""), Code.NOT_ON_REGISTER),
        (("li", "elsewhere", "外地"), Code.ELSEWHERE_NOT_MOBILE),
        (("li", "excused", ""), Code.REASON_REQUIRED),
        (("li", "asleep", ""), Code.BAD_CHOICE),
        (("li", "excused", "病\x00假"), Code.TEXT_CONTROL),
    ],
)
def test_attendance_refusals(life, mark, code):
    key, status, reason = mark
    with pytest.raises(ApplicationError) as caught:
        life.meeting(marks=[services.Mark(life.members[key].pk, status, reason)])
    assert caught.value.code == code
    assert caught.value.field == "attendance"
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "extra, code, field",
    [
        ({"topic": ""}, Code.TEXT_REQUIRED, "topic"),
        ({"topic": "长" * 201}, Code.TEXT_TOO_LONG, "topic"),
        ({"minutes": "记录\x07"}, Code.TEXT_CONTROL, "minutes"),
        ({"place": "会议室\x1b"}, Code.TEXT_CONTROL, "place"),
        ({"kind": "group_meeting"}, Code.KIND_NOT_FOR_ORG, "kind"),
        ({"kind": "tea_party"}, Code.BAD_CHOICE, "kind"),
        ({"held_on": datetime.date(2999, 1, 1)}, Code.DATE_FUTURE, "held_on"),
        ({"held_on": None}, Code.DATE_REQUIRED, "held_on"),
    ],
)
def test_meeting_refusals(life, extra, code, field):
    with pytest.raises(ApplicationError) as caught:
        life.meeting(**extra)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_bidirectional_controls_are_removed_as_core_inputs_does(life):
    """The project's one input policy (core.inputs): a bidirectional override is removed
    from what is stored, not kept to reorder the shown text."""
    meeting = life.meeting(place="会议室\u202e", topic="学\u2066习")
    assert (meeting.place, meeting.topic) == ("会议室", "学习")


def test_a_meeting_before_the_org_was_founded_is_refused(life, territory):
    org = territory.orgs["xh_c1_b1"]
    org.established_on = day(6, 1)
    org.save()
    with pytest.raises(ApplicationError) as caught:
        life.meeting(held_on=day(5))
    assert caught.value.code == Code.DATE_BEFORE_FOUNDING


def test_access_other_community_404_visible_but_not_managed_403(life, territory):
    with pytest.raises(NotFound):
        life.meeting(org="hp_c1_b", actor="xh_c1_secretary")
    life.meeting(actor="xh_c1_secretary")  # the same setup succeeds for the own org
    with pytest.raises((NotFound, PermissionDenied)):
        life.meeting(actor="xh_g1_worker")


def test_update_keeps_the_earlier_version(life, territory):
    m = life.members
    meeting = life.meeting(marks=[services.Mark(m["wang"].pk, "present")])
    user = territory.users["xh_c1_secretary"]
    services.meeting_update(
        actor=user,
        meeting=meeting,
        facts=services.MeetingFacts(kind="member_meeting", held_on=day(3, 12), topic="改后的主题"),
        attendance=[services.Mark(m["li"].pk, "present"), services.Mark(m["wang"].pk, "present")],
        version=1,
    )
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.version, meeting.attended_count) == ("改后的主题", 2, 2)
    updated = meeting.events.get(action=MeetingEvent.Action.UPDATED)
    assert updated.previous["topic"] == "学习党的二十届四中全会精神"
    assert updated.previous["held_on"] == str(day(3))
    assert [m["wang"].pk, "present", ""] in updated.previous["attendance"]
    assert [a.action for a in _audits(meeting)] == ["create", "update"]
    with pytest.raises(ApplicationError) as caught:
        services.meeting_update(
            actor=user,
            meeting=meeting,
            facts=services.MeetingFacts(kind="member_meeting", held_on=day(3), topic="再改"),
            version=1,
        )
    assert caught.value.code == Code.STALE_VERSION


def test_transferred_member_leaves_the_old_register_and_joins_the_new(life, territory):
    from jiceng.members import services as member_services

    li = life.members["li"]
    transfer = member_services.transfer_start(
        actor=None, member=li, to_org=territory.orgs["hp_c1_b"], reason="搬家"
    )
    member_services.transfer_accept(actor=None, transfer=transfer)
    Membership.objects.filter(member=li, org=territory.orgs["xh_c1_b1"]).update(ended_on=day(6, 30))
    Membership.objects.filter(member=li, org=territory.orgs["hp_c1_b"]).update(started_on=day(7, 1))
    before = life.meeting(held_on=day(6, 15))
    after = life.meeting(held_on=day(7, 15))
    other = life.meeting(org="hp_c1_b", held_on=day(7, 15))
    assert li.pk in set(before.attendance.values_list("member_id", flat=True))
    assert li.pk not in set(after.attendance.values_list("member_id", flat=True))
    assert li.pk in set(other.attendance.values_list("member_id", flat=True))


def test_appraisal_results_go_onto_the_members_files(life, territory):
    m = life.members
    meeting = life.meeting(kind="member_appraisal", held_on=day(12, 5))
    services.appraisal_record(
        actor=territory.users["xh_c1_secretary"],
        meeting=meeting,
        grades={m["wang"].pk: "excellent", m["li"].pk: "qualified"},
    )
    event = MemberEvent.objects.get(member=m["wang"], kind=MemberEvent.Kind.APPRAISED)
    assert event.data["grade"] == "excellent" and event.data["year"] == 2025
    assert event.data["meeting"] == meeting.pk
    assert not MemberEvent.objects.filter(member=m["zhao"], kind="appraised").exists()
    with pytest.raises(ApplicationError) as caught:
        services.appraisal_record(actor=None, meeting=meeting, grades={m["zhou"].pk: "qualified"})
    assert caught.value.code == Code.NOT_ON_REGISTER
    with pytest.raises(ApplicationError):
        services.appraisal_record(actor=None, meeting=meeting, grades={m["wang"].pk: "great"})
    plain = life.meeting()
    with pytest.raises(ApplicationError) as caught:
        services.appraisal_record(actor=None, meeting=plain, grades={m["wang"].pk: "qualified"})
    assert caught.value.code == Code.NOT_APPRAISAL


def test_decision_becomes_a_task_and_is_done(life, territory):
    meeting = life.meeting(decisions="组织党员清理楼道堆物")
    user = territory.users["xh_c1_secretary"]
    task = services.meeting_task_add(
        actor=user,
        meeting=meeting,
        decision="组织党员清理楼道堆物",
        deadline=day(4),
        owner_member=life.members["wang"],
    )
    assert task.status == MeetingTask.Status.OPEN
    services.meeting_task_done(actor=user, task=task, note="已清理 12 处")
    task.refresh_from_db()
    assert task.status == "done" and task.done_note == "已清理 12 处"
    assert [a.action for a in _audits(task)] == ["create", "update"]
    with pytest.raises(ApplicationError) as caught:
        services.meeting_task_done(actor=user, task=task)
    assert caught.value.code == Code.TASK_DONE
    for kwargs, code in [
        ({"deadline": day(4)}, Code.TASK_OWNER),
        ({"deadline": day(2), "owner_name": "居委会"}, Code.DEADLINE_BEFORE_MEETING),
        ({"deadline": day(4), "owner_member": life.members["zhou"]}, Code.NOT_ON_REGISTER),
    ]:
        with pytest.raises(ApplicationError) as caught:
            services.meeting_task_add(actor=user, meeting=meeting, decision="事项", **kwargs)
        assert caught.value.code == code


def test_error_messages_are_the_constants(life):
    with pytest.raises(ApplicationError) as caught:
        life.meeting(marks=[services.Mark(life.members["zhou"].pk, "present")])
    assert caught.value.message == errors.MSG_NOT_ON_REGISTER
    assert Attendance.objects.count() == 0


def test_nobody_is_on_a_register_before_joining_the_party(life):
    # 赵敏 joined on 2025-01-05: not on the register of a meeting the day before.
    meeting = life.meeting(held_on=datetime.date(2025, 1, 4))
    assert life.members["zhao"].pk not in set(
        meeting.attendance.values_list("member_id", flat=True)
    )
    assert meeting.register_count == 3
