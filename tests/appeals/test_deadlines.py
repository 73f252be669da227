"""Deadlines in Chinese working days, and the idempotent deadline check."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from jiceng.appeals.models import Appeal, AppealEvent
from jiceng.appeals.overdue import check_deadlines
from jiceng.appeals.services import appeal_accept, appeal_reply, deadlines
from jiceng.core.workdays import LOCAL, add_working_days


def test_case_filed_on_30_september_skips_the_national_day_holiday(world):
    filed = datetime.datetime(2026, 9, 30, 16, 30, tzinfo=LOCAL)
    response, resolution = deadlines(world.category("sanitation"), filed)
    assert response == filed + datetime.timedelta(hours=24)  # clock hours, holiday or not
    # 1-7 October are holidays; Saturday 10 October is an adjusted work day (调休).
    assert resolution == datetime.datetime(2026, 10, 10, 23, 59, 59, tzinfo=LOCAL)
    urgent = deadlines(world.category("elevator"), filed)[1]
    assert urgent == filed + datetime.timedelta(hours=48)


def test_working_days_skip_weekends():
    friday = datetime.datetime(2026, 11, 20, 9, tzinfo=LOCAL)
    assert add_working_days(friday, 1).date() == datetime.date(2026, 11, 23)
    assert add_working_days(friday, 5).date() == datetime.date(2026, 11, 27)


def _age(case: Appeal, hours: int) -> None:
    """Move a case's clocks into the past, as if it had been filed `hours` ago."""
    shift = datetime.timedelta(hours=hours)
    Appeal.objects.filter(pk=case.pk).update(
        received_at=case.received_at - shift,
        response_due_at=case.response_due_at - shift,
        resolution_due_at=case.resolution_due_at - shift,
    )


def test_overdue_cases_escalate_once_and_a_second_run_changes_nothing(world):
    community_case = world.intake()
    department_case = world.intake(area_key="xh_c3", code="illegal-building", text="违建")
    answered = world.intake(area_key="xh_c2", text="路灯不亮")
    appeal_accept(actor=world.t.users["xh_s1_staff"], appeal=answered)
    for case in (community_case, department_case, answered):
        _age(case, 25)

    first = check_deadlines()
    assert (first.response_overdue, first.resolution_overdue, first.escalated) == (2, 0, 2)
    community_case.refresh_from_db()
    department_case.refresh_from_db()
    answered.refresh_from_db()
    assert community_case.response_overdue and community_case.escalated_to == world.t.areas["xh_s1"]
    assert department_case.escalated_to == world.t.areas["xh"]
    assert not answered.response_overdue
    events = AppealEvent.objects.filter(action="overdue").count()

    second = check_deadlines()
    assert (second.response_overdue, second.resolution_overdue, second.escalated) == (0, 0, 0)
    assert AppealEvent.objects.filter(action="overdue").count() == events

    # Past the resolution deadline as well: marked once more, but escalated only once.
    _age(community_case, 24 * 30)
    third = check_deadlines()
    assert (third.resolution_overdue, third.escalated) == (1, 0)
    community_case.refresh_from_db()
    assert community_case.resolution_overdue
    assert community_case.escalated_to == world.t.areas["xh_s1"]


def test_unrated_replies_close_after_the_rating_period(world, settings):
    settings.APPEAL_RATING_DAYS = 7
    case = world.intake()
    handler = world.t.users["xh_c1_secretary"]
    appeal_accept(actor=handler, appeal=case)
    appeal_reply(actor=handler, appeal=case, reply="已处理")
    assert check_deadlines().closed_unrated == 0
    Appeal.objects.filter(pk=case.pk).update(replied_at=timezone.now() - datetime.timedelta(days=8))
    assert check_deadlines().closed_unrated == 1
    case.refresh_from_db()
    assert case.state == Appeal.State.CLOSED
    assert check_deadlines().closed_unrated == 0


def test_command_reports_counts(world, capsys):
    _age(world.intake(), 25)
    call_command("check_deadlines")
    assert "响应超时 1" in capsys.readouterr().out
    call_command("check_deadlines")
    assert "响应超时 0" in capsys.readouterr().out
