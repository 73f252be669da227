"""A database that does not answer is a 503 with Retry-After in the caller's shape
(issue 18: under an outage, Open311 clients got 500 HTML pages and could not know to
retry). The outage is made real for the request: every statement the connection sends
fails with the driver's OperationalError, as when the server is gone."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.db import OperationalError, connection
from django.test import Client


def _down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def outage_client():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_down):
        yield client


@pytest.mark.django_db
def test_open311_filing_answers_503_in_its_own_shape(outage_client):
    response = outage_client.post(
        "/open311/v2/requests.json",
        {"api_key": "k", "service_code": "sanitation", "description": "路灯不亮"},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = json.loads(response.content)
    assert body[0]["code"] == 503 and body[0]["description"]


@pytest.mark.django_db
def test_open311_reads_answer_503_in_xml_when_asked(outage_client):
    response = outage_client.get("/open311/v2/requests.xml")
    assert response.status_code == 503
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.find("error/code").text == "503"


@pytest.mark.django_db
def test_api_answers_503_in_the_api_error_shape(outage_client):
    response = outage_client.get("/api/public/appeal-categories")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"]


@pytest.mark.django_db
def test_pages_answer_a_503_page(outage_client):
    response = outage_client.post(
        "/accounts/login/", {"username": "someone", "password": "not-checked"}
    )
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_stay_500(settings):
    from django.urls import path

    def boom(request):
        raise ValueError("a bug")

    import jiceng.urls

    settings.ROOT_URLCONF = type(
        "Urls",
        (),
        {"urlpatterns": [path("boom/", boom)], "handler500": jiceng.urls.handler500},
    )
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Retry-After" not in response
