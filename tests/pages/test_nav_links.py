"""Every link a role's navigation offers opens (no link to a page that answers 404)."""

import re

import pytest

from jiceng.appeals.selectors import appeal_sections

ROLES = [
    "superuser",
    "city_admin",
    "xh_admin",
    "xh_s1_staff",
    "xh_c1_secretary",
    "xh_g1_worker",
    "xh_unit_secretary",
    "xh_member",
    "xh_resident",
]
NAV = re.compile(r'<nav class="(?:mainnav|subnav)"[^>]*>(.*?)</nav>', re.S)


def nav_links(html: str) -> list[str]:
    return [
        href
        for block in NAV.findall(html)
        for href in re.findall(r'href="([^"]+)"', block)
        if not href.startswith("/admin/")
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_navigation_link_of_a_role_opens(client, territory, role):
    client.force_login(territory.users[role])
    links = nav_links(client.get("/").content.decode())
    for section in [link for link in links if link != "/"]:
        response = client.get(section)
        assert response.status_code == 200, (role, section)
        links += nav_links(response.content.decode())
    for link in dict.fromkeys(links):
        assert client.get(link).status_code == 200, (role, link)


@pytest.mark.parametrize(
    "role, sections",
    [
        ("superuser", {"street", "setup"}),
        ("xh_admin", {"street", "setup"}),
        ("xh_s1_staff", {"street", "setup"}),
        ("xh_c1_secretary", {"setup"}),
        ("xh_g1_worker", set()),
        ("xh_unit_secretary", set()),
    ],
)
def test_appeal_sections_follow_the_pages_own_checks(client, territory, role, sections):
    user = territory.users[role]
    assert appeal_sections(user) == sections
    client.force_login(user)
    for name, path in (("street", "/appeals/street/"), ("setup", "/appeals/setup/")):
        assert client.get(path).status_code == (200 if name in sections else 404), (role, path)
