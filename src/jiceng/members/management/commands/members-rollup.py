import datetime

from django.core.management.base import BaseCommand, CommandError

from jiceng.members import rollup


class Command(BaseCommand):
    help = (
        "按党员名册重新计算党员构成统计（年龄、党龄按当日分段；宜每日凌晨运行一次，"
        "使首页、统计页的年龄和党龄表按当日读取汇总数据）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", required=True)
        parser.add_argument("--date", help="YYYY-MM-DD，年龄、党龄分段所按的日期；不填则今天")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        rows = rollup.rebuild(today=day)
        self.stdout.write(f"已重算 {rows} 行党员构成统计")
