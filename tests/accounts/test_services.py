"""Accounts and role assignments: who may grant what where, audit rows, the TOTP rule."""

import pytest

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.services import (
    RoleGrantRow,
    UserRow,
    role_bulk_grant,
    role_grant,
    role_revoke,
    user_bulk_create,
    user_create,
    user_requires_totp,
)
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.scope import scope_for
from jiceng.orgs.models import Unit
from tests.conftest import PASSWORD


def row_counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()


def audit_for(user: User) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(target_type="accounts.user", target_id=str(user.pk)).order_by(
            "id"
        )
    )


# ---- user_create ---------------------------------------------------------------------------


def test_user_create_hashes_the_password_and_audits(db):
    user = user_create(actor=None, username=" wang.fang ", password=PASSWORD, full_name=" 王芳 ")
    assert (user.username, user.full_name) == ("wang.fang", "王芳")
    assert user.check_password(PASSWORD) and PASSWORD not in user.password
    [entry] = audit_for(user)
    assert entry.action == AuditEntry.Action.CREATE and entry.changes == {"username": "wang.fang"}
    assert PASSWORD not in str(entry.changes)
    # Nobody sees anything before a role is granted.
    assert scope_for(user).is_empty


def test_accounts_sharing_a_password_hashed_once_each_log_in_and_rules_still_apply(db):
    from django.contrib.auth.hashers import make_password

    hashed = make_password(PASSWORD)
    users = [
        user_create(actor=None, username=name, password=PASSWORD, password_hash=hashed)
        for name in ("zhang.wei", "li.na")
    ]
    for user in users:
        assert User.objects.get(pk=user.pk).check_password(PASSWORD)
        assert not User.objects.get(pk=user.pk).check_password(PASSWORD + "x")
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=None, username="wang.qiang", password="123", password_hash=hashed)
    assert error.value.field == "password"
    assert row_counts() == before


@pytest.mark.parametrize(
    "username, password, field",
    [
        ("ab", PASSWORD, "username"),
        ("王芳 小号", PASSWORD, "username"),
        ("wang/fang", PASSWORD, "username"),
        ("wangfang", "Ab1!", "password"),  # too short
        ("wangfang", "alllowercaseletters", "password"),  # one character class
        ("wangfang", "Password123", "password"),  # too common
    ],
)
def test_user_create_refusals_name_the_field(db, username, password, field):
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=None, username=username, password=password)
    assert error.value.field == field
    assert row_counts() == before


def test_usernames_are_unique_regardless_of_case(db):
    user_create(actor=None, username="WangFang", password=PASSWORD)
    before = row_counts()
    with pytest.raises(Conflict) as error:
        user_create(actor=None, username="wangfang", password=PASSWORD)
    assert error.value.field == "username"
    assert row_counts() == before


def test_bulk_create_is_all_or_nothing(db):
    user_create(actor=None, username="taken", password=PASSWORD)
    before = row_counts()
    for rows in (
        [UserRow("fresh1"), UserRow("x")],  # bad name
        [UserRow("fresh1"), UserRow("FRESH1")],  # duplicate in the batch
        [UserRow("fresh1"), UserRow("Taken")],  # duplicate of an existing account
    ):
        with pytest.raises((ValidationFailed, Conflict)) as error:
            user_bulk_create(actor=None, rows=rows)
        assert error.value.field == "username"
        assert row_counts() == before
    users = user_bulk_create(
        actor=None, rows=[UserRow("fresh1", "甲", password=PASSWORD), UserRow("fresh2")]
    )
    assert users["fresh1"].pk and users["fresh1"].check_password(PASSWORD)
    assert not users["fresh2"].has_usable_password()
    assert AuditEntry.objects.filter(action="bulk_create", target_type="accounts.user").count() == 1


# ---- role_grant / role_revoke ----------------------------------------------------------------


@pytest.fixture
def newcomer(db) -> User:
    return user_create(actor=None, username="newcomer", password=PASSWORD)


def test_grant_widens_the_scope_at_once_and_is_audited(territory, newcomer):
    secretary = territory.users["xh_c1_secretary"]
    grid = territory.areas["xh_g2"]
    assert not scope_for(newcomer).contains(grid)
    assignment = role_grant(actor=secretary, user=newcomer, role="grid_worker", area=grid)
    assert assignment.is_active and assignment.area == grid
    assert scope_for(newcomer).contains(territory.units["xh_joint2"])
    assert not scope_for(newcomer).contains(territory.units["xh_joint1"])
    entry = audit_for(newcomer)[-1]
    assert entry.action == AuditEntry.Action.GRANT and entry.actor == secretary
    assert entry.changes == {"role": "grid_worker", "area": grid.pk, "org": None}
    # Grid workers do not administer: no admin access.
    newcomer.refresh_from_db()
    assert not newcomer.is_staff


def test_administering_roles_open_the_admin(territory, newcomer):
    role_grant(
        actor=territory.users["xh_admin"],
        user=newcomer,
        role="street_staff",
        area=territory.areas["xh_s2"],
    )
    newcomer.refresh_from_db()
    assert newcomer.is_staff


@pytest.mark.parametrize(
    "role, area_key, org_key, field",
    [
        ("king", "xh_c1", None, "role"),
        ("grid_worker", "xh_c1", None, "area"),  # a grid role on a community
        ("street_staff", "xh_c1", None, "area"),
        ("district_admin", None, "xh_s1_wc", "area"),  # an area role on an org
        ("member", "xh_c1", None, "org"),  # an org role on an area
        ("unit_org_secretary", None, None, "org"),
    ],
)
def test_grant_refusals_name_the_field(territory, newcomer, role, area_key, org_key, field):
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        role_grant(
            actor=None,
            user=newcomer,
            role=role,
            area=territory.areas[area_key] if area_key else None,
            org=territory.orgs[org_key] if org_key else None,
        )
    assert error.value.field == field
    assert row_counts() == before


