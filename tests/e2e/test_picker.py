"""A district admin on a 390 px phone registers an org in a grid beyond the first 50
the select offers: typing part of its name in the search field above the select
fetches the matching areas (htmx), and the one chosen is saved."""

import pytest

from jiceng.core.pickers import SHOWN
from jiceng.core.services import area_create
from jiceng.orgs.models import PartyOrg
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


def test_search_a_picker_and_register_an_org_there(live_server, e2e_territory, phone_390):
    page = phone_390
    territory = e2e_territory
    grids = [
        area_create(
            actor=None,
            parent=territory.areas["xh_c1"],
            code=f"310104003001{n:03d}",
            name=f"测试网格{n:03d}",
            level="grid",
        )
        for n in range(10, 10 + SHOWN + 5)
    ]
    far = grids[-1]
    login(page, live_server.url, territory.users["xh_admin"].username, PASSWORD)
    page.goto(f"{live_server.url}/orgs/new/")
    area = page.locator("#id_area")
    assert area.locator(f'option[value="{far.pk}"]').count() == 0
    page.get_by_label("组织名称").fill("远处网格党支部")
    page.get_by_label("组织类别").select_option("branch")
    page.get_by_label("所属领域").select_option("community")
    page.get_by_label("上级党组织").select_option(str(territory.orgs["xh_c1_gb"].pk))
    page.locator("#field-area input[type=search]").fill(far.name[-3:])
    page.wait_for_selector(f'#id_area option[value="{far.pk}"]', state="attached")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    screenshot(page, "picker-search-phone")
    # One grid matched: the picker chose it (app.js); choosing it again is harmless.
    assert area.input_value() == str(far.pk)
    area.select_option(str(far.pk))
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state("networkidle")
    assert PartyOrg.objects.get(name="远处网格党支部").area == far
