"""The bulk path (`orglife.bulk.MeetingBatch`) against the services: the same sample of
meetings — attendance of every kind, a transfer between the two dates, a party group on
its branch's register, tasks, an appraisal — is recorded once through
`services.meeting_record` / `meeting_task_add` / `appraisal_record` and once through a
batch, each inside a savepoint that is rolled back afterwards, and every row either
writes is compared field by field (ids, timestamps and hashes aside; ids that rows carry
of each other are compared as positions). Bad input is refused by both with the same
error."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction

from jiceng.core.audit_evidence import audit_verify
from jiceng.core.errors import ApplicationError
from jiceng.core.models import AuditEntry
from jiceng.members.models import MemberEvent, Membership
from jiceng.orglife import services
from jiceng.orglife.bulk import MeetingBatch
from jiceng.orglife.models import Attendance, Meeting, MeetingEvent, MeetingTask

from .conftest import day


@dataclass
class Spec:
    """One meeting of the sample, with what follows it."""

    org: str
    facts: services.MeetingFacts
    marks: list = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    grades: dict | None = None


def _facts(kind: str, held_on: datetime.date, topic: str, **extra) -> services.MeetingFacts:
    return services.MeetingFacts(kind=kind, held_on=held_on, topic=topic, **extra)


@pytest.fixture
def sample(life, territory) -> list[Spec]:
    """Li moves from 复兴西路第一党支部 to 贵州路社区党支部 at the end of June; a member of
    the unit's org sits in its party group."""
    from jiceng.members import services as member_services
    from tests.members.factories import facts

    m = life.members
    li = m["li"]
    transfer = member_services.transfer_start(
        actor=None, member=li, to_org=territory.orgs["hp_c1_b"], reason="搬家"
    )
    member_services.transfer_accept(actor=None, transfer=transfer)
    Membership.objects.filter(member=li, org=territory.orgs["xh_c1_b1"]).update(ended_on=day(6, 30))
    Membership.objects.filter(member=li, org=territory.orgs["hp_c1_b"]).update(started_on=day(7, 1))
    sun = member_services.member_register(
        actor=None, org=territory.orgs["xh_unit_org"], facts=facts(name="孙立")
    )
    Mark = services.Mark
    return [
        Spec(
            "xh_c1_b1",
            _facts(
                "member_meeting",
                day(3),
                "  学习党的二十届四中全会精神 ",
                place="复兴西路党群服务站",
                presider="王建国",
                minutes="一、学习文件  \r\n二、讨论发言\r\n",
            ),
            [
                Mark(m["wang"].pk, "present"),
                Mark(m["li"].pk, "excused", "出差"),
                Mark(m["chen"].pk, "elsewhere", "在苏州市某社区党支部参加"),
                # A reason given for an absence is not kept.
                Mark(m["zhao"].pk, "absent", "未说明"),
            ],
        ),
        Spec(
            "xh_c1_b1",
            _facts("committee_meeting", day(4), "研究本月工作安排", decisions="组织党员清理楼道"),
            [Mark(m["wang"].pk, "present"), Mark(m["zhao"].pk, "excused", "就医")],
            tasks=[
                dict(decision="组织党员清理楼道", deadline=day(5), owner_name="王建国"),
                dict(decision="走访独居老人", deadline=day(4, 30), owner_member=m["zhao"]),
            ],
        ),
        Spec(
            "xh_c1_b1",
            _facts("lecture", day(6, 15), "书记讲党课", lecturer="王建国"),
            [Mark(m["li"].pk, "present"), Mark(m["zhao"].pk, "present")],
        ),
        Spec("xh_c1_b1", _facts("member_meeting", day(7, 15), "通报党费收缴情况")),
        Spec("hp_c1_b", _facts("themed_day", day(7, 15), "主题党日"), [Mark(li.pk, "present")]),
        Spec(
            "xh_unit_group", _facts("group_meeting", day(8), "学习党章"), [Mark(sun.pk, "present")]
        ),
        Spec(
            "xh_c1_b1",
            _facts("member_appraisal", day(12, 5), "年度民主评议党员"),
            [Mark(m["wang"].pk, "present"), Mark(m["zhao"].pk, "present")],
            grades={m["wang"].pk: "excellent", m["zhao"].pk: "basically_qualified"},
        ),
    ]


def _through_services(specs: list[Spec], actor, orgs) -> None:
    for spec in specs:
        meeting = services.meeting_record(
            actor=actor, org=orgs[spec.org], facts=spec.facts, attendance=spec.marks
        )
        for task in spec.tasks:
            services.meeting_task_add(actor=actor, meeting=meeting, **task)
        if spec.grades is not None:
            services.appraisal_record(actor=actor, meeting=meeting, grades=spec.grades)


