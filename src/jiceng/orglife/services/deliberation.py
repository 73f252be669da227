"""Residents' deliberation (四议两公开): issues collected, topics set, and the procedure
run in order — 党组织提议 → 联席会议商议 → 党员大会审议 → 居民（代表）会议决议 → 决议公开 →
实施结果公开 — each step with its date, participants and vote; a step out of order, or
a meeting without its quorum, is refused with a message naming the rule."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.access import require_manage_area
from jiceng.core.models import Area
from jiceng.orglife import access, validators
from jiceng.orglife.errors import (
    MSG_ASSEMBLY_REQUIRED,
    MSG_ATTENDANCE_REQUIRED,
    MSG_ATTENDED_EXCEEDS,
    MSG_COMMUNITY_REQUIRED,
    MSG_ISSUE_CONVERTED,
    MSG_ISSUE_TAKEN,
    MSG_QUORUM_MEMBERS,
    MSG_QUORUM_REPRESENTATIVES,
    MSG_QUORUM_RESIDENTS,
    MSG_STEP_DONE,
    MSG_STEP_OUT_OF_ORDER,
    MSG_TOPIC_CLOSED,
    MSG_VOTES_EXCEED,
    MSG_VOTES_REQUIRED,
    OrgLifeErrorCode,
    conflict,
    invalid,
)
from jiceng.orglife.models import (
    LONG_TEXT_MAX,
    PARTICIPANTS_MAX,
    TEXT_MAX,
    TOPIC_MAX,
    Issue,
    Step,
    Topic,
)
from jiceng.orglife.services._common import audit_create, audit_update, stored_actor
from jiceng.orgs.models import PartyOrg

S = Step.Kind
T = Topic.State
# The procedure, in order: each step, the state it starts from, the state it leads to.
PROCEDURE: tuple[tuple[str, str, str], ...] = (
    (S.PROPOSE, T.DRAFT, T.PROPOSED),
    (S.DISCUSS, T.PROPOSED, T.DISCUSSED),
    (S.REVIEW, T.DISCUSSED, T.REVIEWED),
    (S.DECIDE, T.REVIEWED, T.DECIDED),
    (S.DISCLOSE_RESOLUTION, T.DECIDED, T.RESOLUTION_DISCLOSED),
    (S.DISCLOSE_RESULT, T.RESOLUTION_DISCLOSED, T.RESULT_DISCLOSED),
)
STEP_ORDER = [kind for kind, _source, _target in PROCEDURE]
VOTED = frozenset({S.REVIEW, S.DECIDE})
DISCLOSURES = frozenset({S.DISCLOSE_RESOLUTION, S.DISCLOSE_RESULT})
MSG_FIRST = _("议题登记")


def community_of(area: Area) -> Area:
    if area.level == Area.Level.COMMUNITY:
        return area
    codes = area.ancestor_codes()
    if len(codes) < 4:
        raise invalid(MSG_COMMUNITY_REQUIRED, OrgLifeErrorCode.COMMUNITY_REQUIRED, "community")
    return Area.objects.get(code=codes[3])


# ---- issues and topics ---------------------------------------------------------------------


@transaction.atomic
def issue_create(*, actor, community: Area, text: str, source: str = Issue.Source.STAFF) -> Issue:
    """An issue raised by residents (through staff) or collected by staff."""
    if community is None or community.level != Area.Level.COMMUNITY:
        raise invalid(MSG_COMMUNITY_REQUIRED, OrgLifeErrorCode.COMMUNITY_REQUIRED, "community")
    require_manage_area(actor, community)
    source = validators.choice(source, Issue.Source, field="source")
    text = validators.text(text, field="text", max_length=TEXT_MAX, required=True, multiline=True)
    issue = Issue.objects.create(
        community=community, text=text, source=source, created_by=stored_actor(actor)
    )
    audit_create(actor, issue, {"community": community.pk, "source": source})
    return issue


@transaction.atomic
def issue_from_appeal(*, actor, appeal, text: str = "") -> Issue:
    """An appeal that is really a common matter (a courtyard's parking, a lift for the
    block) becomes an issue for deliberation, keeping its history: the issue points to
    the appeal, and the appeal's timeline records the conversion. The appeal's own state
    is left to the appeals workflow."""
    from jiceng.appeals import events as appeal_events

    community = community_of(appeal.area)
    require_manage_area(actor, community)
    body = validators.text(
        text or appeal.description,
        field="text",
        max_length=TEXT_MAX,
        required=True,
        multiline=True,
    )
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                community=community,
                text=body,
                source=Issue.Source.APPEAL,
                appeal=appeal,
                created_by=stored_actor(actor),
            )
    except IntegrityError:
        raise conflict(MSG_ISSUE_CONVERTED, OrgLifeErrorCode.ISSUE_CONVERTED, "appeal") from None
    appeal_events.record(
        appeal_events.turned_into_issue(appeal, issue_id=issue.pk, at=timezone.now(), actor=actor)
    )
    audit_create(actor, issue, {"community": community.pk, "source": "appeal", "appeal": appeal.pk})
    return issue


@transaction.atomic
def topic_create(
    *,
    actor,
    community: Area,
    org: PartyOrg,
    title: str,
    description: str = "",
    issues: Sequence[Issue] = (),
) -> Topic:
    """Set a topic for the community, optionally gathering collected issues into it."""
    if community is None or community.level != Area.Level.COMMUNITY:
        raise invalid(MSG_COMMUNITY_REQUIRED, OrgLifeErrorCode.COMMUNITY_REQUIRED, "community")
    require_manage_area(actor, community)
    if not org.area.path.startswith(community.path) or org.closed_on is not None:
        raise invalid(MSG_COMMUNITY_REQUIRED, OrgLifeErrorCode.COMMUNITY_REQUIRED, "org")
    topic = Topic.objects.create(
        community=community,
        org=org,
        title=validators.text(title, field="title", max_length=TOPIC_MAX, required=True),
        description=validators.text(
            description, field="description", max_length=LONG_TEXT_MAX, multiline=True
        ),
        created_by=stored_actor(actor),
    )
    for issue in issues:
        _attach(topic, issue)
    audit_create(
        actor, topic, {"community": community.pk, "org": org.pk, "issues": [i.pk for i in issues]}
    )
    return topic


def _attach(topic: Topic, issue: Issue) -> None:
    if issue.community_id != topic.community_id or (
        issue.topic_id is not None and issue.topic_id != topic.pk
    ):
        raise conflict(MSG_ISSUE_TAKEN, OrgLifeErrorCode.ISSUE_TAKEN, "issues")
    issue.topic = topic
    issue.save(update_fields=["topic"])


@transaction.atomic
def topic_add_issue(*, actor, topic: Topic, issue: Issue) -> Topic:
    locked = access.get_topic_for_update(actor, topic.pk)
    _attach(locked, issue)
    audit_update(actor, locked, {"issue_added": issue.pk})
    return locked


# ---- the procedure ------------------------------------------------------------------------


@dataclass
class StepFacts:
    held_on: datetime.date | None
    participants: str = ""
    note: str = ""
    # Voted steps: the meeting's size and the vote.
    assembly: str = ""
    eligible: int | None = None
    attended: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    # Disclosures: the published text (the resolution, then the result).
    text: str = ""


def _quorum(kind: str, assembly: str, eligible: int, attended: int):
    """The quorum rule the meeting failed, or None."""
    numbers = {"eligible": eligible, "attended": attended}
    if kind == S.REVIEW and not attended * 2 > eligible:
        return str(MSG_QUORUM_MEMBERS).format(**numbers)
    if kind == S.DECIDE:
        if assembly == Step.Assembly.RESIDENTS and not attended * 2 > eligible:
            return str(MSG_QUORUM_RESIDENTS).format(**numbers)
        if assembly == Step.Assembly.REPRESENTATIVES and not attended * 3 >= eligible * 2:
            return str(MSG_QUORUM_REPRESENTATIVES).format(**numbers)
    return None


def _passes(kind: str, eligible: int, attended: int, votes_for: int) -> bool:
    # 党员大会: more than half of the members entitled to vote; 居民（代表）会议: more than
    # half of those present.
    if kind == S.REVIEW:
        return votes_for * 2 > eligible
    return votes_for * 2 > attended


def expected_step(topic: Topic) -> str | None:
    for kind, source, _target in PROCEDURE:
        if topic.state == source:
            return kind
    return None


@transaction.atomic
def step_record(*, actor, topic: Topic, kind: str, facts: StepFacts) -> Step:
    """Record the next step of the procedure. Refused: a step out of order (naming the
    step it must follow), a date before the previous step's, a member meeting or a
    residents' (representatives') meeting without its quorum, votes beyond those
    present. A vote that fails ends the procedure (the topic is not passed)."""
    locked = access.get_topic_for_update(actor, topic.pk)
    kind = validators.choice(kind, Step.Kind, field="kind")
    if locked.state == T.REJECTED:
        raise conflict(MSG_TOPIC_CLOSED, OrgLifeErrorCode.TOPIC_CLOSED, "kind")
    if locked.steps.filter(kind=kind).exists():
        message = str(MSG_STEP_DONE).format(step=Step.Kind(kind).label)
        raise conflict(message, OrgLifeErrorCode.STEP_OUT_OF_ORDER, "kind")
    expected = expected_step(locked)
    if kind != expected:
        index = STEP_ORDER.index(kind)
        previous = Step.Kind(STEP_ORDER[index - 1]).label if index else MSG_FIRST
        message = str(MSG_STEP_OUT_OF_ORDER).format(step=Step.Kind(kind).label, previous=previous)
        raise conflict(message, OrgLifeErrorCode.STEP_OUT_OF_ORDER, "kind")
    held_on = validators.past_date(facts.held_on, field="held_on")
    last = locked.steps.order_by("-held_on").first()
    if last is not None and held_on < last.held_on:
        message = str(MSG_STEP_OUT_OF_ORDER).format(
            step=Step.Kind(kind).label, previous=last.get_kind_display()
        )
        raise invalid(message, OrgLifeErrorCode.STEP_OUT_OF_ORDER, "held_on")
    step = Step(
        topic=locked,
        kind=kind,
        held_on=held_on,
        participants=validators.text(
            facts.participants, field="participants", max_length=PARTICIPANTS_MAX
        ),
        note=validators.text(facts.note, field="note", max_length=LONG_TEXT_MAX, multiline=True),
        recorded_by=stored_actor(actor),
    )
    if kind in VOTED:
        _vote(step, facts)
    target = dict((k, t) for k, _s, t in PROCEDURE)[kind]
    if step.passed is False:
        target = T.REJECTED
    changes = {"state": {"old": locked.state, "new": target}, "step": kind}
    if kind in DISCLOSURES:
        published = validators.text(
            facts.text, field="text", max_length=LONG_TEXT_MAX, required=True, multiline=True
        )
        if kind == S.DISCLOSE_RESOLUTION:
            locked.resolution = published
            locked.resolution_published_on = held_on
        else:
            locked.result = published
            locked.result_published_on = held_on
    step.save()
    locked.state = target
    locked.save()
    audit_update(actor, locked, changes)
    return step


def _vote(step: Step, facts: StepFacts) -> None:
    if step.kind == S.DECIDE:
        step.assembly = (
            validators.choice(facts.assembly, Step.Assembly, field="assembly")
            if (facts.assembly)
            else ""
        )
        if not step.assembly:
            raise invalid(MSG_ASSEMBLY_REQUIRED, OrgLifeErrorCode.BAD_CHOICE, "assembly")
    numbers = {}
    for name in ("eligible", "attended"):
        value = getattr(facts, name)
        if value is None:
            raise invalid(MSG_ATTENDANCE_REQUIRED, OrgLifeErrorCode.NO_QUORUM, name)
        numbers[name] = validators.count(
            value, field=name, message=MSG_ATTENDANCE_REQUIRED, code=OrgLifeErrorCode.NO_QUORUM
        )
    if numbers["eligible"] < 1:
        raise invalid(MSG_ATTENDANCE_REQUIRED, OrgLifeErrorCode.NO_QUORUM, "eligible")
    if numbers["attended"] > numbers["eligible"]:
        raise invalid(MSG_ATTENDED_EXCEEDS, OrgLifeErrorCode.NO_QUORUM, "attended")
    failed = _quorum(step.kind, step.assembly, numbers["eligible"], numbers["attended"])
    if failed:
        raise invalid(failed, OrgLifeErrorCode.NO_QUORUM, "attended")
    votes = {}
    for name in ("votes_for", "votes_against", "votes_abstain"):
        value = getattr(facts, name)
        if value is None:
            raise invalid(MSG_VOTES_REQUIRED, OrgLifeErrorCode.VOTES_EXCEED, name)
        votes[name] = validators.count(
            value, field=name, message=MSG_VOTES_REQUIRED, code=OrgLifeErrorCode.VOTES_EXCEED
        )
    if sum(votes.values()) > numbers["attended"]:
        raise invalid(MSG_VOTES_EXCEED, OrgLifeErrorCode.VOTES_EXCEED, "votes_for")
    step.eligible, step.attended = numbers["eligible"], numbers["attended"]
    step.votes_for = votes["votes_for"]
    step.votes_against = votes["votes_against"]
    step.votes_abstain = votes["votes_abstain"]
    step.passed = _passes(step.kind, step.eligible, step.attended, step.votes_for)
