"""The workbench in a real browser: a grid worker on a 390-px phone files a case from his
home page in at most five taps, and sees it on his to-do list; a community secretary's
home opens with the list, and nothing scrolls sideways at 320 px."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TAPS_TO_FILE = 5


@pytest.fixture
def handling(e2e_territory):
    from jiceng.appeals import services

    areas = e2e_territory.areas
    unit = services.handling_unit_create(
        actor=None, name="复兴西路居委会", kind="community", area=areas["xh_c1"]
    )
    services.routing_rule_set(actor=None, area=areas["xh_c1"], unit=unit)
    return unit


class Taps:
    """Counts what a thumb does: a tap on a button or a field; choosing in a select is
    two (open it, pick the line). Typing is not a tap."""

    def __init__(self) -> None:
        self.count = 0

    def tap(self, locator) -> None:
        self.count += 1
        locator.click()

    def choose(self, locator, label: str) -> None:
        self.count += 2
        locator.select_option(label=label)


def test_a_grid_worker_files_a_case_in_five_taps_on_a_phone(
    live_server, e2e_territory, handling, chromium
):
    from jiceng.appeals.models import Appeal

    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    login(page, live_server.url, e2e_territory.users["xh_g1_worker"].username, PASSWORD)
    assert page.url.rstrip("/") == live_server.url
    # The filing button is the first thing on the home page.
    button = page.get_by_role("link", name="反映登记")
    box = button.bounding_box()
    assert box is not None and box["y"] < 844 / 2 and box["width"] >= 300

    taps = Taps()
    taps.tap(button)
    page.wait_for_load_state("networkidle")
    taps.choose(page.get_by_label("问题类别"), "垃圾清运与环境卫生")
    taps.tap(page.get_by_label("问题描述"))
    page.keyboard.type("复兴西路12弄门口垃圾三天没有清运")
    taps.tap(page.get_by_role("button", name="提交"))
    page.wait_for_load_state("networkidle")

    appeal = Appeal.objects.get()
    assert "已受理" in page.content() and appeal.tracking_code in page.content()
    assert appeal.area == e2e_territory.areas["xh_g1"] and appeal.channel == "grid"
    assert taps.count <= TAPS_TO_FILE, taps.count
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Back home, the new case heads the list: its response is due within a day.
    page.goto(live_server.url + "/")
    first = page.locator(".todo-list .todo").first
    assert appeal.tracking_code in first.inner_text()
    assert "即将到期" in first.inner_text()
    screenshot(page, "workbench-grid-worker-phone")
    page.set_viewport_size({"width": 320, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_a_community_secretary_starts_from_the_to_do_list(
    live_server, e2e_territory, handling, desk_page, phone_page
):
    from jiceng.appeals import services
    from jiceng.appeals.models import Category

    intake = services.Intake(
        channel="hotline",
        category=Category.objects.get(code="sanitation"),
        area=e2e_territory.areas["xh_g1"],
        description="复兴西路12弄门口垃圾三天没有清运",
    )
    appeal, _created = services.appeal_intake(actor=None, intake=intake)
    user = e2e_territory.users["xh_c1_secretary"]

    login(desk_page, live_server.url, user.username, PASSWORD)
    item = desk_page.locator(".todo-list .todo", has_text=appeal.tracking_code)
    assert "签收" in item.inner_text() and "即将到期" in item.inner_text()
    # The list comes before the territory's figures.
    top_of_list = desk_page.locator(".workbench").bounding_box()["y"]
    top_of_cards = desk_page.locator(".cards").first.bounding_box()["y"]
    assert top_of_list < top_of_cards
    screenshot(desk_page, "workbench-community-secretary")
    item.locator("a").click()
    desk_page.wait_for_load_state("networkidle")
    assert desk_page.url.endswith(f"/appeals/{appeal.pk}/")

    # On a phone, the children are cards, not a squeezed table.
    login(phone_page, live_server.url, e2e_territory.users["xh_s1_staff"].username, PASSWORD)
    phone_page.set_viewport_size({"width": 390, "height": 844})
    row = phone_page.locator(".as-cards tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "grid"
    name = row.locator("td").first.bounding_box()
    assert name["width"] > 300  # the child's name spans the card, not one character
    screenshot(phone_page, "workbench-street-phone")
    for width in (320, 390):
        phone_page.set_viewport_size({"width": width, "height": 780})
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= width
