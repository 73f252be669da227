"""The yearly compliance rows behind a street's or a district's figures (orglife.rollup):
kept by the services in their transaction, equal to the calculation from the meetings as
of any day, rebuilt by the command to the same rows, never trusted once stale, and read
in a fixed number of queries however many orgs there are."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.orglife import rollup, selectors, services
from jiceng.orglife.compliance import year_range
from jiceng.orglife.models import ComplianceYear, MeetingRequirement
from jiceng.orgs import services as org_services
from jiceng.orgs.models import PartyOrg

from .conftest import YEAR, day

# Quarter and month boundaries, mid-quarter days, and after the year.
DAYS = [
    datetime.date(YEAR, 1, 1),
    datetime.date(YEAR, 3, 31),
    datetime.date(YEAR, 4, 1),
    datetime.date(YEAR, 7, 15),
    datetime.date(YEAR, 10, 1),
    datetime.date(YEAR, 12, 31),
    datetime.date(YEAR + 1, 1, 1),
    datetime.date(YEAR + 1, 6, 1),
]


def _raw(viewer, area, today):
    """What the page computed before the rollup: every visible org's meetings."""
    start, end = year_range(YEAR)
    required = selectors.requirements()
    orgs = (
        PartyOrg.objects.filter(rollup.orgs_in_year(YEAR, required))
        .filter(area__path__startswith=area.path)
        .order_by("path")
    )
    from jiceng.core.scope import scope_for

    result = {}
    for org in scope_for(viewer).filter(orgs):
        found = selectors.org_compliance(viewer=viewer, org=org, start=start, end=end, today=today)
        missed = sorted((k.kind, p.label) for k in found.kinds for p in k.missing)
        result[org.pk] = (found.due, found.held, found.missing, found.attended, found.register)
        result[org.pk] += (missed,)
    return result


def _rolled(viewer, area, today):
    return {
        line.org.pk: (
            line.due,
            line.held,
            line.missing,
            line.attended,
            line.register,
            sorted(line.missed),
        )
        for line in selectors.area_compliance(viewer=viewer, area=area, year=YEAR, today=today)
    }


@pytest.fixture
def year_of_meetings(life, territory):
    """A hand-built year: the first branch keeps most of its meetings (and misses the
    second quarter's lecture), a group meets in spring only, a branch founded in May
    meets from June, and nobody else meets at all."""
    m = life.members
    for month in range(1, 13):
        life.meeting(kind="committee_meeting", held_on=day(month, 5), marks=[])
        life.meeting(
            kind="themed_day",
            held_on=day(month, 12),
            marks=[services.Mark(m["wang"].pk, "present"), services.Mark(m["li"].pk, "present")],
        )
    for month in (3, 6, 9, 12):
        life.meeting(kind="member_meeting", held_on=day(month, 20))
    for month in (2, 8, 11):
        life.meeting(kind="lecture", held_on=day(month, 20))
    life.meeting(kind="org_life_review", held_on=day(12, 1))
    late = org_services.org_create(
        actor=None,
        name="复兴西路社区第二党支部",
        kind=PartyOrg.Kind.BRANCH,
        domain=PartyOrg.Domain.COMMUNITY,
        area=territory.areas["xh_c1"],
        parent=territory.orgs["xh_c1_gb"],
        established_on=day(5, 15),
    )
    for month in range(6, 13):
        services.meeting_record(
            actor=None,
            org=late,
            facts=services.MeetingFacts(kind="themed_day", held_on=day(month, 3), topic="学习"),
        )
    territory.orgs["late"] = late
    return territory


def test_rollup_equals_the_calculation_from_meetings_on_every_day(year_of_meetings):
    t = year_of_meetings
    for viewer, area in (
        (t.users["city_admin"], t.areas["city"]),
        (t.users["xh_s1_staff"], t.areas["xh_s1"]),
        (t.users["xh_admin"], t.areas["xh"]),
        (t.users["xh_c1_secretary"], t.areas["xh_c1"]),
    ):
        for today in DAYS:
            assert _rolled(viewer, area, today) == _raw(viewer, area, today), (area, today)
    branch = t.orgs["xh_c1_b1"]
    row = ComplianceYear.objects.get(org=branch, year=YEAR)
    assert [kind for _end, kind, _label in row.gap_ends] == ["lecture", "member_appraisal"]
    assert row.first_gap == datetime.date(YEAR, 6, 30)


