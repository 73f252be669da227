"""Reads of the integrations app, each already scoped by core.scope."""

from django.db.models import QuerySet

from jiceng.core.scope import scope_for
from jiceng.integrations.models import Delivery, HotlineWorkOrder, Subscription, SystemToken


def token_list(*, viewer) -> QuerySet[SystemToken]:
    return scope_for(viewer).filter(SystemToken.objects.select_related("area", "unit"))


def subscription_list(*, viewer) -> QuerySet[Subscription]:
    return scope_for(viewer).filter(Subscription.objects.select_related("area", "unit"))


def delivery_list(*, viewer, state: str = "") -> QuerySet[Delivery]:
    deliveries = scope_for(viewer).filter(Delivery.objects.select_related("subscription"))
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries


def work_order_list(*, viewer, number: str = "", state: str = "") -> QuerySet[HotlineWorkOrder]:
    orders = scope_for(viewer).filter(
        HotlineWorkOrder.objects.select_related("district", "appeal", "appeal__unit")
    )
    if number:
        orders = orders.filter(number__icontains=number)
    if state:
        orders = orders.filter(state=state)
    return orders
