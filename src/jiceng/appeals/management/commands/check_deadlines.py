from django.core.management.base import BaseCommand

from jiceng.appeals.intake import intake_process
from jiceng.appeals.overdue import check_deadlines


class Command(BaseCommand):
    help = "为快速受理的诉求派单，再标记超时诉求并逐级督办（幂等，可每分钟由 cron 运行）"

    def handle(self, *args, **options):
        # Cases filed through the fast intake are routed first, so the deadline check
        # sees them as handled units hold them (`jiceng process-intake`).
        routed = intake_process()
        if routed.processed:
            self.stdout.write(
                f"快速受理派单 {routed.processed} 件（派单 {routed.dispatched}，"
                f"待街道派单 {routed.unroutable + routed.duplicates}）"
            )
        result = check_deadlines()
        self.stdout.write(
            f"响应超时 {result.response_overdue}，办结超时 {result.resolution_overdue}，"
            f"上提督办 {result.escalated}，逾期未评价办结 {result.closed_unrated}"
        )
