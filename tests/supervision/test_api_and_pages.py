"""Supervision's pages and API: every write on both, the same refusals, scope, query
counts on the lists, hostile input."""

import datetime
import json

import pytest

from jiceng.orgs.models import PartyOrg
from jiceng.supervision import services
from jiceng.supervision.models import Inspection, Talk, WeakOrgCase, WeakOrgRule
from tests.supervision.conftest import at, cases, counted

TODAY = datetime.date.today()
PAGES = [
    "/supervision/",
    "/supervision/rules/",
    "/supervision/stars/",
    "/supervision/inspections/",
    "/supervision/talks/",
    "/supervision/fair-ranking/",
    f"/supervision/fair-ranking/?period={TODAY.year}",
]


@pytest.fixture
def world(t):
    PartyOrg.objects.filter(pk=t.orgs["xh_c1_gb"].pk).update(
        secretary_name="", established_on=datetime.date(2010, 1, 1)
    )
    cases(t, "xh_c1", 3, received=at(1, 10, TODAY.year))
    counted()
    services.weak_org_evaluate(actor=None, district=t.areas["xh"], year=TODAY.year)
    services.star_compute(actor=None, district=t.areas["xh"], year=TODAY.year)
    org = t.orgs["xh_c1_gb"]
    services.inspection_plan(actor=None, org=org, inspectors="街道组织办", planned_on=TODAY)
    services.talk_record(
        actor=None, org=org, held_on=TODAY, talker="王", talked_to="李", reason="满意率低",
        commitments="", follow_up_on=TODAY,
    )  # fmt: skip
    return t


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("path", PAGES)
def test_pages_for_the_district_street_and_community(world, client, path):
    for user in ("xh_admin", "xh_s1_staff", "xh_c1_secretary"):
        client.force_login(world.users[user])
        assert client.get(path).status_code == 200, (user, path)


def test_pages_refuse_who_does_not_see_supervision(world, client):
    for user in ("xh_g1_worker", "xh_member", "xh_unit_secretary", "nobody"):
        client.force_login(world.users[user])
        assert client.get("/supervision/").status_code == 404
        assert client.get("/api/supervision/weak-orgs").status_code == 404


def test_list_pages_and_endpoints_have_bounded_queries(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.users["xh_admin"])
    for path in PAGES[:5]:
        with django_assert_max_num_queries(25):
            assert client.get(path).status_code == 200
    for path in (
        "/api/supervision/weak-orgs",
        "/api/supervision/ratings",
        "/api/supervision/inspections",
        "/api/supervision/talks",
        f"/api/supervision/fair-ranking?area={world.areas['xh'].pk}&period={TODAY.year}",
    ):
        with django_assert_max_num_queries(12):
            assert client.get(path).status_code == 200, path


