"""A community secretary registers a member and reveals a number; screenshots for the
member management guide."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_register_a_member_and_reveal_with_audit(live_server, e2e_territory, desk_page):
    from jiceng.core.models import AuditEntry
    from jiceng.core.validators import id_check_character
    from jiceng.members.models import Member

    body = "31010419880315042"
    number = body + id_check_character(body)
    page = desk_page
    login(page, live_server.url, e2e_territory.users["xh_c1_secretary"].username, PASSWORD)
    page.goto(f"{live_server.url}/members/new/")
    # The org is chosen, never assumed (a picker with an empty first option).
    page.get_by_label("所在党组织").select_option(label="复兴西路社区第一党支部")
    page.get_by_label("姓名").fill("王 芳")
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("入党日期").fill("2012-07-01")
    page.get_by_label("党员状态").select_option(label="正式党员")
    page.get_by_label("转正日期").fill("2013-07-01")
    page.get_by_label("手机号码").fill("13812345678")
    page.get_by_label("工作单位").fill("上海徐汇某科技有限公司")
    screenshot(page, "member-register")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state("networkidle")
    member = Member.objects.get()
    assert member.name == "王芳" and member.gender == "female"
    text = page.locator("main").inner_text()
    assert number not in text and "3101**********" in text

    page.get_by_role("button", name="查看完整号码（将记录审计）").first.click()
    page.wait_for_load_state("networkidle")
    assert number in page.locator("main").inner_text()
    assert AuditEntry.objects.filter(action="reveal").count() == 1

    page.goto(f"{live_server.url}/members/")
    assert "138****5678" in page.locator("main").inner_text()
    screenshot(page, "member-register-list")
    page.goto(f"{live_server.url}/members/statistics/")
    screenshot(page, "member-statistics")
