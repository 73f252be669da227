from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiceng.core.errors import ApplicationError
from jiceng.supervision import services


class Command(BaseCommand):
    help = "按研判规则排查软弱涣散党组织（各区的社区党组织），命中的列为候选"

    def add_arguments(self, parser):
        parser.add_argument("--evaluate", action="store_true", required=True)
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--district", help="区的区划代码；不填则所有区")

    def handle(self, *args, **options):
        from jiceng.core.models import Area

        districts = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code")
        if options["district"]:
            districts = districts.filter(code=options["district"])
            if not districts.exists():
                raise CommandError("没有该区")
        for district in districts:
            try:
                with transaction.atomic():
                    result = services.weak_org_evaluate(
                        actor=None, district=district, year=options["year"]
                    )
            except ApplicationError as error:
                raise CommandError(str(error.message)) from None
            self.stdout.write(
                f"{district.name}：排查 {result['orgs']} 个党组织，命中 {result['hit']} 个，"
                f"新增候选 {result['created']} 个，更新 {result['updated']} 个"
            )
