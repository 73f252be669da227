"""Accounts and role assignments (granting a role is itself audited), and the audit entries
of sign-in events: failed and successful sign-ins, second-factor codes, sign-outs."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts import access
from jiceng.accounts.errors import AccountErrorCode as Code
from jiceng.accounts.models import (
    AREA_ROLES,
    ORG_ROLES,
    STAFF_ROLES,
    Role,
    RoleAssignment,
    User,
)
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import forget_scope
from jiceng.core.types import Actor

if TYPE_CHECKING:
    from jiceng.orgs.models import PartyOrg

MSG_USERNAME = _("用户名须为3到150位字母、数字或 @ . + - _")
MSG_USERNAME_TAKEN = _("该用户名已被使用")
MSG_ROLE = _("角色无效")
MSG_ROLE_ANCHOR_AREA = _("该角色须绑定到相应层级的区域")
MSG_ROLE_ANCHOR_ORG = _("该角色须绑定到党组织")
MSG_OLD_PASSWORD = _("原密码不正确")
MSG_SAME_PASSWORD = _("新密码不能与原密码相同")


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    full_name: str = "",
    check_password: bool = True,
    password_hash: str = "",
) -> User:
    """Create an account. The password must pass the configured rules.

    `password_hash`, when given, is `password` as `make_password` already hashed it, for
    accounts that share one published password (the demo's ten): each Argon2 round
    costs about 0.2 s of CPU, and hashing it once saves the other nine. The rules are
    still checked against `password`."""
    username = username.strip()
    if not (3 <= len(username) <= 150) or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise ValidationFailed(MSG_USERNAME, field="username", code=Code.BAD_USERNAME)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(MSG_USERNAME_TAKEN, field="username", code=Code.USERNAME_TAKEN)
    # An account whose password somebody else chose must choose its own at first sign-in;
    # the demo and the test fixtures (no actor) keep theirs.
    user = User(
        username=username, full_name=full_name.strip(), must_change_password=actor is not None
    )
    if check_password:
        _check_password_rules(password, user, field="password")
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=user, changes={"username": username}
    )
    return user


@transaction.atomic
def role_grant(
    *, actor: Actor, user: User, role: str, area=None, org=None, if_missing: bool = False
) -> RoleAssignment:
    """Bind `user` to `role` on an area or an org. The granter must manage that place."""
    if role not in Role.values:
        raise ValidationFailed(MSG_ROLE, field="role", code=Code.BAD_ROLE)
    if role in AREA_ROLES:
        if area is None or org is not None or area.level not in AREA_ROLES[role]:
            raise ValidationFailed(MSG_ROLE_ANCHOR_AREA, field="area", code=Code.ROLE_ANCHOR_AREA)
        require_manage_area(actor, area)
    elif role in ORG_ROLES:
        if org is None or area is not None:
            raise ValidationFailed(MSG_ROLE_ANCHOR_ORG, field="org", code=Code.ROLE_ANCHOR_ORG)
        from jiceng.orgs.access import require_manage_org

        require_manage_org(actor, org)
    if actor is not None and actor.pk == user.pk and not actor.is_superuser:
        raise PermissionDenied(_("不能给自己授权"), code=Code.SELF_GRANT)
    existing = RoleAssignment.objects.filter(
        user=user, role=role, area=area, org=org, revoked_at__isnull=True
    ).first()
    if existing is not None:
        if if_missing:
            return existing
        raise Conflict(_("该用户已有此角色"), field="role", code=Code.ROLE_HELD)
    assignment = RoleAssignment.objects.create(user=user, role=role, area=area, org=org)
    if role in STAFF_ROLES and not user.is_staff:
        # Administering roles may open the (scoped, read-only) admin.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.GRANT,
        target=user,
        changes={"role": role, "area": area.pk if area else None, "org": org.pk if org else None},
    )
    forget_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> RoleAssignment:
    anchor_area = assignment.area
    if anchor_area is not None:
        require_manage_area(actor, anchor_area)
    else:
        from jiceng.orgs.access import require_manage_org

        assert assignment.org is not None  # a role is bound to an area or an org
        require_manage_org(actor, assignment.org)
    if assignment.revoked_at is not None:
        return assignment
    assignment.revoked_at = timezone.now()
    assignment.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REVOKE,
        target=assignment.user,
        changes={"role": assignment.role, "area": assignment.area_id, "org": assignment.org_id},
    )
    forget_scope(assignment.user)
    return assignment


def _check_password_rules(password: str, user: User, *, field: str) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationFailed(
            " ".join(error.messages), field=field, code=Code.PASSWORD_WEAK
        ) from None


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """The signed-in person changes their own password: the old one proves it is them,
    the new one passes the configured rules and differs from the old. Every other
    session of the account ends (Django ties a session to the password hash); the
    caller keeps its own with `update_session_auth_hash`."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise ValidationFailed(MSG_OLD_PASSWORD, field="old_password", code=Code.OLD_PASSWORD)
    if old_password == new_password:
        raise ValidationFailed(MSG_SAME_PASSWORD, field="new_password", code=Code.SAME_PASSWORD)
    _check_password_rules(new_password, user, field="new_password")
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(
        actor=user,
        action=AuditEntry.Action.PASSWORD_CHANGE,
        target=user,
        changes={"forced": actor.must_change_password},
    )
    return user


@transaction.atomic
def password_reset_issue(*, actor: Actor, user: User) -> str:
    """An administrator resets a person's password (forgotten, or a leaver's account
    handed on): a random temporary password, returned once to be handed over in person
    and never stored in clear; the person must change it at the next sign-in. Every
    session of the account ends at once. No e-mail is needed."""
    if not access.can_reset_password(actor, user):
        raise NotFound()
    user = User.objects.select_for_update().get(pk=user.pk)
    temporary = temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action=AuditEntry.Action.PASSWORD_RESET, target=user)
    return temporary


