"""Co-building agreements with their two-way yearly review; joint meetings, attendance
and the tasks their decisions become."""

import datetime

import pytest
from django.utils import timezone

from jiceng.cobuild import selectors, services
from jiceng.cobuild.models import Agreement, AgreementReview, Commitment, MeetingTask
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.orgs import services as org_services

THIS_YEAR = timezone.localdate().year


def spec(side="unit", content="每季度组织一次为老志愿服务", target=4, measure="次"):
    return services.CommitmentSpec(side=side, content=content, target=target, measure=measure)


@pytest.fixture
def agreement(world):
    t = world.t
    return services.agreement_create(
        actor=t.users["xh_c1_secretary"],
        community=t.areas["xh_c1"],
        unit=t.units["xh_own"],
        title="复兴西路社区与某科技公司共建协议",
        signed_on=datetime.date(THIS_YEAR - 1, 3, 1),
        valid_until=datetime.date(THIS_YEAR + 1, 12, 31),
        commitments=[spec(), spec(side="community", content="开放活动室", target=12)],
    )


def test_agreement_with_commitments_in_one_audited_write(world, agreement):
    assert [(c.side, str(c.target), c.measure) for c in agreement.commitments.all()] == [
        ("community", "12.00", "次"),
        ("unit", "4.00", "次"),
    ]
    entry = AuditEntry.objects.get(target_type="cobuild.agreement")
    assert len(entry.changes["commitments"]) == 2
    t = world.t
    assert list(selectors.agreement_list(viewer=t.users["xh_unit_secretary"])) == [agreement]
    assert list(selectors.agreement_list(viewer=t.users["xh_c1_secretary"])) == [agreement]
    assert not selectors.agreement_list(viewer=t.users["xh_c3_secretary"]).exists()


def test_bad_commitment_names_it_and_writes_nothing(world):
    t = world.t
    with pytest.raises(ValidationFailed) as error:
        services.agreement_create(
            actor=t.users["xh_c1_secretary"],
            community=t.areas["xh_c1"],
            unit=t.units["xh_own"],
            title="协议",
            signed_on=datetime.date(THIS_YEAR, 1, 1),
            commitments=[spec(), spec(target="0")],
        )
    assert error.value.field == "commitments[1].target"
    assert not Agreement.objects.exists() and not Commitment.objects.exists()
    for kwargs, field in (
        ({"community": t.areas["xh_s1"]}, "community"),
        ({"unit": t.units["hp_plain"]}, "unit"),
        ({"title": ""}, "title"),
        ({"signed_on": None}, "signed_on"),
        ({"valid_until": datetime.date(THIS_YEAR - 5, 1, 1)}, "valid_until"),
    ):
        arguments = dict(
            actor=None,
            community=t.areas["xh_c1"],
            unit=t.units["xh_own"],
            title="协议",
            signed_on=datetime.date(THIS_YEAR, 1, 1),
        )
        arguments.update(kwargs)
        with pytest.raises(ValidationFailed) as error:
            services.agreement_create(**arguments)
        assert error.value.field == field
    assert not Agreement.objects.exists()


def test_two_way_review_each_side_once_a_year(world, agreement):
    t = world.t
    community_review = services.agreement_review(
        actor=t.users["xh_c1_secretary"],
        agreement=agreement,
        year=THIS_YEAR - 1,
        reviewer="community",
        score=92,
        comment="志愿服务到位",
    )
    unit_review = services.agreement_review(
        actor=t.users["xh_unit_secretary"],
        agreement=agreement,
        year=THIS_YEAR - 1,
        reviewer="unit",
        score=88,
    )
    assert {
        r.reviewer
        for r in selectors.review_list(viewer=t.users["xh_s1_staff"], agreement=agreement)
    } == {
        "community",
        "unit",
    }
    assert community_review.reviewed_by == t.users["xh_c1_secretary"]
    assert unit_review.score == 88
    with pytest.raises(Conflict) as error:
        services.agreement_review(
            actor=t.users["xh_c1_secretary"],
            agreement=agreement,
            year=THIS_YEAR - 1,
            reviewer="community",
            score=50,
        )
    assert error.value.field == "year"
    # Each side speaks only for itself: the unit's secretary cannot score for the
    # community, nor an outsider for the unit.
    with pytest.raises(PermissionDenied):
        services.agreement_review(
            actor=t.users["xh_unit_secretary"],
            agreement=agreement,
            year=THIS_YEAR,
            reviewer="community",
            score=80,
        )
    with pytest.raises(NotFound):
        services.agreement_review(
            actor=t.users["hp_s1_staff"],
            agreement=agreement,
            year=THIS_YEAR,
            reviewer="unit",
            score=1,
        )
    assert AgreementReview.objects.count() == 2


