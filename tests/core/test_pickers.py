"""Pickers (core.pickers): a form offers the first candidates and a search for the rest,
and accepts what was posted only when it is one of the viewer's candidates.

At the city a select once listed the first 2,000 areas by path; whatever came after
could not be chosen. These tests hold the fix: a candidate far down the list is found
by the search and accepted when posted."""

import pytest
from django.urls import reverse

from jiceng.core.models import Area
from jiceng.core.pickers import SHOWN, get_picker, offered
from jiceng.core.services import area_create
from jiceng.orgs.models import PartyOrg
from tests.conftest import pick_search

ORG_LEVELS = "community,district,grid,street"


@pytest.fixture
def many_grids(territory):
    """More grids in community xh_c1 than a select shows; the last sorts last."""
    parent = territory.areas["xh_c1"]
    grids = [
        area_create(
            actor=None,
            parent=parent,
            code=f"310104003001{n:03d}",
            name=f"测试网格{n:03d}",
            level="grid",
        )
        for n in range(10, 10 + SHOWN + 5)
    ]
    return grids


def _options(html: str) -> int:
    return html.count('<option value="') - html.count('<option value=""')


def test_form_shows_first_candidates_and_a_search(client, territory, many_grids):
    client.force_login(territory.users["xh_admin"])
    page = client.get(reverse("orgs:org_new")).content.decode()
    assert 'type="search"' in page and reverse("pick", args=["manageable-areas"]) in page
    assert "测试网格064" not in page  # beyond the first SHOWN in path order


def test_small_lists_have_no_search(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    page = client.get(reverse("orgs:org_new")).content.decode()
    assert 'type="search"' not in page
    assert "第二网格" in page


def test_search_finds_a_candidate_beyond_the_first(client, territory, many_grids):
    client.force_login(territory.users["xh_admin"])
    response = pick_search(client, "manageable-areas", "网格064", levels=ORG_LEVELS, empty="不变")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{many_grids[-1].pk}">测试网格064' in html
    assert '<option value="">不变</option>' in html
    # The search is over the viewer's candidates only: another district's areas never.
    other = pick_search(client, "manageable-areas", "南京东路", levels=ORG_LEVELS)
    other = other.content.decode()
    assert "南京东路" not in other and "没有找到" in other


def test_posting_a_candidate_beyond_the_first_is_accepted(client, territory, many_grids):
    client.force_login(territory.users["xh_admin"])
    data = {
        "name": "远处网格党支部",
        "kind": "branch",
        "domain": "community",
        "form": "single",
        "parent": territory.orgs["xh_c1_gb"].pk,
        "area": many_grids[-1].pk,
    }
    response = client.post(reverse("orgs:org_new"), data)
    assert response.status_code == 302
    assert PartyOrg.objects.get(name="远处网格党支部").area == many_grids[-1]


@pytest.mark.parametrize("value", ["hp_s1", "abc", "99999999", "1e3"])
def test_posting_what_is_not_a_candidate_is_refused_on_the_field(client, territory, value):
    client.force_login(territory.users["xh_admin"])
    posted = territory.areas[value].pk if value in territory.areas else value
    before = PartyOrg.objects.count()
    response = client.post(
        reverse("orgs:org_new"),
        {
            "name": "不该有的支部",
            "kind": "branch",
            "domain": "community",
            "form": "single",
            "parent": territory.orgs["xh_c1_gb"].pk,
            "area": posted,
        },
    )
    assert response.status_code == 422
    assert "请从列表中选择" in str(response.context["form"].errors["area"])
    assert PartyOrg.objects.count() == before


@pytest.mark.parametrize("key", ["xh_admin", "xh_c1_secretary", "xh_unit_secretary", "xh_member"])
def test_candidates_are_those_seen_and_changeable(territory, key):
    """The pickers offer what the viewer sees and may change, nothing else: the same
    sets as filtering every visible row through the access checks."""
    from jiceng.core.access import can_manage_area
    from jiceng.core.scope import scope_for
    from jiceng.orgs.access import can_manage_org
    from jiceng.orgs.selectors import org_list

    user = territory.users[key]
    orgs = {o.pk for o in offered(get_picker("manageable-orgs"), user, params={})}
    assert orgs == {o.pk for o in org_list(viewer=user) if can_manage_org(user, o)}
    areas = {a.pk for a in offered(get_picker("manageable-areas"), user, params={})}
    visible = scope_for(user).filter(Area.objects.all())
    assert areas == {a.pk for a in visible if can_manage_area(user, a)}
    if key == "xh_member":
        assert not orgs and not areas


def test_offered_stops_after_the_first_and_says_there_are_more(territory, many_grids):
    user = territory.users["xh_admin"]
    found = offered(get_picker("manageable-areas"), user, params={"levels": "grid"})
    assert len(found) == SHOWN + 1
    assert [a.path for a in found] == sorted(a.path for a in found)
    assert all(a.level == Area.Level.GRID for a in found)


def test_unknown_levels_fall_back_to_all_and_unknown_pickers_are_404(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    assert pick_search(client, "manageable-areas", "第二", levels="nonsense").status_code == 200
    assert pick_search(client, "no-such-picker").status_code == 404
    # A NUL byte never reaches the database (the input policy); a long text is cut.
    assert pick_search(client, "manageable-areas", "a\x00b").status_code == 400
    assert pick_search(client, "manageable-areas", "网" * 5000).status_code == 200
    # The text typed (a name) is never put in a URL: the search answers POST only.
    url = reverse("pick", args=["manageable-areas"])
    assert client.get(url, {"q": "第二"}).status_code == 405


def test_anonymous_is_sent_to_log_in(client, territory):
    response = pick_search(client, "manageable-areas", "第二")
    assert response.status_code == 302 and "login" in response["Location"]
