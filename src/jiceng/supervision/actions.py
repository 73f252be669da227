"""One action table per lifecycle (STYLE 15): each action a person takes on a weak-org
case, a star rating, an inspection or a talk is one entry — name, label, input schema,
who may take it, when it is offered, the service it calls. The pages (`views.act`) and
the API (one operation per entry, generated in api.py) both dispatch through `perform`.
The weak-org case's states come from states.TRANSITIONS, so the table offers exactly
what the transition table allows."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from jiceng.core.access import require
from jiceng.core.errors import NotFound
from jiceng.supervision import access, schemas, selectors, services, states
from jiceng.supervision.models import Inspection


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    schema: type[Schema]
    allowed: Callable[[Any, Model], bool]
    run: Callable[[Any, Model, Any], Model]
    available: Callable[[Model], bool] = lambda obj: True


@dataclass(frozen=True)
class Lifecycle:
    name: str
    get: Callable[[Any, Any], Model]
    out: type[Schema]
    actions: dict[str, Action]


def _in_state(action: str):
    return lambda case: case.state in states.TRANSITIONS[action].sources


def _decide(action: str):
    return lambda user, case, p: services.weak_org_decide(
        actor=user, case=case, action=action, reason=p.reason
    )


WEAK_ORG_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "confirm",
            states.TRANSITIONS["confirm"].label,
            schemas.WeakOrgDecisionIn,
            access.can_decide_case,
            _decide("confirm"),
            _in_state("confirm"),
        ),
        Action(
            "dismiss",
            states.TRANSITIONS["dismiss"].label,
            schemas.WeakOrgDecisionIn,
            access.can_decide_case,
            _decide("dismiss"),
            _in_state("dismiss"),
        ),
        Action(
            "plan",
            states.TRANSITIONS["plan"].label,
            schemas.WeakOrgPlanIn,
            access.can_plan_case,
            lambda user, case, p: services.weak_org_plan(
                actor=user, case=case, leader=p.leader, measures=p.measures, deadline=p.deadline
            ),
            _in_state("plan"),
        ),
        Action(
            "review",
            states.TRANSITIONS["review"].label,
            schemas.WeakOrgReviewIn,
            access.can_decide_case,
            lambda user, case, p: services.weak_org_review(
                actor=user, case=case, override_reason=p.override_reason
            ),
            _in_state("review"),
        ),
    )
}

RATING_ACTIONS = {
    "confirm": Action(
        "confirm",
        _("确认星级"),
        schemas.StarConfirmIn,
        access.can_decide_rating,
        lambda user, rating, p: services.star_confirm(actor=user, rating=rating),
        lambda rating: rating.confirmed_at is None,
    )
}

INSPECTION_ACTIONS = {
    "record": Action(
        "record",
        _("登记检查结果"),
        schemas.InspectionRecordIn,
        access.can_supervise_record,
        lambda user, inspection, p: services.inspection_record(
            actor=user,
            inspection=inspection,
            held_on=p.held_on,
            findings=p.findings,
            problems=p.problems,
            owner=p.owner,
        ),
        lambda inspection: inspection.state == Inspection.State.PLANNED,
    )
}

TALK_ACTIONS = {
    "follow_up": Action(
        "follow_up",
        _("登记回访结果"),
        schemas.TalkFollowUpIn,
        access.can_supervise_record,
        lambda user, talk, p: services.talk_follow_up(actor=user, talk=talk, result=p.result),
        lambda talk: talk.followed_up_at is None,
    )
}

LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc
    for lc in (
        Lifecycle(
            "weak-orgs",
            lambda user, pk: selectors.weak_org_get(viewer=user, case_id=pk),
            schemas.WeakOrgDetailOut,
            WEAK_ORG_ACTIONS,
        ),
        Lifecycle(
            "ratings",
            lambda user, pk: selectors.rating_get(viewer=user, rating_id=pk),
            schemas.RatingOut,
            RATING_ACTIONS,
        ),
        Lifecycle(
            "inspections",
            lambda user, pk: selectors.inspection_get(viewer=user, inspection_id=pk),
            schemas.InspectionOut,
            INSPECTION_ACTIONS,
        ),
        Lifecycle(
            "talks",
            lambda user, pk: selectors.talk_get(viewer=user, talk_id=pk),
            schemas.TalkOut,
            TALK_ACTIONS,
        ),
    )
}


def perform(user, lifecycle: str, pk, name: str, data: dict | Schema) -> Model:
    """Take action `name` on object `pk` of `lifecycle`: the one path pages and the API
    share. Out of scope → 404; visible but not allowed → 403; the service decides the
    rest (states, inputs)."""
    try:
        lc = LIFECYCLES[lifecycle]
        action = lc.actions[name]
    except KeyError:
        raise NotFound() from None
    obj = lc.get(user, pk)
    require(user, obj, action.allowed(user, obj))
    payload = data if isinstance(data, Schema) else schemas.parse(action.schema, data)
    action.run(user, obj, payload)
    return lc.get(user, pk)


def offered(user, lifecycle: str, obj) -> list[Action]:
    """The actions a page offers on `obj` to `user` now."""
    return [
        a
        for a in LIFECYCLES[lifecycle].actions.values()
        if a.available(obj) and a.allowed(user, obj)
    ]
