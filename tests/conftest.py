"""Shared fixtures. `territory` is the one named, hand-built fixture every app's tests use:
two districts, each with streets, communities and grids; orgs and units placed so that
coverage numbers are known by hand; one account per role, each bound to a known place.
"""

import datetime
import os
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import pytest
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# The suite shares two cores with whatever else runs (CI, other suites): how fast
# Hypothesis draws inputs or runs one example is no property of the code under test, so
# neither is judged. The examples and their assertions stay as each test declares them.
hypothesis_settings.register_profile(
    "jiceng", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("jiceng")

os.environ.setdefault("JICENG_TESTING", "1")

PASSWORD = "Test-Passw0rd!"


@pytest.fixture(autouse=True)
def _fresh_intake_cache():
    # Each test builds its own keys, categories and places; on SQLite a rolled-back
    # test's ids come back, so a cached row of the last test would be a wrong one.
    from jiceng.appeals.intake import forget_cached

    forget_cached()
    yield
    forget_cached()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate limits live in the process's cache, keyed by client address; every test's
    # client is 127.0.0.1, so without this the tenth rating of a worker's run is refused
    # (a test that passes alone and fails in the full suite).
    from django.core.cache import cache

    cache.clear()
    yield


# What an access log would hold of a request: its path and query string. A whole ID
# number or mobile number there is personal data in a URL (DESIGN, "nothing personal in
# logs or URLs"). Every request every test makes is checked after the test.
PERSONAL_NUMBER_IN_URL = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?!\d)")


@pytest.fixture(autouse=True)
def _no_personal_numbers_in_urls(request):
    from django.core.signals import request_started

    seen: list[str] = []

    def record(sender, environ=None, **kwargs):
        if environ is not None:
            query = environ.get("QUERY_STRING", "")
            seen.append(environ.get("PATH_INFO", "") + (f"?{query}" if query else ""))

    request_started.connect(record, weak=False)
    yield seen
    request_started.disconnect(record)
    leaked = [url for url in seen if PERSONAL_NUMBER_IN_URL.search(unquote(url))]
    assert not leaked, f"personal numbers in URLs (an access log would keep them): {leaked}"


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    # Argon2 is deliberately slow; tests log in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TOTP_REQUIRED_ROLES = []
    settings.AXES_ENABLED = False
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _audit_evidence_dir(settings, tmp_path):
    # Checkpoints, segments and the signing key of each test go to its own folder, never
    # to the working copy's var/audit.
    settings.AUDIT_DIR = tmp_path / "audit"
    settings.AUDIT_CHECKPOINT_FILE = ""
    settings.AUDIT_SIGNING_KEY_FILE = ""
    settings.AUDIT_VERIFY_KEY_FILE = ""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Territory:
    areas: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def client_for(self, client, role_key: str):
        client.force_login(self.users[role_key])
        return client


