from django.core.management.base import BaseCommand, CommandError

from jiceng.appeals import services
from jiceng.appeals.models import Open311Key
from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area


class Command(BaseCommand):
    help = "Open311 密钥：create 创建（只显示一次）、list 列出、revoke 吊销"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建密钥并打印")
        create.add_argument("--name", required=True)
        create.add_argument("--area", help="限定区域的区划代码（可选）")
        sub.add_parser("list", help="列出密钥")
        revoke = sub.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, **options):
        try:
            if options["action"] == "create":
                area = None
                if options.get("area"):
                    area = Area.objects.filter(code=options["area"]).first()
                    if area is None:
                        raise CommandError("没有该区划代码")
                key, raw = services.open311_key_create(actor=None, name=options["name"], area=area)
                self.stdout.write(raw)
                self.stderr.write(
                    f"已为“{key.name}”创建 Open311 密钥；请妥善保存，之后无法再次显示。"
                )
            elif options["action"] == "revoke":
                services.open311_key_revoke(actor=None, name=options["name"])
                self.stdout.write(f"已吊销“{options['name']}”的密钥")
            else:
                for key in Open311Key.objects.all():
                    state = "已吊销" if key.revoked_at else "有效"
                    self.stdout.write(
                        f"{key.name}\t{key.prefix}…\t{state}\t{key.created_at:%Y-%m-%d}"
                    )
        except ApplicationError as error:
            raise CommandError(str(error.message)) from None
