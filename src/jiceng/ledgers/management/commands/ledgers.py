"""`jiceng ledgers list` and `jiceng ledgers export NAME --area CODE [--org ID] --period
2026|2026-03|2026-Q1 --output FILE`: the standard ledgers (台账) from the command line.

Run by an operator with shell access to the server, a ledger is generated over the whole
database (the system's view) unless `--user` names an account whose scope it should
have; either way the export is audited (actor: the system, or that account).
`--generated-at` fixes the generation time, so the same data give the same file."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiceng.core.errors import ApplicationError
from jiceng.core.ledgers import all_ledgers
from jiceng.ledgers import selectors, services


class SystemViewer:
    """The operator's view: everything (core.scope treats it as a superuser's)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None


class Command(BaseCommand):
    help = "台账：list 列出全部已登记的台账，export 生成一张台账（Excel）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="每行一张台账：编号<TAB>名称")
        export = sub.add_parser("export", help="生成一张台账并写入 Excel 文件")
        export.add_argument("name", help="台账编号（见 list）")
        export.add_argument("--area", help="区划代码，例如 310104003000")
        export.add_argument("--org", help="党组织编号（代替 --area）")
        export.add_argument("--period", default="", help="2026、2026-03 或 2026-Q1；默认今年")
        export.add_argument("--output", required=True, help="写入的文件（.xlsx）")
        export.add_argument("--user", help="按此账号的范围生成（默认：系统，全部数据）")
        export.add_argument(
            "--generated-at",
            help="生成时间（ISO 8601，如 2026-12-05T10:00:00+08:00）；同一数据同一时间，文件相同",
        )

    def handle(self, *args, **options):
        getattr(self, "_" + options["action"])(options)

    def _list(self, options) -> None:
        for ledger in all_ledgers():
            self.stdout.write(f"{ledger.key}\t{ledger.title}")

    def _export(self, options) -> None:
        actor = None
        viewer: object = SystemViewer()
        if options.get("user"):
            from django.contrib.auth import get_user_model

            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"没有账号 {options['user']}")
            viewer = actor
        when = _when(options.get("generated_at"))
        if not options.get("area") and not options.get("org"):
            raise CommandError("请用 --area 给出区划代码，或用 --org 给出党组织编号")
        try:
            ledger = selectors.ledger_get(viewer=viewer, key=options["name"])
            area = None
            if options.get("area") and not options.get("org"):
                area = selectors.area_by_code(viewer=actor, code=options["area"])
            subject = selectors.subject_for(
                viewer=viewer,
                ledger=ledger,
                area=area,
                org=options.get("org"),
                period=options["period"],
            )
            content, table = services.ledger_export(
                actor=actor, viewer=viewer, ledger=ledger, subject=subject, generated_at=when
            )
        except ApplicationError as error:
            raise CommandError(f"{options['name']}：{error.message}") from None
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"{ledger.title}：{len(table.rows)} 行 → {options['output']}")


def _when(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            "--generated-at 应为 ISO 8601 时间，例如 2026-12-05T10:00:00+08:00"
        ) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value
