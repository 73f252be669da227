"""`jiceng open311-key create|list|revoke`: API keys for other systems filing appeals
through Open311. The file name carries the hyphen because Django names a command after
its module, and the documented command is `open311-key`.

The key is printed once, on standard output alone (so a script can capture it); only its
SHA-256 is stored, so a lost key is revoked and replaced, never recovered.
"""

from argparse import ArgumentParser
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiceng.appeals import services
from jiceng.appeals.models import Open311Key
from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area

LOCAL = ZoneInfo(settings.TIME_ZONE)


class Command(BaseCommand):
    help = "Open311 密钥：create 创建（只显示一次）、list 列出、revoke 吊销"

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="创建密钥并打印（只显示这一次）")
        create.add_argument("--name", required=True, help="使用该密钥的系统名称")
        create.add_argument("--area", help="只允许在该区划代码的辖区内提交（可选）")
        actions.add_parser("list", help="列出密钥（不显示密钥本身）")
        revoke = actions.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, **options) -> None:
        try:
            if options["action"] == "create":
                self._create(options["name"], options.get("area"))
            elif options["action"] == "revoke":
                services.open311_key_revoke(actor=None, name=options["name"])
                self.stdout.write(f"已吊销“{options['name']}”的密钥")
            else:
                self._list()
        except ApplicationError as error:
            raise CommandError(str(error.message)) from None

    def _create(self, name: str, area_code: str | None) -> None:
        area = None
        if area_code:
            area = Area.objects.filter(code=area_code).first()
            if area is None:
                raise CommandError(f"没有区划代码 {area_code}")
        key, raw = services.open311_key_create(actor=None, name=name, area=area)
        self.stdout.write(raw)
        self.stderr.write(f"已为“{key.name}”创建 Open311 密钥；请妥善保存，之后无法再次显示。")

    def _list(self) -> None:
        keys = Open311Key.objects.select_related("area").order_by("name")
        for key in keys:
            state = "已吊销" if key.revoked_at else "有效"
            used = (
                key.last_used_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
                if key.last_used_at
                else "未使用"
            )
            area = key.area.code if key.area else "全部辖区"
            created = key.created_at.astimezone(LOCAL).strftime("%Y-%m-%d")
            self.stdout.write(f"{key.name}\t{key.prefix}…\t{state}\t{area}\t{created}\t{used}")