def _through_batch(specs: list[Spec], actor, orgs) -> None:
    batch = MeetingBatch(actor=actor)
    for spec in specs:
        planned = batch.add(org=orgs[spec.org], facts=spec.facts, attendance=spec.marks)
        for task in spec.tasks:
            batch.add_task(planned, **task)
        if spec.grades is not None:
            batch.add_appraisal(planned, grades=spec.grades)
    batch.write()


MODELS = (Meeting, Attendance, MeetingEvent, MeetingTask, MemberEvent, AuditEntry)
UNCOMPARED = {"id", "created_at", "at", "prev_hash", "hash"}


def _last_ids() -> dict:
    return {
        model: model.objects.order_by("-id").values_list("id", flat=True).first() or 0
        for model in MODELS
    }


def _written(since: dict) -> dict[str, list[dict]]:
    """Every row written since `since`, in id order, as comparable values: a meeting's
    or task's id becomes its position among those written."""
    rows = {
        model._meta.label_lower: list(
            model.objects.filter(id__gt=since[model]).order_by("id").values()
        )
        for model in MODELS
    }
    position = {
        "orglife.meeting": {r["id"]: n for n, r in enumerate(rows["orglife.meeting"])},
        "orglife.meetingtask": {r["id"]: n for n, r in enumerate(rows["orglife.meetingtask"])},
    }
    meeting_at = position["orglife.meeting"]
    for row in rows["orglife.attendance"] + rows["orglife.meetingevent"]:
        row["meeting_id"] = meeting_at[row["meeting_id"]]
    for row in rows["orglife.meetingtask"]:
        row["meeting_id"] = meeting_at[row["meeting_id"]]
    for row in rows["members.memberevent"]:
        row["data"]["meeting"] = meeting_at[row["data"]["meeting"]]
    for row in rows["core.auditentry"]:
        if row["target_type"] in position:
            row["target_id"] = position[row["target_type"]][int(row["target_id"])]
        if "meeting" in row["changes"]:
            row["changes"]["meeting"] = meeting_at[row["changes"]["meeting"]]
    # Attendance rows in the order a meeting's list reads, whatever order they went in.
    rows["orglife.attendance"].sort(key=lambda r: (r["meeting_id"], r["member_id"]))
    return {
        label: [{k: v for k, v in row.items() if k not in UNCOMPARED} for row in table]
        for label, table in rows.items()
    }


def _recorded(through, specs, actor, orgs) -> dict[str, list[dict]]:
    since = _last_ids()
    with transaction.atomic():
        through(specs, actor, orgs)
        written = _written(since)
        transaction.set_rollback(True)
    return written


@pytest.mark.parametrize("actor_key", [None, "city_admin"])
def test_the_batch_writes_exactly_the_rows_the_services_write(sample, territory, actor_key):
    actor = territory.users[actor_key] if actor_key else None
    by_services = _recorded(_through_services, sample, actor, territory.orgs)
    by_batch = _recorded(_through_batch, sample, actor, territory.orgs)
    # The sample reaches every kind of row, or the comparison would prove little.
    assert len(by_services["orglife.meeting"]) == len(sample)
    assert {e["action"] for e in by_services["orglife.meetingevent"]} == {
        "recorded",
        "task_added",
        "appraised",
    }
    assert {a["status"] for a in by_services["orglife.attendance"]} == set(Attendance.Status)
    assert len(by_services["orglife.meetingtask"]) == 2
    assert len(by_services["members.memberevent"]) == 2
    for label, rows in by_services.items():
        assert by_batch[label] == rows, label


def test_the_batch_chains_its_audit_entries_so_the_log_verifies(sample, territory):
    MeetingBatch(actor=None).write()  # an empty batch writes nothing
    before = AuditEntry.objects.count()
    _through_batch(sample, territory.users["city_admin"], territory.orgs)
    assert AuditEntry.objects.count() == before + len(sample) + 2 + 2
    assert audit_verify().ok


def test_the_register_follows_transfers_as_the_selector_does(sample, territory):
    from jiceng.orglife.selectors import register_on

    batch = MeetingBatch(actor=None)
    for key in ("xh_c1_b1", "hp_c1_b", "xh_unit_group"):
        for when in (day(1, 2), day(6, 30), day(7, 1), day(12, 31)):
            org = territory.orgs[key]
            assert batch.register(org, when) == register_on(org, when), (key, when)


def _refusal(call) -> tuple:
    with pytest.raises(ApplicationError) as caught:
        call()
    return type(caught.value), caught.value.code, caught.value.field


