"""四议两公开: the procedure in order, every refusal naming its rule, a failed vote ending
it, issues from residents and from appeals (with their history)."""

import pytest

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import AppealEvent, Category
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.orglife import errors, services
from jiceng.orglife.errors import OrgLifeErrorCode as Code
from jiceng.orglife.models import Issue, Step, Topic

from .conftest import day

VOTE = {"eligible": 30, "attended": 20, "votes_for": 18, "votes_against": 1, "votes_abstain": 1}
DECIDE = {**VOTE, "assembly": "representatives"}
STEPS = [
    ("propose", {}),
    ("discuss", {}),
    ("review", VOTE),
    ("decide", DECIDE),
    ("disclose_resolution", {"text": "同意"}),
    ("disclose_result", {"text": "已完工"}),
]


@pytest.fixture
def topic(territory):
    return services.topic_create(
        actor=territory.users["xh_c1_secretary"],
        community=territory.areas["xh_c1"],
        org=territory.orgs["xh_c1_gb"],
        title="小区停车位划线",
    )


def _step(topic, kind, n=1, actor=None, **facts):
    return services.step_record(
        actor=actor, topic=topic, kind=kind, facts=services.StepFacts(held_on=day(4, n), **facts)
    )


def _run(topic, upto: int):
    for n, (kind, facts) in enumerate(STEPS[:upto], start=1):
        _step(topic, kind, n, **facts)


def test_the_whole_procedure_in_order(topic, territory):
    user = territory.users["xh_c1_secretary"]
    for n, (kind, facts) in enumerate(STEPS, start=1):
        _step(topic, kind, n, actor=user, **facts)
    topic.refresh_from_db()
    assert topic.state == Topic.State.RESULT_DISCLOSED
    assert (topic.resolution, topic.result) == ("同意", "已完工")
    assert topic.resolution_published_on == day(4, 5)
    assert list(topic.steps.values_list("kind", flat=True)) == services.STEP_ORDER
    assert AuditEntry.objects.filter(target_type="orglife.topic").count() == 7


@pytest.mark.parametrize("done", range(6))
def test_every_step_out_of_order_is_refused_naming_the_rule(topic, done):
    _run(topic, done)
    for later in services.STEP_ORDER[done + 1 :]:
        facts = dict(STEPS[services.STEP_ORDER.index(later)][1])
        with pytest.raises(ApplicationError) as caught:
            _step(topic, later, 20, **facts)
        assert caught.value.code == Code.STEP_OUT_OF_ORDER
        previous = Step.Kind(services.STEP_ORDER[services.STEP_ORDER.index(later) - 1]).label
        assert str(previous) in str(caught.value.message)
        assert "依次" in str(caught.value.message)
    for earlier in services.STEP_ORDER[:done]:
        with pytest.raises(ApplicationError) as caught:
            _step(topic, earlier, 20, **dict(STEPS[services.STEP_ORDER.index(earlier)][1]))
        assert caught.value.code == Code.STEP_OUT_OF_ORDER


@pytest.mark.parametrize(
    "upto, kind, facts, message",
    [
        (2, "review", {**VOTE, "attended": 15}, errors.MSG_QUORUM_MEMBERS),
        (
            3,
            "decide",
            {**VOTE, "assembly": "residents", "attended": 15},
            errors.MSG_QUORUM_RESIDENTS,
        ),
        (3, "decide", {**DECIDE, "attended": 19}, errors.MSG_QUORUM_REPRESENTATIVES),
    ],
)
def test_meetings_without_quorum_are_refused(topic, upto, kind, facts, message):
    _run(topic, upto)
    with pytest.raises(ApplicationError) as caught:
        _step(topic, kind, 10, **facts)
    assert caught.value.code == Code.NO_QUORUM
    assert str(caught.value.message) == str(message).format(
        eligible=facts["eligible"], attended=facts["attended"]
    )
    assert not topic.steps.filter(kind=kind).exists()


def test_quorum_boundaries_pass(topic):
    _run(topic, 2)
    _step(
        topic,
        "review",
        3,
        **{**VOTE, "attended": 16, "votes_for": 16, "votes_abstain": 0, "votes_against": 0},
    )
    _step(topic, "decide", 4, **{**DECIDE, "attended": 20})  # exactly two thirds of 30
    topic.refresh_from_db()
    assert topic.state == Topic.State.DECIDED


