"""Exports of the register: in scope only, masked unless the exporter keeps the records,
audited; the template and statistics workbooks."""

import io

import openpyxl
import pytest
from django.urls import reverse

from jiceng.core.masking import mask_id_number
from jiceng.core.models import AuditEntry
from jiceng.members import services
from jiceng.members.exports import member_export, template_workbook
from tests.members.factories import facts


def _rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_export_holds_the_scope_and_masks_for_onlookers(territory):
    keeper = territory.users["xh_c1_secretary"]
    member = services.member_register(actor=keeper, org=territory.orgs["xh_c1_b1"], facts=facts())
    services.member_register(
        actor=territory.users["hp_s1_staff"],
        org=territory.orgs["hp_c1_b"],
        facts=facts(name="钱七"),
    )
    number = services.member_reveal(actor=keeper, member=member, field="id_number")
    content, count = member_export(actor=keeper, area=territory.areas["xh_c1"])
    rows = _rows(content)
    assert count == 1 and [r[0] for r in rows] == [member.name]
    assert rows[0][4] == mask_id_number(number)  # masked unless a purpose is given
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.changes["full"] == 0 and entry.changes["masked"] == 1
    content, count = member_export(actor=keeper, area=territory.areas["xh_c1"], purpose="election")
    assert _rows(content)[0][4] == number  # the keeper, with a purpose, exports in full
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.changes["full"] == 1 and entry.changes["purpose"] == "election"
    # The city admin sees both, and the keeper rule still applies per record.
    content, count = member_export(actor=territory.users["city_admin"])
    assert count == 2


def test_export_page_and_404_out_of_scope(client, territory):
    keeper = territory.users["xh_c1_secretary"]
    services.member_register(actor=keeper, org=territory.orgs["xh_c1_b1"], facts=facts())
    client.force_login(keeper)
    response = client.get(reverse("members:export"), {"area": territory.areas["xh_c1"].pk})
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    assert (
        client.get(reverse("members:export"), {"area": territory.areas["hp"].pk}).status_code == 404
    )
    stats = client.get(reverse("members:statistics_export"))
    assert stats.status_code == 200
    client.force_login(territory.users["xh_resident"])
    assert client.get(reverse("members:export")).status_code == 404


def test_template_has_the_columns_and_instructions():
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["党员名册", "填写说明"]
    header = [c.value for c in book["党员名册"][1]]
    assert header[:5] == ["姓名", "性别", "民族", "出生日期", "身份证号"]


def test_import_page_submits_a_job_whose_page_reports_rows(transactional_db, client, territory):
    """The page's import is a background job: the file is checked at once, the rows by
    the job, whose page polls (meta refresh, a reload link) and then shows the report."""
    from tests.members.test_import import good_rows, workbook

    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("members:import")).status_code == 200
    rows = good_rows()
    rows[1][1] = "123"
    upload = io.BytesIO(workbook(rows))
    upload.name = "名册.xlsx"
    response = client.post(
        reverse("members:import"), {"org": territory.orgs["xh_c1_b1"].pk, "file": upload}
    )
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    waiting = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting and "排队中" in waiting
    _run_jobs()
    html = client.get(response["Location"]).content.decode()
    assert "身份证号应为18位" in html and "公民身份号码" in html and "refresh" not in html
    bad = io.BytesIO(b"not a spreadsheet")
    bad.name = "x.xlsx"
    response = client.post(
        reverse("members:import"), {"org": territory.orgs["xh_c1_b1"].pk, "file": bad}
    )
    assert response.status_code == 200 and "不是 Excel" in response.content.decode()


