"""Co-building pages: the lists, matching with accept and reject, venues, meetings;
scoped like everything else."""

import pytest
from django.urls import reverse

from jiceng.cobuild.models import MatchProposal, Project


@pytest.mark.parametrize(
    "name", ["cobuild:overview", "cobuild:matching", "cobuild:venues", "cobuild:meetings"]
)
def test_pages_render_with_data(client, world, objects, name):
    client.force_login(world.t.users["xh_s1_staff"])
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_lists_show_the_street_and_not_elsewhere(client, world, objects):
    world.need(community="hp_c1", title="黄浦的需求", actor=None)
    client.force_login(world.t.users["xh_s1_staff"])
    html = client.get(reverse("cobuild:overview"), {"status": "matched"}).content.decode()
    assert "独居老人助餐" in html and "黄浦的需求" not in html


def test_street_runs_matching_and_accepts_a_proposal(client, world):
    world.need()
    world.resource()
    client.force_login(world.t.users["xh_s1_staff"])
    response = client.post(reverse("cobuild:matching_run"), {"area": world.t.areas["xh_s1"].pk})
    assert response.status_code == 302
    proposal = MatchProposal.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "类别相符" in page and "采纳" in page
    client.post(reverse("cobuild:proposal_decide", args=[proposal.pk, "accept"]))
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.ACCEPTED
    project = Project.objects.get()
    assert client.get(reverse("cobuild:project", args=[project.pk])).status_code == 200


def test_other_district_cannot_touch_proposals(client, world):
    world.need()
    world.resource()
    client.force_login(world.t.users["xh_s1_staff"])
    client.post(reverse("cobuild:matching_run"), {"area": world.t.areas["xh_s1"].pk})
    proposal = MatchProposal.objects.get()
    client.force_login(world.t.users["hp_s1_staff"])
    response = client.post(reverse("cobuild:proposal_decide", args=[proposal.pk, "accept"]))
    assert response.status_code == 404
    assert (
        client.post(
            reverse("cobuild:matching_run"), {"area": world.t.areas["xh_s1"].pk}
        ).status_code
        == 404
    )
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.PENDING


def test_residents_do_not_see_co_building_pages(client, world):
    client.force_login(world.t.users["xh_resident"])
    assert client.get(reverse("cobuild:overview")).status_code == 404
