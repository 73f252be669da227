"""The charts in a real browser at 390 and 1280 px: ECharts draws into a canvas, the
table with the same numbers is there, nothing scrolls sideways, no style or script is
refused by the CSP, and clicking a bar or a district drills down. The big screen reads
its figures again without reloading the page."""

import pytest
from playwright.sync_api import expect

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Category
from tests.conftest import PASSWORD
from tests.e2e.conftest import SCREENSHOTS, login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page_at(chromium):
    contexts = []

    def open_page(width: int):
        context = chromium.new_context(
            viewport={"width": width, "height": 860}, locale="zh-CN", device_scale_factor=1
        )
        contexts.append(context)
        page = context.new_page()
        # Script errors, and what the CSP refused (a style or script ECharts would inject).
        page.refused = []
        page.on("pageerror", lambda error: page.refused.append(str(error)))
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and page.refused.append(m.text),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def _file(territory, area_key: str, text: str):
    intake = appeal_services.Intake(
        channel="resident",
        category=Category.objects.get(code="sanitation"),
        area=territory.areas[area_key],
        description=text,
    )
    return appeal_services.appeal_intake(actor=None, intake=intake)[0]


def picture(target, name: str) -> None:
    """The user guide's and README's pictures (tests/e2e/conftest.py says when they are
    refreshed): what a screen shows at once, or one element, not the whole long page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _drawn(page, chart_id: str) -> None:
    page.wait_for_selector(f"#{chart_id}[data-drawn] canvas")


def _click_category(page, chart_id: str, index: int, value: float) -> None:
    """Click the bar of one category, found through ECharts' own coordinates."""
    x, y = page.evaluate(
        """([id, index, value]) => {
          const el = document.getElementById(id);
          el.scrollIntoView({block: 'center'});
          const chart = echarts.getInstanceByDom(el);
          const horizontal = chart.getOption().yAxis[0].type === 'category';
          const point = chart.convertToPixel({seriesIndex: 0},
            horizontal ? [value / 2, index] : [index, value / 2]);
          const box = el.getBoundingClientRect();
          return [box.left + point[0], box.top + point[1]];
        }""",
        [chart_id, index, value],
    )
    page.mouse.click(x, y)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_chart_page_draws_prints_and_drills_down(live_server, e2e_territory, page_at, width):
    t = e2e_territory
    _file(t, "xh_g1", "楼下垃圾三天没人清运")
    _file(t, "xh_c3", "小区门口垃圾桶满了没人管")
    page = page_at(width)
    login(page, live_server.url, "xh_admin", PASSWORD)
    xh = t.areas["xh"]
    page.goto(f"{live_server.url}/areas/{xh.pk}/charts/")
    for chart_id in ("chart-appeals_months", "chart-orgs_coverage", "chart-members_status"):
        _drawn(page, chart_id)
    # The table under the chart holds the chart's numbers.
    table = page.locator('[data-chart-table="chart-orgs_coverage"]')
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("湖南路街道")
    expect(page.locator("#chart-orgs_coverage")).to_have_attribute("role", "img")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 390:
        page.wait_for_timeout(400)  # the bars' short growth
        picture(page, "dashboard-charts-phone")
    assert not page.refused, page.refused
    # Narrowed at once (as a phone turned, or the accessibility walk does), the drawn
    # canvases do not widen the page before they are redrawn.
    page.set_viewport_size({"width": 320, "height": 860})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": width, "height": 860})
    # Clicking 湖南路街道's bar opens that street's charts.
    _click_category(page, "chart-orgs_coverage", 0, 1)
    page.wait_for_url(f"**/areas/{t.areas['xh_s1'].pk}/charts/")
    _drawn(page, "chart-appeals_months")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_the_city_map_drills_to_a_districts_streets(live_server, e2e_territory, page_at, width):
    from jiceng.core.services import area_create

    t = e2e_territory
    # 崇明区: a district large enough on a phone's map to be clicked at a known point.
    chongming = area_create(
        actor=None, parent=t.areas["city"], code="310151000000", name="崇明区", level="district"
    )
    page = page_at(width)
    login(page, live_server.url, "city_admin", PASSWORD)
    page.goto(f"{live_server.url}/areas/{t.areas['city'].pk}/charts/?indicator=units_all")
    _drawn(page, "chart-indicator_units_all")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 1280:
        page.wait_for_timeout(400)
        picture(page.locator(".chart-wide"), "dashboard-map")
    assert not page.refused, page.refused
    page.evaluate("document.getElementById('chart-indicator_units_all').scrollIntoView()")
    page.wait_for_timeout(300)
    x, y = page.evaluate(
        """() => {
          const el = document.getElementById('chart-indicator_units_all');
          const chart = echarts.getInstanceByDom(el);
          const point = chart.convertToPixel({seriesIndex: 0}, [121.55, 31.6]);
          const box = el.getBoundingClientRect();
          return [box.left + point[0], box.top + point[1]];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url(f"**/areas/{chongming.pk}/charts/?indicator=units_all")
    expect(page.locator("h1")).to_contain_text("崇明区")


def test_the_big_screen_refreshes_in_place(live_server, e2e_territory, page_at, settings):
    settings.SCREEN_REFRESH_SECONDS = 2
    t = e2e_territory
    _file(t, "xh_g1", "楼下垃圾三天没人清运")
    page = page_at(1280)
    login(page, live_server.url, "xh_admin", PASSWORD)
    page.goto(f"{live_server.url}/screen/{t.areas['xh'].pk}/")
    _drawn(page, "chart-appeals_months")
    figure = page.locator('[data-figure="appeals_open"] .num')
    expect(figure).to_have_text("1")
    page.evaluate("window.stillHere = true")
    _file(t, "xh_c3", "小区门口垃圾桶满了没人管")
    expect(figure).to_have_text("2", timeout=15000)
    # The same page: no reload happened, and the table was rewritten too.
    assert page.evaluate("window.stillHere") is True
    table = page.locator('[data-chart-table="chart-appeals_open_by_child"]')
    expect(table.locator("tbody tr").nth(1)).to_contain_text("1")
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(400)
    picture(page, "dashboard-screen")
    assert not page.refused, page.refused
