"""One action table per lifecycle (STYLE 15), generated from the transition tables of
`duties.states`: each action is its name, label, input schema, who may take it, and the
service it calls. The pages (`views.act`) and the API (`api.py`, one operation per
entry) both dispatch through `perform`, so a page action without an API twin cannot
exist. Creating an application, a request, a report or an assessment is a plain
creation with one page form and one API operation each."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from ninja import Schema

from jiceng.core.access import require
from jiceng.core.errors import NotFound
from jiceng.core.scope import scope_for
from jiceng.duties import access, schemas, services, states
from jiceng.duties.models import Duty, PowerRequest


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    schema: type[Schema]
    allowed: Callable[[Any, Model], bool]
    run: Callable[[Any, Model, Any], Model]
    # Whether the action makes sense in the object's present state (pages offer it).
    available: Callable[[Model], bool]


@dataclass(frozen=True)
class Lifecycle:
    name: str
    model: type[Model]
    out: type[Schema]
    actions: dict[str, Action]

    def get(self, user, pk) -> Model:
        return scope_for(user).get(self.model.objects.all(), pk=pk)


def _duty_action(transition: states.Transition) -> Action:
    name = transition.action
    return Action(
        name=name,
        label=transition.label,
        schema=schemas.DutyDecisionIn,
        allowed=lambda user, duty: access.can_act_on_duty(user, duty, name),
        run=lambda user, duty, p: services.duty_act(
            actor=user, duty=duty, action=name, reason=p.reason
        ),
        available=lambda duty: duty.state in transition.sources,
    )


DUTY_ACTIONS = {name: _duty_action(t) for name, t in states.DUTY_TRANSITIONS.items()}


def _open(request: PowerRequest) -> bool:
    return request.state == PowerRequest.State.OPEN


REQUEST_ACTIONS = {
    "answer": Action(
        name="answer",
        label=states.REQUEST_TRANSITIONS["answer"].label,
        schema=schemas.PowerAnswerIn,
        allowed=access.can_answer_request,
        run=lambda user, request, p: services.power_request_answer(
            actor=user, request=request, answer=p.answer, reason=p.reason
        ),
        available=_open,
    ),
    "withdraw": Action(
        name="withdraw",
        label=states.REQUEST_TRANSITIONS["withdraw"].label,
        schema=schemas.PowerWithdrawIn,
        allowed=access.can_withdraw_request,
        run=lambda user, request, p: services.power_request_withdraw(actor=user, request=request),
        available=_open,
    ),
}

LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc
    for lc in (
        Lifecycle("duties", Duty, schemas.DutyOut, DUTY_ACTIONS),
        Lifecycle("requests", PowerRequest, schemas.PowerRequestOut, REQUEST_ACTIONS),
    )
}


def perform(user, lifecycle: str, pk, name: str, data: dict | Schema) -> Model:
    """Take action `name` on object `pk` of `lifecycle` for `user`: the one path pages
    and the API share. Out of scope → 404; visible but not allowed → 403; the service
    decides every other refusal."""
    try:
        lc = LIFECYCLES[lifecycle]
        action = lc.actions[name]
    except KeyError:
        raise NotFound() from None
    obj = lc.get(user, pk)
    require(user, obj, action.allowed(user, obj))
    payload = data if isinstance(data, Schema) else schemas.parse(action.schema, data)
    result = action.run(user, obj, payload)
    result.refresh_from_db()
    return result


def offered(user, lifecycle: str, obj) -> list[Action]:
    """The actions a page offers on `obj` to `user` now."""
    return [
        a
        for a in LIFECYCLES[lifecycle].actions.values()
        if a.available(obj) and a.allowed(user, obj)
    ]
