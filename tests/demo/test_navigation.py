"""Every demo role's navigation leads only to pages that role can open: the main
navigation and, one step further, each page's own sub-navigation. A link that answers
404 or 403 for the role that sees it is a bug (the unit org secretary's link to the
coverage page, which starts from a place that role does not have, was one)."""

import re
from html import unescape

import pytest

from jiceng.accounts.models import User
from jiceng.demo.logins import DEMO_ACCOUNTS

NAV = re.compile(r'<nav class="(?:mainnav|subnav)"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"#]+)"')


def _nav_links(html: str) -> list[str]:
    return [unescape(h) for block in NAV.findall(html) for h in HREF.findall(block)]


@pytest.mark.parametrize("username", [account.username for account in DEMO_ACCOUNTS])
def test_every_navigation_link_opens(street_demo, client, username):
    client.force_login(User.objects.get(username=username))
    home = client.get("/")
    assert home.status_code == 200
    seen: dict[str, int] = {}
    queue = _nav_links(home.content.decode())
    assert queue, "the navigation shows at least the home page"
    for depth in range(2):
        following: list[str] = []
        for url in queue:
            if url in seen:
                continue
            response = client.get(url)
            seen[url] = response.status_code
            if depth == 0 and response.status_code == 200 and "html" in response["Content-Type"]:
                following.extend(_nav_links(response.content.decode()))
        queue = following
    broken = {url: status for url, status in seen.items() if status in (403, 404)}
    assert not broken, f"{username}: {broken}"
    assert all(status in (200, 302) for status in seen.values()), seen
