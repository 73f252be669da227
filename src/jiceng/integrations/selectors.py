"""Reads of the integrations app, each already scoped by core.scope."""

from django.db.models import Q, QuerySet

from jiceng.appeals.models import HandlingUnit
from jiceng.core.models import Area
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


def work_order_list(
    *, viewer, number: str = "", placement_pending: bool | None = None
) -> QuerySet[HotlineWorkOrder]:
    orders = scope_for(viewer).filter(
        HotlineWorkOrder.objects.select_related("district", "appeal", "appeal__unit")
    )
    if number:
        orders = orders.filter(number__icontains=number)
    if placement_pending is not None:
        orders = orders.filter(appeal__placement_pending=placement_pending)
    return orders


def managed_districts(*, viewer) -> list[Area]:
    """The districts whose systems the viewer manages (their 区委组织部, the city, a
    superuser): the pages of this app open for them only."""
    scope = scope_for(viewer)
    districts = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code")
    if scope.everything:
        return list(districts)
    paths = scope.managed_area_paths()
    if not paths:
        return []
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(districts.filter(condition))


def unit_choices(*, viewer, districts: list[Area]) -> QuerySet[HandlingUnit]:
    """The active handling units in `districts` that the viewer sees, in the tree's
    order: what a token or subscription may name (the `integration-units` picker)."""
    condition = Q(pk__in=[])
    for district in districts:
        condition |= Q(area__path__startswith=district.path)
    return (
        scope_for(viewer)
        .filter(HandlingUnit.objects.filter(condition, is_active=True))
        .select_related("area")
        .order_by("area__path", "name")
    )
