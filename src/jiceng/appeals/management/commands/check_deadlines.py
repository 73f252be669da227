from django.core.management.base import BaseCommand

from jiceng.appeals.deadlines import check_deadlines


class Command(BaseCommand):
    help = "标记超时诉求并逐级督办（幂等，可每分钟由 cron 运行）"

    def handle(self, *args, **options):
        result = check_deadlines()
        self.stdout.write(
            f"响应超时 {result.response_overdue}，办结超时 {result.resolution_overdue}，"
            f"上提督办 {result.escalated}，逾期未评价办结 {result.closed_unrated}"
        )
