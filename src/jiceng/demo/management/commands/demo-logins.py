"""`jiceng demo-logins`: the demo accounts, their password and where each role applies."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jiceng.demo.logins import (
    TOTP_USERNAME,
    demo_login_rows,
    demo_totp_device,
    jiceng_command,
    totp_secret,
)


class Command(BaseCommand):
    help = "打印演示账号（角色、用户名、密码、所在区域或组织）"

    def handle(self, *args, **options):
        from rich.console import Console
        from rich.table import Table

        rows = demo_login_rows()
        if not rows:
            self.stdout.write(
                _("没有演示账号。先运行 {jiceng} demo --scale street。").format(
                    jiceng=jiceng_command()
                )
            )
            return
        table = Table(title=_("演示账号"), show_lines=False)
        for header in (_("角色"), _("用户名"), _("密码"), _("区域或组织")):
            table.add_column(header)
        for row in rows:
            table.add_row(row.role, row.username, row.password, row.place)
        console = Console(file=self.stdout, width=120, force_terminal=False, highlight=False)
        console.print(table)
        device = demo_totp_device(TOTP_USERNAME)
        if device is not None:
            self.stdout.write(
                _(
                    "{username} 登录时还需要第二因素（TOTP）：把密钥 {secret} 加入验证器应用，"
                    "或运行 {jiceng} otp-code {username} 获取当前验证码。"
                ).format(
                    username=TOTP_USERNAME,
                    secret=totp_secret(device.key),
                    jiceng=jiceng_command(),
                )
            )
        self._systems()

    def _systems(self) -> None:
        """The demo's system token is listed as created only: the token itself is never
        kept (only its keyed hash), so nothing here could print it."""
        from jiceng.integrations.models import SystemToken

        for token in SystemToken.objects.filter(revoked_at__isnull=True).select_related("area")[:5]:
            self.stdout.write(
                _(
                    "系统令牌“{name}”（{area}）已创建；令牌本身不保存，对接时由区委组织部管理员"
                    "在“系统对接”页面新建并复制。"
                ).format(name=token.name, area=token.area.name)
            )
