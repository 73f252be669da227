"""Drafting and sending: recipients expanded once (all communities, a list, a rule over
the outcome registry), refusals before anything is written, the lifecycle's table, the
audit rows and the answerers' notifications."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.outcomes import Period, outcome
from jiceng.linkage import services
from jiceng.linkage.errors import LinkageErrorCode as Code
from jiceng.linkage.models import Dispatch, Notification, Receipt, Recipient, Report
from tests.linkage.conftest import PERIOD, draft_task, future


def test_sending_expands_all_communities_once(sent):
    t = sent.t
    names = set(Recipient.objects.filter(dispatch=sent.task).values_list("area__code", flat=True))
    assert names == {t.areas["xh_c1"].code, t.areas["xh_c2"].code}
    assert Receipt.objects.filter(recipient__dispatch=sent.task).count() == 2
    assert set(
        Report.objects.filter(recipient__dispatch=sent.task).values_list("state", flat=True)
    ) == {"pending"}
    # A notice has receipts but no reports.
    assert not Report.objects.filter(recipient__dispatch=sent.notice).exists()
    assert sent.notice.recipients.count() == 2  # 徐汇's two streets
    assert sent.task.state == Dispatch.State.SENT and sent.task.sent_at is not None


def test_a_community_created_after_sending_is_not_a_recipient(sent):
    from jiceng.core.services import area_create

    area_create(
        actor=None,
        parent=sent.t.areas["xh_s1"],
        code="310104003099",
        name="新社区",
        level="community",
    )
    assert sent.task.recipients.count() == 2


def test_answerers_are_notified_with_their_own_link(sent):
    t = sent.t
    mine = Notification.objects.get(recipient=t.users["xh_c1_secretary"], title__contains="一季度")
    r = sent.recipient(sent.task, "xh_c1")
    assert mine.link == f"/linkage/received/{r.pk}/"
    assert Notification.objects.filter(
        recipient=t.users["xh_s1_staff"], title__contains="主题党日"
    ).exists()
    # Nobody outside the recipients hears of it.
    assert not Notification.objects.filter(
        recipient=t.users["xh_c3_secretary"], title__contains="一季度"
    ).exists()


def test_send_writes_an_audit_row(sent):
    entry = AuditEntry.objects.get(
        target_type="linkage.dispatch", target_id=str(sent.task.pk), action="update"
    )
    assert entry.changes["state"] == {"old": "draft", "new": "sent"}
    assert entry.changes["recipients"] == 2


def test_explicit_list_and_orgs(territory):
    t = territory
    draft = draft_task(
        t,
        targeting=Dispatch.Targeting.LIST,
        target_areas=[t.areas["xh_c2"]],
        target_orgs=[t.orgs["xh_unit_org"]],
    )
    services.dispatch_send(actor=t.users["xh_s1_staff"], dispatch=draft)
    rows = list(draft.recipients.order_by("id"))
    assert [(r.area_id, r.org_id) for r in rows] == [
        (t.areas["xh_c2"].pk, None),
        (None, t.orgs["xh_unit_org"].pk),
    ]
    # The unit org's secretary answers for the org.
    assert Notification.objects.filter(recipient=t.users["xh_unit_secretary"]).exists()


def test_rule_flags_by_the_outcome_registry(territory, monkeypatch):
    """Communities whose satisfaction rate is below the threshold (in percent), as the
    registry computes it for each candidate — never another app's models."""
    t = territory
    o = outcome("appeals.satisfaction_rate")
    values = {t.areas["xh_c1"].pk: 0.5, t.areas["xh_c2"].pk: 0.9}
    from jiceng.core.outcomes import Figure

    monkeypatch.setattr(
        type(o), "measure", lambda self, subject, period: Figure(values.get(subject.pk))
    )
    draft = draft_task(
        t,
        targeting=Dispatch.Targeting.RULE,
        rule_outcome="appeals.satisfaction_rate",
        rule_period=PERIOD,
        rule_comparison=Dispatch.Comparison.BELOW,
        rule_threshold="80",
    )
    assert draft.rule_threshold == Decimal("80.0000")
    flagged = services.expand_recipients(draft)
    assert [a.pk for a, _o in flagged] == [t.areas["xh_c1"].pk]