@pytest.mark.parametrize(
    "field, kwargs",
    [
        ("year", {"year": THIS_YEAR - 2}),  # before the agreement
        ("year", {"year": THIS_YEAR + 1}),  # not yet
        ("year", {"year": "去年"}),
        ("score", {"score": 101}),
        ("score", {"score": -1}),
        ("reviewer", {"reviewer": "street"}),
    ],
)
def test_bad_review_names_the_field(world, agreement, field, kwargs):
    arguments = dict(year=THIS_YEAR, reviewer="community", score=90)
    arguments.update(kwargs)
    with pytest.raises(ValidationFailed) as error:
        services.agreement_review(actor=None, agreement=agreement, **arguments)
    assert error.value.field == field
    assert not AgreementReview.objects.exists()


def test_commitment_progress_by_its_side_and_end_of_agreement(world, agreement):
    t = world.t
    unit_side = agreement.commitments.get(side="unit")
    community_side = agreement.commitments.get(side="community")
    services.commitment_record(actor=t.users["xh_unit_secretary"], commitment=unit_side, achieved=3)
    unit_side.refresh_from_db()
    assert str(unit_side.achieved) == "3.00"
    with pytest.raises(PermissionDenied):
        services.commitment_record(
            actor=t.users["xh_unit_secretary"], commitment=community_side, achieved=1
        )
    added = services.commitment_add(
        actor=t.users["xh_c1_secretary"],
        agreement=agreement,
        spec=spec(content="捐赠图书", target=200, measure="册"),
    )
    assert added.agreement == agreement
    services.agreement_end(actor=t.users["xh_c1_secretary"], agreement=agreement)
    with pytest.raises(Conflict):
        services.commitment_record(actor=None, commitment=unit_side, achieved=4)
    with pytest.raises(Conflict):
        services.agreement_end(actor=None, agreement=agreement)


@pytest.fixture
def committee(world):
    t = world.t
    committee = org_services.big_committee_create(
        actor=None, area=t.areas["xh_s1"], org=t.orgs["xh_s1_wc"]
    )
    start = datetime.date(THIS_YEAR - 1, 1, 1)
    members = [
        org_services.part_time_member_add(
            actor=None,
            committee=committee,
            name=name,
            source=source,
            unit=unit,
            started_on=start,
        )
        for name, source, unit in (
            ("张经理", "unit", t.units["xh_own"]),
            ("李所长", "police", None),
            ("王主任", "owners_committee", None),
        )
    ]
    return committee, members


