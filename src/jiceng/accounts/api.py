from ninja import Router

from jiceng.accounts import schemas
from jiceng.accounts.models import Role
from jiceng.accounts.services import user_requires_totp

router = Router(tags=["me 当前用户"])


@router.get("", response=schemas.MeOut)
def me(request):
    """Who is calling, with each role and the place or org it is bound to."""
    user = request.user
    rows = user.assignments.filter(revoked_at__isnull=True).select_related("area", "org")
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "totp_required": user_requires_totp(user),
        "roles": [
            {
                "role": r.role,
                "role_display": str(Role(r.role).label),
                "area_id": r.area_id,
                "area_name": r.area.name if r.area_id else None,
                "org_id": r.org_id,
                "org_name": r.org.name if r.org_id else None,
            }
            for r in rows.order_by("id")
        ],
    }
