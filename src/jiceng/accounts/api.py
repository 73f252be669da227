"""The caller's own account in the JSON API: who is calling and what their roles are."""

from django.http import HttpRequest
from ninja import Router

from jiceng.accounts import schemas
from jiceng.accounts.models import Role, RoleAssignment
from jiceng.accounts.selectors import own_assignment_list
from jiceng.accounts.services import user_requires_totp

router = Router(tags=["me 当前用户"])


def _role(assignment: RoleAssignment) -> dict:
    if assignment.area_id:
        area = assignment.area
        anchor = {
            "type": "area",
            "id": area.pk,
            "name": area.name,
            "level": area.level,
            "level_display": str(area.get_level_display()),
        }
    else:
        org = assignment.org
        anchor = {
            "type": "org",
            "id": org.pk,
            "name": org.name,
            "level": org.kind,
            "level_display": str(org.get_kind_display()),
        }
    return {
        "role": assignment.role,
        "role_display": str(Role(assignment.role).label),
        "anchor": anchor,
        "area_id": assignment.area_id,
        "org_id": assignment.org_id,
    }


@router.get("", response=schemas.MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict:
    """Who is calling, each role with the area or org it is bound to, and whether the
    deployment requires a second factor for them: a client decides what to offer from it
    without guessing the scope."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "totp_required": user_requires_totp(user),
        "totp_verified": bool(is_verified()) if callable(is_verified) else False,
        "roles": [_role(a) for a in own_assignment_list(viewer=user)],
    }