BAD_MEETINGS = {
    "kind for another org": ("xh_c1_b1", dict(kind="group_meeting"), []),
    "unknown kind": ("xh_c1_b1", dict(kind="party"), []),
    "future": ("xh_c1_b1", dict(held_on=datetime.date.today() + datetime.timedelta(days=2)), []),
    "no date": ("xh_c1_b1", dict(held_on=None), []),
    "no topic": ("xh_c1_b1", dict(topic="  "), []),
    "long topic": ("xh_c1_b1", dict(topic="议" * 201), []),
    "NUL in place": ("xh_c1_b1", dict(place="党群\x00服务站"), []),
    "not on register": ("xh_c1_b1", {}, [("zhou", "present", "")]),
    "excused without reason": ("xh_c1_b1", {}, [("li", "excused", "")]),
    "elsewhere but not mobile": ("xh_c1_b1", {}, [("wang", "elsewhere", "外地")]),
    "bad status": ("xh_c1_b1", {}, [("wang", "late", "")]),
}


@pytest.mark.parametrize("case", sorted(BAD_MEETINGS))
def test_bad_meetings_are_refused_alike(life, territory, case):
    key, changed, marks = BAD_MEETINGS[case]
    org = territory.orgs[key]
    facts = services.MeetingFacts(
        **{"kind": "member_meeting", "held_on": day(3), "topic": "学习", **changed}
    )
    attendance = [services.Mark(life.members[k].pk, s, r) for k, s, r in marks]
    actor = territory.users["xh_c1_secretary"]
    expected = _refusal(
        lambda: services.meeting_record(actor=actor, org=org, facts=facts, attendance=attendance)
    )
    got = _refusal(
        lambda: MeetingBatch(actor=actor).add(org=org, facts=facts, attendance=attendance)
    )
    assert got == expected


def test_an_org_out_of_reach_is_refused_alike(life, territory):
    actor = territory.users["xh_c1_secretary"]
    org = territory.orgs["hp_c1_b"]
    facts = services.MeetingFacts(kind="member_meeting", held_on=day(3), topic="学习")
    expected = _refusal(lambda: services.meeting_record(actor=actor, org=org, facts=facts))
    got = _refusal(lambda: MeetingBatch(actor=actor).add(org=org, facts=facts, attendance=[]))
    assert got == expected


@pytest.mark.parametrize(
    "task",
    [
        dict(decision="", deadline=day(5), owner_name="王建国"),
        dict(decision="清理楼道", deadline=day(5)),
        dict(decision="清理楼道", deadline=day(2), owner_name="王建国"),
        dict(decision="清理楼道", deadline=None, owner_name="王建国"),
        dict(decision="清理楼道", deadline=day(5), owner_member="zhou"),
    ],
)
def test_bad_tasks_are_refused_alike(life, territory, task):
    org = territory.orgs["xh_c1_b1"]
    facts = services.MeetingFacts(kind="committee_meeting", held_on=day(3), topic="研究工作")
    marks = [services.Mark(life.members["wang"].pk, "present")]
    if "owner_member" in task:
        task = {**task, "owner_member": life.members[task["owner_member"]]}
    meeting = services.meeting_record(actor=None, org=org, facts=facts, attendance=marks)
    expected = _refusal(lambda: services.meeting_task_add(actor=None, meeting=meeting, **task))
    batch = MeetingBatch(actor=None)
    planned = batch.add(org=org, facts=facts, attendance=marks)
    assert _refusal(lambda: batch.add_task(planned, **task)) == expected


@pytest.mark.parametrize(
    "kind, grades",
    [
        ("member_appraisal", {"zhou": "qualified"}),
        ("member_appraisal", {"wang": "great"}),
        ("member_meeting", {"wang": "qualified"}),
    ],
)
def test_bad_appraisals_are_refused_alike(life, territory, kind, grades):
    org = territory.orgs["xh_c1_b1"]
    facts = services.MeetingFacts(kind=kind, held_on=day(12, 5), topic="年度民主评议党员")
    grades = {life.members[k].pk: v for k, v in grades.items()}
    meeting = services.meeting_record(actor=None, org=org, facts=facts)
    expected = _refusal(
        lambda: services.appraisal_record(actor=None, meeting=meeting, grades=grades)
    )
    batch = MeetingBatch(actor=None)
    planned = batch.add(org=org, facts=facts, attendance=[])
    assert _refusal(lambda: batch.add_appraisal(planned, grades=grades)) == expected


@pytest.mark.parametrize(
    "founded, closed",
    [(day(3, 11), None), (None, day(3, 9))],
    ids=["before the org was founded", "after the org closed"],
)
def test_a_date_outside_the_orgs_life_is_refused_alike(life, territory, founded, closed):
    from jiceng.orgs.models import PartyOrg

    org = territory.orgs["xh_c1_b1"]
    PartyOrg.objects.filter(pk=org.pk).update(established_on=founded, closed_on=closed)
    org.refresh_from_db()
    facts = services.MeetingFacts(kind="member_meeting", held_on=day(3), topic="学习")
    expected = _refusal(lambda: services.meeting_record(actor=None, org=org, facts=facts))
    got = _refusal(lambda: MeetingBatch(actor=None).add(org=org, facts=facts, attendance=[]))
    assert got == expected
