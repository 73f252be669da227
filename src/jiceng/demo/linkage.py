"""The demo's dispatch and notification (调度通报), all through `linkage.services`: notices
and tasks sent down from the demo district to its streets and from the demo street to
its communities, with receipts and reports in every state — unopened, acknowledged,
submitted, returned for revision, accepted, late — and one bulletin published; one
notice goes by an area rule and one by an org rule (the community orgs behind on
三会一课). Tasks
ask back outcomes the registry computes (the appeals' rates for last quarter) beside a
few questions only people can answer. Recorded tasks past their deadline are sent "as
of" an earlier day by the system (the only actor allowed to)."""

import datetime

from django.utils import timezone

from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area
from jiceng.core.outcomes import Period
from jiceng.linkage import services
from jiceng.linkage.models import Dispatch, Recipient, ReportField

Answer = services.Answer


def _last_quarter(today: datetime.date) -> str:
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return Period.quarter(year, quarter).label


def _fields() -> list[services.FieldFacts]:
    return [
        services.FieldFacts(
            label="诉求满意率",
            kind=ReportField.Kind.OUTCOME,
            outcome_key="appeals.satisfaction_rate",
        ),
        services.FieldFacts(
            label="诉求按时办结率",
            kind=ReportField.Kind.OUTCOME,
            outcome_key="appeals.on_time_rate",
        ),
        services.FieldFacts(label="开展入户走访次数", kind=ReportField.Kind.NUMBER),
        services.FieldFacts(label="是否完成问题整改", kind=ReportField.Kind.YES_NO),
        services.FieldFacts(
            label="主要工作方式",
            kind=ReportField.Kind.CHOICE,
            choices="入户走访\n议事协商\n线上联系",
        ),
        services.FieldFacts(label="困难和建议", kind=ReportField.Kind.TEXT, required=False),
    ]


def _answers(dispatch: Dispatch, n: int) -> dict[int, Answer]:
    values = {
        "开展入户走访次数": str(12 + 3 * n),
        "是否完成问题整改": "yes" if n % 3 else "no",
        "主要工作方式": ("入户走访", "议事协商", "线上联系")[n % 3],
        "困难和建议": "老旧小区加装电梯协调难度大，建议区里统筹资金。" if n % 2 else "",
    }
    return {f.pk: Answer(value=values.get(f.label, "")) for f in dispatch.fields.all()}


def _send(*, sender: Area, facts: services.DispatchFacts, fields=(), as_of=None) -> Dispatch:
    draft = services.dispatch_create(
        actor=None, sender_area=sender, facts=facts, fields=list(fields), as_of=as_of
    )
    return services.dispatch_send(actor=None, dispatch=draft, as_of=as_of)


def _send_by_rule(*, sender: Area, facts: services.DispatchFacts) -> int:
    """1 when sent; 0 when the rule flags nobody in this demo's data (nothing to send)."""
    try:
        _send(sender=sender, facts=facts)
    except ApplicationError:
        return 0
    return 1


def _recipients(dispatch: Dispatch) -> list[Recipient]:
    return list(
        dispatch.recipients.select_related("area", "org", "dispatch").order_by("name", "id")
    )


