"""A resident files a case by typing the address on a 390 px phone: the page shows
where it lands as they type (htmx), and the case is filed at that building."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def registry(e2e_territory):
    from jiceng.core.services import area_create
    from jiceng.places import services

    building = area_create(
        actor=None,
        parent=e2e_territory.areas["xh_g1"],
        code="310104003001001003",
        name="3号楼",
        level="building",
    )
    services.address_create(actor=None, building=building, text="复兴西路12弄3号")
    return building


def test_resident_files_by_typed_address(live_server, e2e_territory, registry, chromium):
    from jiceng.appeals.models import Appeal

    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/appeals/report/")
    page.get_by_label("问题类别").select_option(label="垃圾清运与环境卫生")
    with page.expect_response(lambda r: "/appeals/locate/" in r.url):
        page.get_by_label("地址（路名门牌或小区楼号）").fill("徐汇区复兴西路１２弄３号５０２室")
    landing = page.locator("[data-landing]")
    landing.wait_for()
    assert landing.get_attribute("data-landing") == "placed"
    assert "复兴西路社区居委会" in landing.inner_text()
    page.get_by_label("问题描述").fill("楼道里堆满杂物")
    screenshot(page, "resident-report-by-address")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    appeal = Appeal.objects.get()
    assert appeal.tracking_code in page.content()
    assert appeal.area == registry and not appeal.placement_pending
    assert appeal.address.startswith("徐汇区复兴西路")
    context.close()


def test_resident_with_an_unknown_address_is_queued_not_refused(
    live_server, e2e_territory, registry, chromium
):
    from jiceng.appeals.models import Appeal

    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/appeals/report/")
    page.get_by_label("问题类别").select_option(label="垃圾清运与环境卫生")
    with page.expect_response(lambda r: "/appeals/locate/" in r.url):
        page.get_by_label("地址（路名门牌或小区楼号）").fill("徐汇区某某路999号")
    page.locator("[data-landing='district']").wait_for()
    page.get_by_label("问题描述").fill("路灯不亮")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    appeal = Appeal.objects.get()
    assert appeal.placement_pending and appeal.area == e2e_territory.areas["xh"]
    context.close()