def test_counts_per_child_and_the_drill_down(year_of_meetings):
    t = year_of_meetings
    today = datetime.date(YEAR, 7, 15)
    counts = selectors.compliance_counts(
        viewer=t.users["xh_admin"], area=t.areas["xh"], year=YEAR, today=today
    )
    lines = selectors.area_compliance(
        viewer=t.users["xh_admin"], area=t.areas["xh"], year=YEAR, today=today
    )
    assert counts.orgs == len(lines) and counts.behind == sum(1 for x in lines if x.behind)
    street = t.areas["xh_s1"]
    assert counts.children[street.code] == [counts.orgs, counts.behind]
    behind = selectors.area_compliance(
        viewer=t.users["xh_admin"], area=t.areas["xh"], year=YEAR, today=today, only_behind=True
    )
    assert {x.org.pk for x in behind} == {x.org.pk for x in lines if x.behind}
    assert t.orgs["xh_c1_b1"].pk in {x.org.pk for x in behind}  # the Q2 lecture
    # Founded in May: due from June only (its June committee meeting is missing).
    late = next(x for x in behind if x.org.pk == t.orgs["late"].pk)
    assert late.missed == [("committee_meeting", f"{YEAR}-06")]


def test_an_update_moving_a_meeting_refreshes_both_years(year_of_meetings):
    t = year_of_meetings
    branch = t.orgs["xh_c1_b1"]
    from jiceng.orglife.models import Meeting

    moved = Meeting.objects.get(org=branch, kind="lecture", held_on=day(2, 20))
    services.meeting_update(
        actor=t.users["xh_c1_secretary"],
        meeting=moved,
        facts=services.MeetingFacts(kind="lecture", held_on=day(5, 20), topic="党课"),
    )
    row = ComplianceYear.objects.get(org=branch, year=YEAR)
    labels = [label for _end, kind, label in row.gap_ends if kind == "lecture"]
    assert labels == [f"{YEAR}Q1"]  # Q2 now held, Q1 now missing
    today = datetime.date(YEAR + 1, 1, 1)
    viewer, area = t.users["xh_s1_staff"], t.areas["xh_s1"]
    assert _rolled(viewer, area, today) == _raw(viewer, area, today)


def test_the_command_rebuilds_the_same_rows(year_of_meetings):
    def rows():
        return sorted(
            (r.org_id, r.year, r.due_ends, r.gap_ends, r.first_gap, r.held, r.register, r.attended)
            for r in ComplianceYear.objects.filter(year=YEAR, held__gt=0)
        )

    kept = rows()
    ComplianceYear.objects.all().delete()
    call_command("orglife-compliance", "--rebuild", f"--year={YEAR}")
    assert rows() == kept
    # The rebuild also writes a row for each org due but without a meeting.
    assert ComplianceYear.objects.filter(year=YEAR, held=0).exists()


def test_a_stale_row_is_never_trusted(year_of_meetings):
    t = year_of_meetings
    viewer, area = t.users["xh_s1_staff"], t.areas["xh_s1"]
    today = datetime.date(YEAR + 1, 1, 1)
    # Changed outside orglife's services (the orgs app, an import): the rows lag behind.
    PartyOrg.objects.filter(pk=t.orgs["xh_c1_b1"].pk).update(closed_on=day(6, 30))
    PartyOrg.objects.filter(pk=t.orgs["late"].pk).update(kind=PartyOrg.Kind.GENERAL_BRANCH)
    assert _rolled(viewer, area, today) == _raw(viewer, area, today)
    # And rows missing altogether (nothing recorded yet this year) are computed too.
    ComplianceYear.objects.all().delete()
    assert _rolled(viewer, area, today) == _raw(viewer, area, today)
    counts = selectors.compliance_counts(viewer=viewer, area=area, year=YEAR, today=today)
    assert counts.behind == sum(1 for v in _raw(viewer, area, today).values() if v[2])


def test_at_the_city_a_stale_row_is_never_trusted_either(year_of_meetings):
    """The whole city reads which orgs count off the rows' own copies of their org's kind
    and dates: a row whose org changed since must not be counted by them."""
    t = year_of_meetings
    viewer, area = t.users["city_admin"], t.areas["city"]
    today = datetime.date(YEAR + 1, 1, 1)
    PartyOrg.objects.filter(pk=t.orgs["xh_c1_b1"].pk).update(
        closed_on=datetime.date(YEAR - 1, 6, 30)
    )
    PartyOrg.objects.filter(pk=t.orgs["late"].pk).update(kind=PartyOrg.Kind.GENERAL_BRANCH)
    raw = _raw(viewer, area, today)
    assert t.orgs["xh_c1_b1"].pk not in raw  # closed before the year: not due at all
    assert _rolled(viewer, area, today) == raw
    counts = selectors.compliance_counts(viewer=viewer, area=area, year=YEAR, today=today)
    assert counts.orgs == len(raw)
    assert counts.behind == sum(1 for v in raw.values() if v[2])


