"""One action table per lifecycle (STYLE 15): each action a user can take is one entry —
its name, label, input schema, who may take it, whether the object's state offers it,
and the service it calls. The pages (`views.act`) and the API (`api.py`, one operation
per entry, generated) both dispatch through `perform`, so a page action without an API
twin cannot exist. The states themselves are linkage.states' transition tables."""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from jiceng.core.action_tables import Action, Lifecycle, take
from jiceng.core.action_tables import offered as offered_actions
from jiceng.core.errors import NotFound
from jiceng.core.scope import scope_for
from jiceng.linkage import access, schemas, services, states
from jiceng.linkage.models import Dispatch, Recipient, Report


def _area(user, pk):
    from jiceng.core.access import get_area_for_view

    return get_area_for_view(user, pk)


def dispatch_facts(user, payload: schemas.DispatchIn) -> services.DispatchFacts:
    from jiceng.core.models import Area
    from jiceng.orgs.models import PartyOrg

    scope = scope_for(user)
    areas = list(scope.filter(Area.objects.filter(pk__in=payload.target_areas)))
    orgs = list(
        scope.filter(PartyOrg.objects.filter(pk__in=payload.target_orgs)).select_related("area")
    )
    if len(areas) != len(set(payload.target_areas)) or len(orgs) != len(set(payload.target_orgs)):
        raise NotFound()
    return services.DispatchFacts(
        kind=payload.kind,
        title=payload.title,
        body=payload.text,
        deadline=payload.deadline,
        period=payload.period,
        targeting=payload.targeting,
        target_level=payload.target_level,
        target_areas=areas,
        target_orgs=orgs,
        rule_outcome=payload.rule_outcome,
        rule_period=payload.rule_period,
        rule_comparison=payload.rule_comparison,
        rule_threshold=payload.rule_threshold,
        target_org_group=payload.target_org_group,
        duty_reference=payload.duty_reference or None,
    )


def field_facts(payload) -> services.FieldFacts:
    return services.FieldFacts(
        label=payload.label,
        kind=payload.kind,
        outcome_key=payload.outcome_key,
        choices=payload.choices,
        required=payload.required,
    )


def _department(user, pk: int | None):
    """The department `user` sends for, by id; anything else is out of sight (404)."""
    if pk is None:
        return None
    for department in access.sender_departments(user):
        if department.pk == pk:
            return department
    raise NotFound()


def _create(user, sender_area, payload):
    return services.dispatch_create(
        actor=user,
        sender_area=sender_area,
        facts=dispatch_facts(user, payload),
        fields=[field_facts(f) for f in payload.fields],
        sender_department=_department(user, payload.sender_department),
    )


def _draft(dispatch) -> bool:
    return dispatch.state == Dispatch.State.DRAFT


def _sent_task(dispatch) -> bool:
    return dispatch.state == Dispatch.State.SENT and dispatch.is_task


DISPATCH_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "create",
            _("起草通知或任务"),
            schemas.DispatchIn,
            access.can_start_from,
            _create,
            target=lambda user, payload: _area(user, payload.sender_area),
            out=schemas.DispatchDetailOut,
        ),
        Action(
            "add_field",
            _("添加回报项"),
            schemas.ReportFieldIn,
            access.can_manage_dispatch,
            lambda user, d, p: (
                services.report_field_add(actor=user, dispatch=d, facts=field_facts(p)).dispatch
            ),
            available=lambda d: _draft(d) and d.is_task,
        ),
        Action(
            "attach",
            _("添加附件"),
            schemas.DispatchAttachmentIn,
            access.can_manage_dispatch,
            lambda user, d, p, upload: (
                services.attachment_add(
                    actor=user, dispatch=d, upload=upload, caption=p.caption
                ).dispatch
            ),
            available=_draft,
            upload=True,
        ),
        Action(
            "send",
            _("下发"),
            schemas.LinkageConfirmIn,
            access.can_manage_dispatch,
            lambda user, d, p: services.dispatch_send(actor=user, dispatch=d),
            available=lambda d: states.dispatch_allows(d, "send"),
        ),
        Action(
            "withdraw",
            _("撤回"),
            schemas.WithdrawIn,
            access.can_manage_dispatch,
            lambda user, d, p: services.dispatch_withdraw(actor=user, dispatch=d, reason=p.reason),
            available=lambda d: states.dispatch_allows(d, "withdraw"),
        ),
        Action(
            "close",
            _("结束"),
            schemas.LinkageConfirmIn,
            access.can_manage_dispatch,
            lambda user, d, p: services.dispatch_close(actor=user, dispatch=d),
            available=lambda d: states.dispatch_allows(d, "close"),
        ),
        Action(
            "chase",
            _("一键催报"),
            schemas.LinkageConfirmIn,
            access.can_manage_dispatch,
            lambda user, d, p: {"chased": services.dispatch_chase(actor=user, dispatch=d)},
            available=lambda d: d.state == Dispatch.State.SENT,
            out=schemas.ChaseOut,
            returns_result=True,
        ),
        Action(
            "publish",
            _("发布通报"),
            schemas.SummaryIn,
            access.can_manage_dispatch,
            lambda user, d, p: services.bulletin_publish(actor=user, dispatch=d, summary=p.summary),
            available=lambda d: (
                d.is_task
                and d.state in (Dispatch.State.SENT, Dispatch.State.CLOSED)
                and not hasattr(d, "bulletin")
            ),
            out=schemas.BulletinOut,
            returns_result=True,
        ),
    )
}


