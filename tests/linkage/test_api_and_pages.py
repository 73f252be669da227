"""The API and the pages over the same services: a task drafted, sent, reported on a
phone-sized page (pre-filled figures confirmed), returned, accepted, the bulletin
published; the one error shape; scope (a recipient sees only its own row, a sender only
its sends; out of scope 404); query counts bounded; hostile input refused naming the
field with nothing written."""

import json

import pytest

from jiceng.linkage.models import Dispatch, Recipient, Report
from tests.linkage.conftest import PERIOD, future


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _task_body(t, **extra):
    return {
        "sender_area": t.areas["xh_s1"].pk,
        "kind": "task",
        "title": "二季度情况报送",
        "text": "请核对。",
        "deadline": future().isoformat(),
        "period": PERIOD,
        "targeting": "children",
        "fields": [
            {"label": "满意率", "kind": "outcome", "outcome_key": "appeals.satisfaction_rate"},
            {"label": "活动次数", "kind": "number"},
        ],
        **extra,
    }


def test_the_whole_task_through_the_api(client, territory):
    t = territory
    client.force_login(t.users["xh_s1_staff"])
    created = _post(client, "/api/linkage/dispatches", _task_body(t))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert [f["label"] for f in created.json()["fields"]] == ["满意率", "活动次数"]
    sent = _post(client, f"/api/linkage/dispatches/{pk}/send")
    assert sent.json()["state"] == "sent"
    rows = client.get(f"/api/linkage/dispatches/{pk}/recipients").json()["items"]
    assert {r["name"] for r in rows} == {"复兴西路社区居委会", "武康路社区居委会"}
    assert not any(r["opened"] or r["acknowledged"] for r in rows)

    recipient = Recipient.objects.get(dispatch_id=pk, area=t.areas["xh_c1"])
    client.force_login(t.users["xh_c1_secretary"])
    mine = client.get("/api/linkage/received").json()["items"]
    assert [r["id"] for r in mine] == [recipient.pk]
    prefilled = client.get(f"/api/linkage/received/{recipient.pk}/prefill").json()
    assert [p["label"] for p in prefilled] == ["满意率"]
    fields = {f["label"]: f["id"] for f in mine[0]["dispatch"]["fields"]}
    missing = _post(client, f"/api/linkage/received/{recipient.pk}/report", {"answers": []})
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "linkage_answer_required",
        "message": "请填写“活动次数”",
        "field": f"values.{fields['活动次数']}",
    }
    reported = _post(
        client,
        f"/api/linkage/received/{recipient.pk}/report",
        {"answers": [{"field": fields["活动次数"], "value": "6"}]},
    )
    assert reported.json()["report_state"] == "submitted", reported.content
    report = Report.objects.get(recipient=recipient)

    client.force_login(t.users["xh_s1_staff"])
    returned = _post(client, f"/api/linkage/reports/{report.pk}/return", {"reason": "请核对"})
    assert returned.json()["state"] == "returned"
    client.force_login(t.users["xh_c1_secretary"])
    _post(
        client,
        f"/api/linkage/received/{recipient.pk}/report",
        {"answers": [{"field": fields["活动次数"], "value": "7"}]},
    )
    client.force_login(t.users["xh_s1_staff"])
    assert _post(client, f"/api/linkage/reports/{report.pk}/accept").json()["state"] == "accepted"
    published = _post(client, f"/api/linkage/dispatches/{pk}/publish", {"summary": "良好"})
    assert published.json()["figures"]["accepted"] == 1
    assert client.get(f"/api/linkage/dispatches/{pk}/bulletin").status_code == 200


def test_scope_in_the_api(client, sent):
    t = sent.t
    r1 = sent.recipient(sent.task, "xh_c1")
    # Another district's admin: every object out of sight, 404 in the one shape.
    client.force_login(t.users["hp_admin"])
    for url in (
        f"/api/linkage/dispatches/{sent.task.pk}",
        f"/api/linkage/received/{r1.pk}",
        f"/api/linkage/dispatches/{sent.task.pk}/recipients",
    ):
        answer = client.get(url)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", url
    assert _post(client, f"/api/linkage/dispatches/{sent.task.pk}/close").status_code == 404
    # The district sees its street's send but does not act on it (403).
    client.force_login(t.users["xh_admin"])
    assert client.get(f"/api/linkage/dispatches/{sent.task.pk}").status_code == 200
    answer = _post(client, f"/api/linkage/dispatches/{sent.task.pk}/close")
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    # A community sees its own row, not the dispatch nor its neighbour's row.
    client.force_login(t.users["xh_c1_secretary"])
    assert client.get(f"/api/linkage/dispatches/{sent.task.pk}").status_code == 404
    other = sent.recipient(sent.task, "xh_c2")
    assert client.get(f"/api/linkage/received/{other.pk}").status_code == 404
    assert client.get(f"/api/linkage/received/{r1.pk}").status_code == 200
    # A grid worker has no linkage at all.
    client.force_login(t.users["xh_g1_worker"])
    assert client.get("/api/linkage/received").status_code == 404


def test_a_sender_lists_only_its_own_sends(client, sent):
    t = sent.t
    client.force_login(t.users["xh_s1_staff"])
    mine = client.get("/api/linkage/dispatches?mine=true").json()["items"]
    assert [d["id"] for d in mine] == [sent.task.pk]
    client.force_login(t.users["hp_s1_staff"])
    assert client.get("/api/linkage/dispatches").json()["items"] == []


