"""The compliance calculation on a hand-built year: quarter boundaries, an org founded
mid-year, a member transferred mid-year, periods still in progress, and the roll-up for a
street with drill-down; periods() checked by property."""

import datetime
import itertools

from hypothesis import given
from hypothesis import strategies as st

from jiceng.members.models import Membership
from jiceng.orglife import compliance, selectors, services
from jiceng.orglife.compliance import MeetingFact, periods, year_range
from jiceng.orglife.models import MeetingRequirement

from .conftest import YEAR, day

START, END = year_range(YEAR)
AFTER = datetime.date(YEAR + 1, 1, 15)


class Org:
    def __init__(self, kind="branch", established_on=None, closed_on=None):
        self.kind, self.established_on, self.closed_on = kind, established_on, closed_on


def _line(result, kind):
    return next(k for k in result.kinds if k.kind == kind)


def _full_year_facts():
    facts = [MeetingFact("committee_meeting", day(m, 5)) for m in range(1, 13)]
    facts += [MeetingFact("themed_day", day(m, 1)) for m in range(1, 13)]
    facts += [MeetingFact("member_meeting", day(m, 20), 10, 9) for m in (3, 6, 9, 12)]
    facts += [MeetingFact("lecture", day(m, 20)) for m in (2, 5, 8, 11)]
    facts += [
        MeetingFact("org_life_review", day(12, 1)),
        MeetingFact("member_appraisal", day(12, 1)),
    ]
    return facts


def test_a_full_year_is_compliant(requirements):
    result = compliance.compute(
        Org(),
        MeetingRequirement.objects.all(),
        _full_year_facts(),
        start=START,
        end=END,
        today=AFTER,
    )
    assert result.missing == 0 and not result.behind
    # Branch requirements only: 12 + 12 + 4 + 4 + 1 + 1 periods due (no group meetings).
    assert result.due == 34
    assert {k.kind for k in result.kinds} == {
        "member_meeting",
        "committee_meeting",
        "lecture",
        "themed_day",
        "org_life_review",
        "member_appraisal",
    }
    assert result.attendance_rate == 36 / 40


def test_quarter_boundaries(requirements):
    # Mar 31 belongs to Q1, Apr 1 to Q2: two meetings, both in Q2 → Q1 missing.
    facts = [
        MeetingFact("member_meeting", datetime.date(YEAR, 4, 1)),
        MeetingFact("member_meeting", datetime.date(YEAR, 6, 30)),
        MeetingFact("member_meeting", datetime.date(YEAR, 7, 1)),
        MeetingFact("member_meeting", datetime.date(YEAR, 12, 31)),
    ]
    result = compliance.compute(
        Org(),
        MeetingRequirement.objects.filter(kind="member_meeting"),
        facts,
        start=START,
        end=END,
        today=AFTER,
    )
    line = _line(result, "member_meeting")
    assert [p.label for p in line.missing] == [f"{YEAR}Q1"]
    facts.append(MeetingFact("member_meeting", datetime.date(YEAR, 3, 31)))
    result = compliance.compute(
        Org(),
        MeetingRequirement.objects.filter(kind="member_meeting"),
        facts,
        start=START,
        end=END,
        today=AFTER,
    )
    assert _line(result, "member_meeting").missing == []


def test_an_org_founded_mid_year_is_due_from_its_first_full_period(requirements):
    org = Org(established_on=datetime.date(YEAR, 5, 15))
    result = compliance.compute(
        org, MeetingRequirement.objects.all(), [], start=START, end=END, today=AFTER
    )
    monthly = _line(result, "committee_meeting")
    assert monthly.due[0].label == f"{YEAR}-06"
    assert len(monthly.due) == 7  # June to December
    quarterly = _line(result, "member_meeting")
    assert [p.label for p in quarterly.due] == [f"{YEAR}Q3", f"{YEAR}Q4"]
    assert _line(result, "org_life_review").due == []  # the founding year is not whole
    # A meeting held in the founding month still counts as held.
    facts = [MeetingFact("committee_meeting", datetime.date(YEAR, 5, 20))]
    result = compliance.compute(
        org, MeetingRequirement.objects.all(), facts, start=START, end=END, today=AFTER
    )
    assert _line(result, "committee_meeting").held == 1


def test_periods_in_progress_are_not_missing(requirements):
    today = datetime.date(YEAR, 8, 10)
    result = compliance.compute(
        Org(),
        MeetingRequirement.objects.filter(kind="committee_meeting"),
        [],
        start=START,
        end=END,
        today=today,
    )
    line = _line(result, "committee_meeting")
    assert len(line.missing) == 7  # January to July
    assert [p.label for p in line.in_progress] == [f"{YEAR}-08"]


