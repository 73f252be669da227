"""A resident files a case on a phone-sized screen and follows it to closure, while the
community handles it: the whole answer-on-receipt loop in a real browser."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def handling(e2e_territory):
    from jiceng.appeals import services

    areas = e2e_territory.areas
    unit = services.handling_unit_create(
        actor=None, name="复兴西路居委会", kind="community", area=areas["xh_c1"]
    )
    services.routing_rule_set(actor=None, area=areas["xh_c1"], unit=unit)
    return unit


def test_resident_files_on_a_phone_and_the_community_closes_it(
    live_server, e2e_territory, handling, phone_page, chromium
):
    from jiceng.appeals.models import Appeal

    page = phone_page
    page.goto(f"{live_server.url}/appeals/report/")
    page.get_by_label("问题类别").select_option(label="垃圾清运与环境卫生")
    # Each choice loads the next select through htmx: wait for its answer and for htmx
    # to finish settling the new select before choosing in it.
    for label, choice, target in (
        ("区", "徐汇区", "#place-after-district"),
        ("街道（镇）", "湖南路街道", "#place-after-street"),
    ):
        with page.expect_response(lambda r: "/appeals/places/" in r.url):
            page.get_by_label(label, exact=True).select_option(label=choice)
        page.wait_for_function(
            "s => { const e = document.querySelector(s);"
            " return e && e.querySelector('select') && !e.classList.contains('htmx-settling')"
            " && !e.classList.contains('htmx-swapping'); }",
            arg=target,
        )
    page.get_by_label("社区（村）").select_option(label="复兴西路社区居委会")
    page.get_by_label("问题描述").fill("复兴西路12弄门口垃圾三天没有清运")
    page.get_by_label("手机号码（选填，仅承办人员可见）").fill("13912345678")
    screenshot(page, "resident-report-phone")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "办理进度" in page.content()
    appeal = Appeal.objects.get()
    assert appeal.tracking_code in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The community signs for it and answers, on a desk screen.
    desk = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    staff = desk.new_page()
    login(staff, live_server.url, e2e_territory.users["xh_c1_secretary"].username, PASSWORD)
    staff.goto(f"{live_server.url}/appeals/queue/")
    staff.get_by_role("link", name=appeal.tracking_code).click()
    staff.get_by_role("button", name="签收").click()
    staff.wait_for_load_state("networkidle")
    staff.get_by_label("答复内容（居民可见）").fill("已联系环卫所清运完毕，感谢反映")
    staff.get_by_role("button", name="答复居民").click()
    staff.wait_for_load_state("networkidle")
    screenshot(staff, "handler-appeal-detail")
    desk.close()

    # Back on the phone: the reply is there; the resident rates it and the case closes.
    page.goto(f"{live_server.url}/track/{appeal.tracking_code}/")
    assert "已联系环卫所清运完毕" in page.content()
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "resident-track-phone")
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.CLOSED
    assert "已办结" in page.content()
    assert "13912345678" not in page.content()
