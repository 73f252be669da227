"""`jiceng otp-code USERNAME`: the current TOTP code of a demo account's device.

Only devices named "demo" (created by `jiceng demo`) answer; a real person's device
never does, so the command cannot be used to get past anyone's second factor."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiceng.demo.logins import TOTP_DEVICE_NAME, current_totp_code, demo_totp_device


class Command(BaseCommand):
    help = "打印演示账号当前的 TOTP 验证码（仅对名为 demo 的演示设备有效）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        device = demo_totp_device(username)
        if device is None:
            raise CommandError(
                _(
                    "用户 {username} 没有名为“{name}”的演示验证设备；"
                    "该命令只为 jiceng demo 创建的演示账号生成验证码。"
                ).format(username=username, name=TOTP_DEVICE_NAME)
            )
        self.stdout.write(current_totp_code(device))
