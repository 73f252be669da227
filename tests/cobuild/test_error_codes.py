"""Each co-building refusal carries its own stable code (CobuildErrorCode), which the API
returns in its error shape: a client tells refusals apart without reading the message."""

import json

import pytest

from jiceng.cobuild import services
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.core.errors import ApplicationError
from tests.cobuild.conftest import days


def _post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_codes_are_distinct_and_name_their_app():
    values = [code.value for code in Code]
    assert len(values) == len(set(values))
    kept = {Code.BOOKING_CONFLICT, Code.ILLEGAL_TRANSITION}  # the codes they had before
    assert all(code.value.startswith("cobuild_") for code in Code if code not in kept)


def refused(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value


def test_need_refusals(world):
    need = world.need()
    facts = services.NeedFacts(
        title="", category="elderly_care", community=world.t.areas["xh_c1"],
        window_start=days(0), window_end=days(1),
    )  # fmt: skip
    error = refused(lambda: services.need_create(actor=None, facts=facts))
    assert (error.code, error.field) == (Code.TEXT_REQUIRED, "title")
    facts.title, facts.window_end = "助餐", days(-1)
    error = refused(lambda: services.need_create(actor=None, facts=facts))
    assert (error.code, error.field) == (Code.ENDS_BEFORE_START, "window_end")
    facts.window_end, facts.category = days(1), "nope"
    error = refused(lambda: services.need_create(actor=None, facts=facts))
    assert (error.code, error.field) == (Code.BAD_CATEGORY, "category")
    services.need_close(actor=None, need=need, reason="已解决")
    error = refused(lambda: services.need_close(actor=None, need=need, reason="再关"))
    assert (error.code, error.status) == (Code.NEED_NOT_OPEN, 409)


def test_pairing_and_project_refusals(world):
    need = world.need()
    legal = world.resource(category="legal", title="法律咨询")
    error = refused(lambda: services.project_create(actor=None, need=need, resources=[legal]))
    assert (error.code, error.field) == (Code.CATEGORY_MISMATCH, "resource")
    error = refused(lambda: services.project_create(actor=None, need=need, resources=[]))
    assert error.code == Code.RESOURCES_REQUIRED
    full = world.resource(capacity=1)
    services.project_create(actor=None, need=need, resources=[full])
    other = world.need(title="另一项需求")
    error = refused(lambda: services.project_create(actor=None, need=other, resources=[full]))
    assert (error.code, error.status) == (Code.CAPACITY_FULL, 409)
    project = services.project_create(actor=None, need=other, resources=[world.resource()])
    error = refused(lambda: services.project_start(actor=None, project=project))
    assert error.code == Code.ILLEGAL_TRANSITION == "illegal_transition"
    error = refused(lambda: services.project_evaluate(actor=None, project=project, score=9))
    assert (error.code, error.field) == (Code.BAD_SCORE, "score")


def test_meeting_and_venue_refusals(world):
    from jiceng.cobuild.models import Venue

    venue = services.venue_create(
        actor=None, name="党群服务中心", kind=Venue.Kind.SERVICE_CENTRE,
        area=world.t.areas["xh_c1"], floor_area=500,
    )  # fmt: skip
    room = services.room_add(actor=None, venue=venue, name="多功能厅")
    error = refused(lambda: services.room_add(actor=None, venue=venue, name="多功能厅"))
    assert (error.code, error.field) == (Code.ROOM_NAME_TAKEN, "name")
    error = refused(
        lambda: services.venue_create(
            actor=None,
            name="中心",
            kind=Venue.Kind.SERVICE_CENTRE,
            area=world.t.areas["xh_c1"],
            floor_area=0,
        )
    )
    assert (error.code, error.field) == (Code.BAD_FLOOR_AREA, "floor_area")
    services.venue_close(actor=None, venue=venue)
    error = refused(lambda: services.room_add(actor=None, venue=venue, name="会议室"))
    assert error.code == Code.VENUE_CLOSED
    error = refused(
        lambda: services.booking_create(
            actor=None, room=room, starts_at=None, ends_at=None, purpose="学习"
        )
    )
    assert (error.code, error.field) == (Code.TIME_REQUIRED, "starts_at")


def test_the_api_answers_with_the_code(client, world):
    client.force_login(world.t.users["xh_s1_staff"])
    bad = _post(
        client,
        "/api/cobuild/needs",
        {
            "title": "助餐",
            "category": "elderly_care",
            "community": world.t.areas["xh_c1"].pk,
            "window_start": "2026-12-10",
            "window_end": "2026-12-01",
        },
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == Code.ENDS_BEFORE_START == "cobuild_ends_before_start"
    assert bad.json()["field"] == "window_end"
    grid = _post(client, "/api/cobuild/match-runs", {"area": world.t.areas["xh_c1"].pk})
    assert grid.status_code == 400 and grid.json()["code"] == Code.RUN_AREA_LEVEL