def fill(*, seed: int, anchors) -> dict[str, int]:
    district, street, community = anchors.district, anchors.street, anchors.community
    if district is None or street is None:
        return {"linkage_dispatches": 0}
    today = timezone.localdate()
    period = _last_quarter(today)
    made = 0

    # From the district to its streets: a notice (the demo street acknowledged it) and
    # a task still open (the demo street has it to report).
    notice = _send(
        sender=district,
        facts=services.DispatchFacts(
            kind=Dispatch.Kind.NOTICE,
            title="关于开展“七一”主题党日活动的通知",
            body="请各街道党工委组织所属党组织开展主题党日活动，做好活动记录。",
            deadline=today + datetime.timedelta(days=10),
            targeting=Dispatch.Targeting.CHILDREN,
            target_level=Dispatch.Level.STREET,
        ),
    )
    for r in _recipients(notice):
        if r.area_id == street.pk:
            services.receipt_acknowledge(actor=None, recipient=r)
    made += 1
    _send(
        sender=district,
        facts=services.DispatchFacts(
            kind=Dispatch.Kind.TASK,
            title=f"{period} 接诉即办情况报送",
            body="系统已按各街道数据预填满意率和按时办结率，请核对后报送，并补充工作情况。",
            deadline=today + datetime.timedelta(days=7),
            period=period,
            targeting=Dispatch.Targeting.CHILDREN,
            target_level=Dispatch.Level.STREET,
        ),
        fields=_fields(),
    )
    made += 1

    # From the street to its communities.
    communities = list(
        Area.objects.filter(level=Area.Level.COMMUNITY, path__startswith=street.path).order_by(
            "path"
        )
    )
    if not communities:
        return {"linkage_dispatches": made}
    demo_first = sorted(communities, key=lambda a: a.pk != getattr(community, "pk", None))

    # A task past its deadline: reports in every state, the rest late.
    late = _send(
        sender=street,
        facts=services.DispatchFacts(
            kind=Dispatch.Kind.TASK,
            title=f"{period} 社区治理情况报送",
            body="请各社区核对系统预填数据，如有出入请更正并说明原因。",
            deadline=today - datetime.timedelta(days=5),
            period=period,
            targeting=Dispatch.Targeting.CHILDREN,
        ),
        fields=_fields(),
        as_of=today - datetime.timedelta(days=30),
    )
    rows = {r.area_id: r for r in _recipients(late)}
    order = [rows[a.pk] for a in demo_first if a.pk in rows]
    for n, r in enumerate(order[:3]):
        report = services.report_submit(actor=None, recipient=r, answers=_answers(late, n))
        if n == 0:
            services.report_return(
                actor=None, report=report, reason="走访次数与台账记录不一致，请核对后重报。"
            )
        elif n == 1:
            services.report_accept(actor=None, report=report)
    for r in order[3:5]:
        services.receipt_acknowledge(actor=None, recipient=r)
    made += 1

    # A finished task: every report accepted, the bulletin published.
    chosen = demo_first[1:4] or demo_first[:1]
    done = _send(
        sender=street,
        facts=services.DispatchFacts(
            kind=Dispatch.Kind.TASK,
            title="老旧小区加装电梯意向摸排",
            body="请摸排辖区老旧小区加装电梯意向，并核对诉求满意率。",
            deadline=today - datetime.timedelta(days=2),
            period=period,
            targeting=Dispatch.Targeting.LIST,
            target_areas=chosen,
        ),
        fields=_fields(),
        as_of=today - datetime.timedelta(days=20),
    )
    for n, r in enumerate(_recipients(done)):
        report = services.report_submit(actor=None, recipient=r, answers=_answers(done, n + 1))
        services.report_accept(actor=None, report=report)
    services.bulletin_publish(
        actor=None,
        dispatch=done,
        summary="各社区均按时报送。加装电梯意向集中在老旧小区，请相关社区做好协商议事准备。",
    )
    made += 1

    # A notice to every community (the demo community has not opened it yet) and an
    # open task (the demo community has it to report, one other already submitted).
    notice = _send(
        sender=street,
        facts=services.DispatchFacts(
            kind=Dispatch.Kind.NOTICE,
            title="关于做好汛期安全隐患排查的通知",
            body="请各社区组织网格员排查低洼地带、地下车库等隐患点位，发现问题及时上报。",
            deadline=today + datetime.timedelta(days=5),
            targeting=Dispatch.Targeting.CHILDREN,
        ),
    )
    for r in _recipients(notice)[1::2]:
        if r.area_id != getattr(community, "pk", None):
            services.receipt_acknowledge(actor=None, recipient=r)
    made += 1
    current = _send(
        sender=street,
        facts=services.DispatchFacts(
            kind=Dispatch.Kind.TASK,
            title="本月困难群众走访情况",
            body="请报送本月困难群众走访情况。",
            deadline=today + datetime.timedelta(days=6),
            period=period,
            targeting=Dispatch.Targeting.CHILDREN,
        ),
        fields=_fields(),
    )
    for n, r in enumerate(_recipients(current)):
        if r.area_id != getattr(community, "pk", None) and n % 2:
            services.report_submit(actor=None, recipient=r, answers=_answers(current, n))
    made += 1

    # Sent by a rule: the communities whose satisfaction last quarter was below 95 %;
    # and by an org rule: the street's community party orgs whose 三会一课 compliance so
    # far this year is below 90 % (orglife's measure, over the meetings already held).
    notice = {"kind": Dispatch.Kind.NOTICE, "deadline": today + datetime.timedelta(days=14)}
    made += _send_by_rule(
        sender=street,
        facts=services.DispatchFacts(
            title="关于提升诉求办理满意度的提醒",
            body="上季度诉求满意率低于 95% 的社区，请分析原因并改进。",
            targeting=Dispatch.Targeting.RULE,
            rule_outcome="appeals.satisfaction_rate",
            rule_period=period,
            rule_comparison=Dispatch.Comparison.BELOW,
            rule_threshold="95",
            **notice,
        ),
    )
    made += _send_by_rule(
        sender=street,
        facts=services.DispatchFacts(
            title="关于补齐“三会一课”的提醒",
            body="今年以来“三会一课”达标率低于 90% 的党组织，请对照缺项尽快补齐，如实记录。",
            targeting=Dispatch.Targeting.ORG_RULE,
            target_org_group=Dispatch.OrgGroup.COMMUNITY,
            rule_outcome="orglife.compliance",
            rule_period=str(today.year),
            rule_comparison=Dispatch.Comparison.BELOW,
            rule_threshold="90",
            **notice,
        ),
    )
    return {"linkage_dispatches": made}


