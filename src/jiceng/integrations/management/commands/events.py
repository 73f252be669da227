"""`jiceng events deliver`: send the due outbox deliveries to the subscribed systems."""

from django.core.management.base import BaseCommand

from jiceng.integrations.services import deliveries_send


class Command(BaseCommand):
    help = (
        "事件推送：deliver 发送到期的推送（失败的按指数退避重试）；"
        "幂等，可并发，建议 cron 每分钟运行"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="发送到期的事件推送")
        deliver.add_argument("--limit", type=int, default=1000, help="本次最多发送条数")
        deliver.add_argument("--timeout", type=float, default=10.0, help="每次请求超时（秒）")

    def handle(self, *args, **options):
        result = deliveries_send(limit=options["limit"], timeout=options["timeout"])
        self.stdout.write(
            f"送达 {result.delivered} 条，失败 {result.failed} 条"
            f"（其中转入失败列表 {result.dead} 条）"
        )
