"""`jiceng audit verify`: walk the hash chain and name the first tampered entry."""

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.audit import audit_verify

REASONS = {
    "prev_hash": "与上一条记录的链接不符（记录被删除或插入）",
    "hash": "内容与哈希不符（记录被篡改）",
    "head": "链尾与登记的最后一条不符（末尾记录被删除）",
}


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计日志哈希链，指出第一条被篡改的记录")

    def handle(self, *args, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"审计链完整：已校验 {result.checked} 条")
            return
        where = f"第一条异常记录 ID {result.first_bad_id}" if result.first_bad_id else "链尾"
        raise CommandError(
            f"审计链被破坏：{where}，{REASONS.get(result.reason, result.reason)}"
            f"（此前 {result.checked} 条完整）"
        )