def temporary_password() -> str:
    """16 characters from four classes, without look-alikes (0/O, 1/l/I), so it can be
    read aloud or copied from a screen; it passes the password rules."""
    import secrets

    lower, upper, digits, symbols = (
        "abcdefghjkmnpqrstuvwxyz",
        "ABCDEFGHJKMNPQRSTUVWXYZ",
        "23456789",
        "-_!#%+",
    )
    alphabet = lower + upper + digits + symbols
    while True:
        chars = [secrets.choice(alphabet) for _ in range(16)]
        if (
            any(c in lower for c in chars)
            and any(c in upper for c in chars)
            and any(c in digits for c in chars)
            and any(c in symbols for c in chars)
        ):
            return "".join(chars)


@transaction.atomic
def account_create(
    *, actor: Actor, username: str, password: str, full_name: str, role: str, area=None, org=None
) -> User:
    """An administrator opens an account with its first role, as one step: both or
    neither. The person must change the password at first sign-in."""
    user = user_create(actor=actor, username=username, password=password, full_name=full_name)
    role_grant(
        actor=actor,
        user=user,
        role=role,
        area=area if role in AREA_ROLES else None,
        org=org if role in ORG_ROLES else None,
    )
    return user


def role_revoke_anchor(*, actor: Actor, user: User, role: str, area=None, org=None) -> None:
    for assignment in RoleAssignment.objects.filter(
        user=user, role=role, area=area, org=org, revoked_at__isnull=True
    ):
        role_revoke(actor=actor, assignment=assignment)


def user_requires_totp(user: User) -> bool:
    """A deployment names in TOTP_REQUIRED_ROLES the roles that must pass a second factor."""
    from django.conf import settings

    required = set(settings.TOTP_REQUIRED_ROLES)
    if not required:
        return False
    if user.is_superuser and Role.DISTRICT_ADMIN in required:
        return True
    return RoleAssignment.objects.filter(
        user=user, role__in=required, revoked_at__isnull=True
    ).exists()


