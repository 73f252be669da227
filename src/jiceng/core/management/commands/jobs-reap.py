"""Mark failed the running jobs whose worker stopped (killed or restarted mid-job).

    jiceng jobs-reap

Run it from cron next to the worker (docs/operator-guide.md). A job counts as stopped
when it has written no progress for JOB_STALE_SECONDS (30 minutes unless set)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jiceng.core.jobs import jobs_reap


class Command(BaseCommand):
    help = "Mark failed the running jobs whose worker stopped."

    def handle(self, *args, **options):
        n = jobs_reap()
        self.stdout.write(_("已将 %(n)d 个中断的任务标记为失败") % {"n": n})
