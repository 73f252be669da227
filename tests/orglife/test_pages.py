"""Every orglife page opens for the community's secretary and answers 404 to another
community's (same setup, success and denial side by side); the public pages open
without an account."""

import pytest
from django.urls import reverse

from jiceng.orglife import services

from .conftest import day


@pytest.fixture
def objects(life, territory):
    meeting = life.meeting(kind="member_appraisal", held_on=day(12, 1))
    services.meeting_task_add(
        actor=None, meeting=meeting, decision="清理楼道", deadline=day(12, 20), owner_name="王"
    )
    topic = services.topic_create(
        actor=None,
        community=territory.areas["xh_c1"],
        org=territory.orgs["xh_c1_gb"],
        title="加装电梯",
    )
    point = services.contact_point_create(
        actor=None,
        official_name="刘",
        official_area=territory.areas["xh_s1"],
        org=territory.orgs["xh_c1_gb"],
        started_on=day(1),
    )
    services.contact_visit_record(actor=None, point=point, visited_on=day(2), problems=["路灯"])
    link = services.household_link_create(
        actor=None,
        member=life.members["wang"],
        grid=territory.areas["xh_g1"],
        household="5号201室",
        started_on=day(1),
    )
    services.household_visit_record(actor=None, link=link, visited_on=day(2), raised="堆物")
    return {
        "meeting": reverse("orglife:meeting", args=[meeting.pk]),
        "meeting_edit": reverse("orglife:meeting_edit", args=[meeting.pk]),
        "org_compliance": reverse("orglife:org_compliance", args=[meeting.org_id]),
        "topic": reverse("orglife:topic", args=[topic.pk]),
        "contact_point": reverse("orglife:contact_point", args=[point.pk]),
    }


@pytest.mark.parametrize(
    "name", ["meeting", "meeting_edit", "org_compliance", "topic", "contact_point"]
)
def test_detail_pages_open_in_scope_and_404_outside(client, territory, objects, name):
    territory.client_for(client, "xh_c1_secretary")
    response = client.get(objects[name])
    assert response.status_code == 200
    territory.client_for(client, "xh_c3_secretary")
    assert client.get(objects[name]).status_code == 404


def test_pages_offer_the_actions_of_the_table(client, territory, objects):
    territory.client_for(client, "xh_c1_secretary")
    meeting = client.get(objects["meeting"]).content.decode()
    for label in ("决定转为任务", "登记评议结果", "办结", "修改记录"):
        assert label in meeting
    topic = client.get(objects["topic"]).content.decode()
    assert "党组织提议" in topic and "/act/topics/" in topic
    point = client.get(objects["contact_point"]).content.decode()
    for label in ("交办（责任人和时限）", "登记解决情况", "转为诉求"):
        assert label in point
    households = client.get(reverse("orglife:households")).content.decode()
    for label in ("转为诉求", "转为共建需求", "转为议事问题"):
        assert label in households


def test_lists_open_for_each_role_that_sees_the_kind(client, territory, objects):
    for user in ("xh_admin", "xh_s1_staff", "xh_c1_secretary", "xh_unit_secretary"):
        territory.client_for(client, user)
        for url in (
            "/orglife/",
            "/orglife/compliance/",
            "/orglife/topics/",
            "/orglife/contact-points/",
            "/orglife/households/",
            "/orglife/meetings/new/",
        ):
            assert client.get(url).status_code == 200, (user, url)
    territory.client_for(client, "xh_g1_worker")
    assert client.get("/orglife/").status_code == 404


def test_public_pages_need_no_account(client, territory, objects):
    assert client.get(reverse("orglife:public_index")).status_code == 200
    url = reverse("orglife:public_community", args=[territory.areas["xh_c1"].pk])
    assert client.get(url).status_code == 200
    assert (
        client.get(
            reverse("orglife:public_community", args=[territory.areas["xh_s1"].pk])
        ).status_code
        == 404
    )
