"""Joint meeting pages: call a meeting with its agenda, record attendance and minutes,
turn decisions into tasks with owners and deadlines, mark a task done."""

import datetime

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import JointMeeting, MeetingAttendance, MeetingTask
from jiceng.core.models import AuditEntry
from jiceng.orgs import services as org_services

HELD = datetime.date.today() - datetime.timedelta(days=60)
DUE = HELD + datetime.timedelta(days=31)  # passed by now: the task is overdue
BEFORE = HELD - datetime.timedelta(days=9)


@pytest.fixture
def committee(territory):
    t = territory
    committee = org_services.big_committee_create(
        actor=None, area=t.areas["xh_s1"], org=t.orgs["xh_s1_wc"]
    )
    members = [
        org_services.part_time_member_add(
            actor=None,
            committee=committee,
            name=name,
            source=source,
            unit=unit,
            started_on=HELD - datetime.timedelta(days=400),
        )
        for name, source, unit in (
            ("张经理", "unit", t.units["xh_own"]),
            ("李所长", "police", None),
        )
    ]
    late = org_services.part_time_member_add(
        actor=None,
        committee=committee,
        name="新委员",
        source="other",
        started_on=HELD + datetime.timedelta(days=1),
    )
    return committee, members, late


@pytest.fixture
def meeting(committee) -> JointMeeting:
    return services.meeting_create(
        actor=None, committee=committee[0], title="第一季度联席会议", held_on=HELD, agenda="议程"
    )


def call(t, chosen, **overrides) -> dict:
    data = {
        "committee": chosen.pk,
        "title": "第二季度联席会议",
        "held_on": datetime.date.today().isoformat(),
        "place": "街道党群服务中心",
        "agenda": "一、通报需求清单\n二、认领项目",
    }
    data.update(overrides)
    return data


def test_street_calls_a_meeting(client, territory, committee):
    client.force_login(territory.users["xh_s1_staff"])
    assert client.get(reverse("cobuild:meeting_new")).status_code == 200
    response = client.post(reverse("cobuild:meeting_new"), call(territory, committee[0]))
    meeting = JointMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cobuild:meeting", args=[meeting.pk])
    assert meeting.agenda.startswith("一、通报需求清单")
    html = client.get(response["Location"]).content.decode()
    assert "二、认领项目" in html and "张经理" in html


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"held_on": "not a date"}, "held_on"),
        ({"agenda": " "}, "agenda"),
        ({"agenda": "长" * 4001}, "agenda"),
        ({"committee": "999999"}, "committee"),
    ],
)
def test_meeting_refusals_name_the_field(client, territory, committee, overrides, field):
    client.force_login(territory.users["xh_s1_staff"])
    response = client.post(
        reverse("cobuild:meeting_new"), call(territory, committee[0], **overrides)
    )
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not JointMeeting.objects.exists()


def test_meeting_form_is_404_without_a_committee_to_manage(client, territory, committee):
    client.force_login(territory.users["hp_s1_staff"])
    assert client.get(reverse("cobuild:meeting_new")).status_code == 404
    client.force_login(territory.users["xh_unit_secretary"])
    assert client.get(reverse("cobuild:meeting_new")).status_code == 404


def test_attendance_and_minutes(client, territory, committee, meeting):
    _committee, (zhang, li), late = committee
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("cobuild:meeting", args=[meeting.pk])
    form = client.get(url).context["attendance_form"]
    assert {c[0] for c in form.fields["attendees"].choices} == {zhang.pk, li.pk}
    response = client.post(
        url, {"form": "attendance", "attendees": [zhang.pk, li.pk], "minutes": "认领三个项目"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "认领三个项目"
    assert set(meeting.attendance.values_list("member_id", flat=True)) == {zhang.pk, li.pk}
    # Someone who was not yet serving that day cannot be recorded as present.
    refused = client.post(url, {"form": "attendance", "attendees": [late.pk], "minutes": "x"})
    assert "attendees" in refused.context["attendance_form"].errors
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 2
    meeting.refresh_from_db()
    assert meeting.minutes == "认领三个项目"


def test_decisions_become_tasks_and_are_marked_done(client, territory, committee, meeting):
    _committee, (zhang, _li), _late = committee
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("cobuild:meeting", args=[meeting.pk])
    response = client.post(
        url,
        {
            "form": "task",
            "decision": "为老人开设助餐点",
            "owner_member": zhang.pk,
            "owner_name": "",
            "deadline": DUE.isoformat(),
        },
    )
    assert response.status_code == 302
    task = MeetingTask.objects.get()
    assert task.owner_member == zhang and task.deadline == DUE
    html = client.get(url).content.decode()
    assert "为老人开设助餐点" in html and "逾期" in html
    response = client.post(url, {"form": "done", "task": task.pk, f"t{task.pk}-note": "已开设"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == MeetingTask.Status.DONE and task.done_note == "已开设"
    assert AuditEntry.objects.filter(target_type="cobuild.meetingtask").count() == 2
    again = client.post(url, {"form": "done", "task": task.pk, f"t{task.pk}-note": ""}, follow=True)
    assert "该事项已完成" in again.content.decode()
    assert AuditEntry.objects.filter(target_type="cobuild.meetingtask").count() == 2


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"decision": ""}, "decision"),
        ({"owner_member": "", "owner_name": ""}, "owner_name"),
        ({"deadline": BEFORE.isoformat()}, "deadline"),
        ({"deadline": ""}, "deadline"),
        ({"owner_member": "999999"}, "owner_member"),
    ],
)
def test_task_refusals_name_the_field(client, territory, committee, meeting, overrides, field):
    _committee, (zhang, _li), _late = committee
    client.force_login(territory.users["xh_s1_staff"])
    data = {
        "form": "task",
        "decision": "事项",
        "owner_member": zhang.pk,
        "owner_name": "",
        "deadline": DUE.isoformat(),
        **overrides,
    }
    response = client.post(reverse("cobuild:meeting", args=[meeting.pk]), data)
    assert response.status_code == 200 and field in response.context["task_form"].errors
    label = response.context["task_form"].fields[field].label
    assert f"{label}：" in response.content.decode()
    assert not MeetingTask.objects.exists()


def test_meeting_out_of_scope_is_404(client, territory, meeting):
    client.force_login(territory.users["hp_s1_staff"])
    url = reverse("cobuild:meeting", args=[meeting.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"form": "task", "decision": "x", "owner_name": "y"})
    assert response.status_code == 404
    assert not MeetingTask.objects.exists()


def test_meeting_page_queries_do_not_grow(
    client, territory, committee, meeting, django_assert_max_num_queries
):
    _committee, (zhang, li), _late = committee
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("cobuild:meeting", args=[meeting.pk])
    services.meeting_task_add(
        actor=None, meeting=meeting, decision="一", owner_member=zhang, deadline=HELD
    )
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(10):
        services.meeting_task_add(
            actor=None, meeting=meeting, decision=f"事项{n}", owner_member=li, deadline=HELD
        )
    services.meeting_record(actor=None, meeting=meeting, attendees=[zhang, li])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
