"""The demo's accounts: one per role, all with the same published password.

The district admin's role requires TOTP (settings.TOTP_REQUIRED_ROLES), so that account
gets a confirmed device named "demo" whose key is derived from the seed: the secret can
be printed by `jiceng demo-logins` and the current code by `jiceng otp-code`. Both work
only for devices with that name, never for a real person's.
"""

import base64
import hashlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from jiceng.accounts.models import ORG_ROLES, Role, RoleAssignment, User
from jiceng.accounts.services import role_grant, totp_device_create, user_create
from jiceng.core.models import Area
from jiceng.demo.names import person_name
from jiceng.demo.plan import ANCHOR_DATE
from jiceng.orgs.services import grid_post_assign

if TYPE_CHECKING:
    from jiceng.demo.generator import DemoAnchors

DEMO_PASSWORD = "Jiceng-Demo-2026!"
TOTP_DEVICE_NAME = "demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    # Which of DemoAnchors' places or orgs the role is bound to.
    anchor: str


DEMO_ACCOUNTS = (
    DemoAccount("demo_city", Role.CITY_ADMIN, "city"),
    DemoAccount("demo_district", Role.DISTRICT_ADMIN, "district"),
    DemoAccount("demo_street", Role.STREET_STAFF, "street"),
    DemoAccount("demo_community", Role.COMMUNITY_SECRETARY, "community"),
    DemoAccount("demo_grid", Role.GRID_WORKER, "grid"),
    DemoAccount("demo_unit", Role.UNIT_ORG_SECRETARY, "unit_org"),
    DemoAccount("demo_member", Role.MEMBER, "community_org"),
    DemoAccount("demo_resident", Role.RESIDENT, "community"),
    DemoAccount("demo_department", Role.DEPARTMENT_STAFF, "district"),
    DemoAccount("demo_auditor", Role.AUDITOR, "district"),
)
TOTP_USERNAME = "demo_district"


def demo_totp_key(seed: int) -> str:
    """20 bytes, hex, derived from the seed: the same demo always has the same secret."""
    return hashlib.sha256(f"jiceng-demo-totp:{seed}".encode()).hexdigest()[:40]


def totp_secret(hex_key: str) -> str:
    """The base32 secret an authenticator app asks for."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode()


def demo_accounts_create(*, seed: int, anchors: "DemoAnchors") -> dict[str, User]:
    """Create the accounts of DEMO_ACCOUNTS through the account and grid services."""
    rng = random.Random(f"jiceng-demo:{seed}:accounts")
    users: dict[str, User] = {}
    # One published password for all: hashed once (a tenth of the Argon2 work).
    hashed = make_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        user = user_create(
            actor=None,
            username=account.username,
            password=DEMO_PASSWORD,
            full_name=person_name(rng),
            password_hash=hashed,
        )
        anchor = getattr(anchors, account.anchor)
        if account.role == Role.GRID_WORKER:
            # A grid worker is a post in the grid; the post grants the role.
            grid_post_assign(
                actor=None, grid=anchor, user=user, duty="worker", started_on=ANCHOR_DATE
            )
        elif account.role in ORG_ROLES:
            role_grant(actor=None, user=user, role=account.role, org=anchor)
        else:
            role_grant(actor=None, user=user, role=account.role, area=anchor)
        users[account.username] = user
    totp_device_create(
        actor=None,
        user=users[TOTP_USERNAME],
        name=TOTP_DEVICE_NAME,
        key=demo_totp_key(seed),
        confirmed=True,
    )
    return users


@dataclass(frozen=True)
class LoginRow:
    role: str
    username: str
    password: str
    place: str


def demo_login_rows() -> list[LoginRow]:
    """One row per demo account that exists, with the place or org its role is bound to."""
    users = User.objects.in_bulk([a.username for a in DEMO_ACCOUNTS], field_name="username")
    assignments = (
        RoleAssignment.objects.filter(user__in=users.values(), revoked_at__isnull=True)
        .select_related("area", "org", "user")
        .order_by("id")
    )
    assignments = list(assignments)
    # An area is shown with its ancestors below the city (徐汇区 · 湖南路街道 · …), since
    # a grid's own name (第一网格) says little.
    codes = {c for a in assignments if a.area for c in a.area.ancestor_codes()}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    places: dict[tuple[str, str], str] = {}
    for assignment in assignments:
        if assignment.area is not None:
            chain = assignment.area.ancestor_codes()
            place = " · ".join(names[c] for c in (chain[1:] or chain))
        else:
            place = str(assignment.org)
        places.setdefault((assignment.user.username, assignment.role), place)
    rows = []
    for account in DEMO_ACCOUNTS:
        if account.username not in users:
            continue
        rows.append(
            LoginRow(
                role=str(Role(account.role).label),
                username=account.username,
                password=DEMO_PASSWORD,
                place=places.get((account.username, account.role), _("（未授权）")),
            )
        )
    return rows


def demo_totp_device(username: str):
    """The user's TOTP device named "demo", or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (
        TOTPDevice.objects.filter(user__username=username, name=TOTP_DEVICE_NAME)
        .order_by("id")
        .first()
    )


def current_totp_code(device) -> str:
    """The code the device's authenticator app shows now, zero-padded."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def demo_member_link(*, anchors: "DemoAnchors", user: User) -> None:
    """Give the demo member account a record of its own (the first member kept by the
    demo community's org), so /members/me/ shows a real file; through the same service
    a keeping org uses to open a member's account."""
    from jiceng.members.models import Member
    from jiceng.members.services import member_account_link

    member = (
        Member.objects.filter(org=anchors.community_org, account__isnull=True)
        .order_by("pk")
        .first()
    )
    if member is not None:
        member_account_link(actor=None, member=member, user=user)


def jiceng_command() -> str:
    """How to type the `jiceng` command from here, for the hints the commands print.

    The command lives beside the running Python (`.venv/bin/jiceng` after `make run`),
    which is seldom on PATH: print that path, relative to the current folder when it
    lies under it, and the bare name only where no such file exists.
    """
    script = Path(sys.executable).parent / "jiceng"
    if not script.exists():
        return "jiceng"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)
