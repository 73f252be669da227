"""Co-building through the API: lists, a matching run, deciding proposals, scope."""

import datetime
import json

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import AppealEvent, Category
from jiceng.cobuild import services
from jiceng.cobuild.models import (
    Agreement,
    JointMeeting,
    MatchProposal,
    Need,
    Project,
    Resource,
)
from jiceng.core.models import AuditEntry
from jiceng.orgs import services as org_services
from tests.cobuild.conftest import DAY, days


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


# ---- the pages' writes through the API ------------------------------------------------


def test_close_a_need(client, world):
    need = world.need()
    client.force_login(world.t.users["hp_s1_staff"])
    assert _post(client, f"/api/cobuild/needs/{need.pk}/close", {"reason": "x"}).status_code == 404
    client.force_login(world.t.users["xh_c1_secretary"])
    blank = _post(client, f"/api/cobuild/needs/{need.pk}/close", {"reason": ""})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    closed = _post(client, f"/api/cobuild/needs/{need.pk}/close", {"reason": "居民已自行解决"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    entry = AuditEntry.objects.get(target_type="cobuild.need", action="close")
    assert entry.actor == world.t.users["xh_c1_secretary"]
    again = _post(client, f"/api/cobuild/needs/{need.pk}/close", {"reason": "再关"})
    assert again.status_code == 409


def test_need_from_an_appeal(client, world):
    appeal = appeal_services.appeal_intake(
        actor=None,
        intake=appeal_services.Intake(
            channel="resident",
            category=Category.objects.get(code="elderly-service"),
            area=world.t.areas["xh_g1"],
            description="楼里几位独居老人希望有人帮忙送餐",
            contact_phone="13812345678",
        ),
    )[0]
    url = f"/api/cobuild/needs/from-appeal/{appeal.pk}"
    body = {
        "title": "独居老人送餐",
        "category": "elderly_care",
        "beneficiaries": 4,
        "window_start": days(0).isoformat(),
        "window_end": days(30).isoformat(),
    }
    client.force_login(world.t.users["hp_s1_staff"])
    assert _post(client, url, body).status_code == 404
    client.force_login(world.t.users["xh_c1_secretary"])
    bad = _post(client, url, {**body, "category": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "category"
    made = _post(client, url, body)
    assert made.status_code == 201 and made.json()["source"] == Need.Source.APPEAL
    assert Need.objects.get().appeal == appeal
    assert AppealEvent.objects.filter(appeal=appeal, action="to_need").exists()
    again = _post(client, url, body)
    assert again.status_code == 409 and again.json()["field"] == "appeal"


def test_a_project_from_set_up_to_evaluation(client, world):
    t = world.t
    need, resource = world.need(), world.resource()
    url = f"/api/cobuild/needs/{need.pk}/projects"
    client.force_login(t.users["xh_c1_secretary"])
    none = _post(client, url, {"resources": []})
    assert none.status_code == 400 and none.json()["field"] == "resources"
    made = _post(client, url, {"resources": [resource.pk], "title": "助餐", "budget": "120.50"})
    assert made.status_code == 201 and made.json()["state"] == "proposed"
    project = Project.objects.get()
    assert project.owner == t.users["xh_c1_secretary"] and str(project.budget) == "120.50"
    assert AuditEntry.objects.filter(target_type="cobuild.project", action="create").exists()
    base = f"/api/cobuild/projects/{project.pk}"
    plan = client.put(
        f"{base}/plan",
        json.dumps({"title": "助餐项目", "plan": "每周三次", "budget": "-1"}),
        content_type="application/json",
    )
    assert plan.status_code == 400 and plan.json()["field"] == "budget"
    plan = client.put(
        f"{base}/plan",
        json.dumps({"title": "助餐项目", "plan": "每周三次", "budget": "200"}),
        content_type="application/json",
    )
    assert plan.status_code == 200 and plan.json()["title"] == "助餐项目"
    client.force_login(t.users["xh_unit_secretary"])
    for step, state in (("claim", "claimed"), ("start", "in_progress"), ("complete", "completed")):
        moved = _post(client, f"{base}/{step}", {"note": "按时"})
        assert moved.status_code == 200 and moved.json()["state"] == state, moved.content
    assert _post(client, f"{base}/start").status_code == 409
    client.force_login(t.users["xh_c1_secretary"])
    bad = _post(client, f"{base}/evaluation", {"score": 9})
    assert bad.status_code == 400 and bad.json()["field"] == "score"
    done = _post(client, f"{base}/evaluation", {"score": 4, "comment": "送餐准时"})
    assert done.status_code == 200 and done.json()["state"] == "evaluated"
    project.refresh_from_db()
    assert project.score == 4 and project.evaluation == "送餐准时"
    client.force_login(t.users["hp_s1_staff"])
    assert _post(client, f"{base}/evaluation", {"score": 4}).status_code == 404
    assert _post(client, url, {"resources": [resource.pk]}).status_code == 404


def test_change_a_proposal(client, world):
    t = world.t
    world.need()
    proposed = world.resource()
    other = world.resource(title="企业志愿者陪诊")
    run = services.match_run_create(actor=None, area=t.areas["xh_s1"], today=DAY)
    proposal = run.proposals.get()
    alternative = other if proposal.resource_id == proposed.pk else proposed
    url = f"/api/cobuild/proposals/{proposal.pk}/change"
    client.force_login(t.users["hp_s1_staff"])
    assert _post(client, url, {"resource": alternative.pk}).status_code == 404
    client.force_login(t.users["xh_s1_staff"])
    same = _post(client, url, {"resource": proposal.resource_id})
    assert same.status_code == 400 and same.json()["field"] == "resource"
    changed = _post(client, url, {"resource": alternative.pk, "note": "离得近"})
    assert changed.status_code == 201 and changed.json()["state"] == "proposed"
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.CHANGED
    assert list(Project.objects.get().resources.all()) == [alternative]


def test_offer_edit_and_withdraw_a_resource(client, world):
    t = world.t
    body = {
        "org": t.orgs["xh_unit_org"].pk,
        "title": "法律咨询",
        "kind": "services",
        "category": "legal",
        "capacity": 2,
        "available_from": days(0).isoformat(),
        "available_until": days(60).isoformat(),
    }
    client.force_login(t.users["hp_s1_staff"])
    assert _post(client, "/api/cobuild/resources", body).status_code == 404
    client.force_login(t.users["xh_unit_secretary"])
    bad = _post(client, "/api/cobuild/resources", {**body, "kind": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    # Neither provider, or both: the service refuses it, on its field.
    neither = _post(client, "/api/cobuild/resources", {**body, "org": None})
    assert neither.status_code == 400 and neither.json()["field"] == "org"
    assert neither.json()["code"] == "cobuild_one_provider_required"
    made = _post(client, "/api/cobuild/resources", body)
    assert made.status_code == 201, made.content
    resource = Resource.objects.get()
    assert resource.offered_by_org == t.orgs["xh_unit_org"]
    assert resource.area == t.orgs["xh_unit_org"].area
    assert AuditEntry.objects.filter(target_type="cobuild.resource", action="create").exists()
    url = f"/api/cobuild/resources/{resource.pk}"
    edit = {
        "title": "法律咨询（每月）",
        "capacity": 0,
        "available_from": days(0).isoformat(),
        "available_until": days(90).isoformat(),
    }
    refused = client.patch(url, json.dumps(edit), content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "capacity"
    edited = client.patch(url, json.dumps({**edit, "capacity": 3}), content_type="application/json")
    assert edited.status_code == 200 and edited.json()["capacity"] == 3
    withdrawn = _post(client, f"{url}/withdraw", {"reason": "人手不足"})
    assert withdrawn.status_code == 200 and withdrawn.json()["is_active"] is False
    assert _post(client, f"{url}/withdraw").status_code == 409
    client.force_login(t.users["hp_s1_staff"])
    assert client.patch(url, json.dumps(edit), content_type="application/json").status_code == 404


def test_an_agreement_signed_kept_reviewed_and_ended(client, world):
    t = world.t
    today = datetime.date.today()
    body = {
        "title": "复兴西路社区与某科技公司共建协议",
        "community": t.areas["xh_c1"].pk,
        "unit": t.units["xh_own"].pk,
        "signed_on": today.isoformat(),
        "commitments": [
            {"side": "unit", "content": "开放场地", "target": "4", "measure": "次"},
            {"side": "community", "content": "开放活动室", "target": "12", "measure": "次"},
        ],
    }
    client.force_login(t.users["hp_s1_staff"])
    assert _post(client, "/api/cobuild/agreements", body).status_code == 404
    client.force_login(t.users["xh_c1_secretary"])
    rows = [body["commitments"][0], {**body["commitments"][1], "target": "0"}]
    bad = _post(client, "/api/cobuild/agreements", {**body, "commitments": rows})
    assert bad.status_code == 400 and bad.json()["field"] == "commitments[1].target"
    assert not Agreement.objects.exists()
    made = _post(client, "/api/cobuild/agreements", body)
    assert made.status_code == 201 and made.json()["valid_from"] == today.isoformat()
    agreement = Agreement.objects.get()
    assert agreement.commitments.count() == 2
    entry = AuditEntry.objects.get(target_type="cobuild.agreement")
    assert len(entry.changes["commitments"]) == 2
    base = f"/api/cobuild/agreements/{agreement.pk}"
    added = _post(
        client,
        f"{base}/commitments",
        {"side": "community", "content": "组织志愿服务", "target": "6", "measure": "次"},
    )
    assert added.status_code == 201 and added.json()["content"] == "组织志愿服务"
    ours = agreement.commitments.get(content="开放活动室")
    theirs = agreement.commitments.get(content="开放场地")
    url = f"{base}/commitments/{ours.pk}/achieved"
    done = client.put(url, json.dumps({"achieved": "5"}), content_type="application/json")
    assert done.status_code == 200 and done.json()["achieved"] == "5.00"
    review = {"year": today.year, "reviewer": "community", "score": 101}
    refused = _post(client, f"{base}/reviews", review)
    assert refused.status_code == 400 and refused.json()["field"] == "score"
    reviewed = _post(client, f"{base}/reviews", {**review, "score": 90, "comment": "良好"})
    assert reviewed.status_code == 201 and reviewed.json()["score"] == 90
    client.force_login(t.users["xh_unit_secretary"])
    url = f"{base}/commitments/{theirs.pk}/achieved"
    done = client.put(url, json.dumps({"achieved": "2"}), content_type="application/json")
    assert done.status_code == 200 and done.json()["achieved"] == "2.00"
    client.force_login(t.users["xh_c1_secretary"])
    ended = _post(client, f"{base}/end", {"ended_on": today.isoformat()})
    assert ended.status_code == 200 and ended.json()["ended_on"] == today.isoformat()
    client.force_login(t.users["hp_s1_staff"])
    assert _post(client, f"{base}/end", {"ended_on": today.isoformat()}).status_code == 404
    assert (
        client.put(url, json.dumps({"achieved": "1"}), content_type="application/json").status_code
        == 404
    )


def test_a_joint_meeting_its_record_and_tasks(client, world):
    t = world.t
    today = datetime.date.today()
    committee = org_services.big_committee_create(
        actor=None, area=t.areas["xh_c1"], org=t.orgs["xh_c1_gb"]
    )
    member = org_services.part_time_member_add(
        actor=None, committee=committee, name="赵刚", source="police", position="所长"
    )
    body = {
        "committee": committee.pk,
        "title": "联席会议",
        "held_on": today.isoformat(),
        "agenda": "议程",
    }
    client.force_login(t.users["hp_s1_staff"])
    assert _post(client, "/api/cobuild/meetings", body).status_code == 404
    client.force_login(t.users["xh_c1_secretary"])
    blank = _post(client, "/api/cobuild/meetings", {**body, "agenda": ""})
    assert blank.status_code == 400 and blank.json()["field"] == "agenda"
    made = _post(client, "/api/cobuild/meetings", body)
    assert made.status_code == 201, made.content
    meeting = JointMeeting.objects.get()
    assert AuditEntry.objects.filter(target_type="cobuild.jointmeeting").exists()
    url = f"/api/cobuild/meetings/{meeting.pk}/record"
    record = {"attendees": [member.pk], "minutes": "纪要"}
    stranger = client.put(
        url, json.dumps({**record, "attendees": [999999]}), content_type="application/json"
    )
    assert stranger.status_code == 400 and stranger.json()["field"] == "attendees"
    saved = client.put(url, json.dumps(record), content_type="application/json")
    assert saved.status_code == 200 and saved.json()["minutes"] == "纪要"
    assert list(meeting.attendees.all()) == [member]
    tasks = f"/api/cobuild/meetings/{meeting.pk}/tasks"
    task_body = {"decision": "清理楼道", "deadline": today.isoformat()}
    nobody = _post(client, tasks, task_body)
    assert nobody.status_code == 400 and nobody.json()["field"] == "owner_name"
    task = _post(client, tasks, {**task_body, "owner_member": member.pk})
    assert task.status_code == 201 and task.json()["owner_member_id"] == member.pk
    done_url = f"/api/cobuild/meetings/tasks/{task.json()['id']}/done"
    done = _post(client, done_url, {"note": "已完成"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert _post(client, done_url).status_code == 409
    client.force_login(t.users["hp_s1_staff"])
    assert _post(client, tasks, task_body).status_code == 404
    assert _post(client, done_url).status_code == 404
