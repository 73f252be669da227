"""Shapes of the caller's own account in the JSON API."""

from typing import Literal

from ninja import Schema


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