def test_requirements_are_data(requirements):
    MeetingRequirement.objects.filter(kind="lecture").update(period="month", times=2)
    facts = [MeetingFact("lecture", day(m, 3)) for m in range(1, 13)]
    result = compliance.compute(
        Org(),
        MeetingRequirement.objects.filter(kind="lecture"),
        facts,
        start=START,
        end=END,
        today=AFTER,
    )
    assert len(_line(result, "lecture").missing) == 12  # once a month is no longer enough


def test_group_requirements_apply_to_groups_only(requirements):
    result = compliance.compute(
        Org(kind="group"),
        MeetingRequirement.objects.all(),
        [],
        start=START,
        end=END,
        today=AFTER,
    )
    assert [k.kind for k in result.kinds] == ["group_meeting"]


def test_attendance_rate_follows_a_transfer(life, territory):
    from jiceng.members import services as member_services

    li = life.members["li"]
    transfer = member_services.transfer_start(
        actor=None, member=li, to_org=territory.orgs["hp_c1_b"], reason="搬家"
    )
    member_services.transfer_accept(actor=None, transfer=transfer)
    Membership.objects.filter(member=li, org=territory.orgs["xh_c1_b1"]).update(ended_on=day(6, 30))
    Membership.objects.filter(member=li, org=territory.orgs["hp_c1_b"]).update(started_on=day(7, 1))
    m = life.members
    everyone = [services.Mark(m[k].pk, "present") for k in ("wang", "zhao", "chen")]
    life.meeting(held_on=day(3), marks=everyone)  # li absent, on the register: 3 of 4
    life.meeting(held_on=day(9), marks=everyone)  # li gone: 3 of 3
    result = selectors.org_compliance(
        viewer=territory.users["xh_c1_secretary"],
        org=territory.orgs["xh_c1_b1"],
        start=START,
        end=END,
        today=AFTER,
    )
    assert (result.attended, result.register) == (6, 7)
    assert _line(result, "member_meeting").missing == [
        compliance.Period(datetime.date(YEAR, 4, 1), datetime.date(YEAR, 6, 30)),
        compliance.Period(datetime.date(YEAR, 10, 1), datetime.date(YEAR, 12, 31)),
    ]


def test_street_roll_up_counts_orgs_behind_and_drills_down(life, territory):
    for month in range(1, 13):
        life.meeting(kind="committee_meeting", held_on=day(month, 5))
    street = territory.areas["xh_s1"]
    rows = selectors.area_compliance(
        viewer=territory.users["xh_s1_staff"], area=street, year=YEAR, today=AFTER
    )
    names = {row.org.name for row in rows}
    # Branches and groups of the street; the working committee itself has no requirement.
    assert "复兴西路社区第一党支部" in names and "湖南路街道党工委" not in names
    assert "贵州路社区党支部" not in names  # another district
    assert all(row.behind for row in rows)  # nobody held everything
    branch = next(r for r in rows if r.org.name == "复兴西路社区第一党支部")
    assert [kind for kind, _period in branch.missed if kind == "committee_meeting"] == []
    assert ("member_meeting", f"{YEAR}Q1") in branch.missed
    # A community secretary sees only the orgs of the community.
    secretary_rows = selectors.area_compliance(
        viewer=territory.users["xh_c3_secretary"], area=street, year=YEAR, today=AFTER
    )
    assert secretary_rows == []


@given(
    st.sampled_from(["month", "quarter", "year"]),
    st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)),
    st.integers(0, 2000),
)
def test_periods_are_whole_contiguous_and_inside(kind, start, length):
    end = start + datetime.timedelta(days=length)
    found = periods(kind, start, end)
    for period in found:
        assert start <= period.start <= period.end <= end
        assert period.start.day == 1
        assert (period.end + datetime.timedelta(days=1)).day == 1
        assert (period.start.month - 1) % compliance.MONTHS_PER[kind] == 0
    for earlier, later in itertools.pairwise(found):
        assert earlier.end + datetime.timedelta(days=1) == later.start
    # No whole period was left out at either end.
    step = compliance.MONTHS_PER[kind]
    if found:
        assert compliance._add_months(found[0].start, -step) < start
        after_last = found[-1].end + datetime.timedelta(days=1)
        assert compliance._add_months(after_last, step) - datetime.timedelta(days=1) > end
    else:
        assert length < 2 * 366
