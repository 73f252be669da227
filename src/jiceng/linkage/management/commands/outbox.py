"""`jiceng outbox deliver`: send the due outbox messages (email, SMS, WeCom). Idempotent;
run it from cron every minute (linkage.services.outbox says how a crash is handled)."""

from django.core.management.base import BaseCommand

from jiceng.linkage.services import outbox_deliver


class Command(BaseCommand):
    help = "外发消息：deliver 发送到期的邮件、短信、企业微信消息（可重复运行，不会重发）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="发送到期消息；中断于发送中的标记为结果不明")
        deliver.add_argument("--limit", type=int, default=100, help="本次最多发送条数")

    def handle(self, *args, **options):
        result = outbox_deliver(limit=options["limit"])
        self.stdout.write(
            f"已发送 {result.sent}，待重试 {result.retried}，失败 {result.failed}，"
            f"结果不明 {result.unknown}"
        )
