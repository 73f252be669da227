"""Long jobs a person starts (issue 18): a member import, a large export, a ledger.

One resource for all of them. The person submits, polls the state and progress, and
fetches the result; the page and the API use the same job. An app registers each kind
it runs (`register_job_kind` in its AppConfig.ready()), so core never imports the apps.

The work runs in django-tasks (settings.TASKS): with the database backend a
`jiceng db_worker` picks it up; with the immediate backend (`make run`) it runs in the
request that submitted it. Either way the state, progress, outcome and error live on
core.Job, which this module alone writes. The result file is kept under
MEDIA_ROOT/jobs, named by the job's id, and served only to the job's owner, with the
content type and file name the kind gave it, never ones a client chose.
"""

import contextlib
import datetime
import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from jiceng.core.audit import audit_record
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.models import AuditEntry, Job

logger = logging.getLogger(__name__)

JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Progress is written at most this often (seconds), and always at the end: a poller
# sees it move without a write per row.
PROGRESS_SECONDS = 1.0
MSG_JOB_FAILED = _("任务运行出错，请稍后重新提交；仍不成功请联系系统管理员")
MSG_RESULT_GONE = _("结果文件已过保存期限被清理，请重新提交")
MSG_JOB_INTERRUPTED = _("任务中断（处理进程已退出），请重新提交")
# A running job that has not written progress for this long lost its worker (killed,
# restarted): every kind writes progress at least once per batch, far more often.
STALE_SECONDS_DEFAULT = 30 * 60


@dataclass
class JobResult:
    """What a kind's work gives back: the file, the name and type it is served with, and
    a small outcome (counts, no personal data) shown with the job's state."""

    content: bytes
    filename: str
    content_type: str
    outcome: dict[str, Any] = field(default_factory=dict)


Work = Callable[..., JobResult]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its key (`members.import`), the title people see, the work
    (called with actor, params, data (the uploaded file or None) and progress), and the
    template that shows a finished job's report on the job page ("" for a download)."""

    key: str
    title: Any
    work: Work
    report_template: str = ""


_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    _KINDS[kind.key] = kind


def job_kind(key: str) -> JobKind:
    return _KINDS[key]


def job_kind_title(key: str) -> str:
    kind = _KINDS.get(key)
    return str(kind.title) if kind else key


def jobs_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs"


def result_path(job: Job) -> Path:
    return jobs_dir() / f"{job.pk}.result"


def input_path(job_id) -> Path:
    return jobs_dir() / f"{job_id}.input"


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|;]+')


def safe_filename(name: str, fallback: str = "result") -> str:
    """A name to offer a browser: no path, no control or bidirectional characters (a
    name that reads "xlsx.exe" backwards), no quote to break the header; at most 120."""
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    cleaned = _UNSAFE_NAME.sub("-", cleaned).strip(" .-")
    return cleaned[-120:] or fallback


class Progress:
    """Called by a kind's work as it goes: progress(done, total). The row is updated in
    its own statement outside any transaction of the work's, so a poller sees it."""

    def __init__(self, job_id) -> None:
        self.job_id = job_id
        self.done = 0
        self.total: int | None = None
        self._written_at = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = max(0, int(done))
        if total is not None:
            self.total = max(0, int(total))
        now = time.monotonic()
        if now - self._written_at >= PROGRESS_SECONDS:
            self.write()
            self._written_at = now

    def write(self) -> None:
        Job.objects.filter(pk=self.job_id).update(
            done=self.done, total=self.total, heartbeat_at=timezone.now()
        )


def job_submit(
    *,
    actor,
    kind: str,
    params: dict[str, Any],
    data: bytes | None = None,
    audit: dict[str, Any] | None = None,
) -> Job:
    """Record the job, keep its input file, audit the submission and queue the work, in
    one transaction: a worker never sees the task before its job. `params` must be JSON
    (ids, codes, text); `audit` names what was asked, without personal data."""
    job_kind(kind)  # an unknown kind is a programming error, refused before any write
    with transaction.atomic():
        job = Job.objects.create(owner=actor, kind=kind, created_at=timezone.now())
        if data is not None:
            path = input_path(job.pk)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            target=job,
            target_label=job_kind_title(kind),
            changes={"job": kind, **(audit or {})},
        )
        queued = job_run.enqueue(str(job.pk), params)
        Job.objects.filter(pk=job.pk).update(task_id=str(queued.id))
    return Job.objects.get(pk=job.pk)