def test_the_weak_org_lifecycle_through_the_api(world, client):
    case = WeakOrgCase.objects.get(org=world.orgs["xh_c1_gb"])
    client.force_login(world.users["xh_s1_staff"])
    refused = _post(client, f"/api/supervision/weak-orgs/{case.pk}/confirm", {"reason": "空缺"})
    assert refused.status_code == 403
    client.force_login(world.users["xh_admin"])
    bad = _post(client, f"/api/supervision/weak-orgs/{case.pk}/confirm", {"reason": "a\x00b"})
    assert bad.status_code == 422 and bad.json()["field"] == "reason"
    long = _post(client, f"/api/supervision/weak-orgs/{case.pk}/confirm", {"reason": "长" * 501})
    assert long.status_code == 422 and long.json()["field"] == "reason"
    ok = _post(client, f"/api/supervision/weak-orgs/{case.pk}/confirm", {"reason": "书记空缺"})
    assert ok.status_code == 200 and ok.json()["state"] == "confirmed"
    again = _post(client, f"/api/supervision/weak-orgs/{case.pk}/confirm", {"reason": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "supervision_illegal_transition"
    plan = {"leader": "王街道", "measures": "选配书记", "deadline": str(TODAY)}
    assert _post(client, f"/api/supervision/weak-orgs/{case.pk}/plan", plan).status_code == 200
    review = _post(client, f"/api/supervision/weak-orgs/{case.pk}/review", {})
    assert review.status_code == 409 and review.json()["code"] == "supervision_rules_still_hit"
    override = {"override_reason": "已有书记人选"}
    cleared = _post(client, f"/api/supervision/weak-orgs/{case.pk}/review", override)
    assert cleared.json()["state"] == "cleared"
    client.force_login(world.users["hp_admin"])
    assert client.get(f"/api/supervision/weak-orgs/{case.pk}").status_code == 404


def test_the_other_writes_through_the_api(world, client):
    client.force_login(world.users["xh_admin"])
    district = world.areas["xh"].pk
    body = {"district": district, "year": TODAY.year}
    assert _post(client, "/api/supervision/weak-orgs/evaluate", body).json()["created"] == 0
    assert _post(client, "/api/supervision/ratings/compute", body).json()["rated"] == 1
    rating = client.get("/api/supervision/ratings").json()["items"][0]
    confirmed = _post(client, f"/api/supervision/ratings/{rating['id']}/confirm", {})
    assert confirmed.json()["confirmed_at"]
    inspection = Inspection.objects.get()
    record = {"held_on": str(TODAY), "findings": "台账不全", "problems": ["党课缺"]}
    recorded = _post(client, f"/api/supervision/inspections/{inspection.pk}/record", record)
    assert recorded.json()["state"] == "recorded"
    talk = Talk.objects.get()
    followed = _post(client, f"/api/supervision/talks/{talk.pk}/follow_up", {"result": "已整改"})
    assert followed.json()["follow_up_result"] == "已整改"
    org = world.orgs["xh_c1_gb"].pk
    planned = {"org": org, "inspectors": "区委组织部", "planned_on": str(TODAY)}
    assert _post(client, "/api/supervision/inspections", planned).status_code == 201
    talk_body = {
        "org": org, "held_on": str(TODAY), "talker": "王", "talked_to": "李",
        "reason": "理由", "follow_up_on": str(TODAY),
    }  # fmt: skip
    assert _post(client, "/api/supervision/talks", talk_body).status_code == 201
    rule = client.put(
        "/api/supervision/rules/satisfaction_low",
        json.dumps({"enabled": True, "params": {"threshold": 0.5}}),
        content_type="application/json",
    )
    assert rule.json()["params"]["threshold"] == 0.5
    criterion = {"name": "解决率", "outcome_key": "appeals.resolution_rate", "threshold": "0.8"}
    assert _post(client, "/api/supervision/criteria", criterion).status_code == 201
    ledger = client.get(f"/api/supervision/weak-orgs/ledger?year={TODAY.year}")
    assert ledger.status_code == 200 and ledger.content.startswith(b"PK")


def test_pages_post_through_the_same_services(world, client):
    case = WeakOrgCase.objects.get(org=world.orgs["xh_c1_gb"])
    client.force_login(world.users["xh_admin"])
    response = client.post(
        f"/supervision/act/weak-orgs/{case.pk}/confirm/",
        {"reason": "书记空缺", "next": "/supervision/"},
    )
    assert response.status_code == 302 and response.url == "/supervision/"
    assert WeakOrgCase.objects.get(pk=case.pk).state == "confirmed"
    response = client.post(
        f"/supervision/act/weak-orgs/{case.pk}/plan/",
        {
            "leader": "王",
            "measures": "\x00",
            "deadline": str(TODAY),
            "next": "https://evil.example/",
        },
    )
    assert response.url == "/supervision/"  # never off-site
    assert WeakOrgCase.objects.get(pk=case.pk).state == "confirmed"
    page = client.get(f"/supervision/weak-orgs/{case.pk}/").content.decode()
    assert "制定整顿方案" in page
    response = client.post(
        "/supervision/weak-orgs/evaluate/", {"district": world.areas["xh"].pk, "year": TODAY.year}
    )
    assert response.status_code == 302
    response = client.post(
        "/supervision/rules/satisfaction_low/", {"enabled": "on", "param_threshold": "0.55"}
    )
    assert WeakOrgRule.objects.get(code="satisfaction_low").params["threshold"] == 0.55
    response = client.post(
        "/supervision/talks/",
        {
            "org": world.orgs["xh_c1_gb"].pk, "held_on": str(TODAY), "talker": "王",
            "talked_to": "李", "reason": "页面约谈", "follow_up_on": str(TODAY),
        },
    )  # fmt: skip
    assert Talk.objects.filter(reason="页面约谈").exists()
    ledger = client.get("/supervision/weak-orgs/ledger/")
    assert ledger["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_dashboard_and_the_workbench(world, client):
    client.force_login(world.users["xh_admin"])
    home = client.get("/").content.decode()
    assert "软弱涣散待研判" in home


@pytest.mark.parametrize("problems", ["长" * 4021, "长" * 201, "党课\x00缺"])
def test_an_inspection_record_refuses_hostile_problems(world, client, problems):
    inspection = Inspection.objects.get()
    client.force_login(world.users["xh_admin"])
    response = client.post(
        f"/supervision/act/inspections/{inspection.pk}/record/",
        {
            "held_on": str(TODAY),
            "findings": "台账不全",
            "problems": problems,
            "next": "/supervision/inspections/",
        },
    )
    page = client.get(response.url).content.decode()
    assert "发现的问题" in page
    assert Inspection.objects.get(pk=inspection.pk).state == "planned"
