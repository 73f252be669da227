"""`jiceng hotline import FILE --district CODE` / `jiceng hotline export --since DATE`."""

import pathlib
import sys

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area
from jiceng.integrations import services


class Command(BaseCommand):
    help = "12345 工单交换：import 导入平台导出的工单（Excel 或 JSON），export 导出办理结果"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入工单文件（按工单编号幂等）")
        imp.add_argument("file")
        imp.add_argument("--district", required=True, help="区的区划代码，如 310104000000")
        exp = sub.add_parser("export", help="导出办理结果（与导入同样的列）")
        exp.add_argument("--since", default="", help="起始日期或时间（ISO 8601）")
        exp.add_argument("--format", choices=("json", "xlsx"), default="json")
        exp.add_argument("--output", default="-", help="输出文件，- 为标准输出")

    def handle(self, *args, **options):
        try:
            getattr(self, "_" + options["action"])(options)
        except services.HotlineRowsInvalid as error:
            raise CommandError("\n".join(str(e) for e in error.errors)) from None
        except ApplicationError as error:
            raise CommandError(str(error.message)) from None

    def _import(self, options) -> None:
        district = Area.objects.filter(code=options["district"], level="district").first()
        if district is None:
            raise CommandError(f"没有区划代码为 {options['district']} 的区")
        path = pathlib.Path(options["file"])
        # The operator's command acts as the system (actor None), as other commands do.
        report = services.hotline_import_file(
            actor=None, district=district, data=path.read_bytes(), filename=path.name
        )
        self.stdout.write(
            f"共 {report.rows} 条：转为诉求 {len(report.filed)}，待定位 {len(report.unplaced)}，"
            f"已导入过 {len(report.unchanged)}，内容有变化（未覆盖）{len(report.changed)}"
        )
        for number in report.changed:
            self.stdout.write(f"  内容有变化：{number}")

    def _export(self, options) -> None:
        content, rows = services.hotline_export(
            actor=None, since=services.parse_since(options["since"]), fmt=options["format"]
        )
        if options["output"] == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            pathlib.Path(options["output"]).write_bytes(content)
        self.stderr.write(f"导出 {rows} 条")