def department_sends(*, anchors, users: dict, admitted, refused) -> int:
    """Departments' dispatches to the demo street (duty admission, SPEC §7), after the
    district has decided the applications: the enforcement bureau's task citing its
    admitted duty, sent and opened by the street; its notice asking work no duty
    covers, which the street marks as outside its duty list; and the housing bureau's
    task citing its refused duty, refused at sending and left a draft, whose page says
    why."""
    street = anchors.street
    department_staff, street_staff = users["demo_department"], users["demo_street"]
    today = timezone.localdate()

    def draft(department, *, kind: str, title: str, body: str, duty=None, actor=None):
        return services.dispatch_create(
            actor=actor,
            sender_area=department.area,
            sender_department=department,
            facts=services.DispatchFacts(
                kind=kind,
                title=title,
                body=body,
                deadline=today + datetime.timedelta(days=14),
                targeting=Dispatch.Targeting.LIST,
                target_level=Dispatch.Level.STREET,
                target_areas=[street],
                duty_reference=str(duty.pk) if duty is not None else None,
            ),
            fields=(
                [services.FieldFacts(label="本月检查户次", kind=ReportField.Kind.NUMBER)]
                if kind == Dispatch.Kind.TASK
                else []
            ),
        )

    task = draft(
        admitted.department,
        kind=Dispatch.Kind.TASK,
        title="本月沿街商户门责检查情况报送",
        body="请按已准入的“沿街商户门责制度落实日常检查”事项开展检查，报送本月检查户次。",
        duty=admitted,
        actor=department_staff,
    )
    services.dispatch_send(actor=department_staff, dispatch=task)
    # The street has opened it but not yet acknowledged it: the receipt's middle state.
    services.receipt_open(actor=street_staff, recipient=task.recipients.get(area=street))
    notice = draft(
        admitted.department,
        kind=Dispatch.Kind.NOTICE,
        title="关于协助开展占道经营专项整治的通知",
        body="请街道组织网格力量每日巡查占道经营点位，劝离后拍照留存，每周汇总报执法局。",
        actor=department_staff,
    )
    services.dispatch_send(actor=department_staff, dispatch=notice)
    services.recipient_mark_outside_list(
        actor=street_staff,
        recipient=notice.recipients.get(area=street),
        reason="每日巡查、拍照和每周汇总属执法局职责，未经准入，不在街道职责清单内。",
    )
    unadmitted = draft(
        refused.department,
        kind=Dispatch.Kind.TASK,
        title="群租房信息排摸台账报送",
        body="请街道组织居委会逐户排摸群租房信息，每月报送。",
        duty=refused,
    )
    try:
        services.dispatch_send(actor=None, dispatch=unadmitted)
    except ApplicationError:
        pass  # refused, as duty admission requires: it stays a draft saying why
    else:
        raise RuntimeError("a task citing a refused duty was sent")
    return 3
