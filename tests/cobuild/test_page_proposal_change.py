"""Changing a proposal on its page (改选): another resource that passes the same rules,
the project set up at once, and each refusal leaving the proposal pending."""

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import MatchProposal, Project
from jiceng.core.models import AuditEntry
from tests.cobuild.conftest import DAY


@pytest.fixture
def pending(world):
    """A need, the solver's pick and a second resource staff may prefer."""
    world.need()
    first = world.resource(title="企业志愿者助餐服务")
    second = world.resource(title="物业食堂助餐")
    run = services.match_run_create(actor=None, area=world.t.areas["xh_s1"], today=DAY)
    proposal = run.proposals.get()
    other = second if proposal.resource_id == first.pk else first
    return proposal, other


def test_staff_change_to_another_resource_and_a_project_follows(client, world, pending):
    proposal, other = pending
    client.force_login(world.t.users["xh_s1_staff"])
    page = client.get(reverse("cobuild:proposal_change", args=[proposal.pk])).content.decode()
    assert other.title in page
    assert f'value="{proposal.resource_id}"' not in page  # the solver's pick is not offered
    before = AuditEntry.objects.count()
    response = client.post(
        reverse("cobuild:proposal_change", args=[proposal.pk]),
        {"resource": other.pk, "note": "物业食堂更近"},
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{project.pk}/")
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.CHANGED
    assert list(project.resources.values_list("pk", flat=True)) == [other.pk]
    assert AuditEntry.objects.count() > before


def test_the_solvers_own_pick_or_nothing_is_refused_on_the_field(client, world, pending):
    proposal, _ = pending
    client.force_login(world.t.users["xh_s1_staff"])
    url = reverse("cobuild:proposal_change", args=[proposal.pk])
    for data in ({"resource": proposal.resource_id}, {}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["form"].errors["resource"]
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.PENDING
    assert not Project.objects.exists()


def test_a_decided_proposal_cannot_be_changed(client, world, pending):
    proposal, other = pending
    services.proposal_reject(actor=None, proposal=proposal)
    client.force_login(world.t.users["xh_s1_staff"])
    response = client.post(
        reverse("cobuild:proposal_change", args=[proposal.pk]), {"resource": other.pk}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.REJECTED
    assert not Project.objects.exists()


def test_out_of_scope_is_not_found_and_changes_nothing(client, world, pending):
    proposal, other = pending
    client.force_login(world.t.users["hp_s1_staff"])
    url = reverse("cobuild:proposal_change", args=[proposal.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"resource": other.pk}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.PENDING


def test_matching_page_links_to_the_change_page(client, world, pending):
    proposal, _ = pending
    client.force_login(world.t.users["xh_s1_staff"])
    page = client.get(reverse("cobuild:matching"), {"run": proposal.run_id}).content.decode()
    assert reverse("cobuild:proposal_change", args=[proposal.pk]) in page
