from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "jiceng.integrations"
    label = "integrations"
    verbose_name = _("系统对接")

    def ready(self) -> None:
        from jiceng.appeals import events as appeal_events
        from jiceng.core import scope
        from jiceng.integrations import models
        from jiceng.integrations.services import outbox

        # Tokens, subscriptions and their deliveries are the district's configuration,
        # seen (like accounts) by those who see people in the territory they name.
        scope.register(models.SystemToken, kind=scope.KIND_PEOPLE, area_path="area")
        scope.register(models.Subscription, kind=scope.KIND_PEOPLE, area_path="area")
        scope.register(models.Delivery, kind=scope.KIND_PEOPLE, area_path="subscription__area")
        # A system's calls are audited against its token (its account holds no role), so
        # the district's auditors see them by where the token is bound.
        scope.register_audit_subject(models.SystemToken)
        # A work order is seen where its case is, and by the district it came to.
        scope.register(
            models.HotlineWorkOrder, kind=scope.KIND_APPEAL, area_path=("appeal__area", "district")
        )
        # A case from the 12345 platform is shown and found by its work-order number.
        from jiceng.appeals.references import Reference, register_reference

        register_reference(Reference(label=_("工单编号"), lookup="hotline_order__number"))
        # Each committed appeal event becomes deliveries for the subscribed systems.
        appeal_events.register_listener(outbox.on_appeal_events)

        from jiceng.integrations import pickers

        pickers.register_pickers()
