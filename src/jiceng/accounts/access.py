"""Who may act on whose account."""

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.errors import NotFound


def can_reset_password(actor, user: User) -> bool:
    """An administrator may reset the password of an account whose every active role
    lies in a place they manage; never their own (that is a change) and never a
    superuser's unless they are one."""
    from jiceng.accounts.selectors import can_administer_accounts
    from jiceng.core.access import can_manage_area
    from jiceng.orgs.access import can_manage_org

    if actor is None or actor.pk == user.pk:
        return False
    if actor.is_superuser:
        return True
    if user.is_superuser or not can_administer_accounts(actor):
        return False
    assignments = list(
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).select_related(
            "area", "org"
        )
    )
    if not assignments:
        return False
    return all(
        can_manage_area(actor, a.area) if a.area_id else can_manage_org(actor, a.org)
        for a in assignments
    )


def get_account_for_reset(actor, user_id) -> User:
    """The account whose password `actor` may reset; any other (missing, out of reach,
    the actor's own) answers 404 alike, so the id tells nothing about who exists."""
    account = User.objects.filter(pk=user_id).first()
    if account is None or not can_reset_password(actor, account):
        raise NotFound()
    return account
