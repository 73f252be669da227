"""The appeals app's standard ledgers (台账): cases received and closed, the three rates
per area, overdue and escalated cases, reopened and repeated ones, summons (吹哨报到),
mediation, satisfaction returns, and the handling units. Cases are placed in the
territory only (no org), read through the app's scoped selectors in a fixed number of
queries; numbers typed into a description are masked (core.masking.redact_personal)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiceng.appeals import rollup
from jiceng.appeals.models import Appeal, AppealEvent, HandlingUnit, Mediation
from jiceng.appeals.selectors import appeal_visible, summons_board
from jiceng.core.ledgers import Subject, columns, percent, pick, register_ledgers
from jiceng.core.masking import redact_personal
from jiceng.core.models import Area
from jiceng.core.scope import KIND_APPEAL, scope_for

APP = "appeals"
DESCRIPTION_CHARS = 200
STATE = dict(Appeal.State.choices)
CHANNEL = dict(Appeal.Channel.choices)
SATISFACTION = dict(Appeal.Satisfaction.choices)
OUTCOME = dict(Mediation.Outcome.choices)
UNIT_KIND = dict(HandlingUnit.Kind.choices)


def _cases(viewer, subject: Subject):
    return subject.narrow(appeal_visible(viewer), area="area")


def _in_period(viewer, subject: Subject, field: str = "received_at"):
    return _cases(viewer, subject).filter(**subject.period.times(field))


def _yes_no(value) -> str:
    if value is None:
        return ""
    return str(_("是") if value else _("否"))


def _case_row(a: Appeal) -> tuple:
    return (
        a.tracking_code,
        a.received_at,
        CHANNEL[a.channel],
        a.category.name,
        a.area.name,
        a.address,
        redact_personal(a.description[:DESCRIPTION_CHARS]),
        a.unit.name if a.unit_id else "",
        STATE[a.state],
        a.replied_at,
        a.closed_at,
        SATISFACTION.get(a.satisfaction, ""),
    )


def appeals_received(viewer, subject: Subject):
    for case in _in_period(viewer, subject).order_by("received_at", "id").iterator(2000):
        yield _case_row(case)


def appeals_closed(viewer, subject: Subject):
    found = _in_period(viewer, subject, "closed_at").order_by("closed_at", "id")
    for case in found.iterator(2000):
        yield _case_row(case)


def appeals_overdue(viewer, subject: Subject):
    found = (
        _in_period(viewer, subject)
        .filter(Q(response_overdue=True) | Q(resolution_overdue=True))
        .order_by("received_at", "id")
    )
    for a in found.iterator(2000):
        yield (
            a.tracking_code,
            a.received_at,
            a.category.name,
            a.area.name,
            a.unit.name if a.unit_id else "",
            STATE[a.state],
            _yes_no(a.response_overdue),
            _yes_no(a.resolution_overdue),
            a.resolution_due_at,
        )


def appeals_escalated(viewer, subject: Subject):
    found = (
        _in_period(viewer, subject)
        .filter(escalated_to__isnull=False)
        .select_related("escalated_to")
        .order_by("received_at", "id")
    )
    for a in found.iterator(2000):
        yield (
            a.tracking_code,
            a.received_at,
            a.category.name,
            a.area.name,
            a.unit.name if a.unit_id else "",
            a.escalated_to.name,
            STATE[a.state],
        )


def appeals_reopened(viewer, subject: Subject):
    found = _in_period(viewer, subject).filter(reopen_count__gt=0).order_by("received_at", "id")
    for a in found.iterator(2000):
        yield (
            a.tracking_code,
            a.received_at,
            a.category.name,
            a.area.name,
            a.unit.name if a.unit_id else "",
            a.reopen_count,
            STATE[a.state],
            SATISFACTION.get(a.satisfaction, ""),
        )


def appeals_returned(viewer, subject: Subject):
    """Each return (退单) in the period: which case, by which unit, why."""
    visible = _cases(viewer, subject).values("pk")
    events = (
        AppealEvent.objects.filter(appeal__in=visible, action="return")
        .filter(**subject.period.times("at"))
        .order_by("at", "id")
        .values_list(
            "appeal__tracking_code", "appeal__category__name", "appeal__area__name", "at", "note"
        )
    )
    for code, category, area, at, note in events:
        yield (code, category, area, at, redact_personal(note[:DESCRIPTION_CHARS]))


def appeals_repeated(viewer, subject: Subject):
    """The same kind of problem at the same place more than once in the period."""
    rows = (
        _in_period(viewer, subject)
        .values("area__name", "area__path", "category__name")
        .annotate(count=Count("id"), open=Count("id", filter=~Q(state=Appeal.State.CLOSED)))
        .filter(count__gte=2)
        .order_by("-count", "area__path", "category__name")
    )
    for r in rows:
        yield (r["area__name"], r["category__name"], r["count"], r["open"])


def _counters() -> dict:
    return {name: Count("id", filter=condition) for name, condition in rollup.CONDITIONS.items()}


def appeal_rates(viewer, subject: Subject):
    """The three rates (and on-time replies) of the cases received in the period, per
    community under a street or community, per street above: one grouped query."""
    area = subject.area
    above_street = area is not None and area.level in (Area.Level.CITY, Area.Level.DISTRICT)
    group = "street" if above_street else "community"
    rows = (
        _in_period(viewer, subject)
        .values(f"{group}__name", f"{group}__code")
        .annotate(**_counters())
        .order_by(f"{group}__code")
    )
    for r in rows:
        yield (
            r[f"{group}__name"] or "",
            r[f"{group}__code"] or "",
            r["received"],
            percent(r["responded_on_time"], r["received"]),
            percent(r["resolved"], r["rated"]),
            percent(r["satisfied"], r["rated"]),
            percent(r["on_time_met"], r["on_time_due"]),
            r["rated"],
        )


def appeals_by_category(viewer, subject: Subject):
    rows = (
        _in_period(viewer, subject)
        .values("category__group", "category__name", "category__sort", "category__code")
        .annotate(
            count=Count("id"),
            closed=Count("id", filter=Q(state=Appeal.State.CLOSED)),
            overdue=Count("id", filter=Q(resolution_overdue=True)),
        )
        .order_by("category__sort", "category__code")
    )
    for r in rows:
        yield (r["category__group"], r["category__name"], r["count"], r["closed"], r["overdue"])


def appeals_by_channel(viewer, subject: Subject):
    rows = (
        _in_period(viewer, subject)
        .values("channel")
        .annotate(count=Count("id"))
        .order_by("channel")
    )
    for r in rows:
        yield (CHANNEL[r["channel"]], r["count"])


def appeals_by_unit(viewer, subject: Subject):
    rows = (
        _in_period(viewer, subject)
        .exclude(unit=None)
        .values("unit__name", "unit__kind", "unit_id")
        .annotate(
            **_counters(),
            closed=Count("id", filter=Q(state=Appeal.State.CLOSED)),
            overdue=Count("id", filter=Q(resolution_overdue=True)),
        )
        .order_by("unit__kind", "unit__name", "unit_id")
    )
    for r in rows:
        yield (
            r["unit__name"],
            UNIT_KIND[r["unit__kind"]],
            r["received"],
            r["closed"],
            r["overdue"],
            percent(r["satisfied"], r["rated"]),
        )


def summonses(viewer, subject: Subject):
    targets = subject.narrow(summons_board(viewer=viewer), area="summons__appeal__area").filter(
        **subject.period.times("summons__created_at")
    )
    for t in targets:
        yield (
            t.summons.appeal.tracking_code,
            t.summons.created_at,
            t.summons.reason,
            t.unit.name,
            t.report_due_at,
            t.reported_at,
            t.act_due_at,
            t.acted_at,
            t.action_note[:DESCRIPTION_CHARS],
        )


def mediations(viewer, subject: Subject):
    # A mediation is seen with its case (core.scope places the case, not the record).
    found = (
        Mediation.objects.filter(appeal__in=_in_period(viewer, subject).values("pk"))
        .order_by("appeal__received_at", "id")
        .values_list(
            "appeal__tracking_code",
            "appeal__received_at",
            "appeal__category__name",
            "appeal__area__name",
            "parties",
            "outcome",
            "mediator",
            "mediated_on",
        )
    )
    for code, received, category, area, parties, outcome, mediator, on in found:
        yield (
            code,
            received,
            category,
            area,
            len(parties or []),
            OUTCOME.get(outcome, ""),
            mediator,
            on,
        )


def satisfaction_returns(viewer, subject: Subject):
    found = _in_period(viewer, subject, "rated_at").order_by("rated_at", "id")
    for a in found.iterator(2000):
        yield (
            a.tracking_code,
            a.rated_at,
            a.category.name,
            a.area.name,
            a.unit.name if a.unit_id else "",
            _yes_no(a.resolved),
            SATISFACTION.get(a.satisfaction, ""),
            a.reopen_count,
        )


def handling_units(viewer, subject: Subject):
    units = scope_for(viewer).filter(HandlingUnit.objects.all())
    rows = (
        subject.narrow(units, area="area")
        .annotate(
            handler_count=Count(
                "handlers", filter=Q(handlers__ended_at__isnull=True), distinct=True
            )
        )
        .order_by("area__path", "kind", "name")
        .values_list("name", "kind", "area__name", "is_active", "handler_count")
    )
    for name, kind, area, active, handlers in rows:
        yield (name, UNIT_KIND[kind], area, _yes_no(active), handlers)


# Columns the case ledgers share.
CASE: dict[str, tuple] = {
    "tracking_code": (_("查询码"),),
    "received_at": (_("受理时间"), "date"),
    "category": (_("类别"),),
    "place": (_("发生地"),),
    "unit": (_("承办单位"),),
    "state": (_("状态"),),
    "satisfaction": (_("满意度"),),
    "reopen_count": (_("重办次数"), "number"),
}


def register() -> None:
    case_columns = columns(
        ("tracking_code", _("查询码")),
        ("received_at", _("受理时间"), "date"),
        ("channel", _("来源")),
        ("category", _("类别")),
        ("place", _("发生地")),
        ("address", _("详细地点")),
        ("description", _("诉求内容（摘要）")),
        ("unit", _("承办单位")),
        ("state", _("状态")),
        ("replied_at", _("答复时间"), "date"),
        ("closed_at", _("办结时间"), "date"),
        ("satisfaction", _("满意度")),
    )
    options = {"subjects": ("area",), "takes_period": True}
    specs = [
        (
            "appeals_received",
            _("群众诉求受理台账"),
            appeals_received,
            "appeal_visible",
            case_columns,
            options,
        ),
        (
            "appeals_closed",
            _("群众诉求办结台账"),
            appeals_closed,
            "appeal_visible",
            case_columns,
            options,
        ),
        (
            "appeal_rates",
            _("接诉即办三率统计（按区域）"),
            appeal_rates,
            "appeal_visible + rollup.CONDITIONS",
            columns(
                ("area", _("区域")),
                ("code", _("区划代码")),
                ("received", _("受理件数"), "number"),
                ("response", _("响应率"), "percent"),
                ("resolution", _("解决率"), "percent"),
                ("satisfaction", _("满意率"), "percent"),
                ("on_time", _("按时办结率"), "percent"),
                ("rated", _("已评价件数"), "number"),
            ),
            options,
        ),
        (
            "appeals_overdue",
            _("超时诉求台账"),
            appeals_overdue,
            "appeal_visible",
            pick(CASE, "tracking_code", "received_at", "category", "place", "unit", "state")
            + columns(
                ("response_overdue", _("响应超时")),
                ("resolution_overdue", _("办结超时")),
                ("resolution_due_at", _("办结时限"), "date"),
            ),
            options,
        ),
        (
            "appeals_escalated",
            _("超时督办台账"),
            appeals_escalated,
            "appeal_visible",
            pick(CASE, "tracking_code", "received_at", "category", "place", "unit")
            + columns(
                ("escalated_to", _("督办层级")),
                ("state", _("状态")),
            ),
            options,
        ),
        (
            "appeals_reopened",
            _("重办诉求台账"),
            appeals_reopened,
            "appeal_visible",
            pick(
                CASE,
                "tracking_code",
                "received_at",
                "category",
                "place",
                "unit",
                "reopen_count",
                "state",
                "satisfaction",
            ),
            options,
        ),
        (
            "appeals_returned",
            _("退单记录"),
            appeals_returned,
            "appeal_visible + appeal_events",
            pick(CASE, "tracking_code", "category", "place")
            + columns(
                ("at", _("退单时间"), "date"),
                ("reason", _("退单理由")),
            ),
            options,
        ),
        (
            "appeals_repeated",
            _("重复诉求（同一地点同类问题）"),
            appeals_repeated,
            "appeal_visible",
            columns(
                ("place", _("发生地")),
                ("category", _("类别")),
                ("count", _("件数"), "number"),
                ("open", _("未办结"), "number"),
            ),
            options,
        ),
        (
            "appeals_by_category",
            _("诉求分类统计"),
            appeals_by_category,
            "appeal_visible",
            columns(
                ("group", _("大类")),
                ("category", _("类别")),
                ("count", _("件数"), "number"),
                ("closed", _("已办结"), "number"),
                ("overdue", _("办结超时"), "number"),
            ),
            options,
        ),
        (
            "appeals_by_channel",
            _("诉求来源统计"),
            appeals_by_channel,
            "appeal_visible",
            columns(("channel", _("来源")), ("count", _("件数"), "number")),
            options,
        ),
        (
            "appeals_by_unit",
            _("承办单位办理情况"),
            appeals_by_unit,
            "appeal_visible",
            columns(
                ("unit", _("承办单位")),
                ("kind", _("类型")),
                ("received", _("承办件数"), "number"),
                ("closed", _("已办结"), "number"),
                ("overdue", _("办结超时"), "number"),
                ("satisfaction", _("满意率"), "percent"),
            ),
            options,
        ),
        (
            "summonses",
            _("吹哨报到台账"),
            summonses,
            "summons_board",
            columns(
                ("tracking_code", _("查询码")),
                ("created_at", _("吹哨时间"), "date"),
                ("reason", _("吹哨事由")),
                ("unit", _("报到单位")),
                ("report_due_at", _("报到时限"), "date"),
                ("reported_at", _("报到时间"), "date"),
                ("act_due_at", _("处置时限"), "date"),
                ("acted_at", _("处置时间"), "date"),
                ("action_note", _("处置情况")),
            ),
            options,
        ),
        (
            "mediations",
            _("矛盾纠纷调解台账"),
            mediations,
            "appeal_visible",
            pick(CASE, "tracking_code", "received_at", "category", "place")
            + columns(
                ("parties", _("当事人数"), "number"),
                ("outcome", _("调解结果")),
                ("mediator", _("调解员")),
                ("mediated_on", _("调解日期"), "date"),
            ),
            options,
        ),
        (
            "satisfaction_returns",
            _("评价回访台账"),
            satisfaction_returns,
            "appeal_visible",
            columns(
                ("tracking_code", _("查询码")),
                ("rated_at", _("评价时间"), "date"),
                ("category", _("类别")),
                ("place", _("发生地")),
                ("unit", _("承办单位")),
                ("resolved", _("问题是否解决")),
                ("satisfaction", _("满意度")),
                ("reopen_count", _("重办次数"), "number"),
            ),
            options,
        ),
        (
            "handling_units",
            _("承办单位名册"),
            handling_units,
            "configured_units",
            columns(
                ("name", _("名称")),
                ("kind", _("类型")),
                ("area", _("负责区域")),
                ("active", _("启用")),
                ("handlers", _("承办人员数"), "number"),
            ),
            {"subjects": ("area",)},
        ),
    ]
    register_ledgers(
        app=APP, title=_("接诉即办"), kind=KIND_APPEAL, source="appeals.selectors", specs=specs
    )
