"""The large-text switch (长辈模式) on the server: the cookie, the way back, the words."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from jiceng.core.views import LARGE_TEXT_COOKIE

RESIDENT_PAGES = ["/appeals/report/", "/track/", "/cobuild/needs/report/", "/accounts/login/"]


@pytest.mark.django_db
def test_the_switch_turns_the_mode_on_then_off_and_returns(client):
    response = client.post("/large-text/", {"next": "/track/"})
    assert response.status_code == 302
    assert response["Location"] == "/track/"
    cookie = response.cookies[LARGE_TEXT_COOKIE]
    assert cookie.value == "1"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    page = client.get("/track/").content.decode()
    assert '<html lang="zh-hans" class="large-text">' in page
    assert 'aria-pressed="true"' in page

    response = client.post("/large-text/", {"next": "/track/"})
    assert response.cookies[LARGE_TEXT_COOKIE]["max-age"] == 0
    page = client.get("/track/").content.decode()
    assert 'class="large-text"' not in page
    assert 'aria-pressed="false"' in page


@pytest.mark.django_db
def test_the_switch_never_sends_anyone_off_the_site(client):
    response = client.post("/large-text/", {"next": "https://example.com/phish"})
    assert response["Location"] == "/"
    assert client.get("/large-text/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_every_resident_page_offers_the_switch_and_wears_the_mode(client, path):
    assert "长辈模式（大字）" in client.get(path).content.decode()
    client.cookies[LARGE_TEXT_COOKIE] = "1"
    assert 'class="large-text"' in client.get(path).content.decode()


@pytest.mark.django_db
def test_staff_pages_do_not_take_the_mode(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    client.cookies[LARGE_TEXT_COOKIE] = "1"
    page = client.get("/appeals/").content.decode()
    assert 'class="large-text"' not in page
    assert "长辈模式" not in page


@pytest.mark.parametrize("cookie, shown", [(None, "问题类别"), ("1", "遇到了什么事")])
def test_labels_show_plain_words_in_the_mode_and_carry_both(cookie, shown):
    request = RequestFactory().get("/")
    if cookie:
        request.COOKIES[LARGE_TEXT_COOKIE] = cookie
    html = Template('{% load jiceng_core %}{% words "问题类别" "遇到了什么事" %}').render(
        Context({"request": request})
    )
    assert html == (
        f'<span data-words-standard="问题类别" data-words-plain="遇到了什么事">{shown}</span>'
    )