# ---- bulk writes and second-factor devices for the demo and imports --------------------------


@dataclass(frozen=True)
class UserRow:
    username: str
    full_name: str = ""
    # None gives an unusable password: the account exists (grid leaders, say) but nobody
    # signs in with it until an administrator sets one.
    password: str | None = None


def user_bulk_create(
    *, actor: Actor, rows: Sequence[UserRow], batch_size: int = 2000
) -> dict[str, User]:
    """Create many accounts at once; returns them by username. All or nothing.

    Usernames are checked like `user_create`; passwords given here are hashed as
    configured but not run through the password rules (imports carry initial passwords
    that the person must change). One audit entry records the batch."""
    users: list[User] = []
    seen: set[str] = set()
    with transaction.atomic():
        for row in rows:
            username = row.username.strip()
            if not (3 <= len(username) <= 150) or not all(
                c.isalnum() or c in "@.+-_" for c in username
            ):
                raise ValidationFailed(MSG_USERNAME, field="username", code=Code.BAD_USERNAME)
            if username.lower() in seen:
                raise Conflict(MSG_USERNAME_TAKEN, field="username", code=Code.USERNAME_TAKEN)
            seen.add(username.lower())
            user = User(
                username=username,
                full_name=row.full_name.strip(),
                must_change_password=actor is not None and row.password is not None,
            )
            user.set_password(row.password)
            users.append(user)
        names = sorted(seen)
        for start in range(0, len(names), 5000):
            chunk = names[start : start + 5000]
            if User.objects.filter(username__in=chunk).exists():
                raise Conflict(MSG_USERNAME_TAKEN, field="username", code=Code.USERNAME_TAKEN)
        User.objects.bulk_create(users, batch_size=batch_size)
        if users:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="accounts.user",
                target_label=f"{len(users)} users",
                changes={"count": len(users)},
            )
    if any(u.pk is None for u in users):  # databases that do not return ids on insert
        by_name = User.objects.in_bulk([u.username for u in users], field_name="username")
        return {u.username: by_name[u.username] for u in users}
    return {u.username: u for u in users}


@dataclass(frozen=True)
class RoleGrantRow:
    user: User
    role: str
    area: Area | None = None
    org: "PartyOrg | None" = None