def test_rule_over_real_figures_sends_nothing_when_nobody_has_data(territory):
    draft = draft_task(
        territory,
        targeting=Dispatch.Targeting.RULE,
        rule_outcome="appeals.satisfaction_rate",
        rule_period=PERIOD,
        rule_comparison=Dispatch.Comparison.BELOW,
        rule_threshold="80",
    )
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_send(actor=territory.users["xh_s1_staff"], dispatch=draft)
    assert refused.value.code == Code.NO_RECIPIENTS
    draft.refresh_from_db()
    assert draft.state == Dispatch.State.DRAFT
    assert not draft.recipients.exists()


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        (
            {"deadline": timezone.localdate() - datetime.timedelta(days=1)},
            Code.DEADLINE_PAST,
            "deadline",
        ),
        ({"deadline": None}, Code.DEADLINE_REQUIRED, "deadline"),
        ({"period": "2026-Q5"}, Code.PERIOD, "period"),
        ({"targeting": "all"}, Code.BAD_CHOICE, "targeting"),
        ({"targeting": Dispatch.Targeting.RULE}, Code.RULE_INCOMPLETE, "rule_outcome"),
        ({"target_level": Dispatch.Level.STREET}, Code.RECIPIENT_OUTSIDE, "target_level"),
        ({"targeting": Dispatch.Targeting.LIST}, Code.NO_RECIPIENTS, "target_areas"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(territory, extra, code, field):
    before = Dispatch.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        draft_task(territory, **extra)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Dispatch.objects.count() == before


def test_recipients_outside_the_sender_are_refused(territory):
    t = territory
    with pytest.raises(ValidationFailed) as refused:
        draft_task(t, targeting=Dispatch.Targeting.LIST, target_areas=[t.areas["xh_c3"]])
    assert refused.value.code == Code.RECIPIENT_OUTSIDE


def test_unknown_outcome_field_is_refused(territory):
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_create(
            actor=None,
            sender_area=territory.areas["xh_s1"],
            facts=services.DispatchFacts(
                kind="task", title="x", deadline=future(), period=PERIOD, targeting="children"
            ),
            fields=[services.FieldFacts(label="x", kind="outcome", outcome_key="logins.count")],
        )
    assert (refused.value.code, refused.value.field) == (
        Code.OUTCOME_UNKNOWN,
        "fields.0.outcome_key",
    )


def test_only_districts_and_streets_send(territory):
    t = territory
    with pytest.raises(ValidationFailed) as refused:
        draft_task(t, actor="xh_c1_secretary", sender="xh_c1")
    assert refused.value.code == Code.SENDER_LEVEL


def test_who_may_send_from_where(territory):
    t = territory
    # A community secretary sees the street? No: out of sight is 404.
    with pytest.raises(NotFound):
        draft_task(t, actor="xh_c1_secretary")
    # A district admin sees the street but does not send in its name.
    with pytest.raises(PermissionDenied):
        draft_task(t, actor="xh_admin")
    # Another district's admin: out of sight.
    with pytest.raises(NotFound):
        draft_task(t, actor="hp_admin")
    assert draft_task(t).state == Dispatch.State.DRAFT


def test_a_task_without_fields_or_period_is_not_sent(territory):
    t = territory
    draft = services.dispatch_create(
        actor=t.users["xh_s1_staff"],
        sender_area=t.areas["xh_s1"],
        facts=services.DispatchFacts(
            kind="task", title="任务", deadline=future(), targeting="children"
        ),
    )
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_send(actor=t.users["xh_s1_staff"], dispatch=draft)
    assert refused.value.code == Code.FIELDS_REQUIRED
    services.report_field_add(
        actor=t.users["xh_s1_staff"],
        dispatch=draft,
        facts=services.FieldFacts(
            label="满意率", kind="outcome", outcome_key="appeals.satisfaction_rate"
        ),
    )
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_send(actor=t.users["xh_s1_staff"], dispatch=draft)
    assert refused.value.code == Code.PERIOD


def test_lifecycle_table(sent):
    from jiceng.core.errors import Conflict

    t, staff = sent.t, sent.t.users["xh_s1_staff"]
    with pytest.raises(Conflict):
        services.dispatch_send(actor=staff, dispatch=sent.task)
    with pytest.raises(Conflict):
        services.report_field_add(
            actor=staff, dispatch=sent.task, facts=services.FieldFacts(label="x", kind="text")
        )
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_withdraw(actor=staff, dispatch=sent.task, reason=" ")
    assert refused.value.code == Code.REASON_REQUIRED
    closed = services.dispatch_close(actor=staff, dispatch=sent.task)
    assert closed.state == Dispatch.State.CLOSED
    withdrawn = services.dispatch_withdraw(actor=staff, dispatch=draft_task(t), reason="重复")
    assert withdrawn.state == Dispatch.State.WITHDRAWN
    with pytest.raises(Conflict):
        services.dispatch_close(actor=staff, dispatch=withdrawn)


def test_withdrawing_a_sent_dispatch_tells_the_recipients(sent):
    t = sent.t
    services.dispatch_withdraw(actor=t.users["xh_admin"], dispatch=sent.notice, reason="内容有误")
    assert Notification.objects.filter(
        recipient=t.users["xh_s1_staff"], title__startswith="已撤回"
    ).exists()


def test_only_the_system_records_as_of_an_earlier_day(territory):
    with pytest.raises(ValueError):
        services.dispatch_create(
            actor=territory.users["xh_s1_staff"],
            sender_area=territory.areas["xh_s1"],
            facts=services.DispatchFacts(kind="notice", title="x", targeting="children"),
            as_of=timezone.localdate() - datetime.timedelta(days=3),
        )


def test_period_label_is_normalized(territory):
    draft = draft_task(territory, period="2026-q1")
    assert draft.period == "2026-Q1"
    assert Period.parse(draft.period).start == datetime.date(2026, 1, 1)
