"""`jiceng prepare`: what `make run` does before serving, in one process.

Migrate (an empty database: its schema from the models in one step, core.fresh_schema),
compile the translations when a .po file is newer than its .mo, load the street
demo into an empty database, print the demo logins, and with `--serve ADDR` serve on in
the same process. Each step is the command of the same name; one process instead of five
saves Django's start-up (and the first compile of every module) four times over.

`make run` serves with `--serve`: no auto-reloader, whose watching parent process would
start Django once more before the serving child starts it again (about a second on the
2-core machine, issue 21). `make serve` keeps the reloader for editing the code.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


def stale_catalogues() -> list[Path]:
    """The .po files of the project's own locale folders whose .mo is missing or older."""
    stale = []
    for folder in settings.LOCALE_PATHS:
        for po in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


class Command(BaseCommand):
    help = "make run 的准备：迁移数据库、编译有改动的翻译、空库时载入演示数据、打印演示账号"
    # The system checks import every URL and view (about a second on the 2-core
    # machine); they run once, in the server that `make run` starts next.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", default="street", help=_("演示数据的规模"))
        parser.add_argument(
            "--serve",
            metavar="ADDRPORT",
            default="",
            help=_("准备好后在本进程中提供服务（不自动重载），例如 127.0.0.1:8000"),
        )

    def handle(self, *args, scale: str, serve: str, **options):
        verbosity = options["verbosity"]
        timings = []
        out = {"stdout": self.stdout, "stderr": self.stderr}

        started = time.monotonic()
        self.schema(verbosity, out)
        timings.append(("migrate", time.monotonic() - started))

        stale = stale_catalogues()
        if stale:
            started = time.monotonic()
            locales = sorted({po.parent.parent.name for po in stale})
            # compilemessages looks for locale folders in the whole tree: keep it out of
            # the virtual environment (Django's own catalogues) and other hidden folders.
            call_command(
                "compilemessages",
                locale=locales,
                ignore_patterns=[".*", "var", "node_modules"],
                verbosity=0,
                **out,
            )
            timings.append(("compilemessages", time.monotonic() - started))

        started = time.monotonic()
        call_command("demo", scale=scale, if_empty=True, verbosity=verbosity, **out)
        timings.append(("demo", time.monotonic() - started))

        call_command("demo-logins", verbosity=verbosity, **out)
        if verbosity > 0:
            self.stdout.write(
                _("准备用时：{steps}").format(
                    steps=", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings)
                )
            )
        if serve:
            # The server runs the system checks (skipped above) before it answers.
            call_command(
                "runserver",
                serve,
                use_reloader=False,
                insecure_serving=True,
                skip_checks=False,
                **out,
            )

    def schema(self, verbosity: int, out: dict) -> None:
        """An empty database gets its schema from the models in one step (core.fresh_schema:
        the same tables and rows, a fifth of the time); any other is migrated. Should the
        one step fail, it has written nothing (one transaction), and migrate runs."""
        from jiceng.core import fresh_schema

        if fresh_schema.database_is_empty():
            try:
                count = fresh_schema.create_schema(verbosity=0, stdout=self.stdout)
            except Exception as failure:
                self.stderr.write(
                    _("从模型建表未成功（{error}），改为逐个执行迁移").format(
                        error=f"{type(failure).__name__}: {failure}"[:300]
                    )
                )
            else:
                if verbosity > 0:
                    self.stdout.write(
                        _("空数据库：已从模型建表，{count} 个迁移记为已执行").format(count=count)
                    )
                return
        call_command(
            "migrate", interactive=False, verbosity=min(verbosity, 1), skip_checks=True, **out
        )
