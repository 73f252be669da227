"""Telling people that something needs them, from any app: `notify_after_commit`.

The inbox (and the outbox for email, SMS and WeCom) belongs to the linkage app, which
registers its writer here from its AppConfig.ready(); the other apps call this module,
never linkage's models (STYLE 13: registries, not imports). A notification goes out only
after the change that caused it is committed (STYLE 3): a rolled-back dispatch tells
nobody anything."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

Writer = Callable[..., Any]
_WRITER: list[Writer] = []


def register_writer(writer: Writer) -> None:
    """`writer(user_ids, title=..., body=..., url=...)` stores the notifications."""
    _WRITER[:] = [writer]


def user_ids(users: Iterable[Any]) -> list[int]:
    """Users or their ids, once each, in order."""
    ids = [getattr(user, "pk", user) for user in users]
    return list(dict.fromkeys(int(i) for i in ids if i is not None))


def notify_after_commit(users: Iterable[Any], *, title: Any, body: Any = "", url: str = "") -> None:
    """Notify `users` (accounts or ids) once the current transaction commits; at once
    when there is none. Texts may be lazy translations: they are rendered now, in the
    language of the change."""
    ids = user_ids(users)
    if not ids or not _WRITER:
        return
    writer = _WRITER[0]
    title_text, body_text = str(title), str(body)
    transaction.on_commit(lambda: writer(ids, title=title_text, body=body_text, url=url))


def managers_of(*, area=None, org=None) -> list[int]:
    """The accounts that manage exactly `area` (a managing role anchored there) or
    `org` (an org-managing role on it), per core.roles: whom a notification about
    something waiting at that place or org is for (not every level above it)."""
    from django.db.models import Q

    from jiceng.accounts.models import RoleAssignment
    from jiceng.core.roles import MANAGING_ROLES, ORG_MANAGING_ROLES

    condition = Q(pk__in=[])
    if area is not None:
        condition |= Q(role__in=MANAGING_ROLES, area=area)
    if org is not None:
        condition |= Q(role__in=ORG_MANAGING_ROLES, org=org)
    rows = RoleAssignment.objects.filter(condition, revoked_at__isnull=True)
    return list(dict.fromkeys(rows.values_list("user_id", flat=True)))
