"""On a 390 px phone, a community secretary registers a newly arrived company (the
wrong credit code is refused beside its field first), appoints a lane chief in a grid
and ends the post with the htmx button; no page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from jiceng.accounts.services import role_grant, user_create
from jiceng.core.validators import MSG_USCC_CHECK, uscc_check_character
from jiceng.orgs.models import GridPost, Unit
from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTH = 390


@pytest.fixture
def phone_390(chromium):
    context = chromium.new_context(
        viewport={"width": WIDTH, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def test_register_a_unit_and_appoint_a_lane_chief_on_a_phone(live_server, e2e_territory, phone_390):
    page = phone_390
    territory = e2e_territory
    person = user_create(actor=None, username="lanechief", password=PASSWORD, full_name="陈立新")
    role_grant(actor=None, user=person, role="resident", area=territory.areas["xh_c1"])
    login(page, live_server.url, territory.users["xh_c1_secretary"].username, PASSWORD)

    page.goto(f"{live_server.url}/orgs/units/new/")
    _fits(page)
    body = "91310104MA1FN0042"
    good = body + uscc_check_character(body)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page.get_by_label("单位名称").fill("上海复兴路新开书店有限公司")
    page.get_by_label("统一社会信用代码").fill(wrong)
    page.get_by_label("单位类别").select_option("private_enterprise")
    page.get_by_label("所在区域").select_option(str(territory.areas["xh_c1"].pk))
    page.get_by_label("从业人员数").fill("6")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state("networkidle")
    field = page.locator("#field-uscc")
    assert str(MSG_USCC_CHECK) in field.inner_text()
    _fits(page)
    screenshot(page, "unit-register-refused-phone")
    page.get_by_label("统一社会信用代码").fill(good)
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state("networkidle")
    assert "新登记未覆盖" in page.locator("main").inner_text()
    assert Unit.objects.get(uscc=good).area == territory.areas["xh_c1"]
    _fits(page)

    grid = territory.areas["xh_g1"]
    page.goto(f"{live_server.url}/orgs/grids/{grid.pk}/")
    _fits(page)
    page.get_by_label("人员（账号）").select_option(str(person.pk))
    page.get_by_label("职责").select_option("lane_chief")
    page.get_by_label("街巷路段（街巷长填写）").fill("复兴西路（1号—199号）")
    page.get_by_role("button", name="任命").click()
    page.wait_for_load_state("networkidle")
    posts = page.locator("#grid-posts")
    assert "复兴西路（1号—199号）" in posts.inner_text()
    screenshot(page, "grid-lane-chief-phone")
    page.once("dialog", lambda dialog: dialog.accept())
    posts.get_by_role("button", name="离任").click()
    expect(page.locator("#grid-posts").get_by_role("button", name="离任")).to_have_count(0)
    assert GridPost.objects.get(user=person).ended_on is not None
    _fits(page)
