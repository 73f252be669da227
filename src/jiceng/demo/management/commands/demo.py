"""`jiceng demo --scale street|district|city [--seed N] [--if-empty] [--quiet]`."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiceng.core.models import Area
from jiceng.demo.generator import (
    DEFAULT_SEED,
    DatabaseNotEmpty,
    demo_generate,
    progress_total,
)
from jiceng.demo.logins import jiceng_command
from jiceng.demo.territory import SCALES, territory_for


class Command(BaseCommand):
    help = (
        "生成演示数据：上海市真实区划，加上生成的网格、党组织、驻区单位和账号（同一种子，同一数据）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="street")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("数据库中已有区域时什么也不做（供 make run 使用）"),
        )
        parser.add_argument("--quiet", action="store_true", help=_("不显示进度条"))

    def handle(self, *args, scale: str, seed: int, if_empty: bool, quiet: bool, **options):
        if if_empty and Area.objects.exists():
            if options["verbosity"] > 0:
                self.stdout.write(_("数据库中已有数据，跳过演示数据。"))
            return
        started = time.monotonic()
        show_bar = not quiet and options["verbosity"] > 0 and sys.stdout.isatty()
        try:
            if show_bar:
                result = self._with_progress_bar(scale, seed)
            else:
                result = demo_generate(scale=scale, seed=seed)
        except DatabaseNotEmpty as error:
            raise CommandError(str(error.message)) from None
        if options["verbosity"] > 0:
            counts = result.counts
            self.stdout.write(
                _(
                    "演示数据已生成（规模 {scale}，种子 {seed}，用时 {seconds:.1f} 秒）："
                    "街道 {streets} 个，社区 {communities} 个，网格 {grids} 个，"
                    "党组织 {orgs} 个，驻区单位 {units} 家，账号 {users} 个。"
                ).format(
                    scale=scale,
                    seed=seed,
                    seconds=time.monotonic() - started,
                    streets=counts["area_street"],
                    communities=counts["area_community"],
                    grids=counts["area_grid"],
                    orgs=counts["party_orgs"],
                    units=counts["units"],
                    users=counts["users"],
                )
            )
            self.stdout.write(
                _("运行 {jiceng} demo-logins 查看演示账号。").format(jiceng=jiceng_command())
            )

    def _with_progress_bar(self, scale: str, seed: int):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task(_("生成演示数据"), total=progress_total(territory_for(scale)))

            def report(description: str, advance: int) -> None:
                bar.update(task, description=description, advance=advance)

            return demo_generate(scale=scale, seed=seed, progress=report)
