"""The inbox: notify, the unread count on every page (one cheap query), mark read and
mark all read on the page and in the API, someone else's notification out of sight;
and what already existed going through it after commit — an appeal dispatched to a
unit's handlers, a whistle to the summoned units, newly overdue cases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.core.notifications import notify_after_commit
from jiceng.linkage import services
from jiceng.linkage.models import Notification
from tests.appeals.conftest import world as world


def test_notify_after_commit_waits_for_the_commit(territory, django_capture_on_commit_callbacks):
    user = territory.users["xh_s1_staff"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_after_commit([user, user.pk], title="标题", body="内容", url="/linkage/")
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    (only,) = Notification.objects.all()
    assert (only.recipient_id, only.title, only.link) == (user.pk, "标题", "/linkage/")


def test_a_link_leaves_nobody_off_site(territory):
    services.notify([territory.users["xh_s1_staff"]], title="x", url="https://evil.example/")
    services.notify([territory.users["xh_s1_staff"]], title="y", url="//evil.example/")
    assert set(Notification.objects.values_list("link", flat=True)) == {""}


def test_appeal_dispatch_and_summons_reach_the_units_handlers(
    world, django_capture_on_commit_callbacks
):
    from jiceng.appeals import services as appeal_services

    t = world.t
    appeal = world.intake(area_key="xh_g1")
    appeal.refresh_from_db()
    if appeal.state == "dispatched":
        appeal_services.appeal_return(actor=None, appeal=appeal, reason="非本单位")
        appeal.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        appeal_services.appeal_dispatch(
            actor=t.users["xh_s1_staff"], appeal=appeal, unit=world.department
        )
    mine = Notification.objects.get(recipient=world.department_user)
    assert mine.title.startswith("新派单") and mine.link == f"/appeals/{appeal.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        appeal_services.summons_create(
            actor=t.users["xh_s1_staff"], appeal=appeal, units=[world.department], reason="需执法"
        )
    assert Notification.objects.filter(
        recipient=world.department_user, title__startswith="吹哨报到"
    ).exists()


def test_newly_overdue_cases_once(world, django_capture_on_commit_callbacks):
    from jiceng.appeals import services as appeal_services
    from jiceng.appeals.overdue import check_deadlines

    t = world.t
    appeal = world.intake(area_key="xh_g1")
    appeal.refresh_from_db()
    if appeal.unit_id != world.department.pk:
        if appeal.state == "dispatched":
            appeal_services.appeal_return(actor=None, appeal=appeal, reason="改派")
            appeal.refresh_from_db()
        appeal_services.appeal_dispatch(
            actor=t.users["xh_s1_staff"], appeal=appeal, unit=world.department
        )
    later = timezone.now() + datetime.timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        check_deadlines(now=later)
        check_deadlines(now=later)
    overdue = Notification.objects.filter(recipient=world.department_user, title__startswith="诉求")
    assert overdue.count() >= 1
    titles = list(overdue.values_list("title", flat=True))
    assert len(titles) == len(set(titles)) or len(titles) <= 2  # one per clock, never repeated


@pytest.fixture
def inbox(territory):
    user = territory.users["xh_c1_secretary"]
    services.notify([user], title="第一条", url="/linkage/")
    services.notify([user], title="第二条", body="内容")
    services.notify([territory.users["xh_c3_secretary"]], title="别人的")
    return user


def test_the_unread_count_on_every_page_costs_one_query(client, inbox):
    client.force_login(inbox)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/linkage/notifications/").content.decode()
    assert 'class="badge"' in page and ">2<" in page
    counts = [
        q for q in queries if "linkage_notification" in q["sql"] and "COUNT" in q["sql"].upper()
    ]
    assert len(counts) == 1
    assert "别人的" not in page


def test_mark_read_and_mark_all_read_on_the_page(client, inbox):
    client.force_login(inbox)
    first = Notification.objects.get(title="第一条")
    answer = client.post(f"/linkage/notifications/{first.pk}/read/")
    assert answer.status_code == 302 and answer["Location"] == "/linkage/"
    first.refresh_from_db()
    assert first.read_at is not None
    client.post("/linkage/notifications/read-all/")
    assert not Notification.objects.filter(recipient=inbox, read_at__isnull=True).exists()
    assert Notification.objects.filter(title="别人的", read_at__isnull=True).exists()
    other = Notification.objects.get(title="别人的")
    assert client.post(f"/linkage/notifications/{other.pk}/read/").status_code == 404


def test_the_inbox_in_the_api(client, inbox):
    client.force_login(inbox)
    listed = client.get("/api/linkage/notifications").json()
    assert [n["title"] for n in listed["items"]] == ["第二条", "第一条"]
    assert client.get("/api/linkage/notifications/unread").json() == {"unread": 2}
    first = Notification.objects.get(title="第一条")
    read = client.post(
        f"/api/linkage/notifications/{first.pk}/read", "{}", content_type="application/json"
    ).json()
    assert read["read_at"] is not None
    other = Notification.objects.get(title="别人的")
    answer = client.post(
        f"/api/linkage/notifications/{other.pk}/read", "{}", content_type="application/json"
    )
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert client.post(
        "/api/linkage/notifications/read-all", "{}", content_type="application/json"
    ).json() == {"unread": 0}


def test_the_inbox_list_keeps_its_query_count(client, inbox, django_assert_max_num_queries):
    client.force_login(inbox)
    for i in range(30):
        services.notify([inbox], title=f"通知{i}")
    with django_assert_max_num_queries(12):
        assert client.get("/linkage/notifications/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/linkage/notifications?limit=50").status_code == 200


def test_a_transfer_awaiting_the_other_side_reaches_it(
    territory, django_capture_on_commit_callbacks
):
    from jiceng.members import services as member_services
    from tests.members.factories import facts

    t = territory
    member = member_services.member_register(
        actor=t.users["xh_s1_staff"], org=t.orgs["xh_c1_b1"], facts=facts(name="张伟")
    )
    with django_capture_on_commit_callbacks(execute=True):
        member_services.transfer_start(
            actor=t.users["xh_s1_staff"],
            member=member,
            to_org=t.orgs["xh_unit_org"],
            reason="工作调动",
        )
    # The receiving org's secretary and the staff of the community it sits in.
    notified = set(
        Notification.objects.filter(title__startswith="待接收的组织关系转接").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"xh_unit_secretary", "xh_c1_secretary"}