def job_result_open(*, actor, job: Job):
    """The finished job's result file, opened for reading, with one audit entry for the
    fetch. The caller has the job from `selectors.job_get` (the owner's only). A file
    the operator has pruned (docs/operator-guide.md) is not found."""
    if not result_path(job).exists():
        raise NotFound(MSG_RESULT_GONE)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DOWNLOAD,
            target=job,
            target_label=job_kind_title(job.kind),
            changes={"job": job.kind, "file": job.result_name},
        )
    return result_path(job).open("rb")


@task()
def job_run(job_id: str, params: dict[str, Any]) -> str:
    """Run one job's work as its owner and record how it ended. A refusal (an
    ApplicationError: a bad column, an allowance used up) fails the job with its Chinese
    message and code; anything else fails it with a general message, logged by class
    only, since an exception's text may quote what the file held."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.state != Job.State.QUEUED:
        return "skipped"  # run once: a task delivered twice does not redo a finished job
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=now, heartbeat_at=now)
    progress = Progress(job.pk)
    source = input_path(job.pk)
    data = source.read_bytes() if source.exists() else None
    try:
        # Run inside a submitting request (the immediate backend), a savepoint lets the
        # failure be recorded after the work's writes are undone; in a worker there is
        # no outer transaction and progress is seen at once.
        inside = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        with inside:
            result = job_kind(job.kind).work(
                actor=job.owner, params=params, data=data, progress=progress
            )
    except ApplicationError as failure:
        _finish(job, Job.State.FAILED, progress, code=failure.code, error=str(failure.message))
        return "failed"
    except Exception as failure:
        logger.error("job %s (%s) failed: %s", job.pk, job.kind, type(failure).__name__)
        _finish(job, Job.State.FAILED, progress, code="job_failed", error=str(MSG_JOB_FAILED))
        return "failed"
    finally:
        source.unlink(missing_ok=True)
    path = result_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(result.content)
    progress.done = progress.total if progress.total is not None else progress.done
    _finish(job, Job.State.SUCCEEDED, progress, result=result)
    return "succeeded"


def _finish(
    job: Job,
    state: str,
    progress: Progress,
    *,
    result: JobResult | None = None,
    code: str = "",
    error: str = "",
) -> None:
    values: dict[str, Any] = {
        "state": state,
        "finished_at": timezone.now(),
        "done": progress.done,
        "total": progress.total,
        "error_code": code[:60],
        "error": error[:500],
    }
    if result is not None:
        values.update(
            outcome=json.loads(json.dumps(result.outcome, default=str)),
            result_name=safe_filename(result.filename),
            result_type=result.content_type,
        )
    Job.objects.filter(pk=job.pk).update(**values)


# ---- jobs whose worker stopped ------------------------------------------------------------


def stale_before(now=None):
    """Running jobs whose last heartbeat is older than this lost their worker."""
    seconds = getattr(settings, "JOB_STALE_SECONDS", STALE_SECONDS_DEFAULT)
    return (now or timezone.now()) - datetime.timedelta(seconds=seconds)


def interrupted(job: Job, now=None) -> bool:
    beat = job.heartbeat_at or job.started_at
    return job.state == Job.State.RUNNING and beat is not None and beat < stale_before(now)


def jobs_reap(*, now=None) -> int:
    """Mark failed the running jobs whose worker stopped (`jiceng jobs-reap`, from cron),
    each with an audit row, so that they no longer show as running. Their owners saw
    them failed already (selectors.job_get reads the heartbeat). Returns how many."""
    from django.db.models import Q

    cutoff = stale_before(now)
    stale = Job.objects.filter(state=Job.State.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    reaped = 0
    for job in stale.order_by("created_at"):
        with transaction.atomic():
            changed = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
                state=Job.State.FAILED,
                finished_at=now or timezone.now(),
                error_code="job_interrupted",
                error=str(MSG_JOB_INTERRUPTED),
            )
            if changed:
                audit_record(
                    actor=None,
                    action=AuditEntry.Action.UPDATE,
                    target=job,
                    target_label=job_kind_title(job.kind),
                    changes={"job": job.kind, "state": {"old": "running", "new": "failed"}},
                )
                reaped += changed
    return reaped
