"""A ledger generated as a background job (core.jobs): submitted from the page or the
API (the same job), checked at submission, run by the database worker, and its result
the very workbook `jiceng ledgers export` writes for the same data and time."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from jiceng.core.models import AuditEntry, Job
from tests.core.test_jobs import run_jobs


def test_api_job_gives_the_same_bytes_as_the_command(
    transactional_db, client, registered, tmp_path
):
    territory, *_ = registered
    keeper = territory.users["xh_c1_secretary"]
    client.force_login(keeper)
    submitted = client.post(
        "/api/ledgers/member_register/jobs",
        {"area": territory.areas["xh_c1"].pk, "period": "2026"},
        content_type="application/json",
    )
    assert submitted.status_code == 202 and submitted.json()["kind"] == "ledgers.generate"
    job_id = submitted.json()["id"]
    assert not AuditEntry.objects.filter(action="export").exists()
    run_jobs()
    status = client.get(f"/api/jobs/{job_id}").json()
    assert status["state"] == "succeeded" and status["outcome"]["rows"] == 2
    assert (status["done"], status["total"]) == (2, 2)
    fetched = client.get(status["result_url"])
    content = b"".join(fetched.streaming_content)
    assert "ledger-member_register-310104003001.xlsx" in fetched["Content-Disposition"]
    # The generation was audited by the job, as any other generation of a ledger.
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == keeper and entry.changes["ledger"] == "member_register"
    output = tmp_path / "command.xlsx"
    call_command(
        "ledgers",
        "export",
        "member_register",
        "--area",
        territory.areas["xh_c1"].code,
        "--period",
        "2026",
        "--user",
        keeper.username,
        "--generated-at",
        status["outcome"]["generated_at"],
        "--output",
        str(output),
        stdout=open("/dev/null", "w"),  # noqa: SIM115 - the command's own report, not read
    )
    assert output.read_bytes() == content


def test_page_submits_the_job_the_api_shows(transactional_db, client, registered):
    territory, *_ = registered
    staff = territory.users["xh_s1_staff"]
    client.force_login(staff)
    index = client.get(reverse("ledgers:index"), {"area": territory.areas["xh_s1"].pk})
    job_url = reverse("ledgers:job", args=["units"])
    assert job_url in index.content.decode()
    response = client.post(f"{job_url}?area={territory.areas['xh_s1'].pk}")
    assert response.status_code == 302
    job = Job.objects.get(owner=staff)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert client.get(f"/api/jobs/{job.pk}").json()["state"] == "queued"
    run_jobs()
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "ledger-units-310104003000.xlsx" in page
    api = client.get(f"/api/jobs/{job.pk}/result")
    assert b"".join(api.streaming_content).startswith(b"PK")
    assert client.get(job_url).status_code == 405  # starting a job is a POST


def test_submission_refuses_at_once(client, registered):
    territory, *_ = registered
    client.force_login(territory.users["xh_c1_secretary"])

    def post(key, body):
        return client.post(f"/api/ledgers/{key}/jobs", body, content_type="application/json")

    bad = post("member_register", {"area": territory.areas["xh_c1"].pk, "period": "2026-13"})
    assert bad.status_code == 400 and bad.json()["field"] == "period"
    assert post("member_register", {"area": territory.areas["hp"].pk}).status_code == 404
    assert post("no_such_ledger", {"area": territory.areas["xh_c1"].pk}).status_code == 404
    assert post("member_register", {}).json()["field"] == "area"
    assert not Job.objects.exists()


@pytest.mark.parametrize("when", [datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)])
def test_progress_hears_rows_read_then_written(registered, when):
    from jiceng.ledgers import selectors, services

    territory, *_ = registered
    keeper = territory.users["xh_c1_secretary"]
    ledger = selectors.ledger_get(viewer=keeper, key="member_register")
    subject = selectors.subject_for(viewer=keeper, ledger=ledger, area=territory.areas["xh_c1"])
    heard = []
    content, _table = services.ledger_export(
        actor=keeper,
        viewer=keeper,
        ledger=ledger,
        subject=subject,
        generated_at=when,
        progress=lambda done, total: heard.append((done, total)),
    )
    assert heard == [(1, None), (2, None), (0, 2), (1, 2)]
    # Listening changes nothing in the file.
    again, _table = services.ledger_export(
        actor=keeper, viewer=keeper, ledger=ledger, subject=subject, generated_at=when
    )
    assert again == content
