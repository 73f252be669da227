"""Shapes of the caller's own account in the JSON API."""

from typing import Literal

from ninja import Field, Schema

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.inputs import model_text, secret_text


class AnchorOut(Schema):
    """Where a role is bound: an area (块) or a party org (条). For an area `level` is its
    territory level; for an org it is the org's kind, the org tree's notion of level."""

    type: Literal["area", "org"]
    id: int
    name: str
    level: str
    level_display: str


class RoleOut(Schema):
    role: str
    role_display: str
    anchor: AnchorOut
    # Flat ids kept beside the anchor so clients that only need an id skip the nesting.
    area_id: int | None
    org_id: int | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[RoleOut]
    totp_required: bool
    totp_verified: bool


class PasswordChangeIn(Schema):
    old_password: secret_text()
    new_password: secret_text()


class AccountIn(Schema):
    """A new account with its first role: `area_id` for territorial roles, `org_id` for
    org roles. The initial password must be changed at first sign-in."""

    username: model_text(User, "username", kind="code")
    full_name: model_text(User, "full_name", kind="name") = ""
    password: secret_text()
    role: model_text(RoleAssignment, "role", kind="code")
    area_id: int | None = None
    org_id: int | None = None


class AssignmentOut(Schema):
    id: int
    user_id: int
    username: str = Field(alias="user.username")
    full_name: str = Field(alias="user.full_name")
    role: str
    role_display: str
    area_id: int | None
    org_id: int | None
    anchor_name: str
    must_change_password: bool = Field(alias="user.must_change_password")

    @staticmethod
    def resolve_role_display(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_anchor_name(obj) -> str:
        return obj.area.name if obj.area_id else obj.org.name


class AccountOut(Schema):
    id: int
    username: str
    full_name: str
    must_change_password: bool


class TemporaryPasswordOut(Schema):
    """Shown once: the server keeps only its hash."""

    user_id: int
    temporary_password: str
