"""The one background job resource (core.jobs, issue 18): a job belongs to whoever
submitted it, reports its state and progress, ends with a result file served to its owner
alone (audited), or with a Chinese message. Jobs run as the member export's tests run
them: the database worker as cron starts it (`jiceng db_worker --batch`), under
transactional_db since the worker closes connections that are not in autocommit."""

import json

import pytest
from django.core.management import call_command

from jiceng.core import jobs
from jiceng.core.jobs import JobKind, JobResult, Progress, job_submit, register_job_kind
from jiceng.core.models import AuditEntry, Job

KIND_TEST = "tests.sum"


def run_jobs():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def _sum_work(*, actor, params, data, progress):
    """A kind of its own for these tests: adds the numbers it was given, reporting each,
    and refuses a negative one as an app refuses bad input."""
    from jiceng.core.errors import CoreErrorCode, ValidationFailed

    numbers = params["numbers"]
    for done, number in enumerate(numbers):
        progress(done, len(numbers))
        if number < 0:
            code = CoreErrorCode.EXCEL_EMPTY
            raise ValidationFailed("第 3 个数不能为负", field="numbers", code=code)
        if number == 13:
            raise RuntimeError("13400000000 would be personal")
    body = json.dumps({"sum": sum(numbers), "by": actor.username}).encode()
    return JobResult(body, "和\u202egpj.exe/../sum.json", jobs.JSON, {"count": len(numbers)})


@pytest.fixture
def sum_kind():
    register_job_kind(JobKind(KIND_TEST, "求和", _sum_work))
    yield KIND_TEST
    jobs._KINDS.pop(KIND_TEST)


def _submit(user, numbers):
    return job_submit(actor=user, kind=KIND_TEST, params={"numbers": numbers}, audit={"n": 1})


def test_a_job_runs_reports_and_serves_its_result_to_its_owner_only(
    transactional_db, client, territory, sum_kind
):
    owner, other = territory.users["xh_c1_secretary"], territory.users["xh_s1_staff"]
    job = _submit(owner, [1, 2, 3])
    assert job.state == Job.State.QUEUED
    submitted = AuditEntry.objects.get(action="create", target_id=str(job.pk))
    assert submitted.actor == owner and submitted.changes == {"job": KIND_TEST, "n": 1}
    client.force_login(owner)
    status = client.get(f"/api/jobs/{job.pk}").json()
    assert status["state"] == "queued" and status["result_url"] is None
    early = client.get(f"/api/jobs/{job.pk}/result")
    assert early.status_code == 409 and early.json()["code"] == "job_not_ready"
    run_jobs()
    status = client.get(f"/api/jobs/{job.pk}").json()
    assert status["state"] == "succeeded" and status["state_title"] == "已完成"
    assert (status["done"], status["total"]) == (3, 3) and status["outcome"] == {"count": 3}
    fetched = client.get(status["result_url"])
    assert fetched.status_code == 200 and fetched["Content-Type"] == jobs.JSON
    assert json.loads(b"".join(fetched.streaming_content)) == {"sum": 6, "by": owner.username}
    # The name offered is the kind's, made safe: no path, no bidirectional control.
    disposition = fetched["Content-Disposition"]
    assert "%E2%80%AE" not in disposition and "/" not in disposition.split("''", 1)[1]
    assert fetched["X-Content-Type-Options"] == "nosniff"
    fetch = AuditEntry.objects.get(action="download", target_id=str(job.pk))
    assert fetch.actor == owner and fetch.changes["job"] == KIND_TEST
    # The file is named by the job's id under MEDIA_ROOT.
    assert jobs.result_path(Job.objects.get(pk=job.pk)).name == f"{job.pk}.result"
    # Nobody else sees the job or its result, exactly as if it did not exist.
    client.force_login(other)
    for url in (f"/api/jobs/{job.pk}", f"/api/jobs/{job.pk}/result", f"/jobs/{job.pk}/"):
        assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="download").count() == 1


