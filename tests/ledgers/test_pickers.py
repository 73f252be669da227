"""The ledgers page chooses its subject through pickers (core.pickers): `ledger-areas`
(the viewer's territories and two levels below) and `ledger-orgs` (the orgs they see).
The page lists the first and searches for the rest; what is chosen is checked again by
`subject_for`, out of sight being the 404 page."""

import pytest
from django.urls import reverse

from jiceng.core.models import Area, AuditEntry
from jiceng.core.pickers import get_picker, offered
from jiceng.core.scope import scope_for
from jiceng.orgs.selectors import org_list
from tests.conftest import pick_search


@pytest.mark.parametrize("key", ["xh_admin", "xh_s1_staff", "xh_c1_secretary"])
def test_candidates_are_the_territories_and_two_levels_below(registered, key):
    territory, *_ = registered
    user = territory.users[key]
    areas = offered(get_picker("ledger-areas"), user, params={})
    visible = scope_for(user).filter(Area.objects.all())
    root = min(visible, key=lambda a: a.depth)
    assert {a.pk for a in areas} == {a.pk for a in visible if a.depth <= root.depth + 2}
    assert [a.path for a in areas] == sorted(a.path for a in areas)
    orgs = offered(get_picker("ledger-orgs"), user, params={})
    assert {o.pk for o in orgs} == {o.pk for o in org_list(viewer=user)}


def test_the_page_shows_the_chosen_subject_and_a_search_finds_the_rest(client, registered):
    territory, *_ = registered
    client.force_login(territory.users["xh_admin"])
    org = territory.orgs["xh_c1_b1"]
    page = client.get(reverse("ledgers:index"), {"org": org.pk}).content.decode()
    assert f'<option value="{org.pk}" selected>{org.name}</option>' in page
    found = pick_search(client, "ledger-areas", "复兴西路").content.decode()
    assert f'<option value="{territory.areas["xh_c1"].pk}">' in found
    other = pick_search(client, "ledger-areas", "南京东路").content.decode()
    assert "南京东路" not in other


@pytest.mark.parametrize("field,key", [("area", "hp_s1"), ("org", "hp_c1_b")])
def test_a_subject_out_of_sight_is_404_and_nothing_is_generated(client, registered, field, key):
    territory, *_ = registered
    client.force_login(territory.users["xh_s1_staff"])
    value = (territory.areas if field == "area" else territory.orgs)[key].pk
    before = AuditEntry.objects.filter(action="export").count()
    assert client.get(reverse("ledgers:index"), {field: value}).status_code == 404
    url = reverse("ledgers:xlsx", args=["units" if field == "area" else "org_basics"])
    assert client.get(url, {field: value}).status_code == 404
    assert AuditEntry.objects.filter(action="export").count() == before
