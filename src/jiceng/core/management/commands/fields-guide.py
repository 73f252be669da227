"""`jiceng fields-guide`: write docs/user-guide/fields.md from the forms and schemas."""

from django.core.management.base import BaseCommand

from jiceng.core.fields_guide import GUIDE, render


class Command(BaseCommand):
    help = "根据页面表单和接口的输入定义生成用户指南中的字段规则表（docs/user-guide/fields.md）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="只检查文件是否最新，不写入（过期时退出码为 1）"
        )

    def handle(self, *args, check=False, **options):
        text = render()
        current = GUIDE.read_text(encoding="utf-8") if GUIDE.exists() else ""
        if check:
            if current != text:
                self.stderr.write(f"{GUIDE} is out of date: run `jiceng fields-guide`")
                raise SystemExit(1)
            return
        GUIDE.write_text(text, encoding="utf-8")
        self.stdout.write(str(GUIDE))
