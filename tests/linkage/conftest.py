"""Dispatch and notification on the shared territory fixture: the named fixture `sent`
is a task from 湖南路街道 (xh_s1) to its two communities (xh_c1, xh_c2) asking back the
satisfaction rate (an outcome, pre-filled), a number, a yes/no and a choice; and a
notice from the 徐汇 district to its streets. Everything through the services."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from jiceng.linkage import services
from jiceng.linkage.models import Dispatch, Recipient, ReportField
from tests.duties.conftest import duty_world  # noqa: F401  (departments for their sends)

PERIOD = "2026-Q1"


def future(days: int = 7) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def task_fields() -> list[services.FieldFacts]:
    return [
        services.FieldFacts(
            label="诉求满意率",
            kind=ReportField.Kind.OUTCOME,
            outcome_key="appeals.satisfaction_rate",
        ),
        services.FieldFacts(label="开展活动次数", kind=ReportField.Kind.NUMBER),
        services.FieldFacts(label="是否完成整改", kind=ReportField.Kind.YES_NO),
        services.FieldFacts(
            label="主要方式", kind=ReportField.Kind.CHOICE, choices="走访\n会议\n线上"
        ),
        services.FieldFacts(label="其他情况", kind=ReportField.Kind.TEXT, required=False),
    ]


def draft_task(t, *, actor="xh_s1_staff", sender="xh_s1", **extra) -> Dispatch:
    facts = services.DispatchFacts(
        kind=Dispatch.Kind.TASK,
        title="一季度基层治理情况报送",
        body="请各社区核对并报送一季度情况。",
        deadline=extra.pop("deadline", future()),
        period=extra.pop("period", PERIOD),
        targeting=extra.pop("targeting", Dispatch.Targeting.CHILDREN),
        **extra,
    )
    return services.dispatch_create(
        actor=t.users[actor] if actor else None,
        sender_area=t.areas[sender],
        facts=facts,
        fields=task_fields(),
    )


@dataclass
class Sent:
    t: object
    task: Dispatch
    notice: Dispatch

    def recipient(self, dispatch: Dispatch, area: str) -> Recipient:
        return Recipient.objects.get(dispatch=dispatch, area=self.t.areas[area])

    def answers(self, dispatch: Dispatch, **values) -> dict:
        by_label = {f.label: f.pk for f in dispatch.fields.all()}
        defaults = {"开展活动次数": "3", "是否完成整改": "yes", "主要方式": "走访"}
        defaults.update(values)
        return {by_label[k]: services.Answer(value=v) for k, v in defaults.items()}


@pytest.fixture
def sent(territory) -> Sent:
    t = territory
    task = draft_task(t)
    services.dispatch_send(actor=t.users["xh_s1_staff"], dispatch=task)
    notice = services.dispatch_create(
        actor=t.users["xh_admin"],
        sender_area=t.areas["xh"],
        facts=services.DispatchFacts(
            kind=Dispatch.Kind.NOTICE,
            title="关于开展主题党日活动的通知",
            body="请各街道组织开展。",
            deadline=future(3),
            targeting=Dispatch.Targeting.CHILDREN,
            target_level=Dispatch.Level.STREET,
        ),
    )
    services.dispatch_send(actor=t.users["xh_admin"], dispatch=notice)
    task.refresh_from_db()
    notice.refresh_from_db()
    return Sent(t, task, notice)