def role_bulk_grant(*, actor: Actor, rows: Sequence[RoleGrantRow], batch_size: int = 2000) -> int:
    """Grant many roles at once with the checks of `role_grant`; one audit entry.

    An assignment the user already holds is skipped (like `if_missing=True`), so an
    import can be run again. Returns the number of new assignments."""
    from jiceng.orgs.access import require_manage_org

    checked: set[tuple[str, int]] = set()
    assignments = []
    with transaction.atomic():
        user_ids = sorted({row.user.pk for row in rows})
        held: set[tuple[int, str, int | None, int | None]] = set()
        for start in range(0, len(user_ids), 5000):
            held.update(
                RoleAssignment.objects.filter(
                    user_id__in=user_ids[start : start + 5000], revoked_at__isnull=True
                ).values_list("user_id", "role", "area_id", "org_id")
            )
        for row in rows:
            if row.role not in Role.values:
                raise ValidationFailed(MSG_ROLE, field="role", code=Code.BAD_ROLE)
            if row.role in AREA_ROLES:
                if row.area is None or row.org is not None:
                    raise ValidationFailed(
                        MSG_ROLE_ANCHOR_AREA, field="area", code=Code.ROLE_ANCHOR_AREA
                    )
                if row.area.level not in AREA_ROLES[row.role]:
                    raise ValidationFailed(
                        MSG_ROLE_ANCHOR_AREA, field="area", code=Code.ROLE_ANCHOR_AREA
                    )
                if ("area", row.area.pk) not in checked:
                    require_manage_area(actor, row.area)
                    checked.add(("area", row.area.pk))
            else:
                if row.org is None or row.area is not None:
                    raise ValidationFailed(
                        MSG_ROLE_ANCHOR_ORG, field="org", code=Code.ROLE_ANCHOR_ORG
                    )
                if ("org", row.org.pk) not in checked:
                    require_manage_org(actor, row.org)
                    checked.add(("org", row.org.pk))
            if actor is not None and actor.pk == row.user.pk and not actor.is_superuser:
                raise PermissionDenied(_("不能给自己授权"), code=Code.SELF_GRANT)
            key = (
                row.user.pk,
                row.role,
                row.area.pk if row.area is not None else None,
                row.org.pk if row.org is not None else None,
            )
            if key in held:
                continue
            held.add(key)
            assignments.append(
                RoleAssignment(user=row.user, role=row.role, area=row.area, org=row.org)
            )
        RoleAssignment.objects.bulk_create(assignments, batch_size=batch_size)
        staff_ids = {a.user_id for a in assignments if a.role in STAFF_ROLES}
        if staff_ids:
            User.objects.filter(pk__in=staff_ids, is_staff=False).update(is_staff=True)
        if assignments:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.GRANT,
                target_type="accounts.roleassignment",
                target_label=f"{len(assignments)} role assignments",
                changes={"count": len(assignments)},
            )
    for row in rows:
        forget_scope(row.user)
    return len(assignments)


@transaction.atomic
def totp_device_create(
    *, actor: Actor, user: User, name: str, key: str | None = None, confirmed: bool = True
):
    """Give `user` a TOTP device. `key` (hex) is for the demo, whose secret must be known
    in advance; everyone else gets a random key and confirms it by entering a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

    if actor is not None and not actor.is_superuser and actor.pk != user.pk:
        raise PermissionDenied()
    device = TOTPDevice.objects.create(
        user=user, name=name, key=key or default_key(), confirmed=confirmed
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.OTP,
        target=user,
        changes={"device": name, "confirmed": confirmed},
    )
    return device


@transaction.atomic
def totp_device_confirm(*, actor: Actor, device, code: str) -> bool:
    """Confirm a new device with one code it produced, so that a secret scanned wrongly
    never becomes the only way into the account. Returns False for a wrong code; the
    device's own throttling counts the failure and delays the next attempt."""
    if actor is not None and not actor.is_superuser and actor.pk != device.user_id:
        raise PermissionDenied()
    if device.confirmed:
        return True
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.OTP,
        target=device.user,
        changes={"device": device.name, "confirmed": True},
    )
    return True


# ---- sign-in events (written by the sign-in pages) ------------------------------------------


def login_failure_record(*, username: str, locked_out: bool, throttled: str = "") -> None:
    """A refused sign-in. The typed name is recorded only when it names an account: a
    password typed into the username field must not end up in the log."""
    account = User.objects.filter(username=username).first()
    changes: dict[str, object] = {"locked_out": locked_out, "known_account": account is not None}
    if throttled:
        changes["throttled"] = throttled
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        target=account,
        target_type=None if account else "accounts.user",
        changes=changes,
    )


def login_record(*, user: User) -> None:
    """A password sign-in that succeeded (the second factor, where required, follows)."""
    audit_record(actor=user, action=AuditEntry.Action.LOGIN, target=user)


def otp_attempt_record(*, user: User, verified: bool, throttled: bool = False) -> None:
    """A second-factor code entered: accepted, or refused (wrong, or while throttled)."""
    changes = {"verified": True} if verified else {"verified": False, "throttled": throttled}
    audit_record(actor=user, action=AuditEntry.Action.OTP, target=user, changes=changes)


def logout_record(*, user: User) -> None:
    audit_record(actor=user, action=AuditEntry.Action.LOGOUT, target=user)
