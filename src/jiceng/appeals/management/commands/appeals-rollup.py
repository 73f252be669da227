import datetime

from django.core.management.base import BaseCommand, CommandError

from jiceng.appeals import open_rollup, rollup


class Command(BaseCommand):
    help = (
        "按案件重新计算诉求月度统计（三率所依据的计数、各类别件数）；"
        "不指定月份时也重算未办结与超时诉求统计"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", required=True)
        parser.add_argument("--month", help="YYYY-MM；不填则全部月份")

    def handle(self, *args, **options):
        month = None
        if options["month"]:
            try:
                month = datetime.date.fromisoformat(options["month"] + "-01")
            except ValueError:
                raise CommandError("月份格式应为 YYYY-MM") from None
        rows = rollup.rebuild(month=month)
        self.stdout.write(f"已重算 {rows} 行月度统计")
        if month is None:
            rows = open_rollup.rebuild()
            self.stdout.write(f"已重算 {rows} 行未办结诉求统计")
