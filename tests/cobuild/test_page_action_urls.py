"""Each form of a detail page posts to its own action URL, which answers as the detail
page's URL does for the same post (that URL still takes them, named by the hidden
"form" field): success redirects to the page, a refusal shows the page with the error on
the form, out of scope is 404, and the action URL takes POST only."""

import html

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import Booking, Need, Project
from tests.cobuild.test_page_venues import local, venue  # noqa: F401 (a fixture)


def _posts_to(page: str, url: str) -> bool:
    return f'action="{url}"' in html.unescape(page)


def test_need_page_forms_post_to_their_action_urls(client, world):
    need = world.need()
    world.resource()
    client.force_login(world.t.users["xh_c1_secretary"])
    page = client.get(reverse("cobuild:need", args=[need.pk])).content.decode()
    close_url = reverse("cobuild:need_close", args=[need.pk])
    project_url = reverse("cobuild:need_project", args=[need.pk])
    assert _posts_to(page, close_url) and _posts_to(page, project_url)
    assert client.get(close_url).status_code == 405
    refused = client.post(close_url, {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["close_form"].errors
    done = client.post(close_url, {"reason": "已由物业解决"})
    assert done.status_code == 302 and done["Location"] == reverse("cobuild:need", args=[need.pk])
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED


def test_an_action_url_out_of_scope_is_404_and_writes_nothing(client, world):
    need = world.need()
    client.force_login(world.t.users["hp_s1_staff"])
    response = client.post(reverse("cobuild:need_close", args=[need.pk]), {"reason": "不需要了"})
    assert response.status_code == 404
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


@pytest.fixture
def project(world) -> Project:
    return services.project_create(actor=None, need=world.need(), resources=[world.resource()])


def test_project_steps_post_to_the_step_url(client, world, project):
    page_url = reverse("cobuild:project", args=[project.pk])
    client.force_login(world.t.users["xh_unit_secretary"])
    claim_url = reverse("cobuild:project_step", args=[project.pk, "claim"])
    assert _posts_to(client.get(page_url).content.decode(), claim_url)
    response = client.post(claim_url, {"note": "认领"})
    assert response.status_code == 302 and response["Location"] == page_url
    project.refresh_from_db()
    assert project.state == Project.State.CLAIMED
    unknown = reverse("cobuild:project_step", args=[project.pk, "evaluate"])
    assert client.post(unknown, {"note": ""}).status_code == 404


def test_the_community_evaluates_at_the_evaluate_url(client, world, project):
    for action in ("claim", "start", "complete"):
        getattr(services, f"project_{action}")(actor=None, project=project)
    client.force_login(world.t.users["xh_c1_secretary"])
    url = reverse("cobuild:project_evaluate", args=[project.pk])
    refused = client.post(url, {"score": "9", "comment": ""})
    assert refused.status_code == 200 and "score" in refused.context["evaluate_form"].errors
    assert client.post(url, {"score": "5", "comment": "很好"}).status_code == 302
    project.refresh_from_db()
    assert project.score == 5


def test_venue_actions_post_to_their_urls(client, territory, venue):  # noqa: F811
    room = venue.rooms.get()
    client.force_login(territory.users["xh_c1_secretary"])
    page_url = reverse("cobuild:venue", args=[venue.pk])
    booking_url = reverse("cobuild:booking_create", args=[venue.pk])
    assert _posts_to(client.get(page_url).content.decode(), booking_url)
    data = {
        "room": room.pk,
        "starts_at": local(1, 9).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(1, 11).strftime("%Y-%m-%dT%H:%M"),
        "purpose": "党员学习",
        "booked_for": "",
    }
    assert client.post(booking_url, data).status_code == 302
    clash = client.post(booking_url, data)
    assert clash.status_code == 200 and "starts_at" in clash.context["booking_form"].errors
    booking = Booking.objects.get()
    cancel_url = reverse("cobuild:booking_cancel", args=[venue.pk])
    assert client.post(cancel_url, {"booking": booking.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    # Cancelled twice: the refusal comes back as a message on the venue's page.
    again = client.post(cancel_url, {"booking": booking.pk}, follow=True)
    assert str(services.MSG_BOOKING_CANCELLED) in again.content.decode()


def test_a_centre_out_of_a_unit_orgs_sight_is_404_at_its_action_urls(client, territory, venue):  # noqa: F811
    client.force_login(territory.users["xh_unit_secretary"])
    url = reverse("cobuild:room_add", args=[venue.pk])
    response = client.post(url, {"name": "会议室", "seats": "10", "uses": ""})
    assert response.status_code == 404
    assert venue.rooms.count() == 1