def test_meeting_attendance_minutes_and_tasks(world, committee):
    t = world.t
    committee, (zhang, li, _wang) = committee
    staff = t.users["xh_s1_staff"]
    held_on = datetime.date(THIS_YEAR, 3, 10)
    meeting = services.meeting_create(
        actor=staff,
        committee=committee,
        title="第一季度联席会议",
        held_on=held_on,
        agenda="一、通报需求清单；二、认领项目",
    )
    services.meeting_record(
        actor=staff, meeting=meeting, attendees=[zhang, li, zhang], minutes="会议认领三个项目"
    )
    assert set(meeting.attendees.all()) == {zhang, li}
    task = services.meeting_task_add(
        actor=staff,
        meeting=meeting,
        decision="为复兴西路老人开设助餐点",
        owner_member=zhang,
        deadline=held_on + datetime.timedelta(days=30),
    )
    by_name = services.meeting_task_add(
        actor=staff,
        meeting=meeting,
        decision="完善消防通道",
        owner_name="物业公司",
        deadline=held_on + datetime.timedelta(days=10),
    )
    listed = selectors.meeting_list(viewer=staff)
    assert [(m.attendee_count, m.open_tasks) for m in listed] == [(2, 2)]
    overdue = selectors.overdue_tasks(viewer=staff, today=held_on + datetime.timedelta(days=20))
    assert list(overdue) == [by_name]
    services.meeting_task_done(actor=staff, task=by_name, note="已清理")
    by_name.refresh_from_db()
    assert by_name.status == MeetingTask.Status.DONE and by_name.done_at is not None
    later = held_on + datetime.timedelta(days=40)
    assert list(selectors.overdue_tasks(viewer=staff, today=later)) == [task]
    with pytest.raises(Conflict):
        services.meeting_task_done(actor=staff, task=by_name)
    # Out of the street: not found.
    with pytest.raises(NotFound):
        services.meeting_task_done(actor=t.users["hp_s1_staff"], task=task)
    assert not selectors.overdue_tasks(viewer=t.users["hp_s1_staff"], today=later).exists()
    assert AuditEntry.objects.filter(target_type="cobuild.meetingtask").count() == 3


def test_meeting_refusals_name_the_field(world, committee):
    t = world.t
    committee, (zhang, _li, _wang) = committee
    held_on = datetime.date(THIS_YEAR, 3, 10)
    meeting = services.meeting_create(
        actor=None, committee=committee, title="会", held_on=held_on, agenda="议程"
    )
    other = org_services.big_committee_create(
        actor=None, area=t.areas["hp_s1"], org=t.orgs["hp_s1_wc"]
    )
    stranger = org_services.part_time_member_add(
        actor=None, committee=other, name="赵", source="other", started_on=held_on
    )
    late = org_services.part_time_member_add(
        actor=None,
        committee=committee,
        name="新委员",
        source="other",
        started_on=held_on + datetime.timedelta(days=1),
    )
    for attendees in ([stranger], [late]):
        with pytest.raises(ValidationFailed) as error:
            services.meeting_record(actor=None, meeting=meeting, attendees=attendees)
        assert error.value.field == "attendees"
    assert not meeting.attendance.exists()
    for kwargs, field in (
        ({"decision": ""}, "decision"),
        ({"owner_member": None, "owner_name": ""}, "owner_name"),
        ({"owner_member": stranger}, "owner_member"),
        ({"deadline": held_on - datetime.timedelta(days=1)}, "deadline"),
        ({"deadline": None}, "deadline"),
    ):
        arguments = dict(decision="事项", owner_member=zhang, deadline=held_on)
        arguments.update(kwargs)
        with pytest.raises(ValidationFailed) as error:
            services.meeting_task_add(actor=None, meeting=meeting, **arguments)
        assert error.value.field == field
    assert not MeetingTask.objects.exists()
    with pytest.raises(ValidationFailed) as error:
        services.meeting_create(
            actor=None, committee=committee, title="会", held_on=held_on, agenda=" "
        )
    assert error.value.field == "agenda"
    with pytest.raises(NotFound):
        services.meeting_create(
            actor=t.users["xh_c1_secretary"],
            committee=committee,
            title="会",
            held_on=held_on,
            agenda="议程",
        )


def test_unit_without_party_org_is_represented_by_the_staff_of_its_area(world):
    t = world.t
    agreement = services.agreement_create(
        actor=t.users["xh_c1_secretary"],
        community=t.areas["xh_c1"],
        unit=t.units["xh_must"],  # in 武康路 (xh_c2), no party org yet
        title="共建协议",
        signed_on=datetime.date(THIS_YEAR, 1, 1),
    )
    with pytest.raises(PermissionDenied):
        services.agreement_review(
            actor=t.users["xh_c1_secretary"],
            agreement=agreement,
            year=THIS_YEAR,
            reviewer="unit",
            score=90,
        )
    review = services.agreement_review(
        actor=t.users["xh_s1_staff"], agreement=agreement, year=THIS_YEAR, reviewer="unit", score=90
    )
    assert review.reviewer == AgreementReview.Reviewer.UNIT