def test_a_tightened_frequency_rebuilds_every_row(year_of_meetings):
    t = year_of_meetings
    requirement = MeetingRequirement.objects.get(kind="lecture")
    services.requirement_update(
        actor=t.users["superuser"], requirement=requirement, period="month", times=1
    )
    row = ComplianceYear.objects.get(org=t.orgs["xh_c1_b1"], year=YEAR)
    assert sum(1 for _e, kind, _l in row.gap_ends if kind == "lecture") == 9
    key = rollup.requirements_key(MeetingRequirement.objects.all())
    assert set(ComplianceYear.objects.values_list("requirements_key", flat=True)) == {key}


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_queries_do_not_grow_with_orgs(year_of_meetings, client):
    t = year_of_meetings
    viewer, district = t.users["xh_admin"], t.areas["xh"]

    def read():
        selectors.compliance_counts(viewer=viewer, area=district, year=YEAR)
        selectors.area_compliance(viewer=viewer, area=district, year=YEAR)

    call_command("orglife-compliance", "--rebuild", f"--year={YEAR}")
    read()  # the viewer's scope is loaded once per user object
    before = _queries(read)
    for n in range(6):
        org = org_services.org_create(
            actor=None,
            name=f"湖南路街道第{n}联合党支部",
            kind=PartyOrg.Kind.BRANCH,
            domain=PartyOrg.Domain.COMMUNITY,
            area=t.areas["xh_c2"],
            parent=t.orgs["xh_s1_wc"],
        )
        services.meeting_record(
            actor=None,
            org=org,
            facts=services.MeetingFacts(kind="themed_day", held_on=day(3, 3), topic="学习"),
        )
    assert _queries(read) == before
    t.client_for(client, "xh_admin")
    url = reverse("orglife:compliance") + f"?area={district.pk}&year={YEAR}&behind=1"
    page = _queries(lambda: client.get(url))
    for n in range(3):
        org = org_services.org_create(
            actor=None,
            name=f"天平路街道第{n}党支部",
            kind=PartyOrg.Kind.BRANCH,
            domain=PartyOrg.Domain.COMMUNITY,
            area=t.areas["xh_c3"],
            parent=t.orgs["xh_s1_wc"],
        )
        services.meeting_record(
            actor=None,
            org=org,
            facts=services.MeetingFacts(kind="lecture", held_on=day(2, 3), topic="党课"),
        )
    assert _queries(lambda: client.get(url)) == page


def test_the_page_drills_down_from_district_to_org(year_of_meetings, client):
    t = year_of_meetings
    t.client_for(client, "xh_admin")
    url = reverse("orglife:compliance")
    html = client.get(url + f"?area={t.areas['xh'].pk}&year={YEAR}").content.decode()
    street = t.areas["xh_s1"]
    assert f"?area={street.pk}&year={YEAR}" in html and "compliance-orgs" not in html
    html = client.get(url + f"?area={street.pk}&year={YEAR}").content.decode()
    branch = t.orgs["xh_c1_b1"]
    assert reverse("orglife:org_compliance", args=[branch.pk]) in html
    api = client.get(f"/api/orglife/compliance/areas/{t.areas['xh'].pk}/counts?year={YEAR}")
    assert api.status_code == 200
    body = api.json()
    child = next(c for c in body["children"] if c["area_id"] == street.pk)
    assert (child["orgs"], child["behind"]) == (body["orgs"], body["behind"])
    listed = client.get(f"/api/orglife/compliance/areas/{street.pk}?year={YEAR}&behind=true")
    assert branch.pk in {row["org_id"] for row in listed.json()}
    assert all(row["behind"] for row in listed.json())


def test_the_workbench_dues_read_from_the_rows_equal_those_computed(year_of_meetings):
    """A street's or community's meeting dues come from the orgs' fresh yearly rows; with
    the rows gone every org is computed from its meetings: the same orgs behind and the
    same (kind, period end) owed, on every day."""
    from jiceng.orglife.workbench import meeting_dues

    t = year_of_meetings
    rollup.rebuild(year=YEAR)

    def dues(viewer, today):
        found = meeting_dues(viewer=viewer, today=today)
        owing = {key: [o.pk for o in orgs] for key, orgs in found.owing.items()}
        return [o.pk for o in found.behind], owing

    for username in ("xh_s1_staff", "xh_c1_secretary"):
        viewer = t.users[username]
        days = [*DAYS[:6], datetime.date(YEAR, 6, 20), datetime.date(YEAR, 9, 25)]
        from_rows = [dues(viewer, today) for today in days]
        assert any(behind for behind, _owing in from_rows)
        assert any(owing for _behind, owing in from_rows)
        kept = list(ComplianceYear.objects.all().values())
        ComplianceYear.objects.all().delete()
        assert [dues(viewer, today) for today in days] == from_rows, username
        ComplianceYear.objects.bulk_create([ComplianceYear(**row) for row in kept])
