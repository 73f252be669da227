"""Who may act on a case. Reading goes through core.scope.

- Dispatching, summoning and overseeing belong to the territory staff of the case's
  street (and above): they run the street's queue.
- Signing for, working on, replying to and returning a case belong to the handling unit
  it was sent to: its handlers (HandlerMembership), and for a community or street unit,
  the territory staff who manage that unit's area.
"""

from django.conf import settings

from jiceng.appeals.models import Appeal, HandlingUnit, SummonsTarget
from jiceng.core.access import can_manage_area
from jiceng.core.access import require as _require
from jiceng.core.errors import NotFound, TooManyRequests
from jiceng.core.ratelimit import client_id, hit
from jiceng.core.scope import scope_for


def is_handler(user, unit: HandlingUnit | None) -> bool:
    if user is None:
        return True  # the system
    if unit is None:
        return False
    if unit.handlers.filter(user=user, ended_at__isnull=True).exists():
        return True
    return unit.kind != HandlingUnit.Kind.DEPARTMENT and can_manage_area(user, unit.area)


def _street_or_area(appeal: Appeal):
    # A case waiting to be placed may have no street: its district answers for it.
    return appeal.street if appeal.street is not None else appeal.area


def can_dispatch(user, appeal: Appeal) -> bool:
    return can_manage_area(user, _street_or_area(appeal))


def can_place(user, appeal: Appeal) -> bool:
    """Placing a case from the placement queue (待定位): the district's territory staff,
    and those of the street it was found nearest to (its street while unplaced)."""
    return can_manage_area(user, appeal.area) or (
        appeal.street is not None and can_manage_area(user, appeal.street)
    )


def require_place(user, appeal: Appeal) -> None:
    _require(user, appeal, can_place(user, appeal))


def can_publish_description(user, appeal: Appeal) -> bool:
    """Moderating what the public feed shows belongs to the territory staff of the
    case's street (and above), as its queue does."""
    return can_manage_area(user, _street_or_area(appeal))


def require_publish_description(user, appeal: Appeal) -> None:
    _require(user, appeal, can_publish_description(user, appeal))


def can_handle(user, appeal: Appeal) -> bool:
    return is_handler(user, appeal.unit)


def require_dispatch(user, appeal: Appeal) -> None:
    _require(user, appeal, can_dispatch(user, appeal))


def require_handle(user, appeal: Appeal) -> None:
    _require(user, appeal, can_handle(user, appeal))


def require_summons_answer(user, target: SummonsTarget) -> None:
    if is_handler(user, target.unit):
        return
    raise NotFound()


def get_appeal_for_view(user, appeal_id) -> Appeal:
    return scope_for(user).get(
        Appeal.objects.select_related("category", "area", "street", "unit"), pk=appeal_id
    )


def get_appeal_for_action(user, appeal_id) -> Appeal:
    """Visible, and locked for the rest of the transaction."""
    return scope_for(user).get(
        Appeal.objects.select_for_update(of=("self",)).select_related(
            "category", "area", "street", "unit"
        ),
        pk=appeal_id,
    )


def public_limit_reached(request, bucket: str) -> bool:
    """A resident's filing, rating or reopening, by client address: the page and the API
    share the bucket, so neither is a way around the other's limit."""
    return not hit(
        bucket,
        client_id(request),
        limit=settings.APPEAL_PUBLIC_LIMIT,
        window_seconds=settings.APPEAL_PUBLIC_WINDOW_SECONDS,
    )


def require_public_limit(request, bucket: str) -> None:
    if public_limit_reached(request, bucket):
        raise TooManyRequests(retry_after=settings.APPEAL_PUBLIC_WINDOW_SECONDS)
