"""Every main page renders in English too, with the interface translated."""

import pytest
from django.urls import reverse

PAGES = [
    ("xh_s1_staff", "dashboard:home", "Home"),
    ("xh_s1_staff", "orgs:org_tree", "Organizations"),
    ("xh_s1_staff", "orgs:unit_list", "Units in the territory"),
    ("xh_s1_staff", "orgs:coverage", "Party organization coverage"),
    ("xh_s1_staff", "orgs:org_new", "Register an organization"),
    ("xh_s1_staff", "orgs:unit_new", "Register a unit"),
    ("xh_s1_staff", "orgs:unit_import", "Import units"),
    ("xh_s1_staff", "orgs:grid_import", "Import grids, buildings and addresses"),
    ("xh_s1_staff", "orgs:grid_list", "Each grid has one grid leader"),
    ("xh_s1_staff", "orgs:committee_list", "Set up a big committee"),
    ("xh_c1_secretary", "members:list", "Member register"),
    ("xh_c1_secretary", "members:statistics", "Composition of the membership"),
    ("xh_c1_secretary", "members:mobile", "Mobile member ledger"),
    ("xh_s1_staff", "appeals:list", "Residents' appeals"),
    ("xh_s1_staff", "appeals:rates", "Response rate"),
    (None, "appeals:report", "Report a problem"),
    (None, "cobuild:need_report", "Ask for a service"),
    ("xh_c1_secretary", "cobuild:need_new", "Record a need"),
    ("xh_s1_staff", "cobuild:venue_new", "Record a venue"),
    (None, "accounts:login", "Sign in"),
]


@pytest.mark.parametrize("role, name, text", PAGES)
def test_pages_in_english(client, territory, role, name, text):
    client.cookies["django_language"] = "en"
    if role:
        client.force_login(territory.users[role])
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert text in html
    assert "Sign out" in html or role is None


def test_switching_language_through_the_form(client, territory):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Sign in to the Jiceng platform" in client.get("/accounts/login/").content.decode()
