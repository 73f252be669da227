from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """The one page of the standard ledgers (台账) the other apps register (core.ledgers):
    it lists them, generates them for an area or an org and a period, as Excel or a
    printable page, and audits each; a large one can be generated as a background job
    (core.jobs). It has no tables of its own."""

    name = "jiceng.ledgers"
    label = "ledgers"
    verbose_name = _("台账")

    def ready(self) -> None:
        from jiceng.ledgers import jobs

        jobs.register()

        from jiceng.ledgers import pickers

        pickers.register_pickers()
