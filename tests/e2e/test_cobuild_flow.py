"""A resident asks for a service on a phone-sized screen; the community finds it on the
need list with the phone masked, and books a room, meeting the conflict on the form."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETTLED = (
    "s => { const e = document.querySelector(s);"
    " return e && e.querySelector('select') && !e.classList.contains('htmx-settling')"
    " && !e.classList.contains('htmx-swapping'); }"
)


def test_resident_asks_for_a_service_and_the_community_takes_it_up(
    live_server, e2e_territory, phone_page
):
    from jiceng.cobuild import services
    from jiceng.cobuild.models import Need, Venue

    page = phone_page
    page.goto(f"{live_server.url}/cobuild/needs/report/")
    page.get_by_label("需求名称").fill("楼里独居老人需要助餐")
    page.get_by_label("类别").select_option(label="为老服务")
    for label, choice, target in (
        ("区", "徐汇区", "#place-after-district"),
        ("街道（镇）", "湖南路街道", "#place-after-street"),
    ):
        with page.expect_response(lambda r: "/cobuild/places/" in r.url):
            page.get_by_label(label, exact=True).select_option(label=choice)
        page.wait_for_function(SETTLED, arg=target)
    page.get_by_label("社区（村）").select_option(label="复兴西路社区居委会")
    page.get_by_label("受益人数").fill("6")
    page.get_by_label("手机号码（选填，仅社区工作人员可见）").fill("13912345678")
    screenshot(page, "resident-need-phone")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "需求已提交" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    need = Need.objects.get()
    assert need.community == e2e_territory.areas["xh_c1"]

    # The community secretary, on the same phone size, sees it with the phone masked.
    login(page, live_server.url, e2e_territory.users["xh_c1_secretary"].username, PASSWORD)
    page.goto(f"{live_server.url}/cobuild/")
    page.get_by_role("link", name="楼里独居老人需要助餐").click()
    page.wait_for_load_state("networkidle")
    assert "139****5678" in page.content() and "13912345678" not in page.content()

    # A room booked twice for overlapping times: the second is refused on the form.
    venue = services.venue_create(
        actor=None,
        name="复兴西路社区党群服务中心",
        kind=Venue.Kind.SERVICE_CENTRE,
        area=e2e_territory.areas["xh_c1"],
        floor_area=860,
    )
    services.room_add(actor=None, venue=venue, name="多功能厅", seats=60)
    day = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}/cobuild/venues/{venue.pk}/")
    for start, end, purpose in (("09:00", "11:00", "党员学习"), ("10:00", "12:00", "议事会")):
        page.locator("#id_room").select_option(label="多功能厅")
        page.locator("#id_starts_at").fill(f"{day}T{start}")
        page.locator("#id_ends_at").fill(f"{day}T{end}")
        page.locator("#id_purpose").fill(purpose)
        page.get_by_role("button", name="预约", exact=True).click()
        page.wait_for_load_state("networkidle")
    assert "开始时间：该时段与已有预约冲突" in page.content()
    screenshot(page, "venue-booking-conflict-phone")
