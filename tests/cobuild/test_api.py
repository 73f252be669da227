"""Co-building through the API: lists, a matching run, deciding proposals, scope."""

import json

from jiceng.cobuild.models import MatchProposal


def _post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_lists_run_and_accept(client, world):
    world.need()
    world.resource()
    client.force_login(world.t.users["xh_s1_staff"])
    assert len(client.get("/api/cobuild/needs").json()["items"]) == 1
    assert len(client.get("/api/cobuild/resources").json()["items"]) == 1
    run = _post(client, "/api/cobuild/match-runs", {"area": world.t.areas["xh_s1"].pk})
    assert run.status_code == 201 and run.json()["matched"] == 1
    proposals = client.get("/api/cobuild/proposals", {"run": run.json()["id"]}).json()["items"]
    assert "类别相符" in proposals[0]["reason"]
    accepted = _post(client, f"/api/cobuild/proposals/{proposals[0]['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert len(client.get("/api/cobuild/projects").json()["items"]) == 1
    again = _post(client, f"/api/cobuild/proposals/{proposals[0]['id']}/reject")
    assert again.status_code == 409


def test_scope_and_errors(client, world):
    world.need()
    world.resource()
    client.force_login(world.t.users["xh_s1_staff"])
    _post(client, "/api/cobuild/match-runs", {"area": world.t.areas["xh_s1"].pk})
    proposal = MatchProposal.objects.get()
    client.force_login(world.t.users["hp_s1_staff"])
    assert client.get("/api/cobuild/needs").json()["items"] == []
    assert _post(client, f"/api/cobuild/proposals/{proposal.pk}/accept").status_code == 404
    bad = _post(
        client,
        "/api/cobuild/needs",
        {
            "title": "x",
            "category": "nope",
            "community": world.t.areas["hp_c1"].pk,
            "window_start": "2026-12-01",
            "window_end": "2026-12-10",
        },
    )
    assert bad.status_code == 400 and bad.json()["field"] == "category"
    client.force_login(world.t.users["xh_resident"])
    assert client.get("/api/cobuild/needs").status_code == 404
    assert client.get("/api/cobuild/floor-area").status_code == 404
