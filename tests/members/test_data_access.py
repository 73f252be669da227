"""Who saw my data (issue 20): a member sees on their own page, and an auditor for any
member of their territory, who revealed, exported or looked up that member's personal
data, when and for what; the audit page filters by actor, action, target and person and
exports what it shows, masked."""

import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.accounts.services import role_grant, user_create
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry, Job
from jiceng.members import services
from jiceng.members.exports import member_export
from tests.conftest import PASSWORD
from tests.core.test_jobs import run_jobs
from tests.members.factories import facts


@pytest.fixture
def people(territory):
    """Two members in 徐汇 (one with an account), one in 黄浦; an auditor for each
    district; a reveal, a full export, a masked export and a lookup of the first."""
    t = territory
    keeper = t.users["xh_c1_secretary"]
    me = services.member_register(
        actor=keeper, org=t.orgs["xh_c1_b1"], facts=facts(name="李四", phone="13812340001")
    )
    other = services.member_register(
        actor=keeper, org=t.orgs["xh_c1_b1"], facts=facts(name="王五", phone="13812340002")
    )
    far = services.member_register(
        actor=t.users["hp_s1_staff"], org=t.orgs["hp_c1_b"], facts=facts(name="钱七")
    )
    services.member_account_link(actor=keeper, member=me, user=t.users["xh_member"])
    auditors = {}
    for key, area in (("xh_auditor", "xh"), ("hp_auditor", "hp")):
        user = user_create(
            actor=None, username=key, password=PASSWORD, full_name=key, check_password=False
        )
        role_grant(actor=None, user=user, role="auditor", area=t.areas[area])
        auditors[key] = user
    staff = t.users["xh_s1_staff"]
    services.member_reveal(actor=staff, member=me, field="phone")
    services.member_reveal(actor=staff, member=other, field="phone")
    member_export(actor=keeper, org=t.orgs["xh_c1_b1"], purpose="election")
    member_export(actor=keeper, org=t.orgs["xh_c1_b1"])
    # A lookup as the lead's search writes it (action lookup, one entry per member found).
    audit_record(
        actor=staff,
        action=AuditEntry.Action.LOOKUP,
        target=me,
        changes={"field": "id_number", "query_hash": "ab" * 32},
    )
    return t, me, other, far, auditors


def test_a_member_sees_who_handled_their_data(client, people):
    t, _me, _other, _far, _auditors = people
    client.force_login(t.users["xh_member"])
    html = client.get(reverse("members:me")).content.decode()
    assert "谁查看过我的个人信息" in html
    assert "查看完整手机号" in html and "按身份证号查询" in html
    assert "换届选举" in html and "脱敏导出" in html
    assert "xh_s1_staff" in html and "xh_c1_secretary" in html
    page = client.get("/api/members/me/data-access").json()
    rows = page["items"]
    assert page["count"] == 4
    assert [r["action"] for r in rows] == ["lookup", "export", "export", "reveal"]
    # Paginated like every list: the second page goes on where the first stopped.
    second = client.get("/api/members/me/data-access", {"limit": 2, "offset": 2}).json()
    assert [r["entry_id"] for r in second["items"]] == [r["entry_id"] for r in rows[2:]]
    assert rows[2]["purpose"] == "换届选举"


def test_only_what_touched_the_member_is_listed(people):
    from jiceng.members.selectors import member_data_access

    t, _me, other, _far, _auditors = people
    mine = member_data_access(viewer=t.users["xh_member"], member=_me)
    theirs = member_data_access(viewer=t.users["xh_member"], member=other)
    assert len(mine) == 4 and len(theirs) == 3  # no lookup of the other
    member_export(actor=t.users["hp_s1_staff"], org=t.orgs["hp_c1_b"], purpose="transfer")
    assert len(member_data_access(viewer=t.users["xh_member"], member=_me)) == 4


def test_an_auditor_sees_it_for_members_of_their_territory_only(client, people):
    t, me, _other, far, auditors = people
    client.force_login(auditors["xh_auditor"])
    page = client.get(reverse("members:data_access", args=[me.pk]))
    assert page.status_code == 200 and "换届选举" in page.content.decode()
    assert client.get(reverse("members:data_access", args=[far.pk])).status_code == 404
    api = client.get(f"/api/members/{me.pk}/data-access")
    assert api.status_code == 200 and api.json()["count"] == 4
    assert client.get(f"/api/members/{far.pk}/data-access").status_code == 404
    # Staff who keep the record do not get the report: it is the auditor's.
    client.force_login(t.users["xh_s1_staff"])
    assert client.get(reverse("members:data_access", args=[me.pk])).status_code == 403
    # Another member cannot see this member's report.
    client.force_login(t.users["xh_resident"])
    assert client.get(reverse("members:data_access", args=[me.pk])).status_code == 404


def test_the_audit_page_filters_by_actor_action_target_and_person(client, people):
    _t, me, _other, _far, auditors = people
    client.force_login(auditors["xh_auditor"])
    url = reverse("core:audit")
    assert client.get(url).status_code == 200
    by_actor = client.get(url, {"actor": "xh_s1_staff", "action": "reveal"}).context["rows"]
    assert len(by_actor) == 2 and all(r["actor"] == "xh_s1_staff" for r in by_actor)
    by_target = client.get(url, {"target_type": "members.member", "target_id": str(me.pk)}).context[
        "rows"
    ]
    assert {r["action"] for r in by_target} >= {"reveal", "lookup"}
    by_person = client.get(url, {"person": me.pk}).context["rows"]
    assert sorted(r["action"] for r in by_person) == ["export", "export", "lookup", "reveal"]
    names = {r["target_label"] for r in by_target}
    assert "李四" not in names and "李*" in names  # masked
    api = client.get("/api/audit/entries", {"person": me.pk}).json()
    assert api["count"] == 4 and all("李四" not in json.dumps(i) for i in api["items"])


