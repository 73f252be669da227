"""System tokens: made and revoked by a district's administrators, checked on each call.

A token is shown once, when made, and kept only as a keyed hash (core.crypto's blind
index, SM3-HMAC under JICENG_DATA_KEY), so a copy of the database does not let anyone
call as the system. Each call that presents a token is audited (which token, which
operation) and counted against the token's rate.
"""

import datetime
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.appeals.models import HandlerMembership, HandlingUnit
from jiceng.appeals.services import handler_add, handler_remove
from jiceng.core import crypto, ratelimit
from jiceng.core.audit import audit_record
from jiceng.core.inputs import check_model_text
from jiceng.core.models import Area, AuditEntry
from jiceng.core.roles import SYSTEM_PERMISSIONS
from jiceng.core.scope import SystemPrincipal, act_as_system
from jiceng.core.types import Actor
from jiceng.integrations.access import permissions_for_operation
from jiceng.integrations.errors import (
    MSG_ALREADY_REVOKED,
    MSG_EXPIRES_PAST,
    MSG_NAME,
    MSG_NO_PERMISSION,
    MSG_RATE,
    MSG_TOKEN_OPERATION,
    MSG_UNIT_OUTSIDE,
    MSG_UNIT_REQUIRED,
    RateLimited,
    conflict,
    forbidden,
    invalid,
)
from jiceng.integrations.errors import IntegrationErrorCode as Code
from jiceng.integrations.models import SystemToken
from jiceng.integrations.places import require_district_manager

TOKEN_PREFIX = "jct_"
HASH_PURPOSE = "system_token"
MAX_RATE = 6000


def token_digest(raw: str) -> str:
    return crypto.blind_index(raw, purpose=HASH_PURPOSE)


def _check_unit(unit: HandlingUnit | None, area: Area, update: bool) -> None:
    if update and unit is None:
        raise invalid(MSG_UNIT_REQUIRED, Code.UNIT_REQUIRED, "unit")
    if unit is not None and not unit.area.path.startswith(area.path):
        raise invalid(MSG_UNIT_OUTSIDE, Code.UNIT_OUTSIDE, "unit")


@transaction.atomic
def system_token_create(
    *,
    actor: Actor,
    name: str,
    area: Area,
    permissions: Iterable[str],
    unit: HandlingUnit | None = None,
    expires_at: datetime.datetime | None = None,
    rate_per_minute: int = 120,
) -> tuple[SystemToken, str]:
    """A token for a system in `area` with `permissions` (read, file, update); update
    needs the handling unit whose cases the system works, in the area. Returns (token,
    the token itself): the second is shown once and never stored."""
    require_district_manager(actor, area)
    name = check_model_text(SystemToken, "name", name)
    if not name:
        raise invalid(MSG_NAME, Code.NAME_REQUIRED, "name")
    chosen = set(permissions)
    if not chosen or not chosen <= set(SYSTEM_PERMISSIONS):
        raise invalid(MSG_NO_PERMISSION, Code.NO_PERMISSION, "permissions")
    _check_unit(unit, area, "update" in chosen)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise invalid(MSG_EXPIRES_PAST, Code.EXPIRES_PAST, "expires_at")
    if not 1 <= rate_per_minute <= MAX_RATE:
        raise invalid(MSG_RATE, Code.RATE_INVALID, "rate_per_minute")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    # The system's own account: it can never sign in (no usable password), holds no
    # role, and is what the cases' events and the audit name.
    account = User(username=f"system-{secrets.token_hex(8)}", full_name=f"[系统] {name}"[:50])
    account.set_unusable_password()
    account.save()
    token = SystemToken.objects.create(
        name=name,
        area=area,
        can_read="read" in chosen,
        can_file="file" in chosen,
        can_update="update" in chosen,
        unit=unit,
        account=account,
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        token_hash=token_digest(raw),
        rate_per_minute=rate_per_minute,
        expires_at=expires_at,
        created_at=now,
        created_by=actor,
    )
    # Named after the token once it has its id: the same on every run of the demo.
    account.username = f"system-{token.pk}"
    account.save(update_fields=["username"])
    if token.can_update and unit is not None:
        handler_add(actor=actor, unit=unit, user=account)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.GRANT,
        target=token,
        changes={
            "name": name,
            "area": area.pk,
            "permissions": sorted(chosen),
            "unit": unit.pk if unit else None,
            "expires_at": expires_at,
        },
    )
    return token, raw


@transaction.atomic
def system_token_revoke(*, actor: Actor, token: SystemToken) -> SystemToken:
    """Revoke at once: the next call with it is refused (401), its account is switched
    off and its place among the unit's handlers ended."""
    require_district_manager(actor, token.area)
    token = SystemToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise conflict(MSG_ALREADY_REVOKED, Code.ALREADY_REVOKED)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    User.objects.filter(pk=token.account_id).update(is_active=False)
    for membership in HandlerMembership.objects.filter(
        user_id=token.account_id, ended_at__isnull=True
    ).select_related("unit"):
        handler_remove(actor=actor, membership=membership)
    audit_record(
        actor=actor, action=AuditEntry.Action.REVOKE, target=token, changes={"name": token.name}
    )
    return token


def system_token_authenticate(raw: str, *, method: str, path: str) -> User | None:
    """The account a call with `raw` acts as, with the token's territory and permissions
    attached for this request (core.scope decides what that lets it see); None for an
    unknown, revoked or expired token. Over its rate: 429; an operation its permissions
    do not include: 403. Every call with a live token leaves one audit entry naming the
    token and the operation, never the token itself."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    token = (
        SystemToken.objects.select_related("account", "area")
        .filter(token_hash=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.account.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    operation = f"{method} {path}"[:200]
    allowed = permissions_for_operation(method, path)
    with transaction.atomic():
        audit_record(
            actor=token.account,
            action=AuditEntry.Action.LOGIN,
            target=token,
            changes={"via": "system_token", "operation": operation},
        )
        SystemToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if not ratelimit.hit(
        "system_token", str(token.pk), limit=token.rate_per_minute, window_seconds=60
    ):
        raise RateLimited()
    if not allowed & token.permissions:
        raise forbidden(MSG_TOKEN_OPERATION, Code.TOKEN_OPERATION)
    account = token.account
    act_as_system(
        account,
        SystemPrincipal(
            token_id=token.pk, area_path=token.area.path, permissions=token.permissions
        ),
    )
    return account
