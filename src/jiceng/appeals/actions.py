"""The actions staff take on a case, once: name, the form that parses its input, the
service it calls and what the page says after. The case page (views.act) and the API
(api.appeal_act) both dispatch from this table, so an action cannot exist on one side
only, and both give the same refusals: the form's (naming the field) and the service's.

Who may take an action on which case is the service's and appeals.access's business;
which actions a case's state allows is appeals.states'.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jiceng.appeals import forms, services
from jiceng.appeals.models import Appeal
from jiceng.core.errors import NotFound
from jiceng.core.inputs import form_failure


@dataclass(frozen=True)
class CaseAction:
    done: Callable[[dict], str]  # what the page says once it is done, from the input
    run: Callable[[object, Appeal, dict], object]  # (actor, case, cleaned input)
    form: type | None = None  # parses the input, for the page and the API alike
    form_needs_case: bool = False  # the form offers choices that depend on the case


def _said(text) -> Callable[[dict], str]:
    return lambda data: str(text)


def _dispatch(user, appeal: Appeal, data: dict):
    return services.appeal_dispatch(actor=user, appeal=appeal, unit=data["unit"], note=data["note"])


def _summon(user, appeal: Appeal, data: dict):
    return services.summons_create(
        actor=user,
        appeal=appeal,
        units=list(data["units"]),
        reason=data["reason"],
        report_hours=data["report_hours"],
        act_working_days=data["act_working_days"],
    )


def _mediation(user, appeal: Appeal, data: dict):
    return services.mediation_record(
        actor=user,
        appeal=appeal,
        parties=data["parties"].splitlines(),
        outcome=data["outcome"],
        agreement=data["agreement"],
        mediator=data["mediator"],
        mediated_on=data["mediated_on"],
    )


def _publish(user, appeal: Appeal, data: dict):
    text = data["public_description"]
    return services.appeal_publish_description(actor=user, appeal=appeal, text=text)


CASE_ACTIONS: dict[str, CaseAction] = {
    "accept": CaseAction(
        _said(_("已签收")),
        lambda user, appeal, data: services.appeal_accept(actor=user, appeal=appeal),
    ),
    "start": CaseAction(
        _said(_("已开始办理")),
        lambda user, appeal, data: services.appeal_start(
            actor=user, appeal=appeal, note=data["note"]
        ),
        forms.StartForm,
    ),
    "reply": CaseAction(
        _said(_("已答复")),
        lambda user, appeal, data: services.appeal_reply(
            actor=user, appeal=appeal, reply=data["reply"]
        ),
        forms.ReplyForm,
    ),
    "publish": CaseAction(
        lambda data: str(_("已公开描述") if data["public_description"] else _("已撤回公开描述")),
        _publish,
        forms.PublishForm,
    ),
    "return": CaseAction(
        _said(_("已退单")),
        lambda user, appeal, data: services.appeal_return(
            actor=user, appeal=appeal, reason=data["reason"]
        ),
        forms.ReasonForm,
    ),
    "dispatch": CaseAction(_said(_("已派单")), _dispatch, forms.DispatchForm, form_needs_case=True),
    "summon": CaseAction(_said(_("已吹哨")), _summon, forms.SummonsForm, form_needs_case=True),
    "mediation": CaseAction(_said(_("调解记录已保存")), _mediation, forms.MediationForm),
}


def perform(user, appeal: Appeal, name: str, data) -> str:
    """Parse `data` (the page's POST or the API's payload as a dict) with the action's
    form and call its service; a refusal is raised, naming the field at fault. Returns
    what the page says once it is done."""
    action = CASE_ACTIONS.get(name)
    if action is None:
        raise NotFound()
    cleaned: dict = {}
    if action.form is not None:
        form = action.form(data, appeal=appeal) if action.form_needs_case else action.form(data)
        if not form.is_valid():
            raise form_failure(form)
        cleaned = form.cleaned_data
    action.run(user, appeal, cleaned)
    return action.done(cleaned)
