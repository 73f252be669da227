"""Organizational life in the browser: a community secretary records a meeting with its
attendance (and a photo, optional) on a 390-pixel phone; a district admin drills down the
compliance page from the district to a street, to an org and its missing periods.
Screenshots for the user guide (docs/user-guide/orglife.md)."""

import datetime
import io

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

YEAR = 2025


@pytest.fixture
def life(e2e_territory):
    from jiceng.orglife.requirements import ensure_requirements
    from tests.orglife.conftest import build_life

    ensure_requirements()
    return build_life(e2e_territory)


@pytest.fixture
def phone_390(chromium):
    """The width of a common phone held upright (390 CSS pixels)."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=3
    )
    page = context.new_page()
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "会场.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_secretary_records_a_meeting_with_attendance_on_a_phone(
    live_server, e2e_territory, life, phone_390, tmp_path
):
    from jiceng.orglife.models import Meeting

    t, m = e2e_territory, life.members
    page = phone_390
    login(page, live_server.url, t.users["xh_c1_secretary"].username, PASSWORD)
    page.goto(f"{live_server.url}/orglife/meetings/new/")
    # The first step picks the org (a picker), then 下一步 opens the meeting form.
    page.locator("#id_org").select_option(label="复兴西路社区第一党支部")
    page.get_by_role("button", name="下一步").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("会议类型").select_option(label="支部党员大会")
    page.get_by_label("日期").fill(datetime.date.today().replace(day=1).isoformat())
    page.get_by_role("textbox", name="主题").fill("学习党章，讨论楼道整治")
    page.get_by_label("主持人").fill("王建国")
    page.get_by_label(m["wang"].name).select_option("present")
    page.get_by_label(m["zhao"].name).select_option("present")
    page.get_by_label(m["li"].name).select_option("excused")
    page.locator(f'input[name="reason_{m["li"].pk}"]').fill("就医")
    page.get_by_label(m["chen"].name).select_option("elsewhere")
    page.locator(f'input[name="reason_{m["chen"].pk}"]').fill("在昆山某企业党支部参加")
    page.get_by_label("会议记录").fill("一、学习党章第二章。\n二、讨论楼道堆物整治。")
    page.get_by_label("照片或文件（选填）").set_input_files(str(_photo(tmp_path)))
    _no_sideways_scroll(page)
    screenshot(page, "orglife-meeting-phone")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    meeting = Meeting.objects.get()
    assert (meeting.register_count, meeting.attended_count) == (4, 3)
    statuses = dict(meeting.attendance.values_list("member_id", "status"))
    assert statuses == {
        m["wang"].pk: "present",
        m["zhao"].pk: "present",
        m["li"].pk: "excused",
        m["chen"].pk: "elsewhere",
    }
    assert meeting.minutes.splitlines() == ["一、学习党章第二章。", "二、讨论楼道堆物整治。"]
    assert meeting.attachments.get().kind == "photo"
    text = page.locator("main").inner_text()
    assert "3/4" in text and "就医" in text
    # The photo is shown from the scoped view.
    src = page.locator("ul.attachments img").get_attribute("src")
    assert src and src.startswith("/orglife/attachments/")
    _no_sideways_scroll(page)
    screenshot(page, "orglife-meeting-detail-phone")

    # A refusal names the field, with the code the API gives for the same input.
    page.goto(f"{live_server.url}/orglife/meetings/new/?org={t.orgs['xh_c1_b1'].pk}")
    page.get_by_label("日期").fill(datetime.date.today().isoformat())
    # The browser's own maxlength is taken away, as a hand-made request would.
    page.evaluate("document.querySelector('input[name=topic]').removeAttribute('maxlength')")
    page.get_by_role("textbox", name="主题").fill("长" * 201)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    alert = page.get_by_role("alert")
    assert alert.get_attribute("data-code") == "orglife_text_too_long"
    assert alert.get_attribute("data-field") == "topic"
    assert Meeting.objects.count() == 1


def test_compliance_page_drills_down_to_an_org(live_server, e2e_territory, life, desk_page):
    from jiceng.orglife import services

    t = e2e_territory
    for month in range(1, 13):
        services.meeting_record(
            actor=None,
            org=t.orgs["xh_c1_b1"],
            facts=services.MeetingFacts(
                kind="committee_meeting", held_on=datetime.date(YEAR, month, 5), topic="支委会"
            ),
        )
    page = desk_page
    login(page, live_server.url, t.users["xh_admin"].username, PASSWORD)
    page.goto(f"{live_server.url}/orglife/compliance/?area={t.areas['xh'].pk}&year={YEAR}")
    children = page.locator("table.compliance-children")
    row = children.locator("tr", has_text="湖南路街道")
    assert row.locator("td").nth(2).inner_text().strip() != "0"
    screenshot(page, "orglife-compliance-district")
    row.get_by_role("link", name="湖南路街道").click()
    page.wait_for_load_state("networkidle")
    orgs = page.locator("table.compliance-orgs")
    assert "复兴西路社区第一党支部" in orgs.inner_text()
    screenshot(page, "orglife-compliance-street")
    orgs.get_by_role("link", name="复兴西路社区第一党支部").click()
    page.wait_for_load_state("networkidle")
    text = page.locator("main").inner_text()
    assert "复兴西路社区第一党支部" in text
    assert f"{YEAR}Q1" in text  # the first quarter's member meeting was not held
    screenshot(page, "orglife-compliance-org")