@pytest.mark.parametrize(
    "facts, code, field",
    [
        (
            {**VOTE, "votes_for": 19, "votes_against": 1, "votes_abstain": 1},
            Code.VOTES_EXCEED,
            "votes_for",
        ),
        ({**VOTE, "attended": 31}, Code.NO_QUORUM, "attended"),
        ({**VOTE, "votes_for": None}, Code.VOTES_EXCEED, "votes_for"),
        ({**VOTE, "eligible": None}, Code.NO_QUORUM, "eligible"),
        ({**VOTE, "attended": -1}, Code.NO_QUORUM, "attended"),
    ],
)
def test_vote_refusals(topic, facts, code, field):
    _run(topic, 2)
    with pytest.raises(ApplicationError) as caught:
        _step(topic, "review", 5, **facts)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_decision_needs_its_assembly(topic):
    _run(topic, 3)
    with pytest.raises(ApplicationError) as caught:
        _step(topic, "decide", 5, **VOTE)
    assert caught.value.field == "assembly"


def test_a_failed_vote_ends_the_procedure(topic):
    _run(topic, 2)
    step = _step(topic, "review", 3, **{**VOTE, "votes_for": 15, "votes_against": 4})
    assert step.passed is False  # 15 of 30 entitled is not more than half
    topic.refresh_from_db()
    assert topic.state == Topic.State.REJECTED
    with pytest.raises(ApplicationError) as caught:
        _step(topic, "decide", 4, **DECIDE)
    assert caught.value.code == Code.TOPIC_CLOSED


def test_a_step_dated_before_the_previous_is_refused(topic):
    _step(topic, "propose", 10)
    with pytest.raises(ApplicationError) as caught:
        _step(topic, "discuss", 9)
    assert (caught.value.code, caught.value.field) == (Code.STEP_OUT_OF_ORDER, "held_on")


def test_disclosure_needs_its_text(topic):
    _run(topic, 4)
    with pytest.raises(ApplicationError) as caught:
        _step(topic, "disclose_resolution", 6, text=" ")
    assert (caught.value.code, caught.value.field) == (Code.TEXT_REQUIRED, "text")


def test_another_community_cannot_touch_the_topic(topic, territory):
    with pytest.raises(NotFound):
        _step(topic, "propose", 1, actor=territory.users["xh_c3_secretary"])
    _step(topic, "propose", 1, actor=territory.users["xh_c1_secretary"])


def test_an_appeal_becomes_an_issue_with_its_history(territory):
    appeal, _ = appeal_services.appeal_intake(
        actor=None,
        intake=appeal_services.Intake(
            channel="resident",
            category=Category.objects.get(code="parking"),
            area=territory.areas["xh_g1"],
            description="小区停车位太少，夜里车停满消防通道",
        ),
    )
    user = territory.users["xh_c1_secretary"]
    issue = services.issue_from_appeal(actor=user, appeal=appeal)
    assert issue.text == appeal.description and issue.source == Issue.Source.APPEAL
    assert issue.community == territory.areas["xh_c1"]
    event = AppealEvent.objects.get(appeal=appeal, action="to_issue")
    assert event.data == {"issue": issue.pk}
    with pytest.raises(ApplicationError) as caught:
        services.issue_from_appeal(actor=user, appeal=appeal)
    assert caught.value.code == Code.ISSUE_CONVERTED
    topic = services.topic_create(
        actor=user,
        community=territory.areas["xh_c1"],
        org=territory.orgs["xh_c1_gb"],
        title="停车难",
        issues=[issue],
    )
    assert list(topic.issues.all()) == [issue]
    with pytest.raises(NotFound):
        services.issue_from_appeal(actor=territory.users["xh_c3_secretary"], appeal=appeal)


def test_issue_text_is_checked(territory):
    with pytest.raises(ApplicationError) as caught:
        services.issue_create(actor=None, community=territory.areas["xh_c1"], text="停车\x1b[31m")
    assert caught.value.code == Code.TEXT_CONTROL
    with pytest.raises(ApplicationError) as caught:
        services.issue_create(actor=None, community=territory.areas["xh_s1"], text="停车")
    assert caught.value.code == Code.COMMUNITY_REQUIRED