def test_grants_stay_inside_the_granters_territory(territory, newcomer):
    before = row_counts()
    # Another district's grid: out of sight.
    with pytest.raises(NotFound):
        role_grant(
            actor=territory.users["xh_c1_secretary"],
            user=newcomer,
            role="grid_worker",
            area=territory.areas["hp_g1"],
        )
    # A community secretary cannot appoint street staff for their own street.
    with pytest.raises(NotFound):
        role_grant(
            actor=territory.users["xh_c1_secretary"],
            user=newcomer,
            role="street_staff",
            area=territory.areas["xh_s1"],
        )
    # A grid worker sees the grid but grants nothing in it.
    with pytest.raises(PermissionDenied):
        role_grant(
            actor=territory.users["xh_g1_worker"],
            user=newcomer,
            role="grid_worker",
            area=territory.areas["xh_g1"],
        )
    # Nobody grants themselves a role, even where they may grant it to others.
    staff = territory.users["xh_s1_staff"]
    with pytest.raises(PermissionDenied):
        role_grant(actor=staff, user=staff, role="grid_worker", area=territory.areas["xh_g1"])
    assert row_counts() == before


def test_unit_org_secretary_grants_membership_below_their_org(territory, newcomer):
    secretary = territory.users["xh_unit_secretary"]
    group = territory.orgs["xh_unit_group"]
    role_grant(actor=secretary, user=newcomer, role="member", org=group)
    assert set(scope_for(newcomer).filter(group._meta.model.objects.all())) == {group}
    with pytest.raises(NotFound):
        role_grant(actor=secretary, user=newcomer, role="member", org=territory.orgs["xh_c1_b1"])


def test_a_role_is_held_once(territory, newcomer):
    grid = territory.areas["xh_g1"]
    first = role_grant(actor=None, user=newcomer, role="grid_worker", area=grid)
    before = row_counts()
    with pytest.raises(Conflict) as error:
        role_grant(actor=None, user=newcomer, role="grid_worker", area=grid)
    assert error.value.field == "role"
    assert role_grant(
        actor=None, user=newcomer, role="grid_worker", area=grid, if_missing=True
    ) == (first)
    assert row_counts() == before


def test_revoke_narrows_the_scope_keeps_the_row_and_is_audited_once(territory):
    worker = territory.users["xh_g1_worker"]
    assignment = RoleAssignment.objects.get(user=worker)
    revoked = role_revoke(actor=territory.users["xh_c1_secretary"], assignment=assignment)
    assert revoked.revoked_at is not None and not revoked.is_active
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    # The scope is cached per user object (per request); a fresh one no longer sees it.
    worker = User.objects.get(pk=worker.pk)
    assert scope_for(worker).is_empty
    assert [e.action for e in audit_for(worker)][-1] == AuditEntry.Action.REVOKE
    before = row_counts()
    role_revoke(actor=None, assignment=assignment)  # again: nothing more happens
    assert row_counts() == before
    # The same role can be granted afresh afterwards.
    role_grant(actor=None, user=worker, role="grid_worker", area=territory.areas["xh_g1"])
    # Granting forgets the cached scope of the object it was given.
    assert scope_for(worker).contains(territory.areas["xh_g1"])


def test_revoking_outside_ones_territory_is_not_found(territory):
    assignment = RoleAssignment.objects.get(user=territory.users["hp_s1_staff"])
    with pytest.raises(NotFound):
        role_revoke(actor=territory.users["xh_admin"], assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.is_active


def test_bulk_grant_skips_what_is_held_and_refuses_as_one(territory, newcomer):
    grid, other = territory.areas["xh_g1"], territory.areas["xh_g2"]
    rows = [
        RoleGrantRow(user=newcomer, role="grid_worker", area=grid),
        RoleGrantRow(user=territory.users["xh_g1_worker"], role="grid_worker", area=grid),
    ]
    assert role_bulk_grant(actor=territory.users["xh_c1_secretary"], rows=rows) == 1
    assert role_bulk_grant(actor=None, rows=rows) == 0
    before = row_counts()
    with pytest.raises(NotFound):
        role_bulk_grant(
            actor=territory.users["xh_c1_secretary"],
            rows=[
                RoleGrantRow(user=newcomer, role="grid_worker", area=other),
                RoleGrantRow(user=newcomer, role="grid_worker", area=territory.areas["hp_g1"]),
            ],
        )
    assert row_counts() == before
    assert scope_for(newcomer).filter(Unit.objects.all()).count() == 0  # nothing in xh_g1


# ---- the second factor -----------------------------------------------------------------------


def test_totp_is_required_for_the_roles_the_deployment_names(territory, settings):
    users = territory.users
    settings.TOTP_REQUIRED_ROLES = []
    assert not any(user_requires_totp(u) for u in users.values())
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    required = {key for key, user in users.items() if user_requires_totp(user)}
    # Superusers administer everything, so a rule for district admins covers them too.
    assert required == {"xh_admin", "hp_admin", "superuser"}
    settings.TOTP_REQUIRED_ROLES = ["street_staff", "community_secretary"]
    required = {key for key, user in users.items() if user_requires_totp(user)}
    assert required == {"xh_s1_staff", "hp_s1_staff", "xh_c1_secretary", "xh_c3_secretary"}


def test_a_revoked_role_no_longer_requires_totp(territory, settings):
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    admin = territory.users["xh_admin"]
    role_revoke(actor=None, assignment=RoleAssignment.objects.get(user=admin))
    assert not user_requires_totp(admin)
