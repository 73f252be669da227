"""The table of roles is the one source: the scope, the access predicates and the user
guide all follow it."""

import pytest
from django.core.management import CommandError, call_command

from jiceng.core import roles
from jiceng.core.management.commands import roles_doc
from jiceng.core.roles import ROLE_RULES, Role


def test_every_role_has_one_rule():
    assert set(ROLE_RULES) == set(Role)


def test_derived_sets_are_what_the_apps_relied_on():
    # The sets the apps used before the table existed, spelled out: a change to the table
    # that alters who may do what must change this test too, on purpose.
    assert {
        "city_admin",
        "district_admin",
        "street_staff",
        "community_secretary",
    } == roles.MANAGING_ROLES
    assert {"unit_org_secretary"} == roles.ORG_MANAGING_ROLES
    assert {Role.UNIT_ORG_SECRETARY, Role.MEMBER} == roles.ORG_ROLES
    assert roles.STAFF_ROLES == roles.MANAGING_ROLES
    assert {"member"} == roles.SELF_ROLES
    assert roles.AREA_ROLES["department_staff"] == ("district", "street")
    assert roles.KIND_AUDIT not in roles.ALL_KINDS
    assert roles.ROLE_KINDS["auditor"] >= {roles.KIND_AUDIT, roles.KIND_MEMBER}
    assert roles.ROLE_KINDS["grid_worker"].isdisjoint({roles.KIND_MEMBER, roles.KIND_PEOPLE})


def test_only_org_roles_have_no_levels():
    for role, rule in ROLE_RULES.items():
        assert (rule.anchor == "org") == (not rule.levels), role


def test_user_guide_table_is_current():
    call_command("roles_doc", "--check")


def test_user_guide_check_fails_when_the_table_differs(tmp_path, monkeypatch):
    stale = tmp_path / "roles.md"
    text = roles_doc.DOC.read_text(encoding="utf-8")
    changed = text.replace("网格员（`grid_worker`）", "网格（`grid_worker`）")
    assert changed != text
    stale.write_text(changed, encoding="utf-8")
    monkeypatch.setattr(roles_doc, "DOC", stale)
    with pytest.raises(CommandError):
        call_command("roles_doc", "--check")
    call_command("roles_doc", "--write")
    assert stale.read_text(encoding="utf-8") == text