def test_the_audit_page_is_for_auditors_and_scoped(client, people):
    t, me, _other, _far, auditors = people
    url = reverse("core:audit")
    client.force_login(t.users["xh_admin"])
    assert client.get(url).status_code == 404
    assert client.get("/api/audit/entries").status_code == 404
    client.force_login(auditors["hp_auditor"])
    rows = client.get(url, {"action": "reveal"}).context["rows"]
    assert rows == []  # 徐汇's reveals are not 黄浦's auditor's
    assert client.get(url, {"person": me.pk}).status_code == 404
    client.force_login(t.users["superuser"])
    assert len(client.get(url, {"action": "reveal"}).context["rows"]) == 2


def _workbook_text(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    return json.dumps(rows, ensure_ascii=False), book.active


def test_the_audit_page_export_is_a_job_masked_and_audited(transactional_db, client, people):
    _t, me, _other, _far, auditors = people
    client.force_login(auditors["xh_auditor"])
    url = reverse("core:audit_export") + f"?target_id={me.pk}"
    assert reverse("core:audit_export") in client.get(reverse("core:audit")).content.decode()
    assert client.get(url).status_code == 405  # starting a job is a POST
    response = client.post(url)
    job = Job.objects.get(owner=auditors["xh_auditor"], kind="core.audit_export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    # The people fixture's own exports are the secretary's; the auditor's is the job's.
    assert not AuditEntry.objects.filter(action="export", actor=auditors["xh_auditor"]).exists()
    run_jobs()
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "审计日志-" in page
    fetched = client.get(reverse("jobs:result", args=[job.pk]))
    text, sheet = _workbook_text(b"".join(fetched.streaming_content))
    assert "李四" not in text and "李*" in text
    assert "xh_auditor" in sheet.oddHeader.center.text
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor == auditors["xh_auditor"]
    assert entry.changes["export"] == "audit" and entry.changes["filters"] == {
        "target_id": str(me.pk)
    }
    # Someone who may not read the log gets the not-found page, and no job.
    client.force_login(_t.users["xh_admin"])
    assert client.post(url).status_code == 404
    assert not Job.objects.filter(owner=_t.users["xh_admin"]).exists()


def test_the_audit_page_reads_in_few_queries(client, people):
    _t, _me, _other, _far, auditors = people
    client.force_login(auditors["xh_auditor"])
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("core:audit")).status_code == 200
    # 8, +1: the inbox's unread count in the top bar (linkage).
    assert len(context.captured_queries) <= 9, [q["sql"] for q in context.captured_queries]


def test_the_audit_export_through_the_api_is_the_pages(client, people):
    _t, me, _other, _far, auditors = people
    client.force_login(_t.users["xh_admin"])
    assert client.get("/api/audit/export", {"target_id": str(me.pk)}).status_code == 404
    client.force_login(auditors["xh_auditor"])
    response = client.get("/api/audit/export", {"target_id": str(me.pk)})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attach")
    text, _sheet = _workbook_text(response.content)
    assert "李四" not in text and "李*" in text
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor == auditors["xh_auditor"] and entry.changes["export"] == "audit"


def test_the_audit_export_job_through_the_api(transactional_db, client, people):
    _t, me, _other, _far, auditors = people
    url = "/api/audit/exports"
    body = {"target_id": str(me.pk)}
    client.force_login(_t.users["xh_admin"])
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    client.force_login(auditors["xh_auditor"])
    bad = client.post(url, {"actor": "x" * 151}, content_type="application/json")
    assert bad.status_code in (400, 422) and bad.json()["field"] == "actor"
    nul = client.post(url, {"target_id": "1\x00"}, content_type="application/json")
    assert nul.status_code in (400, 422) and nul.json()["field"] == "target_id"
    assert not Job.objects.exists()
    before = AuditEntry.objects.filter(action="export").count()
    submitted = client.post(url, body, content_type="application/json")
    assert submitted.status_code == 202 and submitted.json()["kind"] == "core.audit_export"
    run_jobs()
    status = client.get(f"/api/jobs/{submitted.json()['id']}").json()
    assert status["state"] == "succeeded" and status["outcome"]["rows"] >= 1
    assert status["done"] == status["total"] == status["outcome"]["rows"]
    fetched = client.get(status["result_url"])
    text, _sheet = _workbook_text(b"".join(fetched.streaming_content))
    assert "李四" not in text and "李*" in text
    # The same rows the one-request export gives.
    direct, _sheet = _workbook_text(client.get("/api/audit/export", body).content)
    assert len(json.loads(direct)) == len(json.loads(text))
    entries = AuditEntry.objects.filter(action="export").order_by("id")[before:]
    assert [(e.actor, e.changes["filters"]) for e in entries] == [
        (auditors["xh_auditor"], body),
        (auditors["xh_auditor"], body),
    ]
