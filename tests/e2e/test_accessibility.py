"""Every page of every role, checked by axe-core in a real browser (WCAG 2.0/2.1 A and
AA rules) at phone (390 px) and desktop (1280 px) widths, and for sideways scrolling at
320 px (WCAG 1.4.10 Reflow).

The street demo supplies the pages and their content: each demo account logs in, and the
walk visits its navigation links, the section links (sub-navigation) of each page it
reaches, and the first detail page linked from each list. The anonymous pages are the
resident's: login, filing an appeal, tracking one, reporting a need. axe-core is the
vendored npm file (tests/e2e/vendor/axe-core, with its licence), evaluated in the page
through the DevTools protocol, so the pages' CSP stays as it is.

All findings of the whole walk are gathered and reported at once, so one run names every
page that breaks, not only the first.
"""

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
PHONE, DESKTOP, NARROWEST = 390, 1280, 320
# Not pages of this project's templates: Django's admin, the OpenAPI viewer, downloads.
SKIP_PREFIXES = ("/admin/", "/api/", "/open311/", "/i18n/", "/static/")
SKIP_SUFFIXES = (".xlsx", ".csv", ".xml", ".json", ".png", ".svg")
# Pages per role: the walk is breadth-first, so the cap cuts only the deepest details.
PAGES_PER_ROLE = 25

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""


@dataclass
class Findings:
    pages: int = 0
    problems: list[str] = field(default_factory=list)

    def report(self) -> str:
        return f"{len(self.problems)} problems on {self.pages} page views:\n" + "\n".join(
            self.problems
        )


def audit(page, who: str, path: str, findings: Findings) -> None:
    """The page as loaded: no sideways scroll at 320 px, then axe at phone and desktop."""
    page.set_viewport_size({"width": NARROWEST, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROWEST:
        findings.problems.append(f"{who} {path} @320px: scrolls sideways ({width} px wide)")
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 860})
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text())
        for violation in page.evaluate(RUN_AXE, AXE_TAGS):
            if violation["impact"] in FAILING_IMPACTS:
                findings.problems.append(
                    f"{who} {path} @{width}px: {violation['impact']} {violation['id']}"
                    f" ({violation['help']}) at {violation['targets']}"
                )
        findings.pages += 1


def same_site_paths(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        selector, "els => els.filter(a => !a.hasAttribute('download')).map(a => a.href)"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or not parts.path.startswith("/"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
            continue
        if path not in paths:
            paths.append(path)
    return paths


def shape(path: str) -> str:
    """/appeals/123/ and /appeals/456/ are one page of one template."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def walk(
    page, base_url: str, who: str, start: list[str], findings: Findings, details_seen: set
) -> list[str]:
    """Breadth-first over navigation, section links, buttons that lead to pages and the
    first detail of each list on a page. A detail page whose shape another role's walk has already
    audited is skipped: its template is the same."""
    queue, seen = list(start), []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = page.goto(base_url + path)
        # htmx fills some parts after load; audit what a person sees once it is done.
        page.wait_for_function("!document.querySelector('.htmx-request')")
        if response is None or response.status != 200:
            findings.problems.append(f"{who} {path}: answered {response and response.status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        audit(page, who, path, findings)
        links = same_site_paths(page, ".mainnav a, main .subnav a, main a.btn")
        # The first row of each list (each table, and the org tree) leads to a detail.
        firsts = page.eval_on_selector_all(
            "main table, main .tree",
            "lists => lists.map(l => l.querySelector('tbody a[href], a[href]'))"
            ".filter(Boolean).map(a => a.getAttribute('href'))",
        )
        details = []
        for p in firsts:
            if (
                p.startswith("/")
                and not p.startswith(SKIP_PREFIXES)
                and shape(p) not in details_seen
            ):
                details_seen.add(shape(p))
                details.append(p)
        queue.extend(p for p in links + details if p not in seen and p not in queue)
    return seen


@pytest.fixture
def street_demo_live(transactional_db):
    from jiceng.demo.generator import demo_generate

    return demo_generate(scale="street", seed=7)


def test_every_page_of_every_role_passes_axe_and_fits_320px(
    live_server, street_demo_live, chromium
):
    from jiceng.appeals.models import Appeal
    from jiceng.demo.logins import DEMO_ACCOUNTS, DEMO_PASSWORD

    findings = Findings()
    visited: dict[str, list[str]] = {}
    details_seen: set[str] = set()
    started = time.monotonic()

    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    code = Appeal.objects.order_by("pk").values_list("tracking_code", flat=True).first()
    anonymous = ["/accounts/login/", "/appeals/report/", "/track/", f"/track/{code}/"]
    anonymous.append("/cobuild/needs/report/")
    visited["anonymous"] = walk(
        page, live_server.url, "anonymous", anonymous, findings, details_seen
    )
    context.close()

    for account in DEMO_ACCOUNTS:
        context = chromium.new_context(locale="zh-CN", viewport={"width": DESKTOP, "height": 860})
        page = context.new_page()
        login(page, live_server.url, account.username, DEMO_PASSWORD)
        assert "/accounts/login/" not in page.url, account.username
        visited[account.username] = walk(
            page, live_server.url, account.username, ["/"], findings, details_seen
        )
        context.close()

    print(f"{findings.pages} page views in {time.monotonic() - started:.0f} s: {visited}")
    assert not findings.problems, findings.report()
    # The walk really went places: every role reached more than its home page, and the
    # staff roles the sections their navigation offers.
    for who, paths in visited.items():
        assert len(paths) >= 2, (who, paths)
    for who in ("demo_district", "demo_street", "demo_community"):
        sections = {path.split("/")[1] for path in visited[who]}
        assert {"orgs", "members", "appeals", "cobuild"} <= sections, (who, sections)


BROKEN = """<!doctype html><html lang="zh-CN"><head><title>坏页面</title></head><body><main>
<details><summary><a href="/orgs/1/">链接在摘要里</a></summary>内容</details>
<div style="overflow-x: auto; width: 200px"><table><tr><td style="white-space: nowrap">
很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的一行</td></tr></table></div>
<div style="width: 600px">比手机屏幕宽</div>
</main></body></html>"""


def test_the_audit_finds_what_it_is_here_for(chromium):
    """The two violations the suite was written against, and a page wider than 320 px,
    are reported: the audit itself can fail."""
    page = chromium.new_page()
    page.set_content(BROKEN)
    findings = Findings()
    audit(page, "canary", "/broken/", findings)
    page.close()
    report = findings.report()
    assert "nested-interactive" in report
    assert "scrollable-region-focusable" in report
    assert "@320px: scrolls sideways" in report
