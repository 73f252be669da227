"""The caller's own account in the JSON API: who is calling and what their roles are."""

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from ninja import Router, Status

from jiceng.accounts import schemas
from jiceng.accounts.access import get_account_for_reset
from jiceng.accounts.api_auth import PasswordChangeSessionAuth
from jiceng.accounts.models import AREA_ROLES, ORG_ROLES, Role, RoleAssignment
from jiceng.accounts.selectors import assignment_list, can_administer_accounts, own_assignment_list
from jiceng.accounts.services import (
    account_create,
    password_change,
    password_reset_issue,
    role_revoke,
    user_requires_totp,
)
from jiceng.core.errors import NotFound
from jiceng.core.pagination import paginate

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


# ---- the caller's own password -------------------------------------------------------------


@router.post(
    "/password",
    response={204: None},
    auth=PasswordChangeSessionAuth(),
    summary="修改本人密码",
)
def password_change_op(request: HttpRequest, payload: schemas.PasswordChangeIn):
    """Old password, new password (the configured rules). Other sessions of the account
    end; this one continues. Clears a pending forced change."""
    user = password_change(
        actor=request.user, old_password=payload.old_password, new_password=payload.new_password
    )
    update_session_auth_hash(request, user)
    return Status(204, None)


# ---- account administration (the pages under /accounts/users/) ------------------------------

accounts_router = Router(tags=["accounts 账号管理"])


def _require_admin(user) -> None:
    if not can_administer_accounts(user):
        raise NotFound()


@accounts_router.get("", response=list[schemas.AssignmentOut], summary="辖区内的账号与角色")
@paginate
def account_list_op(request: HttpRequest, role: str | None = None):
    _require_admin(request.user)
    return assignment_list(viewer=request.user, role=role)


@accounts_router.post("", response={201: schemas.AccountOut}, summary="新建账号并授予角色")
def account_create_op(request: HttpRequest, payload: schemas.AccountIn):
    """Same service and refusals as the page; the person changes the password at first
    sign-in."""
    from jiceng.core.access import get_area_for_manage
    from jiceng.orgs.access import get_org_for_manage

    _require_admin(request.user)
    area = org = None
    if payload.role in AREA_ROLES and payload.area_id is not None:
        area = get_area_for_manage(request.user, payload.area_id)
    if payload.role in ORG_ROLES and payload.org_id is not None:
        org = get_org_for_manage(request.user, payload.org_id)
    user = account_create(
        actor=request.user,
        username=payload.username,
        password=payload.password,
        full_name=payload.full_name,
        role=payload.role,
        area=area,
        org=org,
    )
    return Status(201, user)


@accounts_router.post(
    "/roles/{assignment_id}/revoke", response=schemas.AssignmentOut, summary="撤销角色"
)
def role_revoke_op(request: HttpRequest, assignment_id: int):
    _require_admin(request.user)
    assignment = assignment_list(viewer=request.user).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound()
    return role_revoke(actor=request.user, assignment=assignment)


@accounts_router.post(
    "/{user_id}/password-reset",
    response=schemas.TemporaryPasswordOut,
    summary="重置密码（临时密码只返回一次）",
)
def password_reset_op(request: HttpRequest, user_id: int):
    account = get_account_for_reset(request.user, user_id)
    temporary = password_reset_issue(actor=request.user, user=account)
    return {"user_id": account.pk, "temporary_password": temporary}
