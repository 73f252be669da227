"""The district demo (徐汇区, 14 streets): every street's members and year of cases, and
workflows that cross from one street to another. One build for the module."""

from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from jiceng.appeals import rollup
from jiceng.appeals.models import Appeal, AppealMonthStat
from jiceng.core.audit_evidence import audit_verify
from jiceng.core.models import Area
from jiceng.demo.people import VOLUMES
from jiceng.members.models import DualReport, Member, MobileInflow, Transfer
from jiceng.orgs.models import PartyOrg

pytestmark = pytest.mark.slow
VOLUME = VOLUMES["district"]


@pytest.fixture(scope="module")
def _district_demo_module(django_db_setup, django_db_blocker):
    from jiceng.demo.generator import demo_generate

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield demo_generate(scale="district", seed=11)
        transaction.set_rollback(True)


@pytest.fixture
def district_demo(_district_demo_module, db):
    return _district_demo_module


def street_of(area_path: str) -> str:
    return area_path.split("/")[2]


def test_every_community_holds_about_a_hundred_members(district_demo):
    held = dict(
        PartyOrg.objects.filter(domain="community", area__level="community")
        .annotate(n=Count("members"))
        .values_list("area__code", "n")
    )
    assert len(held) == Area.objects.filter(level="community").count() == 313
    per = VOLUME.members_per_community
    assert all(per * 0.7 <= n <= per * 1.3 for n in held.values())
    assert 0.9 * per <= sum(held.values()) / len(held) <= 1.1 * per
    assert Member.objects.count() == district_demo.counts["members"] > 313 * per


def test_every_street_has_a_year_of_cases_of_the_order_of_fifteen_hundred(district_demo):
    # Every case but the demo's one hotline order waiting in the district's placement
    # queue (no street until a person places it).
    placed = Appeal.objects.filter(street__isnull=False)
    assert Appeal.objects.count() - placed.count() == 1
    per_street = Counter(placed.values_list("street__code", flat=True))
    assert len(per_street) == 14
    assert 1000 < sum(per_street.values()) / 14 < 2000
    for street in Area.objects.filter(level="street"):
        communities = street.children.count()
        expected = communities * VOLUME.cases_per_community
        assert expected * 0.8 <= per_street[street.code] <= expected * 1.2 + 20, street.name
    streets_with_states = Counter(
        Appeal.objects.filter(state="closed").values_list("street__code", flat=True)
    )
    assert len(streets_with_states) == 14


def test_workflows_cross_streets(district_demo):
    crossing = [
        t
        for t in Transfer.objects.select_related("from_org__area", "to_org__area")
        if street_of(t.from_org.area.path) != street_of(t.to_org.area.path)
    ]
    assert any(t.state == "accepted" for t in crossing)
    assert any(t.state == "pending" for t in crossing)
    arrivals = MobileInflow.objects.filter(state="verified").select_related(
        "community", "outflow__home_org__area"
    )
    assert any(
        street_of(i.community.path) != street_of(i.outflow.home_org.area.path) for i in arrivals
    )
    reports = DualReport.objects.filter(kind="member").select_related(
        "community", "member__org__area"
    )
    assert any(street_of(r.community.path) != street_of(r.member.org.area.path) for r in reports)
    streets = {
        street_of(t.from_org.area.path) for t in Transfer.objects.select_related("from_org__area")
    }
    assert len(streets) == 14


def test_counters_equal_a_rebuild_and_the_audit_chain_holds(district_demo):
    def rows():
        return sorted(
            AppealMonthStat.objects.values_list(
                "community_id", "street_id", "month", *rollup.COUNTERS
            )
        )

    kept = rows()
    rollup.rebuild()
    assert rows() == kept
    assert audit_verify().ok
