from ninja import Schema


class RoleOut(Schema):
    role: str
    role_display: str
    area_id: int | None
    area_name: str | None
    org_id: int | None
    org_name: str | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[RoleOut]
    totp_required: bool
