"""The demo street's organizational life: a year of meetings for every org with required
meetings (some behind), topics at every step, contact points and visits — all written
through the services (each row with its audit entry), and the dashboard's figures."""

from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.core.models import Area, AuditEntry
from jiceng.members.models import MemberEvent
from jiceng.orglife import selectors
from jiceng.orglife.models import (
    ContactPoint,
    ContactProblem,
    HouseholdVisit,
    Meeting,
    MeetingRequirement,
    Topic,
)
from jiceng.orgs.models import PartyOrg


def test_a_year_of_meetings_for_every_org_some_behind(street_demo):
    counts = street_demo.counts
    assert counts["orglife_meetings"] > 0
    street = Area.objects.get(level="street")
    kinds = {k for r in MeetingRequirement.objects.all() for k in r.org_kinds.split(",")}
    orgs = PartyOrg.objects.filter(
        area__path__startswith=street.path, kind__in=kinds, closed_on__isnull=True
    )
    assert set(Meeting.objects.values_list("org_id", flat=True).distinct()) == set(
        orgs.values_list("id", flat=True)
    )
    staff = User.objects.filter(assignments__role="street_staff").first()
    today = timezone.localdate()
    rows = selectors.area_compliance(viewer=staff, area=street, year=today.year)
    behind = [r for r in rows if r.behind]
    assert 0 < len(behind) < len(rows)
    assert MemberEvent.objects.filter(kind="appraised").exists()
    assert (
        AuditEntry.objects.filter(target_type="orglife.meeting").count() == Meeting.objects.count()
    )


def test_topics_at_every_step_and_contact_points_and_visits(street_demo):
    states = set(Topic.objects.values_list("state", flat=True))
    assert states == set(Topic.State.values)
    assert ContactPoint.objects.exists()
    assert set(ContactProblem.objects.values_list("status", flat=True)) == {"open", "resolved"}
    assert ContactProblem.objects.exclude(appeal=None).exists()
    visits = HouseholdVisit.objects
    assert visits.exclude(appeal=None).exists()
    assert visits.exclude(need=None).exists()
    assert visits.exclude(issue=None).exists()


def test_dashboard_shows_the_orglife_indicators(street_demo, client):
    staff = User.objects.filter(assignments__role="street_staff").first()
    client.force_login(staff)
    page = client.get("/").content.decode()
    for label in ("三会一课未达标组织", "待公开议题", "联系点未解决问题"):
        assert label in page