def build_territory() -> Territory:
    """City 上海 → districts 徐汇 (xh) and 黄浦 (hp).

    xh: street xh_s1 (communities xh_c1 with grids xh_g1/xh_g2, xh_c2), street xh_s2
    (community xh_c3). hp: street hp_s1 (community hp_c1, grid hp_g1).
    """
    from jiceng.accounts.services import role_grant, user_create
    from jiceng.appeals.taxonomy import ensure_categories
    from jiceng.core.services import area_create
    from jiceng.orglife.requirements import ensure_requirements
    from jiceng.orgs import services as org_services
    from jiceng.orgs.models import PartyOrg, Unit

    # Transactional tests (the browser tests) flush the database, seeded rows included.
    ensure_categories()
    ensure_requirements()
    t = Territory()
    a = t.areas
    a["city"] = area_create(
        actor=None, parent=None, code="310000000000", name="上海市", level="city"
    )
    a["xh"] = area_create(
        actor=None, parent=a["city"], code="310104000000", name="徐汇区", level="district"
    )
    a["hp"] = area_create(
        actor=None, parent=a["city"], code="310101000000", name="黄浦区", level="district"
    )
    a["xh_s1"] = area_create(
        actor=None, parent=a["xh"], code="310104003000", name="湖南路街道", level="street"
    )
    a["xh_s2"] = area_create(
        actor=None, parent=a["xh"], code="310104004000", name="天平路街道", level="street"
    )
    a["hp_s1"] = area_create(
        actor=None, parent=a["hp"], code="310101002000", name="南京东路街道", level="street"
    )
    a["xh_c1"] = area_create(
        actor=None,
        parent=a["xh_s1"],
        code="310104003001",
        name="复兴西路社区居委会",
        level="community",
    )
    a["xh_c2"] = area_create(
        actor=None,
        parent=a["xh_s1"],
        code="310104003002",
        name="武康路社区居委会",
        level="community",
    )
    a["xh_c3"] = area_create(
        actor=None,
        parent=a["xh_s2"],
        code="310104004001",
        name="东平路社区居委会",
        level="community",
    )
    a["hp_c1"] = area_create(
        actor=None,
        parent=a["hp_s1"],
        code="310101002001",
        name="贵州路社区居委会",
        level="community",
    )
    a["xh_g1"] = area_create(
        actor=None, parent=a["xh_c1"], code="310104003001001", name="第一网格", level="grid"
    )
    a["xh_g2"] = area_create(
        actor=None, parent=a["xh_c1"], code="310104003001002", name="第二网格", level="grid"
    )
    a["hp_g1"] = area_create(
        actor=None, parent=a["hp_c1"], code="310101002001001", name="第一网格", level="grid"
    )

    o = t.orgs
    o["xh_s1_wc"] = org_services.org_create(
        actor=None,
        name="湖南路街道党工委",
        kind=PartyOrg.Kind.WORKING_COMMITTEE,
        domain=PartyOrg.Domain.COMMUNITY,
        area=a["xh_s1"],
    )
    o["xh_c1_gb"] = org_services.org_create(
        actor=None,
        name="复兴西路社区党总支",
        kind=PartyOrg.Kind.GENERAL_BRANCH,
        domain=PartyOrg.Domain.COMMUNITY,
        area=a["xh_c1"],
        parent=o["xh_s1_wc"],
    )
    o["xh_c1_b1"] = org_services.org_create(
        actor=None,
        name="复兴西路社区第一党支部",
        kind=PartyOrg.Kind.BRANCH,
        domain=PartyOrg.Domain.COMMUNITY,
        area=a["xh_g1"],
        parent=o["xh_c1_gb"],
    )
    o["xh_joint"] = org_services.org_create(
        actor=None,
        name="湖南路街道非公企业联合党支部",
        kind=PartyOrg.Kind.JOINT_BRANCH,
        domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
        form=PartyOrg.Form.JOINT,
        area=a["xh_c1"],
        parent=o["xh_s1_wc"],
    )
    o["xh_unit_org"] = org_services.org_create(
        actor=None,
        name="上海徐汇某科技有限公司党支部",
        kind=PartyOrg.Kind.BRANCH,
        domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
        area=a["xh_c1"],
        parent=o["xh_s1_wc"],
    )
    o["xh_unit_group"] = org_services.org_create(
        actor=None,
        name="研发部党小组",
        kind=PartyOrg.Kind.GROUP,
        domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
        area=a["xh_c1"],
        parent=o["xh_unit_org"],
    )
    o["hp_s1_wc"] = org_services.org_create(
        actor=None,
        name="南京东路街道党工委",
        kind=PartyOrg.Kind.WORKING_COMMITTEE,
        domain=PartyOrg.Domain.COMMUNITY,
        area=a["hp_s1"],
    )
    o["hp_c1_b"] = org_services.org_create(
        actor=None,
        name="贵州路社区党支部",
        kind=PartyOrg.Kind.BRANCH,
        domain=PartyOrg.Domain.COMMUNITY,
        area=a["hp_c1"],
        parent=o["hp_s1_wc"],
    )

    # Units, with coverage known by hand. In xh_c1: own (1), joint (2), uncovered (3,
    # of which one must form its own org and one is new). In hp_c1: one uncovered.
    u = t.units
    old = timezone.now() - datetime.timedelta(days=400)
    specs = [
        (
            "xh_own",
            "上海徐汇某科技有限公司",
            "91310104MA1FL0001X",
            a["xh_c1"],
            120,
            8,
            o["xh_unit_org"],
            None,
            old,
        ),
        (
            "xh_joint1",
            "上海武康咖啡有限公司",
            "91310104MA1FL0002X",
            a["xh_c1"],
            15,
            1,
            None,
            o["xh_joint"],
            old,
        ),
        (
            "xh_joint2",
            "上海复兴文化传播有限公司",
            "91310104MA1FL0003X",
            a["xh_g2"],
            9,
            2,
            None,
            o["xh_joint"],
            old,
        ),
        (
            "xh_must",
            "上海湖南路设计事务所有限公司",
            "91310104MA1FL0004X",
            a["xh_c2"],
            40,
            4,
            None,
            None,
            old,
        ),
        (
            "xh_new",
            "上海徐汇新开便利店有限公司",
            "91310104MA1FL0005X",
            a["xh_c3"],
            6,
            0,
            None,
            None,
            timezone.now() - datetime.timedelta(days=3),
        ),
        ("xh_plain", "上海天平路洗衣店", "92310104MA1FL0006X", a["xh_c3"], 3, 0, None, None, old),
        (
            "hp_plain",
            "上海南京东路餐饮有限公司",
            "91310101MA1FL0007X",
            a["hp_c1"],
            30,
            1,
            None,
            None,
            old,
        ),
    ]
    from jiceng.core.validators import uscc_check_character

    for key, name, code, area, employees, members, own, covering, registered in specs:
        code = code[:17] + uscc_check_character(code[:17])
        unit = org_services.unit_create(
            actor=None,
            name=name,
            uscc=code,
            kind=Unit.Kind.PRIVATE_ENTERPRISE,
            area=area,
            employees=employees,
            formal_members=members,
            own_org=own,
            covering_org=covering,
        )
        Unit.objects.filter(pk=unit.pk).update(registered_at=registered)
        unit.refresh_from_db()
        u[key] = unit

    users = t.users

    def make(key: str, role: str, area=None, org=None, superuser: bool = False):
        user = user_create(
            actor=None, username=key, password=PASSWORD, full_name=key, check_password=False
        )
        if superuser:
            user.is_superuser = True
            user.is_staff = True
            user.save()
        elif role:
            role_grant(actor=None, user=user, role=role, area=area, org=org)
        users[key] = user
        return user

    make("superuser", "", superuser=True)
    make("city_admin", "city_admin", area=a["city"])
    make("xh_admin", "district_admin", area=a["xh"])
    make("hp_admin", "district_admin", area=a["hp"])
    make("xh_s1_staff", "street_staff", area=a["xh_s1"])
    make("hp_s1_staff", "street_staff", area=a["hp_s1"])
    make("xh_c1_secretary", "community_secretary", area=a["xh_c1"])
    make("xh_c3_secretary", "community_secretary", area=a["xh_c3"])
    make("xh_g1_worker", "grid_worker", area=a["xh_g1"])
    make("xh_unit_secretary", "unit_org_secretary", org=o["xh_unit_org"])
    make("xh_member", "member", org=o["xh_c1_b1"])
    make("xh_resident", "resident", area=a["xh_c1"])
    make("nobody", "")
    return t


@pytest.fixture
def territory(db) -> Territory:
    return build_territory()


def pick_search(client, name: str, q: str = "", **params):
    """A picker's search as its field asks it (core.picker_views): the text typed is
    POSTed, the picker's fixed parameters ride in the URL."""
    from urllib.parse import urlencode

    from django.urls import reverse

    url = reverse("pick", args=[name]) + ("?" + urlencode(params) if params else "")
    return client.post(url, {"q": q})
