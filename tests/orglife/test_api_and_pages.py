"""The API and the pages on one setup: every action in the tables has an API operation
and a page route calling the same code, the error shape, scope (404 outside), query
counts on lists, and the forms' refusals of control characters and long text."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.api import api
from jiceng.core.errors import NotFound
from jiceng.orglife import actions, services
from jiceng.orglife.models import Meeting, Topic

from .conftest import day


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _meeting_body(life, t, **extra):
    m = life.members
    body = {
        "org": t.orgs["xh_c1_b1"].pk,
        "kind": "member_meeting",
        "held_on": str(day(3)),
        "topic": "学习贯彻党章",
        "attendance": [
            {"member": m["wang"].pk, "status": "present"},
            {"member": m["li"].pk, "status": "excused", "reason": "就医"},
        ],
    }
    body.update(extra)
    return body


def test_api_records_a_meeting_from_the_register(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    response = _post(client, "/api/orglife/meetings", _meeting_body(life, territory))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["register_count"], data["attended_count"]) == (4, 1)
    assert {a["status"] for a in data["attendance"]} == {"present", "excused", "absent"}


@pytest.mark.parametrize(
    "extra, code, field",
    [
        ({"topic": "长" * 201}, "orglife_text_too_long", "topic"),
        ({"topic": "学习\x00"}, "orglife_text_control_characters", "topic"),
        ({"topic": ""}, "orglife_text_required", "topic"),
        ({"minutes": "记录\x07"}, "orglife_text_control_characters", "minutes"),
        ({"held_on": "2020-13-01"}, "orglife_date_required", "held_on"),
        ({"kind": "group_meeting"}, "orglife_kind_not_for_org", "kind"),
    ],
)
def test_api_refusals_have_the_one_error_shape(client, life, territory, extra, code, field):
    territory.client_for(client, "xh_c1_secretary")
    response = _post(client, "/api/orglife/meetings", _meeting_body(life, territory, **extra))
    assert response.status_code in (400, 422)
    body = response.json()
    assert set(body) == {"code", "message", "field"}
    assert (body["code"], body["field"]) == (code, field)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "extra, code, field",
    [
        ({"topic": "长" * 201}, "orglife_text_too_long", "topic"),
        ({"topic": "学习\x00"}, "orglife_text_control_characters", "topic"),
        ({"topic": ""}, "orglife_text_required", "topic"),
        ({"place": "会议室\x1b"}, "orglife_text_control_characters", "place"),
        ({"presider": "王" * 51}, "orglife_text_too_long", "presider"),
    ],
)
def test_page_and_api_answer_the_same_code_for_the_same_text(
    client, life, territory, extra, code, field
):
    """One refusal, one code: the API's error body and the page's form error name the same
    code (orglife.errors) and field for the same input."""
    territory.client_for(client, "xh_c1_secretary")
    api = _post(client, "/api/orglife/meetings", _meeting_body(life, territory, **extra))
    assert api.status_code in (400, 422)
    assert (api.json()["code"], api.json()["field"]) == (code, field)
    url = reverse("orglife:meeting_new") + f"?org={territory.orgs['xh_c1_b1'].pk}"
    form = {"kind": "member_meeting", "held_on": str(day(3)), "topic": "学习", **extra}
    page = client.post(url, form)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-code="{code}"' in html and f'data-field="{field}"' in html
    assert api.json()["message"] in html
    assert not Meeting.objects.exists()


def test_page_refuses_control_characters_and_long_text(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    url = reverse("orglife:meeting_new") + f"?org={territory.orgs['xh_c1_b1'].pk}"
    for topic, expected in (("学习\x07", "控制字符"), ("长" * 201, "最多 200 字")):
        response = client.post(
            url, {"kind": "member_meeting", "held_on": str(day(3)), "topic": topic}
        )
        assert response.status_code == 200
        assert expected in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(
        url,
        {
            "kind": "member_meeting",
            "held_on": str(day(3)),
            "topic": "主题党日：清理楼道",
            f"status_{life.members['wang'].pk}": "present",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.attended_count == 1 and meeting.register_count == 4


def test_every_action_has_an_api_operation_and_a_page_route():
    schema = api.get_openapi_schema()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    for lifecycle in actions.LIFECYCLES.values():
        for action in lifecycle.actions.values():
            assert f"orglife_{lifecycle.name}_{action.name}" in operations
            if action.creates:
                reverse(action.page)
            else:
                reverse("orglife:act", args=[lifecycle.name, 1, action.name])
    # Recording a meeting is in the meetings' table like the other actions, and the API's
    # POST /meetings is generated from that entry.
    assert actions.MEETING_ACTIONS["record"].creates
    post = schema["paths"]["/api/orglife/meetings"]["post"]
    assert post["operationId"] == "orglife_meetings_record"


def test_recording_a_meeting_goes_through_the_action_table(client, life, territory, monkeypatch):
    """The page's form and the API's POST both dispatch through actions.perform."""
    seen = []
    original = actions.perform

    def spy(user, lifecycle, pk, name, data):
        seen.append((lifecycle, pk, name))
        return original(user, lifecycle, pk, name, data)

    monkeypatch.setattr(actions, "perform", spy)
    territory.client_for(client, "xh_c1_secretary")
    response = _post(client, "/api/orglife/meetings", _meeting_body(life, territory))
    assert response.status_code == 201
    url = reverse("orglife:meeting_new") + f"?org={territory.orgs['xh_c1_b1'].pk}"
    page = client.post(url, {"kind": "lecture", "held_on": str(day(4)), "topic": "党课"})
    assert page.status_code == 302
    assert seen == [("meetings", None, "record"), ("meetings", None, "record")]
    assert Meeting.objects.count() == 2


def test_recording_for_an_org_out_of_scope_or_unmanaged_is_refused(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    body = _meeting_body(life, territory, org=territory.orgs["hp_c1_b"].pk, attendance=[])
    assert _post(client, "/api/orglife/meetings", body).status_code == 404
    territory.client_for(client, "xh_g1_worker")
    body = _meeting_body(life, territory, attendance=[])
    assert _post(client, "/api/orglife/meetings", body).status_code in (403, 404)
    # A starting action is never taken on an existing object's id.
    with pytest.raises(NotFound):
        actions.perform(territory.users["xh_c1_secretary"], "meetings", 1, "record", body)
    assert not Meeting.objects.exists()


def _topic(territory):
    return services.topic_create(
        actor=None,
        community=territory.areas["xh_c1"],
        org=territory.orgs["xh_c1_gb"],
        title="加装电梯",
    )


def test_page_and_api_dispatch_the_same_action(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    topic = _topic(territory)
    response = client.post(
        reverse("orglife:act", args=["topics", topic.pk, "propose"]),
        {"held_on": str(day(3)), "participants": "社区党总支", "next": "/orglife/topics/"},
    )
    assert response.status_code == 302
    response = _post(
        client,
        f"/api/orglife/topics/{topic.pk}/review",
        {
            "held_on": str(day(4)),
            "eligible": 10,
            "attended": 8,
            "votes_for": 8,
            "votes_against": 0,
            "votes_abstain": 0,
        },
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "orglife_step_out_of_order"
    assert "联席会议商议" in body["message"]
    response = _post(client, f"/api/orglife/topics/{topic.pk}/discuss", {"held_on": str(day(4))})
    assert response.status_code == 200 and response.json()["state"] == "discussed"


def test_scope_a_community_secretary_never_sees_another_communitys_meetings(
    client, life, territory
):
    other = life.meeting(org="hp_c1_b")
    own = life.meeting()
    territory.client_for(client, "xh_c3_secretary")
    assert client.get(reverse("orglife:meeting", args=[own.pk])).status_code == 404
    assert client.get(f"/api/orglife/meetings/{own.pk}").status_code == 404
    assert client.get("/api/orglife/meetings").json()["items"] == []
    territory.client_for(client, "xh_c1_secretary")
    assert client.get(reverse("orglife:meeting", args=[own.pk])).status_code == 200
    assert client.get(reverse("orglife:meeting", args=[other.pk])).status_code == 404
    ids = [m["id"] for m in client.get("/api/orglife/meetings").json()["items"]]
    assert ids == [own.pk]
    response = _post(
        client,
        f"/api/orglife/meetings/{other.pk}/add_task",
        {"decision": "x", "deadline": str(day(5)), "owner_name": "某"},
    )
    assert response.status_code == 404
    assert client.get(f"/api/orglife/ledger/{territory.orgs['hp_c1_b'].pk}/2025").status_code == 404


def test_street_staff_act_on_the_street_a_unit_secretary_sees_only_its_own(client, life, territory):
    meeting = life.meeting()
    territory.client_for(client, "xh_s1_staff")
    ok = _post(
        client,
        f"/api/orglife/meetings/{meeting.pk}/add_task",
        {"decision": "清理楼道", "deadline": str(day(5)), "owner_name": "王建国"},
    )
    assert ok.status_code == 200
    territory.client_for(client, "xh_unit_secretary")
    assert client.get(f"/api/orglife/meetings/{meeting.pk}").status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/orglife/",
        "/orglife/compliance/",
        "/orglife/topics/",
        "/orglife/contact-points/",
        "/orglife/households/",
        "/api/orglife/meetings",
        "/api/orglife/topics",
        "/api/orglife/tasks",
        "/api/orglife/problems",
        "/api/orglife/visits",
        "/api/orglife/contact-points",
        "/api/orglife/household-links",
    ],
)
def test_list_queries_do_not_grow_with_rows(client, life, territory, url):
    territory.client_for(client, "xh_s1_staff")
    point = services.contact_point_create(
        actor=None,
        official_name="李局长",
        official_area=territory.areas["xh_s1"],
        org=territory.orgs["xh_c1_gb"],
        started_on=day(1),
    )
    link = services.household_link_create(
        actor=None,
        member=life.members["wang"],
        grid=territory.areas["xh_g1"],
        household="5号楼201室",
        started_on=day(1),
    )

    def add(n):
        for i in range(n):
            m = life.meeting(held_on=day(1 + i))
            services.meeting_task_add(
                actor=None, meeting=m, decision="事项", deadline=day(12), owner_name="王"
            )
            _topic(territory)
            services.contact_visit_record(
                actor=None, point=point, visited_on=day(2 + i), problems=["路灯不亮"]
            )
            services.household_visit_record(
                actor=None, link=link, visited_on=day(2 + i), raised="楼道灯坏了"
            )

    add(1)
    few = _count(client, url)
    add(4)
    many = _count(client, url)
    assert many == few


def test_public_disclosure_shows_nothing_personal(client, life, territory):
    topic = _topic(territory)
    issue = services.issue_create(
        actor=None, community=territory.areas["xh_c1"], text="王阿姨（13812345678）反映电梯问题"
    )
    services.topic_add_issue(actor=None, topic=topic, issue=issue)
    steps = [
        ("propose", {"participants": "社区党总支委员张三、李四"}),
        ("discuss", {"participants": "居委会主任赵六"}),
        (
            "review",
            {
                "eligible": 30,
                "attended": 25,
                "votes_for": 24,
                "votes_against": 1,
                "votes_abstain": 0,
                "participants": "党员周七",
            },
        ),
        (
            "decide",
            {
                "assembly": "representatives",
                "eligible": 30,
                "attended": 21,
                "votes_for": 20,
                "votes_against": 1,
                "votes_abstain": 0,
            },
        ),
    ]
    for i, (kind, extra) in enumerate(steps):
        services.step_record(
            actor=None,
            topic=topic,
            kind=kind,
            facts=services.StepFacts(held_on=day(3, 1 + i), **extra),
        )
    response = client.get(reverse("orglife:public_community", args=[topic.community_id]))
    page = response.content.decode()
    assert response.status_code == 200 and "加装电梯" in page
    # Decided but not yet disclosed: the resolution is not shown.
    services.step_record(
        actor=None,
        topic=topic,
        kind="disclose_resolution",
        facts=services.StepFacts(held_on=day(3, 10), text="同意加装电梯，费用按楼层分摊"),
    )
    for text in (
        client.get(reverse("orglife:public_community", args=[topic.community_id])).content.decode(),
        json.dumps(
            client.get(f"/api/public/orglife/deliberation/{topic.community_id}").json(),
            ensure_ascii=False,
        ),
    ):
        assert "同意加装电梯" in text and "2025-03-10" in text
        for personal in ("张三", "李四", "赵六", "周七", "王阿姨", "13812345678"):
            assert personal not in text
    assert Topic.objects.get().state == "resolution_disclosed"


def test_action_redirect_stays_on_the_site(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    topic = _topic(territory)
    url = reverse("orglife:act", args=["topics", topic.pk, "propose"])
    response = client.post(url, {"held_on": str(day(3)), "next": "//evil.example/x"})
    assert response.status_code == 302 and response["Location"] == "/orglife/"
    response = client.post(url, {"held_on": str(day(4)), "next": "https://evil.example/"})
    assert response["Location"] == "/orglife/"


def test_page_names_a_missing_field(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    topic = _topic(territory)
    response = client.post(
        reverse("orglife:act", args=["topics", topic.pk, "propose"]),
        {"next": "/orglife/"},
        follow=True,
    )
    assert "请填写日期" in response.content.decode()
    response = _post(client, f"/api/orglife/topics/{topic.pk}/propose", {})
    assert response.status_code == 422 and response.json()["field"] == "held_on"


def test_api_reads_history_topic_and_contact_point_details_within_scope(client, life, territory):
    meeting = life.meeting()
    territory.client_for(client, "xh_c1_secretary")
    body = _meeting_body(life, territory, topic="改后的主题")
    assert _post(client, f"/api/orglife/meetings/{meeting.pk}/update", body).status_code == 200
    events = client.get(f"/api/orglife/meetings/{meeting.pk}/events").json()
    assert [e["action"] for e in events] == ["recorded", "updated"]
    assert events[1]["previous"]["topic"] == "学习党的二十届四中全会精神"
    topic = _topic(territory)
    detail = client.get(f"/api/orglife/topics/{topic.pk}").json()
    assert (detail["title"], detail["steps"], detail["issues"]) == ("加装电梯", [], [])
    point = services.contact_point_create(
        actor=None,
        official_name="李局长",
        official_area=territory.areas["xh_s1"],
        org=territory.orgs["xh_c1_gb"],
        started_on=day(1),
    )
    services.contact_visit_record(actor=None, point=point, visited_on=day(2), problems=["积水"])
    detail = client.get(f"/api/orglife/contact-points/{point.pk}").json()
    assert [p["text"] for p in detail["problems"]] == ["积水"] and len(detail["visits"]) == 1
    territory.client_for(client, "hp_s1_staff")
    for url in (
        f"/api/orglife/meetings/{meeting.pk}/events",
        f"/api/orglife/topics/{topic.pk}",
        f"/api/orglife/contact-points/{point.pk}",
    ):
        assert client.get(url).status_code == 404, url
