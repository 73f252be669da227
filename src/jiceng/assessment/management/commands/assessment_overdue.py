"""Mark rectification items past their deadline and not closed, once each, escalating
them to the level above (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from jiceng.assessment import services


class Command(BaseCommand):
    help = "Mark overdue rectification items and escalate them to the level above."

    def handle(self, *args, **options) -> None:
        marked = services.rectification_overdue_check()
        self.stdout.write(f"{marked} overdue rectification item(s) marked")
