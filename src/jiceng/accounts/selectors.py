"""Reads of accounts and their roles, limited to what the viewer administers."""

from django.db.models import Q, QuerySet

from jiceng.accounts.models import RoleAssignment
from jiceng.core.scope import scope_for


def assignment_list(
    *, viewer, role: str | None = None, q: str | None = None
) -> QuerySet[RoleAssignment]:
    """Open role assignments anchored inside the territory the viewer manages (on an
    area under one of their managing grants, or on an org located there), the latest
    granted first; `q` finds a username or a name."""
    from jiceng.core.models import Area
    from jiceng.orgs.models import PartyOrg

    scope = scope_for(viewer)
    assignments = RoleAssignment.objects.filter(revoked_at__isnull=True).select_related(
        "user", "area", "org", "org__area"
    )
    paths = scope.managed_area_paths()
    # A grant on the city's root manages all of it: no condition at all.
    if not scope.everything and not any(p.count("/") == 1 for p in paths):
        # By id sets rather than through the joins: an OR across the area's and the
        # org's joins read every assignment of the city (220 ms at city scale).
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(area__in=Area.objects.filter(path__startswith=path))
            condition |= Q(org__in=PartyOrg.objects.filter(area__path__startswith=path))
        assignments = assignments.filter(condition)
    if role:
        assignments = assignments.filter(role=role)
    if q:
        assignments = assignments.filter(
            Q(user__username__icontains=q) | Q(user__full_name__icontains=q)
        )
    return assignments.order_by("-id")  # the latest granted first, by the primary key


def can_administer_accounts(viewer) -> bool:
    scope = scope_for(viewer)
    return scope.manages_territory


def own_assignment_list(*, viewer) -> QuerySet[RoleAssignment]:
    """The viewer's own open role assignments with their anchors: a person always sees
    the roles they hold, whatever their scope."""
    return (
        RoleAssignment.objects.filter(user=viewer, revoked_at__isnull=True)
        .select_related("area", "org")
        .order_by("id")
    )


# ---- second-factor devices ----------------------------------------------------------------


def confirmed_totp_devices(user) -> list:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id"))


def has_confirmed_totp(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user):
    """The device an enrolment started and did not confirm yet, if any."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()


# ---- where the viewer may grant roles -------------------------------------------------------


def grantable_areas(*, viewer, limit: int = 2000) -> list:
    """Areas (buildings excepted) the viewer manages, for the grant form's choices."""
    from jiceng.core.access import can_manage_area
    from jiceng.core.models import Area

    candidates = scope_for(viewer).filter(Area.objects.exclude(level=Area.Level.BUILDING))
    return [a for a in candidates.order_by("path")[:limit] if can_manage_area(viewer, a)]


def grantable_orgs(*, viewer, limit: int = 1000) -> list:
    """Open orgs the viewer manages, for the grant form's choices."""
    from jiceng.orgs.access import can_manage_org
    from jiceng.orgs.models import PartyOrg

    candidates = scope_for(viewer).filter(PartyOrg.objects.filter(closed_on__isnull=True))
    return [o for o in candidates.order_by("path")[:limit] if can_manage_org(viewer, o)]
