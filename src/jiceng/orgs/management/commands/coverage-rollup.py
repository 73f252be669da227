from django.core.management.base import BaseCommand

from jiceng.orgs import rollup


class Command(BaseCommand):
    help = "按党组织和驻区单位重新计算两个覆盖统计（各区域的党组织数、单位数及覆盖情况）"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", required=True)

    def handle(self, *args, **options):
        rows = rollup.rebuild()
        self.stdout.write(f"已重算 {rows} 行两个覆盖统计")