def _answers(payload: schemas.ReportIn) -> dict[int, services.Answer]:
    return {a.field: services.Answer(value=a.value, note=a.note) for a in payload.answers}


RECEIVED_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "acknowledge",
            _("签收"),
            schemas.LinkageConfirmIn,
            access.can_answer,
            lambda user, r, p: services.receipt_acknowledge(actor=user, recipient=r).recipient,
            available=lambda r: (
                r.dispatch.state == Dispatch.State.SENT and r.receipt.acknowledged_at is None
            ),
        ),
        Action(
            "report",
            _("报送"),
            schemas.ReportIn,
            access.can_answer,
            lambda user, r, p: (
                services.report_submit(
                    actor=user, recipient=r, answers=_answers(p), version=p.version
                ).recipient
            ),
            available=lambda r: _sent_task(r.dispatch) and states.report_allows(r.report, "submit"),
        ),
        Action(
            "mark_outside_list",
            _("标记为清单外事项"),
            schemas.OutsideListMarkIn,
            access.can_answer,
            lambda user, r, p: services.recipient_mark_outside_list(
                actor=user, recipient=r, reason=p.reason
            ),
            available=services.may_mark_outside_list,
        ),
    )
}


def _manages_report(user, report: Report) -> bool:
    return access.can_manage_dispatch(user, report.recipient.dispatch)


REPORT_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "return",
            _("退回修改"),
            schemas.ReportReturnIn,
            _manages_report,
            lambda user, r, p: services.report_return(actor=user, report=r, reason=p.reason),
            available=lambda r: states.report_allows(r, "return"),
        ),
        Action(
            "accept",
            _("采纳"),
            schemas.LinkageConfirmIn,
            _manages_report,
            lambda user, r, p: services.report_accept(actor=user, report=r),
            available=lambda r: states.report_allows(r, "accept"),
        ),
    )
}

LIFECYCLES: dict[str, Lifecycle] = {
    lc.name: lc
    for lc in (
        Lifecycle(
            "dispatches",
            Dispatch,
            schemas.DispatchDetailOut,
            DISPATCH_ACTIONS,
            ("sender_area", "sender_department__area"),
        ),
        Lifecycle(
            "received",
            Recipient,
            schemas.ReceivedOut,
            RECEIVED_ACTIONS,
            (
                "dispatch",
                "dispatch__sender_area",
                "dispatch__sender_department",
                "area",
                "org",
                "org__area",
                "receipt",
                "report",
            ),
        ),
        Lifecycle(
            "reports",
            Report,
            schemas.ReportOut,
            REPORT_ACTIONS,
            (
                "recipient",
                "recipient__dispatch",
                "recipient__dispatch__sender_area",
                "recipient__dispatch__sender_department__area",
            ),
        ),
    )
}


def perform(user, lifecycle: str, pk, name: str, data: dict | Schema, upload=None) -> Any:
    """Take action `name` on object `pk` of `lifecycle` for `user` (`pk` None for the
    action starting the lifecycle): the one path pages and the API share. Out of scope
    → 404; visible but not allowed → 403; the service decides every other refusal."""
    result = take(LIFECYCLES, schemas.parse, user, lifecycle, pk, name, data, upload)
    if LIFECYCLES[lifecycle].actions[name].returns_result:
        return result
    return LIFECYCLES[lifecycle].get(user, result.pk) if isinstance(result, Model) else result


def offered(user, lifecycle: str, obj) -> list[Action]:
    """The actions a page offers on `obj` to `user` now."""
    return offered_actions(LIFECYCLES, user, lifecycle, obj)
