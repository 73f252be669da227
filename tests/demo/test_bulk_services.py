"""The bulk services added for the city-scale demo keep the single services' rules."""

import pytest

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.services import (
    RoleGrantRow,
    UserRow,
    role_bulk_grant,
    totp_device_create,
    user_bulk_create,
)
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.orgs.models import GridPost
from jiceng.orgs.services import GridPostRow, grid_post_bulk_assign


def test_user_bulk_create_checks_names_and_audits_once(territory):
    before = AuditEntry.objects.count()
    users = user_bulk_create(
        actor=None, rows=[UserRow("gl_a", "甲"), UserRow("gl_b", "乙", password="Xy-12345678")]
    )
    assert AuditEntry.objects.count() == before + 1
    assert not users["gl_a"].has_usable_password()
    assert users["gl_b"].check_password("Xy-12345678")
    with pytest.raises(Conflict):
        user_bulk_create(actor=None, rows=[UserRow("GL_A")])
    with pytest.raises(Conflict):
        user_bulk_create(actor=None, rows=[UserRow("gl_c"), UserRow("gl_c")])
    with pytest.raises(ValidationFailed):
        user_bulk_create(actor=None, rows=[UserRow("a b")])
    assert not User.objects.filter(username="gl_c").exists()


def test_role_bulk_grant_checks_anchors_and_access_and_skips_held_roles(territory):
    a, users = territory.areas, territory.users
    person = users["nobody"]
    with pytest.raises(ValidationFailed):
        role_bulk_grant(actor=None, rows=[RoleGrantRow(person, "grid_worker", area=a["xh_c1"])])
    with pytest.raises(NotFound):
        role_bulk_grant(
            actor=users["hp_s1_staff"], rows=[RoleGrantRow(person, "resident", area=a["xh_c1"])]
        )
    rows = [RoleGrantRow(person, "resident", area=a["xh_c1"])]
    assert role_bulk_grant(actor=users["xh_s1_staff"], rows=rows) == 1
    assert role_bulk_grant(actor=users["xh_s1_staff"], rows=rows) == 0
    assert RoleAssignment.objects.filter(user=person, role="resident").count() == 1


def test_grid_post_bulk_assign_one_leader_per_grid_and_role_follows(territory):
    a, users = territory.areas, territory.users
    people = user_bulk_create(actor=None, rows=[UserRow("gl_1"), UserRow("gl_2")])
    assert (
        grid_post_bulk_assign(
            actor=users["xh_c1_secretary"],
            rows=[GridPostRow(a["xh_g1"], people["gl_1"], "leader")],
        )
        == 1
    )
    assert RoleAssignment.objects.filter(
        user=people["gl_1"], role="grid_worker", area=a["xh_g1"]
    ).exists()
    with pytest.raises(Conflict):
        grid_post_bulk_assign(actor=None, rows=[GridPostRow(a["xh_g1"], people["gl_2"], "leader")])
    with pytest.raises(Conflict):
        grid_post_bulk_assign(
            actor=None,
            rows=[
                GridPostRow(a["xh_g2"], people["gl_1"], "leader"),
                GridPostRow(a["xh_g2"], people["gl_2"], "leader"),
            ],
        )
    with pytest.raises(ValidationFailed):
        grid_post_bulk_assign(actor=None, rows=[GridPostRow(a["xh_c1"], people["gl_2"], "worker")])
    assert GridPost.objects.filter(user=people["gl_2"]).count() == 0


def test_totp_device_create_only_for_oneself_or_by_the_system(territory):
    users = territory.users
    with pytest.raises(PermissionDenied):
        totp_device_create(actor=users["xh_admin"], user=users["hp_admin"], name="phone")
    device = totp_device_create(actor=users["xh_admin"], user=users["xh_admin"], name="phone")
    assert len(device.key) == 40 and device.confirmed
