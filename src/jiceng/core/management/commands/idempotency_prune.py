"""`jiceng idempotency_prune --days N`: forget idempotency keys older than N days.

Clients retry within minutes or hours; a key row only has to outlive the retries (the
IETF draft lets a server expire keys and says so in its documentation). Cases and needs
keep the key they were filed with, so a very late retry of a pruned key still finds its
first case by the case's own unique (client, key), just without the digest check."""

from django.core.management.base import BaseCommand

from jiceng.core.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "删除超过 N 天的幂等键记录（默认 30 天）；幂等，建议每日 cron 运行"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, **options):
        removed = idempotency_prune(days=max(options["days"], 1))
        self.stdout.write(f"已删除 {removed} 条超过 {options['days']} 天的幂等键")
