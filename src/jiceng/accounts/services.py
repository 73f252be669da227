"""Accounts and role assignments. Granting a role is itself audited."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import AREA_ROLES, ORG_ROLES, Role, RoleAssignment, User
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.scope import forget_scope

MSG_USERNAME = _("用户名须为3到150位字母、数字或 @ . + - _")
MSG_USERNAME_TAKEN = _("该用户名已被使用")
MSG_ROLE = _("角色无效")
MSG_ROLE_ANCHOR_AREA = _("该角色须绑定到相应层级的区域")
MSG_ROLE_ANCHOR_ORG = _("该角色须绑定到党组织")


@transaction.atomic
def user_create(
    *, actor, username: str, password: str, full_name: str = "", check_password: bool = True
) -> User:
    """Create an account. The password must pass the configured rules."""
    username = username.strip()
    if not (3 <= len(username) <= 150) or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise ValidationFailed(MSG_USERNAME, field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(MSG_USERNAME_TAKEN, field="username")
    user = User(username=username, full_name=full_name.strip())
    if check_password:
        try:
            validate_password(password, user)
        except DjangoValidationError as error:
            raise ValidationFailed(" ".join(error.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=user, changes={"username": username}
    )
    return user


@transaction.atomic
def role_grant(
    *, actor, user: User, role: str, area=None, org=None, if_missing: bool = False
) -> RoleAssignment:
    """Bind `user` to `role` on an area or an org. The granter must manage that place."""
    if role not in Role.values:
        raise ValidationFailed(MSG_ROLE, field="role")
    if role in AREA_ROLES:
        if area is None or org is not None or area.level not in AREA_ROLES[role]:
            raise ValidationFailed(MSG_ROLE_ANCHOR_AREA, field="area")
        require_manage_area(actor, area)
    elif role in ORG_ROLES:
        if org is None or area is not None:
            raise ValidationFailed(MSG_ROLE_ANCHOR_ORG, field="org")
        from jiceng.orgs.access import require_manage_org

        require_manage_org(actor, org)
    if actor is not None and actor.pk == user.pk and not actor.is_superuser:
        raise PermissionDenied(_("不能给自己授权"))
    existing = RoleAssignment.objects.filter(
        user=user, role=role, area=area, org=org, revoked_at__isnull=True
    ).first()
    if existing is not None:
        if if_missing:
            return existing
        raise Conflict(_("该用户已有此角色"), field="role")
    assignment = RoleAssignment.objects.create(user=user, role=role, area=area, org=org)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.GRANT,
        target=user,
        changes={"role": role, "area": area.pk if area else None, "org": org.pk if org else None},
    )
    forget_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> RoleAssignment:
    anchor_area = assignment.area
    if anchor_area is not None:
        require_manage_area(actor, anchor_area)
    else:
        from jiceng.orgs.access import require_manage_org

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


def role_revoke_anchor(*, actor, user: User, role: str, area=None, org=None) -> None:
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
    if user.is_superuser and "district_admin" in required:
        return True
    return RoleAssignment.objects.filter(
        user=user, role__in=required, revoked_at__isnull=True
    ).exists()
