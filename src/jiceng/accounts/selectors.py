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


def areas_to_grant(*, viewer) -> QuerySet:
    """Areas (buildings excepted) the viewer sees, in the tree's order: the account
    form's picker ("grantable-areas") offers those the viewer manages."""
    from jiceng.core.models import Area

    areas = Area.objects.exclude(level=Area.Level.BUILDING)
    return scope_for(viewer).filter(areas).order_by("path")


def orgs_to_grant(*, viewer) -> QuerySet:
    """Open orgs the viewer sees, in the tree's order: the account form's picker
    ("grantable-orgs") offers those the viewer manages."""
    from jiceng.orgs.models import PartyOrg

    orgs = PartyOrg.objects.filter(closed_on__isnull=True)
    return scope_for(viewer).filter(orgs).order_by("path")


def grantable_levels(*, viewer) -> set[str]:
    """The levels of the areas the viewer may grant a role on (those the picker
    "grantable-areas" offers), without listing them: the levels of the viewer's managing
    grants and those below, each kept when an area of it lies in the territory (one
    short query a level)."""
    from jiceng.core.models import Area

    scope = scope_for(viewer)
    order = [level for level, _label in Area.Level.choices if level != Area.Level.BUILDING]
    areas = areas_to_grant(viewer=viewer)
    if not scope.everything:
        paths = scope.managed_area_paths()
        if not paths:
            return set()
        under = Q(pk__in=[])
        for path in paths:
            under |= Q(path__startswith=path)
        areas = areas.filter(under)
        tops = set(Area.objects.filter(path__in=paths).values_list("level", flat=True))
        order = order[min((order.index(t) for t in tops if t in order), default=len(order)) :]
    return {level for level in order if areas.filter(level=level).exists()}