def test_missing_and_malformed_ids_are_not_found(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    for job_id in ("00000000-0000-0000-0000-000000000000", "nope", "1' OR 1=1"):
        response = client.get(f"/api/jobs/{job_id}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.logout()
    assert client.get("/api/jobs/00000000-0000-0000-0000-000000000000").status_code == 401


def test_a_refusal_fails_the_job_with_its_chinese_message(
    transactional_db, client, territory, sum_kind
):
    owner = territory.users["xh_c1_secretary"]
    refused, broken = _submit(owner, [1, 2, -3]), _submit(owner, [13])
    run_jobs()
    client.force_login(owner)
    status = client.get(f"/api/jobs/{refused.pk}").json()
    assert status["state"] == "failed" and status["error"] == "第 3 个数不能为负"
    assert status["error_code"] == "excel_empty" and status["done"] == 2
    # An unexpected failure gives a general message: the exception's text (which may
    # quote what the file held) is neither shown nor kept.
    status = client.get(f"/api/jobs/{broken.pk}").json()
    assert status["state"] == "failed" and status["error_code"] == "job_failed"
    assert "管理员" in status["error"] and "134" not in json.dumps(status)
    page = client.get(f"/jobs/{broken.pk}/").content.decode()
    assert "任务运行出错" in page and "refresh" not in page
    assert client.get(f"/api/jobs/{broken.pk}/result").status_code == 409
    assert not jobs.input_path(broken.pk).exists()


def test_progress_is_written_as_the_job_goes(territory, settings, monkeypatch, sum_kind):
    job = _submit(territory.users["xh_c1_secretary"], [1])
    progress = Progress(job.pk)
    progress(3, 10)
    job.refresh_from_db()
    assert (job.done, job.total) == (3, 10)
    # Within the interval the row is not written again; the end always is (job_run).
    progress(4, 10)
    job.refresh_from_db()
    assert job.done == 3
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0)
    progress(5, None)
    job.refresh_from_db()
    assert (job.done, job.total) == (5, 10)


def test_the_page_polls_until_done_and_works_without_script(
    transactional_db, client, territory, sum_kind
):
    owner = territory.users["xh_c1_secretary"]
    job = _submit(owner, [1, 2])
    client.force_login(owner)
    waiting = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh"' in waiting and f'href="/jobs/{job.pk}/"' in waiting
    run_jobs()
    done = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "http-equiv" not in done and f"/jobs/{job.pk}/result" in done
    assert client.get(f"/jobs/{job.pk}/result").status_code == 200


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "etc-passwd"),
        ('a"b;c.xlsx', "a-b-c.xlsx"),
        ("报表\u202eslx.exe", "报表slx.exe"),
        ("line\r\nbreak.xlsx", "linebreak.xlsx"),
        ("", "result"),
    ],
)
def test_safe_filename(name, expected):
    assert jobs.safe_filename(name) == expected


def test_a_pruned_result_is_not_found_and_not_audited(
    transactional_db, client, territory, sum_kind
):
    owner = territory.users["xh_c1_secretary"]
    job = _submit(owner, [1])
    run_jobs()
    jobs.result_path(job).unlink()
    client.force_login(owner)
    gone = client.get(f"/api/jobs/{job.pk}/result")
    assert gone.status_code == 404 and "清理" in gone.json()["message"]
    assert not AuditEntry.objects.filter(action="download").exists()


def test_under_make_run_a_job_is_done_when_its_submission_returns(
    client, territory, settings, sum_kind
):
    """`make run` sets JICENG_TASKS_BACKEND=immediate: no worker, the job runs in the
    request that submits it, and a failing one still ends failed with its message."""
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["immediate"]}}
    owner = territory.users["xh_c1_secretary"]
    done, refused = _submit(owner, [4, 5]), _submit(owner, [-1])
    assert done.state == Job.State.SUCCEEDED and done.outcome == {"count": 2}
    assert refused.state == Job.State.FAILED and refused.error == "第 3 个数不能为负"
    client.force_login(owner)
    result = client.get(f"/api/jobs/{done.pk}/result")
    assert json.loads(b"".join(result.streaming_content))["sum"] == 9


def test_a_job_whose_worker_stopped_shows_failed_and_the_reaper_records_it(
    client, territory, settings, sum_kind
):
    """A worker killed mid-job leaves it running with no heartbeat: after
    JOB_STALE_SECONDS its owner sees it failed with a Chinese message saying to submit
    again, and `jiceng jobs-reap` writes that state with an audit row. A job still
    beating stays running."""
    import datetime

    from django.utils import timezone

    owner = territory.users["xh_c1_secretary"]
    settings.JOB_STALE_SECONDS = 600
    stopped, alive = _submit(owner, [1]), _submit(owner, [2])
    long_ago = timezone.now() - datetime.timedelta(seconds=601)
    Job.objects.filter(pk=stopped.pk).update(
        state=Job.State.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    Job.objects.filter(pk=alive.pk).update(state=Job.State.RUNNING, started_at=long_ago)
    Progress(alive.pk).write()  # a heartbeat now
    client.force_login(owner)
    status = client.get(f"/api/jobs/{stopped.pk}").json()
    assert status["state"] == "failed" and status["error_code"] == "job_interrupted"
    assert "重新提交" in status["error"]
    assert Job.objects.get(pk=stopped.pk).state == Job.State.RUNNING  # shown, not written
    assert client.get(f"/api/jobs/{alive.pk}").json()["state"] == "running"
    call_command("jobs-reap", verbosity=0)
    reaped = Job.objects.get(pk=stopped.pk)
    assert (reaped.state, reaped.error_code) == (Job.State.FAILED, "job_interrupted")
    assert Job.objects.get(pk=alive.pk).state == Job.State.RUNNING
    entry = AuditEntry.objects.get(action="update", target_id=str(stopped.pk))
    assert entry.actor is None and entry.changes["state"] == {"old": "running", "new": "failed"}
    assert jobs.jobs_reap() == 0  # nothing left to reap
