"""What a system token may call, and the scoped getters of this app's objects.

A token's permissions name operations, not objects: reading is any GET; filing is the
appeal intake; updating is an action on a case (which the appeals app then allows only
on the cases of the unit the token names). What it then sees is `core.scope`'s answer.
"""

import re

from jiceng.appeals.models import HandlingUnit
from jiceng.core.scope import scope_for
from jiceng.integrations.models import Delivery, Subscription, SystemToken

_FILE = re.compile(r"^/api/appeals/?$")
# A case action, or a summoned department reporting and acting on its summons.
_UPDATE = re.compile(r"^/api/appeals/(\d+/[a-z_]+|summons/\d+/(report|act))/?$")


def permissions_for_operation(method: str, path: str) -> frozenset[str]:
    """The permissions any one of which lets a token make this call (empty: none)."""
    if method in ("GET", "HEAD"):
        return frozenset({"read", "update"})
    if method == "POST" and _FILE.match(path):
        return frozenset({"file"})
    if method == "POST" and _UPDATE.match(path):
        return frozenset({"update"})
    return frozenset()


def get_token(user, token_id) -> SystemToken:
    return scope_for(user).get(SystemToken.objects.select_related("area", "unit"), pk=token_id)


def get_subscription(user, subscription_id) -> Subscription:
    return scope_for(user).get(
        Subscription.objects.select_related("area", "unit"), pk=subscription_id
    )


def get_delivery(user, delivery_id) -> Delivery:
    return scope_for(user).get(
        Delivery.objects.select_related("subscription", "subscription__area"), pk=delivery_id
    )


def get_unit_for_view(user, unit_id) -> HandlingUnit:
    return scope_for(user).get(HandlingUnit.objects.select_related("area"), pk=unit_id)
