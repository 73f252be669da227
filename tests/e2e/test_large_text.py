"""The large-text mode (长辈模式) of the resident pages, in a real browser on a phone-sized
screen (390 px): one tap switches it on, the device remembers it, and a resident files an
appeal and tracks it in it. On each resident page the computed styles are measured: text
at least 18 px, every target at least 48 × 48 px, text at 7:1 contrast or more against
the background it sits on, nothing wider than the screen; and axe-core finds nothing
serious there either."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import Findings, audit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}

# Measures what the eye and the finger meet, on the elements that are rendered.
MEASURE = """() => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0
      && box.height > 0 && !el.closest('.sr-only, .skip, [hidden]');
  };
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const [r, g, b, a] = rgb(getComputedStyle(node).backgroundColor);
      if (a === undefined || a > 0) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.innerText || el.value || '').trim().slice(0, 20) + '"';
  const small = [], lowContrast = [], tinyTargets = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = new Set();
  while (walker.nextNode()) {
    if (walker.currentNode.textContent.trim() && walker.currentNode.parentElement) {
      texts.add(walker.currentNode.parentElement);
    }
  }
  for (const el of texts) {
    const skipped = ['SCRIPT', 'STYLE', 'OPTION', 'NOSCRIPT', 'TITLE'];
    if (!visible(el) || skipped.includes(el.tagName)) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    if (size < 18) small.push(describe(el) + ' ' + size + 'px');
    const fg = luminance(rgb(style.color)), bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 7) lowContrast.push(describe(el) + ' ' + ratio.toFixed(2) + ':1');
  }
  const targets = document.querySelectorAll(
    'a[href], button, select, textarea, input:not([type=hidden]), summary');
  for (const el of targets) {
    // A radio button or check box is reached through its label, which is the target.
    const choice = el.type === 'radio' || el.type === 'checkbox';
    const target = choice ? (el.closest('label') || el) : el;
    if (!visible(target)) continue;
    const box = target.getBoundingClientRect();
    if (box.width < 48 || box.height < 48) {
      const size = Math.round(box.width) + '×' + Math.round(box.height);
      tinyTargets.push(describe(target) + ' ' + size);
    }
  }
  return {small, lowContrast, tinyTargets,
          width: document.documentElement.scrollWidth,
          bodySize: parseFloat(getComputedStyle(document.body).fontSize)};
}"""


def check_large_text(page, where: str) -> None:
    assert page.evaluate("document.documentElement.classList.contains('large-text')"), where
    found = page.evaluate(MEASURE)
    assert found["bodySize"] >= 18, (where, found["bodySize"])
    assert not found["small"], (where, "text under 18 px", found["small"])
    assert not found["tinyTargets"], (where, "targets under 48×48 px", found["tinyTargets"])
    assert not found["lowContrast"], (where, "text under 7:1", found["lowContrast"])
    assert found["width"] <= PHONE["width"], (where, "scrolls sideways", found["width"])
    findings = Findings()
    audit(page, "large-text", where, findings)
    page.set_viewport_size(PHONE)
    assert not findings.problems, findings.report()


@pytest.fixture
def handling(e2e_territory):
    from jiceng.appeals import services

    areas = e2e_territory.areas
    unit = services.handling_unit_create(
        actor=None, name="复兴西路居委会", kind="community", area=areas["xh_c1"]
    )
    services.routing_rule_set(actor=None, area=areas["xh_c1"], unit=unit)
    return unit


def choose_place(page, choices) -> None:
    """Each choice loads the next select through htmx: wait for it to settle."""
    for label, choice, target in choices:
        with page.expect_response(lambda r: "/places/" in r.url):
            page.get_by_label(label, exact=True).select_option(label=choice)
        page.wait_for_function(
            "s => { const e = document.querySelector(s);"
            " return e && e.querySelector('select') && !e.classList.contains('htmx-settling')"
            " && !e.classList.contains('htmx-swapping'); }",
            arg=target,
        )


def test_a_resident_files_and_tracks_an_appeal_in_large_text_mode(
    live_server, e2e_territory, handling, chromium
):
    from jiceng.appeals.models import Appeal

    context = chromium.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/appeals/report/")
    switch = page.get_by_role("button", name="长辈模式（大字）")
    assert switch.get_attribute("aria-pressed") == "false"
    assert not page.evaluate("document.documentElement.classList.contains('large-text')")
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")

    # What the resident has typed survives the switch: it happens in place.
    page.get_by_label("问题描述").fill("楼道灯坏了")
    switch.click()
    assert switch.get_attribute("aria-pressed") == "true"
    assert page.get_by_label("说说是什么情况").input_value() == "楼道灯坏了"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > normal_size

    # Remembered on this device: a fresh load is large from the server's first answer.
    page.reload()
    check_large_text(page, "/appeals/report/")

    # The form in plain words.
    page.get_by_label("遇到了什么事").select_option(label="垃圾清运与环境卫生")
    choose_place(
        page,
        (
            ("哪个区", "徐汇区", "#place-after-district"),
            ("哪个街道（镇）", "湖南路街道", "#place-after-street"),
        ),
    )
    page.get_by_label("哪个社区（村）").select_option(label="复兴西路社区居委会")
    check_large_text(page, "/appeals/report/ (places chosen)")
    page.get_by_label("说说是什么情况").fill("复兴西路12弄门口垃圾三天没有清运")
    page.get_by_label("您的手机号（可以不填，只有办事人员能看到）").fill("13912345678")
    screenshot(page, "resident-report-large-text")
    page.get_by_role("button", name="提交，交给社区办").click()
    page.wait_for_load_state("networkidle")

    appeal = Appeal.objects.get()
    assert appeal.description == "复兴西路12弄门口垃圾三天没有清运"
    assert appeal.tracking_code in page.locator("main").inner_text()
    check_large_text(page, f"/track/{appeal.tracking_code}/")
    screenshot(page, "resident-track-large-text")

    # Tracking it later by its code, still in the mode.
    page.goto(f"{live_server.url}/track/")
    check_large_text(page, "/track/")
    page.get_by_label("查询码（提交时给您的那串字母和数字）").fill(appeal.tracking_code)
    page.get_by_role("button", name="查看办到哪一步了").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/track/{appeal.tracking_code}/")
    assert str(appeal.get_state_display()) in page.locator("main").inner_text()

    # The community answers; the resident rates the answer in the mode.
    from jiceng.appeals import services

    staff = e2e_territory.users["xh_c1_secretary"]
    appeal = services.appeal_accept(actor=staff, appeal=appeal)
    services.appeal_reply(actor=staff, appeal=appeal, reply="已清运完毕")
    page.reload()
    check_large_text(page, f"/track/{appeal.tracking_code}/ (to rate)")
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state("networkidle")
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.CLOSED

    # The other resident pages wear it too; one more tap turns it off everywhere.
    for path in ("/cobuild/needs/report/", "/accounts/login/"):
        page.goto(live_server.url + path)
        check_large_text(page, path)
    page.get_by_role("button", name="长辈模式（大字）").click()
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('large-text')")
    assert page.get_by_label("用户名").is_visible()
    context.close()


def test_the_switch_works_without_a_script(live_server, e2e_territory, chromium):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/track/")
    page.get_by_role("button", name="长辈模式（大字）").click()
    page.wait_for_load_state()
    assert page.url.endswith("/track/")
    assert page.get_attribute("html", "class") == "large-text"
    assert (
        page.get_by_role("button", name="长辈模式（大字）").get_attribute("aria-pressed") == "true"
    )
    context.close()