def test_pages_phone_first(client, sent):
    t = sent.t
    r1 = sent.recipient(sent.task, "xh_c1")
    client.force_login(t.users["xh_c1_secretary"])
    listing = client.get("/linkage/").content.decode()
    assert "一季度基层治理情况报送" in listing
    page = client.get(f"/linkage/received/{r1.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="viewport"' in html and "确认并报送" in html and "系统数据" in html
    r1.receipt.refresh_from_db()
    assert r1.receipt.opened_at is not None  # opening is the delivery fact
    fields = {f.label: f.pk for f in sent.task.fields.all()}
    answer = client.post(
        f"/linkage/received/{r1.pk}/",
        {
            f"value_{fields['开展活动次数']}": "3",
            f"value_{fields['是否完成整改']}": "yes",
            f"value_{fields['主要方式']}": "走访",
            f"value_{fields['诉求满意率']}": "",
            "version": "1",
        },
    )
    assert answer.status_code == 302
    assert Report.objects.get(recipient=r1).state == "submitted"
    # The sender's pages.
    client.force_login(t.users["xh_s1_staff"])
    detail = client.get(f"/linkage/dispatches/{sent.task.pk}/").content.decode()
    assert "复兴西路社区居委会" in detail and "未打开" in detail
    report = Report.objects.get(recipient=r1)
    review = client.get(f"/linkage/dispatches/{sent.task.pk}/reports/{report.pk}/")
    assert review.status_code == 200 and "采纳" in review.content.decode()
    answer = client.post(
        f"/linkage/act/reports/{report.pk}/return/",
        {"reason": "请补充", "next": f"/linkage/dispatches/{sent.task.pk}/"},
    )
    assert answer.status_code == 302
    assert Report.objects.get(recipient=r1).state == "returned"
    assert client.get("/linkage/dispatches/new/").status_code == 200


def test_drafting_on_the_page(client, territory):
    t = territory
    client.force_login(t.users["xh_s1_staff"])
    answer = client.post(
        "/linkage/dispatches/new/",
        {
            "sender_area": t.areas["xh_s1"].pk,
            "kind": "notice",
            "title": "通知",
            "targeting": "list",
            "target_level": "community",
            "target_areas": [t.areas["xh_c2"].pk],
            "field_kind_0": "outcome",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    draft = Dispatch.objects.get(title="通知")
    assert list(draft.target_areas.all()) == [t.areas["xh_c2"]]
    client.post(f"/linkage/act/dispatches/{draft.pk}/send/", {"next": "/linkage/dispatches/"})
    draft.refresh_from_db()
    assert draft.state == "sent"


def test_out_of_scope_pages_are_404(client, sent):
    t = sent.t
    r1 = sent.recipient(sent.task, "xh_c1")
    client.force_login(t.users["xh_c3_secretary"])
    assert client.get(f"/linkage/received/{r1.pk}/").status_code == 404
    assert client.get(f"/linkage/dispatches/{sent.task.pk}/").status_code == 404
    client.force_login(t.users["xh_g1_worker"])
    assert client.get("/linkage/").status_code == 404
    assert client.get("/linkage/dispatches/new/").status_code == 404


def test_list_pages_and_endpoints_keep_their_query_count(
    client, sent, django_assert_max_num_queries
):
    from jiceng.linkage import services
    from tests.linkage.conftest import draft_task

    t = sent.t
    for _i in range(5):
        services.dispatch_send(actor=t.users["xh_s1_staff"], dispatch=draft_task(t))
    client.force_login(t.users["xh_s1_staff"])
    with django_assert_max_num_queries(14):
        assert client.get("/linkage/dispatches/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/linkage/dispatches/{sent.task.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/linkage/dispatches").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/linkage/dispatches/{sent.task.pk}/recipients").status_code == 200
    client.force_login(t.users["xh_c1_secretary"])
    with django_assert_max_num_queries(12):
        assert client.get("/linkage/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/linkage/received").status_code == 200


NUL = "a\x00b"


@pytest.mark.parametrize(
    ("name", "value"),
    [("title", "长" * 201), ("title", NUL), ("text", "长" * 8001), ("period", NUL)],
)
def test_hostile_input_in_the_api_is_refused_naming_the_field(client, territory, name, value):
    t = territory
    client.force_login(t.users["xh_s1_staff"])
    before = Dispatch.objects.count()
    answer = _post(client, "/api/linkage/dispatches", _task_body(t, **{name: value}))
    assert 400 <= answer.status_code < 500
    assert answer.json()["field"] == name
    assert Dispatch.objects.count() == before


@pytest.mark.parametrize("value", ["长" * 2001, NUL])
def test_hostile_answers_are_refused(client, sent, value):
    t = sent.t
    r1 = sent.recipient(sent.task, "xh_c1")
    client.force_login(t.users["xh_c1_secretary"])
    fields = {f.label: f.pk for f in sent.task.fields.all()}
    answer = client.post(
        f"/linkage/received/{r1.pk}/",
        {f"value_{fields['其他情况']}": value, f"value_{fields['开展活动次数']}": "1"},
    )
    assert answer.status_code == 400
    assert "其他情况" in answer.content.decode()
    assert Report.objects.get(recipient=r1).state == "pending"
