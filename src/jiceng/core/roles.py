"""The roles, and what each may see and do: the one table the rest follows.

Read this module first when you wonder "may a grid worker …?". Every role is bound to
an anchor — a place in the territory (块: a city, district, street, community or grid)
or a party org (条) — and from that anchor the table below says:

- `sees`: the kinds of object the role may see at all (`core.scope` then limits them to
  the anchor's subtree);
- `manages_territory`: changes what lies in the anchor's area (orgs and units located
  there, grids, committees, members' records, dispatching appeals, co-building, the
  community's deliberation, accounts anchored there);
- `manages_orgs_below`: changes the orgs under its own org (a unit org's secretary);
- `administers`: uses the Django admin within its scope;
- `own_records`: also sees the records about the account itself (a member's own file);
- `own_work_only`: kinds the role sees only where its own work is (least privilege): a
  department's staff see the cases dispatched to, summoned to or once handled by their
  handling units, not every case of the district. Each model of such a kind says in its
  `core.scope` registration (`worked_by`) which rows a user's own work touched; a model
  that does not say is not seen at all by such a role.

`core.scope`, `core.access` and `accounts` derive their sets from here; the user guide's
table of roles (docs/user-guide/roles.md) is generated from it by
`jiceng roles_doc --write`, and a test fails when the two differ.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# Kinds of object, each seen by some roles only.
KIND_AREA = "area"
KIND_PARTY_ORG = "party_org"
KIND_UNIT = "unit"
KIND_PEOPLE = "people"  # grid posts, big-committee members, accounts
KIND_MEMBER = "member"  # party members' records: personal data, org-side roles only
KIND_APPEAL = "appeal"  # residents' appeals
KIND_COBUILD = "cobuild"  # co-building: needs, resources, projects, agreements, venues
# The audit log and who saw a person's data: auditors only (MLPS separates the audit
# administrator from those who administer; docs/decisions/0011-auditor-role.md).
KIND_AUDIT = "audit"
# Organizational life: meetings, deliberation, contact points and household visits.
KIND_ORGLIFE = "orglife"
# Dynamic management and supervision: weak-org cases, star ratings, inspections, talks.
KIND_SUPERVISION = "supervision"
# The responsibility system: schemes, assessments, reports, problems and rectification.
KIND_ASSESSMENT = "assessment"
# Dispatch and notification (调度通报): notices and tasks sent down, receipts, reports.
KIND_LINKAGE = "linkage"
# Duty admission (职责下沉准入) and the street's five powers over department field offices.
KIND_DUTY = "duty"

KIND_LABELS = {
    KIND_AREA: _("区域与网格"),
    KIND_PARTY_ORG: _("党组织"),
    KIND_UNIT: _("驻区单位"),
    KIND_PEOPLE: _("人员（网格员岗位、兼职委员、账号）"),
    KIND_MEMBER: _("党员档案"),
    KIND_APPEAL: _("群众诉求"),
    KIND_COBUILD: _("区域化党建"),
    KIND_ORGLIFE: _("组织生活"),
    KIND_SUPERVISION: _("动态管理与督促检查"),
    KIND_ASSESSMENT: _("述职评议考核"),
    KIND_LINKAGE: _("调度通报"),
    KIND_DUTY: _("职责准入与街道五项权力"),
    KIND_AUDIT: _("审计日志"),
}
# Said beside a kind a role sees only where its own work is (the roles table).
OWN_WORK_NOTE = _("（仅本单位经办）")
# Everything but the audit log, which is for auditors (and superusers) only.
ALL_KINDS = frozenset(KIND_LABELS) - {KIND_AUDIT}


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DISTRICT_ADMIN = "district_admin", _("区委组织部管理员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    GRID_WORKER = "grid_worker", _("网格员")
    UNIT_ORG_SECRETARY = "unit_org_secretary", _("单位党组织书记")
    MEMBER = "member", _("党员")
    RESIDENT = "resident", _("居民")
    DEPARTMENT_STAFF = "department_staff", _("职能部门工作人员")
    # Reads the audit log and who saw whose data in its territory; changes nothing.
    AUDITOR = "auditor", _("审计员")


@dataclass(frozen=True)
class RoleRule:
    # "area": bound to a place at one of `levels`; "org": bound to a party org.
    anchor: str
    levels: tuple[str, ...]
    sees: frozenset[str]
    manages_territory: bool = False
    manages_orgs_below: bool = False
    administers: bool = False
    own_records: bool = False
    own_work_only: frozenset[str] = frozenset()


def _territory_staff(level: str) -> RoleRule:
    """The staff of a level of the territory: see everything there, change it, and
    administer it."""
    return RoleRule("area", (level,), ALL_KINDS, manages_territory=True, administers=True)


ROLE_RULES: dict[Role, RoleRule] = {
    Role.CITY_ADMIN: _territory_staff("city"),
    Role.DISTRICT_ADMIN: _territory_staff("district"),
    Role.STREET_STAFF: _territory_staff("street"),
    Role.COMMUNITY_SECRETARY: _territory_staff("community"),
    # Files and follows cases in the grid; sees the orgs and units there to know whom
    # to call, not members' personal records.
    Role.GRID_WORKER: RoleRule(
        "area", ("grid",), frozenset({KIND_AREA, KIND_PARTY_ORG, KIND_UNIT, KIND_APPEAL})
    ),
    Role.UNIT_ORG_SECRETARY: RoleRule(
        "org",
        (),
        frozenset(
            {
                KIND_PARTY_ORG,
                KIND_UNIT,
                KIND_MEMBER,
                KIND_COBUILD,
                KIND_ORGLIFE,
                KIND_ASSESSMENT,
                KIND_LINKAGE,
            }
        ),
        manages_orgs_below=True,
    ),
    Role.MEMBER: RoleRule("org", (), frozenset({KIND_PARTY_ORG}), own_records=True),
    Role.RESIDENT: RoleRule("area", ("community",), frozenset({KIND_AREA})),
    # A department serves a district (or a street); which department is said by the
    # appeals app's handler memberships, which also decide the cases it works: only
    # those (and its own duty applications and requests, and the notices and tasks it
    # sent down with their receipts and reports), never the whole district's.
    Role.DEPARTMENT_STAFF: RoleRule(
        "area",
        ("district", "street"),
        frozenset({KIND_AREA, KIND_APPEAL, KIND_DUTY, KIND_LINKAGE}),
        own_work_only=frozenset({KIND_APPEAL, KIND_DUTY, KIND_LINKAGE}),
    ),
    # Sees the register (masked, to find a person) and the audit of its territory; may
    # change nothing.
    Role.AUDITOR: RoleRule(
        "area",
        ("city", "district"),
        frozenset({KIND_AREA, KIND_PARTY_ORG, KIND_MEMBER, KIND_AUDIT}),
    ),
}

# ---- sets derived from the table, for the code that asks one question ----------------------

ROLE_KINDS: dict[str, frozenset[str]] = {str(r): rule.sees for r, rule in ROLE_RULES.items()}
# Which area levels an area-bound role may be anchored at.
AREA_ROLES: dict[str, tuple[str, ...]] = {
    r: rule.levels for r, rule in ROLE_RULES.items() if rule.anchor == "area"
}
ORG_ROLES = frozenset(r for r, rule in ROLE_RULES.items() if rule.anchor == "org")
# Roles that change the territory and the registries in it.
MANAGING_ROLES = frozenset(str(r) for r, rule in ROLE_RULES.items() if rule.manages_territory)
# Roles that manage the orgs below their own.
ORG_MANAGING_ROLES = frozenset(str(r) for r, rule in ROLE_RULES.items() if rule.manages_orgs_below)
# Roles that administer: the Django admin and changing data in their scope.
STAFF_ROLES = frozenset(r for r, rule in ROLE_RULES.items() if rule.administers)
# Roles that see the records about themselves whatever kinds their role sees otherwise.
SELF_ROLES = frozenset(str(r) for r, rule in ROLE_RULES.items() if rule.own_records)
# The kinds each role sees only where its own work is.
OWN_WORK_KINDS: dict[str, frozenset[str]] = {
    str(r): rule.own_work_only for r, rule in ROLE_RULES.items() if rule.own_work_only
}

# ---- systems: other software acting through a token (integrations) ------------------------
# A system is no person and holds no role assignment: its token names one area and a set
# of permissions, and `core.scope` turns each permission into a grant of one of these
# pseudo-roles anchored at that area. They are never assignable to accounts, so they are
# not members of `Role`. Reading and updating cases need the cases in sight; filing one
# needs only the places (the intake checks that the place is in the system's territory).
SYSTEM_PERMISSIONS = ("read", "file", "update")
SYSTEM_ROLE_FOR_PERMISSION = {
    "read": "system_read",
    "file": "system_file",
    "update": "system_update",
}
ROLE_KINDS.update(
    {
        "system_read": frozenset({KIND_AREA, KIND_APPEAL}),
        "system_file": frozenset({KIND_AREA}),
        "system_update": frozenset({KIND_AREA, KIND_APPEAL}),
    }
)


def roles_markdown() -> str:
    """The table of roles for the user guide, in Chinese, from ROLE_RULES."""
    from django.utils import translation

    from jiceng.core.models import Area

    levels = dict(Area.Level.choices)
    yes = "✓"
    with translation.override("zh-hans"):
        lines = [
            "| 角色 | 绑定到 | 可查看 | 管理辖区 | 管理下级党组织 | 后台 | 本人档案 |",
            "|---|---|---|---|---|---|---|",
        ]
        for role, rule in ROLE_RULES.items():
            if rule.anchor == "area":
                anchor = "、".join(str(levels.get(level, level)) for level in rule.levels)
            else:
                anchor = "党组织"
            seen = "、".join(
                str(KIND_LABELS[k]) + (str(OWN_WORK_NOTE) if k in rule.own_work_only else "")
                for k in KIND_LABELS
                if k in rule.sees
            )
            lines.append(
                f"| {role.label}（`{role.value}`） | {anchor} | {seen} | "
                f"{yes if rule.manages_territory else ''} | "
                f"{yes if rule.manages_orgs_below else ''} | "
                f"{yes if rule.administers else ''} | "
                f"{yes if rule.own_records else ''} |"
            )
    return "\n".join(lines) + "\n"
