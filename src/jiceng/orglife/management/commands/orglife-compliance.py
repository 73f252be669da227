from django.core.management.base import BaseCommand, CommandError

from jiceng.orglife import rollup


class Command(BaseCommand):
    help = "按会议记录重新计算组织生活年度统计（街道、区的达标情况所依据的数据）"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", required=True)
        parser.add_argument("--year", type=int, help="年度；不填则有会议记录的各年度和本年度")

    def handle(self, *args, **options):
        year = options["year"]
        if year is not None and not 1921 <= year <= 2200:
            raise CommandError("年度无效")
        rows = rollup.rebuild(year=year)
        self.stdout.write(f"已重算 {rows} 行组织生活年度统计")
