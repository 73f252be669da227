"""Keys for other systems filing through Open311: made, revoked, checked by hash."""

import secrets

from django.db import transaction
from django.utils import timezone

from jiceng.appeals import cache
from jiceng.appeals.cache import key_hash
from jiceng.appeals.errors import MSG_KEY_NAME_TAKEN, MSG_KEY_UNKNOWN, MSG_NAME, conflict, invalid
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Open311Key
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
from jiceng.core.validators import clean_text


@transaction.atomic
def open311_key_create(*, actor: Actor, name: str, area: Area | None = None):
    """A new key for another system; returns (key row, the key itself, shown once)."""
    name = clean_text(name)
    if not name:
        raise invalid(MSG_NAME, Code.NAME_REQUIRED, "name")
    if Open311Key.objects.filter(name=name).exists():
        raise conflict(MSG_KEY_NAME_TAKEN, Code.KEY_NAME_TAKEN, "name")
    if area is not None:
        require_manage_area(actor, area)
    raw = secrets.token_urlsafe(32)
    key = Open311Key.objects.create(name=name, prefix=raw[:8], key_hash=key_hash(raw), area=area)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=key, changes={"name": name})
    return key, raw


@transaction.atomic
def open311_key_revoke(*, actor: Actor, name: str):
    key = Open311Key.objects.select_for_update().filter(name=name, revoked_at=None).first()
    if key is None:
        raise invalid(MSG_KEY_UNKNOWN, Code.KEY_UNKNOWN, "name")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    # Other processes refuse it at their next filing (the insert checks the key); this
    # one forgets its cached keys now, so every answer here is already a 403. (Were the
    # revocation rolled back, the key would only be read again.)
    cache.forget_cached()
    audit_record(actor=actor, action=AuditEntry.Action.REVOKE, target=key, changes={"name": name})
    return key


def open311_key_check(raw: str | None):
    """The active key matching `raw`, or None. Compared by hash, so the stored value
    never needs to be the key."""
    if not raw:
        return None
    key = Open311Key.objects.filter(key_hash=key_hash(raw), revoked_at=None).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
