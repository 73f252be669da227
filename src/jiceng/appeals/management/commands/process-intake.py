"""`jiceng process-intake`: route the cases filed through the fast intake (Open311),
in batches. `jiceng check-deadlines` runs it first, so the every-minute cron covers it;
run it more often (or in a loop) where a minute's wait for dispatch is too long.

The file name carries the hyphen because Django names a command after its module."""

from django.core.management.base import BaseCommand

from jiceng.appeals.intake import BATCH, intake_process


class Command(BaseCommand):
    help = "为快速受理（Open311）的诉求分批派单、查重、记录审计与月度统计（幂等，可并发）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH, help=f"每批件数（默认 {BATCH}）")

    def handle(self, *args, **options):
        result = intake_process(batch_size=max(1, options["batch"]))
        rate = result.processed / result.seconds if result.seconds and result.processed else 0
        self.stdout.write(
            f"待派单 {result.processed} 件：派单 {result.dispatched}，"
            f"无匹配规则 {result.unroutable}，疑似重复 {result.duplicates}"
            f"（{result.seconds:.2f} 秒，{rate:.0f} 件/秒）"
        )
