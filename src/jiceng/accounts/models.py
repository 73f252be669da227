"""Users and their role assignments. A role is bound to an area (块) or an org (条)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DISTRICT_ADMIN = "district_admin", _("区委组织部管理员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    GRID_WORKER = "grid_worker", _("网格员")
    UNIT_ORG_SECRETARY = "unit_org_secretary", _("单位党组织书记")
    MEMBER = "member", _("党员")
    RESIDENT = "resident", _("居民")
    DEPARTMENT_STAFF = "department_staff", _("职能部门工作人员")
    # Reads the audit log and who saw whose data in its territory; changes nothing.
    AUDITOR = "auditor", _("审计员")


# Which anchor each role is bound to, and the area level it must be bound at.
AREA_ROLES = {
    Role.CITY_ADMIN: ("city",),
    Role.DISTRICT_ADMIN: ("district",),
    Role.STREET_STAFF: ("street",),
    Role.COMMUNITY_SECRETARY: ("community",),
    Role.GRID_WORKER: ("grid",),
    Role.RESIDENT: ("community",),
    # A department serves a district (or a street); which department is said by the
    # appeals app's handler memberships.
    Role.DEPARTMENT_STAFF: ("district", "street"),
    Role.AUDITOR: ("city", "district"),
}
ORG_ROLES = {Role.UNIT_ORG_SECRETARY, Role.MEMBER}
# Roles that administer: they may use the Django admin and change data in their scope.
STAFF_ROLES = {
    Role.CITY_ADMIN,
    Role.DISTRICT_ADMIN,
    Role.STREET_STAFF,
    Role.COMMUNITY_SECRETARY,
}


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Set when an administrator chose the password (a new account, a reset): the owner
    # must choose their own before anything else (accounts.middleware).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org = models.ForeignKey(
        "orgs.PartyOrg",
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤权时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(area__isnull=False, org__isnull=True)
                    | Q(area__isnull=True, org__isnull=False)
                ),
                name="accounts_assignment_one_anchor",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_assign_active")]

    def __str__(self) -> str:
        anchor = self.area or self.org
        return f"{self.get_role_display()} · {anchor}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
