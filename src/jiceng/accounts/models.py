"""Users and their role assignments. A role is bound to an area (块) or an org (条)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The roles and what each may do are declared once, in core.roles (the table of roles).
from jiceng.core.roles import AREA_ROLES, ORG_ROLES, STAFF_ROLES, Role  # noqa: F401


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
