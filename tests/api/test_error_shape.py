"""Whatever goes wrong under /api/, the answer is the API's one error shape
{"code", "message", "field"}: a URL that no operation matches (an id path parameter that
is not a whole number, as the property run sends) and a server error too, not Django's
HTML pages. Pages elsewhere keep theirs."""

import pytest
from django.test import Client
from django.urls import path

import jiceng.urls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/appeals/-1", "/api/appeals/abc", "/api/no-such-thing"])
def test_a_url_no_operation_matches_is_the_api_404(client, territory, url):
    client.force_login(territory.users["xh_s1_staff"])
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到或无权查看", "field": None}


def test_a_page_that_does_not_exist_is_still_a_page(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _boom(request):
    raise ValueError("a bug")


@pytest.mark.parametrize(("url", "json_expected"), [("/api/boom", True), ("/boom/", False)])
def test_a_server_error_under_api_is_in_the_error_shape(settings, url, json_expected):
    settings.ROOT_URLCONF = type(
        "Urls",
        (),
        {
            "urlpatterns": [path("api/boom", _boom), path("boom/", _boom)],
            "handler500": jiceng.urls.handler500,
        },
    )
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 500
    if json_expected:
        body = response.json()
        assert body["code"] == "server_error" and body["field"] is None and body["message"]
    else:
        assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/api/orglife/meetings?year=-209828546",
        "/api/orglife/meetings?year=99999",
        "/api/assessment/problems?year=10000",
        "/api/supervision/weak-orgs?year=0",
        "/api/duties/assessments?year=-1",
    ],
)
def test_a_year_outside_any_record_is_refused_by_name(client, territory, url):
    """A year filter builds dates from the number: unbounded, -209828546 was a 500 on
    PostgreSQL (found by the property run). Now a 422 naming `year`, in Chinese."""
    client.force_login(territory.users["xh_admin"])
    response = client.get(url)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == "year" and body["code"] == "invalid"
    assert body["message"].startswith(("不能小于", "不能大于"))


def test_a_year_inside_the_bounds_is_a_list(client, territory):
    client.force_login(territory.users["xh_admin"])
    response = client.get("/api/orglife/meetings", {"year": 2026})
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_body_that_is_not_json_is_refused_in_chinese(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    response = client.post("/api/appeals", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "请求体不是有效的 JSON", "field": None}


def test_a_session_call_without_its_csrf_token_is_refused_by_code(territory):
    client = Client(enforce_csrf_checks=True)
    client.force_login(territory.users["xh_s1_staff"])
    response = client.post("/api/appeals", {}, content_type="application/json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "csrf_failed" and "X-CSRFToken" in body["message"]
