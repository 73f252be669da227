"""A street worker logs in through a real browser and sees their street and nothing else."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_street_staff_sees_only_their_street(live_server, e2e_territory, desk_page):
    page = desk_page
    staff = e2e_territory.users["xh_s1_staff"]
    login(page, live_server.url, staff.username, PASSWORD)

    body = page.locator("main")
    assert "湖南路街道" in body.inner_text()
    for elsewhere in ("天平路街道", "黄浦区", "南京东路街道"):
        assert elsewhere not in body.inner_text()
    screenshot(page, "street-staff-home")

    # Drill down to a community of the street.
    page.get_by_role("link", name="复兴西路社区居委会").first.click()
    page.wait_for_load_state("networkidle")
    assert "复兴西路社区居委会" in page.locator("main").inner_text()

    # The unit list holds only units located in the street.
    page.goto(f"{live_server.url}/orgs/units/")
    text = page.locator("main").inner_text()
    for key, unit in e2e_territory.units.items():
        in_street = unit.area.path.startswith(e2e_territory.areas["xh_s1"].path)
        assert (unit.name in text) == in_street, key
    screenshot(page, "street-staff-units")

    # Another street's area, typed into the address bar, is simply not there.
    other = e2e_territory.areas["hp_s1"]
    response = page.goto(f"{live_server.url}/areas/{other.pk}/")
    assert response.status == 404
    assert "南京东路街道" not in page.content()


def test_home_fits_a_phone(live_server, e2e_territory, phone_page):
    page = phone_page
    login(page, live_server.url, e2e_territory.users["xh_c1_secretary"].username, PASSWORD)
    assert "复兴西路社区居委会" in page.locator("main").inner_text()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(page, "community-secretary-phone")
