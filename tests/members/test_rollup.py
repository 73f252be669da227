"""The composition counters behind home, statistics and charts (members.rollup): kept by
the services in their transaction, so that after any sequence of registrations, bulk
registrations, corrections, transfers, departures and returns, orgs moved to another
area and areas moved to another parent, the rows and their subtree sums
(core.tree_rollups) equal a rebuild;
read by the statistics page, API and indicators to the same figures as counting the
members; not used before the first rebuild, and not for age and tenure on another day
than their bands'."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area
from jiceng.core.services import area_move
from jiceng.members import rollup, selectors, services
from jiceng.members.models import Member, MemberStat, MemberStatState, MemberTreeStat, MobileOutflow
from jiceng.members.statistics import TABLE_NAMES, composition
from jiceng.orgs import services as org_services
from jiceng.orgs.models import PartyOrg
from tests.members.factories import facts, id_number

ORGS = ["xh_c1_gb", "xh_c1_b1", "xh_unit_org", "xh_joint", "hp_c1_b"]
EDUCATION = st.sampled_from(["postgraduate", "bachelor", "college", "high_school"])
CATEGORY = st.sampled_from(["in_service", "retired", "student", "unemployed"])
STATUS = st.sampled_from(["full", "probationary"])
BIRTH = st.dates(datetime.date(1930, 1, 1), datetime.date(2005, 12, 31))


def rows() -> list[list[tuple]]:
    """The rollup's rows and its tree's, those with a count."""
    return [
        sorted(
            MemberStat.objects.exclude(count=0).values_list("org_id", "dimension", "key", "count")
        ),
        sorted(
            MemberTreeStat.objects.exclude(count=0).values_list(
                "area_id", "dimension", "key", "count"
            )
        ),
    ]


# Orgs moved to another area (org_update), and areas to another parent of their level.
ORG_PLACES = ["xh_c1", "xh_c2", "xh_g1", "hp_c1", "xh_s1"]
AREA_MOVES = [("xh_c1", "xh_s2"), ("xh_c2", "hp_s1"), ("xh_g1", "xh_c3"), ("hp_c1", "xh_s1")]


def person(birth: datetime.date, **overrides):
    joined = max(birth + datetime.timedelta(days=365 * 19), datetime.date(1960, 1, 1))
    joined = min(joined, timezone.localdate() - datetime.timedelta(days=400))
    data = dict(
        birth=birth,
        id_number=id_number(birth, gender="female" if birth.day % 2 else "male"),
        gender_of_id="female" if birth.day % 2 else "male",
        joined_on=joined,
        full_on=joined + datetime.timedelta(days=366),
    )
    data.update(overrides)
    if data.get("status") == "probationary":
        data["full_on"] = None
        data["joined_on"] = timezone.localdate() - datetime.timedelta(days=100)
    return facts(**data)


OPERATION = st.one_of(
    st.tuples(
        st.just("register"), st.sampled_from(ORGS), BIRTH, EDUCATION, STATUS, CATEGORY,
        st.booleans(),
    ),
    st.tuples(st.just("bulk"), st.sampled_from(ORGS), st.lists(BIRTH, min_size=1, max_size=4)),
    st.tuples(st.just("update"), st.integers(0, 50), EDUCATION, CATEGORY, st.booleans()),
    st.tuples(st.just("transfer"), st.integers(0, 50), st.sampled_from(ORGS)),
    st.tuples(st.just("outflow"), st.integers(0, 50)),
    st.tuples(st.just("return"), st.integers(0, 50)),
    st.tuples(st.just("relocate"), st.sampled_from(ORGS), st.sampled_from(ORG_PLACES)),
    st.tuples(st.just("area"), st.sampled_from(AREA_MOVES)),
)  # fmt: skip


def _apply(territory, operation) -> None:
    admin = territory.users["superuser"]
    orgs = territory.orgs
    members = list(Member.objects.order_by("pk"))
    kind = operation[0]
    if kind == "register":
        _kind, org, birth, education, status, category, minority = operation
        services.member_register(
            actor=admin,
            org=orgs[org],
            facts=person(
                birth,
                education=education,
                status=status,
                category=category,
                ethnicity="回族" if minority else "汉族",
            ),
        )
    elif kind == "bulk":
        _kind, org, births = operation
        services.member_bulk_create(
            actor=admin,
            rows=[services.MemberRow(facts=person(birth), org=orgs[org]) for birth in births],
        )
    elif not members:
        return
    elif kind == "update":
        _kind, index, education, category, minority = operation
        services.member_update(
            actor=admin,
            member=members[index % len(members)],
            education=education,
            category=category,
            ethnicity="满族" if minority else "汉族",
        )
    elif kind == "transfer":
        _kind, index, org = operation
        transfer = services.transfer_start(
            actor=admin, member=members[index % len(members)], to_org=orgs[org], reason="工作调动"
        )
        services.transfer_accept(actor=admin, transfer=transfer)
    elif kind == "outflow":
        member = members[operation[1] % len(members)]
        services.outflow_register(
            actor=admin,
            member=member,
            certificate_number=f"LD{member.pk:06d}",
            destination="江苏省苏州市",
            left_on=timezone.localdate() - datetime.timedelta(days=30),
        )
    elif kind in ("relocate", "area"):
        # Fresh rows: the fixture's objects must keep what the rollback restores.
        fresh = {key: Area.objects.get(pk=territory.areas[key].pk) for key in territory.areas}
        if kind == "relocate":
            org = PartyOrg.objects.get(pk=orgs[operation[1]].pk)
            org_services.org_update(actor=admin, org=org, area=fresh[operation[2]])
        else:
            area, parent = (fresh[key] for key in operation[1])
            area_move(actor=admin, area=area, new_parent=parent)
    elif kind == "return":
        outflows = list(MobileOutflow.objects.filter(state="out").order_by("pk"))
        if outflows:
            services.outflow_return(
                actor=admin,
                outflow=outflows[operation[1] % len(outflows)],
                returned_on=timezone.localdate(),
            )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(OPERATION, min_size=1, max_size=12))
def test_any_sequence_of_service_calls_leaves_the_rollup_equal_to_a_rebuild(territory, operations):
    with transaction.atomic():
        rollup.rebuild()
        for operation in operations:
            try:
                with transaction.atomic():
                    _apply(territory, operation)
            except ApplicationError:
                pass  # a refusal writes nothing, counters included
        kept = rows()
        # The figures read from the rows kept along the way are those counted from the
        # members: at the city (its children's tree rows) and at a district (its own).
        for username, key in (("city_admin", "city"), ("xh_admin", "xh")):
            viewer, area = territory.users[username], Area.objects.get(pk=territory.areas[key].pk)
            counted = composition(selectors.member_list(viewer=viewer, area=area))
            assert selectors.member_statistics(viewer=viewer, area=area) == counted, key
        rollup.rebuild()
        assert kept == rows()
        transaction.set_rollback(True)


@pytest.fixture
def registered(territory):
    admin = territory.users["superuser"]
    births = [datetime.date(1950 + 7 * i, 1 + i, 10 + i) for i in range(7)]
    for i, birth in enumerate(births):
        org = territory.orgs[ORGS[i % len(ORGS)]]
        category = ["in_service", "retired", "student"][i % 3]
        services.member_register(actor=admin, org=org, facts=person(birth, category=category))
    return births


def _figures(viewer, area):
    return (
        selectors.member_statistics(viewer=viewer, area=area),
        selectors.member_count(viewer=viewer, area=area),
        selectors.member_count(viewer=viewer, area=area, category="retired"),
        selectors.member_count_by_child(viewer=viewer, area=area, length=12),
    )


@pytest.mark.parametrize(
    "viewer_key, area_key",
    [("city_admin", "city"), ("xh_admin", "xh"), ("xh_s1_staff", "xh_s1"), ("xh_admin", "xh_c1")],
)
def test_the_rollup_gives_the_figures_counting_gives(territory, registered, viewer_key, area_key):
    viewer, area = territory.users[viewer_key], territory.areas[area_key]
    counted = _figures(viewer, area)
    call_command("members-rollup", "--rebuild")
    assert MemberStatState.objects.get().bands_on == timezone.localdate()
    assert _figures(viewer, area) == counted
    assert counted[1] == sum(counted[3].values()) or area.level == "community"


def test_the_rollup_is_read_where_the_viewer_sees_the_whole_area(
    territory, registered, django_assert_num_queries
):
    viewer, city = territory.users["city_admin"], territory.areas["city"]
    rollup.rebuild()
    # The viewer's roles, the rollup's state, and every table's rows at once.
    with django_assert_num_queries(3):
        tables = selectors.member_statistics(viewer=viewer, area=city)
    assert [t.name for t in tables] == list(TABLE_NAMES)
    # An org node and an area the viewer sees only part of are counted from the members.
    member = territory.users["xh_member"]
    assert selectors._use_rollup(member, territory.areas["xh_c1"]) is None
    assert selectors._use_rollup(viewer, city, territory.orgs["xh_c1_gb"]) is None


def test_before_the_first_rebuild_services_leave_the_rows_alone(territory, registered):
    assert not MemberStat.objects.exists()
    viewer, city = territory.users["city_admin"], territory.areas["city"]
    assert selectors.member_count(viewer=viewer, area=city) == len(registered)


def test_age_and_tenure_bands_of_another_day_are_counted_from_the_members(
    territory, registered, django_assert_num_queries
):
    viewer, city = territory.users["city_admin"], territory.areas["city"]
    # Bands as of long ago: every other table still comes from the rows.
    rollup.rebuild(today=datetime.date(2000, 1, 1))
    stale = {t.name: t for t in selectors.member_statistics(viewer=viewer, area=city)}
    counted = {t.name: t for t in composition(selectors.member_list(viewer=viewer, area=city))}
    assert stale == counted
    rows_2000 = dict(
        MemberStat.objects.filter(dimension="age").values_list("key").annotate(n=Sum("count"))
    )
    rollup.rebuild()
    rows_now = dict(
        MemberStat.objects.filter(dimension="age").values_list("key").annotate(n=Sum("count"))
    )
    assert rows_2000 != rows_now  # the people aged between the two days


def test_the_statistics_page_and_api_read_the_rollup(territory, registered, client):
    viewer = territory.users["xh_admin"]
    client.force_login(viewer)
    area = territory.areas["xh"]
    page_before = client.get(f"/members/statistics/?area={area.pk}").context["tables"]
    api_before = client.get(f"/api/members/statistics?area={area.pk}").json()
    rollup.rebuild()
    assert client.get(f"/api/members/statistics?area={area.pk}").json() == api_before
    assert client.get(f"/members/statistics/?area={area.pk}").context["tables"] == page_before


def test_the_statistics_page_costs_a_fixed_number_of_queries(
    territory, registered, client, django_assert_max_num_queries
):
    client.force_login(territory.users["city_admin"])
    url = f"/members/statistics/?area={territory.areas['city'].pk}"
    rollup.rebuild()
    # Session, user, roles and the page's own (area, nav); the rollup's state and rows.
    # 9 with the rollup, +1: the inbox's unread count in the top bar (linkage).
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    admin = territory.users["superuser"]
    for birth in (datetime.date(1961, 3, 3), datetime.date(1972, 4, 4)):
        services.member_register(actor=admin, org=territory.orgs["hp_c1_b"], facts=person(birth))
    # 9 with the rollup, +1: the inbox's unread count in the top bar (linkage).
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_the_command_refuses_a_bad_date(territory):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("members-rollup", "--rebuild", "--date", "2026-13-01")


@pytest.mark.parametrize(
    "viewer_key, area_key, status, category",
    [
        ("city_admin", None, None, None),
        ("city_admin", "city", None, "retired"),
        ("xh_admin", None, "full", None),
        ("xh_admin", "xh_c1", None, None),
        ("xh_s1_staff", "xh_s1", None, "in_service"),
    ],
)
def test_the_register_reads_its_total_from_the_rollup(
    territory, registered, viewer_key, area_key, status, category
):
    """The register's page and API count their pages from the rollup where it counts the
    same members, and the total is the members' count."""
    from jiceng.core.pagination import Counted

    rollup.rebuild()
    viewer = territory.users[viewer_key]
    area = territory.areas[area_key] if area_key else None
    filters = dict(viewer=viewer, area=area, status=status, category=category)
    register = selectors.member_register(**filters)
    assert isinstance(register, Counted)
    assert register.count() == selectors.member_list(**filters).count() > 0
    assert list(register[:3]) == list(selectors.member_list(**filters)[:3])


def test_the_register_counts_where_the_rollup_does_not_serve(territory, registered):
    """An org node, a search, both filters, or before the first rebuild: the queryset."""
    from jiceng.core.pagination import Counted

    viewer, city = territory.users["city_admin"], territory.areas["city"]
    assert not isinstance(selectors.member_register(viewer=viewer, area=city), Counted)
    rollup.rebuild()
    org = territory.orgs["xh_c1_gb"]
    for filters in (
        dict(org=org),
        dict(q="张"),
        dict(area=city, status="full", category="retired"),
    ):
        found = selectors.member_register(viewer=viewer, **filters)
        assert not isinstance(found, Counted), filters


def test_the_register_api_and_page_give_the_rollup_total(territory, registered, client):
    from tests.conftest import PASSWORD

    rollup.rebuild()
    assert client.login(username="city_admin", password=PASSWORD)
    body = client.get("/api/members?limit=2").json()
    assert body["count"] == Member.objects.count() and len(body["items"]) == 2
    page = client.get("/members/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == Member.objects.count()