def test_a_register_longer_than_a_worksheet_continues_on_the_next(territory, monkeypatch):
    """Excel stops at 1,048,576 rows and xlsxwriter drops further rows silently; a city's
    register is longer, so it goes on in further sheets. The sheet size is lowered here
    to show the split on five members rather than on a million."""
    from jiceng.members import exports

    monkeypatch.setattr(exports, "ROWS_PER_SHEET", 2)
    keeper = territory.users["xh_c1_secretary"]
    names = ["赵一", "钱二", "孙三", "李四", "周五"]
    for name in names:
        services.member_register(
            actor=keeper,
            org=territory.orgs["xh_c1_b1"],
            facts=facts(name=name),
        )
    content, count = member_export(actor=keeper, area=territory.areas["xh_c1"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert count == 5
    assert book.sheetnames == ["党员名册", "党员名册（2）", "党员名册（3）"]
    exported = []
    for sheet in book.worksheets:
        header, *rows = list(sheet.iter_rows(values_only=True))
        assert header[0] == "姓名" and 1 <= len(rows) <= 2
        exported += [row[0] for row in rows]
    assert sorted(exported) == sorted(names)


def test_an_empty_register_still_has_its_header(territory):
    content, count = member_export(
        actor=territory.users["xh_c1_secretary"], area=territory.areas["xh_c1"]
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert count == 0 and book.sheetnames == ["党员名册"]
    assert next(book.active.iter_rows(values_only=True))[0] == "姓名"


# ---- purpose, limit, watermark, manifest (issue 20, item 3) ------------------------------------


def _keeper_with_members(territory, n=2):
    keeper = territory.users["xh_c1_secretary"]
    members = [
        services.member_register(
            actor=keeper,
            org=territory.orgs["xh_c1_b1"],
            facts=facts(name=f"党员{i}", phone=f"1381234500{i}"),
        )
        for i in range(n)
    ]
    return keeper, members


def test_a_plain_get_exports_masked_numbers_only(client, territory):
    keeper, members = _keeper_with_members(territory)
    client.force_login(keeper)
    response = client.get(reverse("members:export"), {"area": territory.areas["xh_c1"].pk})
    rows = _rows(response.content)
    full = {services.member_reveal(actor=keeper, member=m, field="id_number") for m in members}
    assert len(rows) == 2 and not {r[4] for r in rows} & full
    assert all("*" in r[4] for r in rows)


def test_a_full_export_asks_for_a_purpose(client, territory):
    keeper, members = _keeper_with_members(territory)
    client.force_login(keeper)
    url = reverse("members:export_full")
    page = client.get(url, {"area": territory.areas["xh_c1"].pk})
    assert page.status_code == 200 and "党内统计上报" in page.content.decode()
    refused = client.post(url, {"area": territory.areas["xh_c1"].pk})
    assert refused.status_code == 400 and "请选择导出用途" in refused.content.decode()
    other = client.post(url, {"area": territory.areas["xh_c1"].pk, "purpose": "other"})
    assert other.status_code == 400 and "写明用途" in other.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()
    done = client.post(
        url, {"area": territory.areas["xh_c1"].pk, "purpose": "other", "purpose_note": "走访慰问"}
    )
    assert done.status_code == 200 and done["Content-Type"].startswith("application/vnd")
    full = {services.member_reveal(actor=keeper, member=m, field="id_number") for m in members}
    assert {r[4] for r in _rows(done.content)} == full


def test_a_full_export_carries_a_watermark_on_every_sheet(territory, monkeypatch):
    import zipfile

    from jiceng.members import exports

    monkeypatch.setattr(exports, "ROWS_PER_SHEET", 1)
    keeper, _members = _keeper_with_members(territory, 3)
    content, _count = member_export(
        actor=keeper, area=territory.areas["xh_c1"], purpose="party_statistics"
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert len(book.worksheets) == 3
    for sheet in book.worksheets:
        header = sheet.oddHeader.center.text
        footer = sheet.oddFooter.left.text
        for text in (header, footer):
            assert "xh_c1_secretary" in text and "党内统计上报" in text
    assert "党内统计上报" in book.properties.subject
    assert "xh_c1_secretary" in book.properties.creator
    core = zipfile.ZipFile(io.BytesIO(content)).read("docProps/core.xml").decode()
    assert "导出人" in core


def test_full_exports_are_limited_per_person_per_day(client, territory, settings):
    settings.FULL_EXPORT_DAILY_LIMIT = 2
    keeper, _members = _keeper_with_members(territory, 1)
    area = territory.areas["xh_c1"]
    for _n in range(2):
        member_export(actor=keeper, area=area, purpose="transfer")
    member_export(actor=keeper, area=area)  # masked exports do not count
    from jiceng.core.exports import ExportLimitReached

    with pytest.raises(ExportLimitReached):
        member_export(actor=keeper, area=area, purpose="transfer")
    client.force_login(keeper)
    page = client.post(reverse("members:export_full"), {"area": area.pk, "purpose": "transfer"})
    assert page.status_code == 429 and "上限" in page.content.decode()
    # Another person has their own allowance.
    member_export(actor=territory.users["xh_s1_staff"], area=area, purpose="transfer")


def test_the_audit_entry_names_whose_data_the_file_held(territory):
    from jiceng.core.exports import manifest_digest
    from jiceng.members.models import ExportManifestLine

    keeper, members = _keeper_with_members(territory)
    member_export(actor=keeper, area=territory.areas["xh_c1"], purpose="election")
    entry = AuditEntry.objects.filter(action="export").latest("id")
    lines = ExportManifestLine.objects.filter(entry_id=entry.pk)
    assert {(line.member_id, line.full) for line in lines} == {(m.pk, True) for m in members}
    assert entry.changes["manifest"] == {
        "members": 2,
        "sha256": manifest_digest(m.pk for m in members),
    }
    assert entry.changes["full_export"] is True and entry.changes["purpose"] == "election"


# ---- the API: an export is a job (django-tasks, database backend) --------------------------------


def _run_jobs():
    """The database worker as cron runs it. Its tests use transactional_db: the worker
    closes connections that are not in autocommit, as a test's transaction is not."""
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_an_api_export_is_a_job_submitted_polled_and_fetched(transactional_db, client, territory):
    import json

    keeper, members = _keeper_with_members(territory)
    client.force_login(keeper)
    submitted = client.post(
        "/api/members/exports",
        json.dumps({"org": territory.orgs["xh_c1_b1"].pk, "purpose": "party_statistics"}),
        content_type="application/json",
    )
    assert submitted.status_code == 202 and submitted.json()["status"] == "READY"
    job = submitted.json()["id"]
    assert client.get(f"/api/members/exports/{job}/file").status_code == 409
    assert not AuditEntry.objects.filter(action="export").exists()
    _run_jobs()
    status = client.get(f"/api/members/exports/{job}").json()
    assert status == {"id": job, "status": "SUCCESSFUL", "rows": 2, "error": ""}
    fetched = client.get(f"/api/members/exports/{job}/file")
    assert fetched.status_code == 200
    content = b"".join(fetched.streaming_content)
    full = {services.member_reveal(actor=keeper, member=m, field="id_number") for m in members}
    assert {r[4] for r in _rows(content)} == full
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "党内统计上报" in book.active.oddHeader.center.text
    entry = AuditEntry.objects.filter(action="export").get()
    assert entry.actor == keeper and entry.changes["purpose"] == "party_statistics"
    # Nobody else may read the job or its file.
    client.force_login(territory.users["xh_s1_staff"])
    assert client.get(f"/api/members/exports/{job}").status_code == 404
    assert client.get(f"/api/members/exports/{job}/file").status_code == 404


def test_api_export_refusals_are_immediate(transactional_db, client, territory, settings):
    import json

    settings.FULL_EXPORT_DAILY_LIMIT = 1
    keeper, _members = _keeper_with_members(territory, 1)
    client.force_login(keeper)

    def post(body):
        return client.post(
            "/api/members/exports", json.dumps(body), content_type="application/json"
        )

    bad = post({"purpose": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "purpose"
    other = post({"purpose": "other"})
    assert other.status_code == 400 and other.json()["field"] == "purpose_note"
    assert post({"area": territory.areas["hp"].pk}).status_code == 404
    member_export(actor=keeper, area=territory.areas["xh_c1"], purpose="transfer")
    limited = post({"purpose": "transfer"})
    assert limited.status_code == 429 and limited.json()["code"] == "export_limit"
    masked = post({})
    assert masked.status_code == 202
    _run_jobs()
    assert client.get(f"/api/members/exports/{masked.json()['id']}").json()["status"] == (
        "SUCCESSFUL"
    )
    client.force_login(territory.users["xh_resident"])
    assert post({}).status_code == 404
