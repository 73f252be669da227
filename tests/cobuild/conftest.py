"""Co-building on the shared territory fixture: helpers that file needs and offer
resources through the services, with dates fixed around 2026-12."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from jiceng.cobuild import access, services
from jiceng.cobuild.models import Need, Resource, Venue
from jiceng.orgs import services as org_services

DAY = datetime.date(2026, 12, 1)


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def local(day: int, hour: int) -> datetime.datetime:
    """`day` days from today at `hour` o'clock, Beijing time (bookings lie ahead)."""
    base = timezone.localdate() + datetime.timedelta(days=day)
    return timezone.make_aware(datetime.datetime.combine(base, datetime.time(hour)))


@dataclass
class CobuildWorld:
    t: object

    def need(
        self,
        *,
        community: str = "xh_c1",
        category: str = "elderly_care",
        start: int = 0,
        end: int = 14,
        title: str = "独居老人助餐",
        actor: str | None = None,
        **extra,
    ) -> Need:
        facts = services.NeedFacts(
            title=title,
            category=category,
            community=self.t.areas[community],
            window_start=days(start),
            window_end=days(end),
            **extra,
        )
        user = self.t.users[actor] if actor else None
        return services.need_create(actor=user, facts=facts)

    def resource(
        self,
        *,
        org: str = "xh_unit_org",
        area: str = "xh_c1",
        category: str = "elderly_care",
        kind: str = "services",
        start: int = 0,
        end: int = 60,
        capacity: int = 1,
        title: str = "企业志愿者助餐服务",
        actor: str | None = None,
    ) -> Resource:
        facts = services.ResourceFacts(
            title=title,
            kind=kind,
            category=category,
            available_from=days(start),
            available_until=days(end),
            capacity=capacity,
            area=self.t.areas[area],
        )
        user = self.t.users[actor] if actor else None
        return services.resource_offer(actor=user, facts=facts, org=self.t.orgs[org])


@pytest.fixture
def world(territory) -> CobuildWorld:
    return CobuildWorld(territory)


@pytest.fixture
def service_centre(territory) -> Venue:
    """复兴西路's service centre (860 m², under the 1000 m² rule) with one room."""
    venue = services.venue_create(
        actor=None,
        name="复兴西路社区党群服务中心",
        kind=Venue.Kind.SERVICE_CENTRE,
        area=territory.areas["xh_c1"],
        floor_area=860,
    )
    services.room_add(actor=None, venue=venue, name="多功能厅", seats=60)
    return venue


@pytest.fixture
def objects(world) -> dict:
    """One of every co-building object in 复兴西路 (xh_c1), keyed by name: (getter by
    id, object, whether the unit's org secretary sees it)."""
    t = world.t
    need = world.need()
    resource = world.resource()
    run = services.match_run_create(actor=None, area=t.areas["xh_s1"], today=DAY)
    proposal = run.proposals.get()
    project = services.proposal_accept(actor=None, proposal=proposal)
    agreement = services.agreement_create(
        actor=None,
        community=t.areas["xh_c1"],
        unit=t.units["xh_own"],
        title="共建协议",
        signed_on=datetime.date(2026, 1, 1),
        commitments=[services.CommitmentSpec("unit", "开放场地", 12, "次")],
    )
    committee = org_services.big_committee_create(
        actor=None, area=t.areas["xh_c1"], org=t.orgs["xh_c1_gb"]
    )
    meeting = services.meeting_create(
        actor=None, committee=committee, title="联席会议", held_on=DAY, agenda="议程"
    )
    task = services.meeting_task_add(
        actor=None, meeting=meeting, decision="事项", owner_name="物业", deadline=DAY
    )
    centre = services.venue_create(
        actor=None, name="中心", kind=Venue.Kind.SERVICE_CENTRE, area=t.areas["xh_c1"], floor_area=1
    )
    unit_venue = services.venue_create(
        actor=None,
        name="单位阵地",
        kind=Venue.Kind.UNIT_VENUE,
        unit=t.units["xh_own"],
        floor_area=1,
    )
    room = services.room_add(actor=None, venue=unit_venue, name="活动室")
    booking = services.booking_create(
        actor=None,
        room=room,
        starts_at=datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 12, 2, 10, tzinfo=datetime.UTC),
        purpose="活动",
    )
    return {
        # getter, object, seen by the unit's org secretary?
        "need": (access.get_need_for_view, need, False),
        "resource": (access.get_resource_for_view, resource, True),
        "project": (access.get_project_for_view, project, True),
        "run": (access.get_run_for_view, run, False),
        "proposal": (access.get_proposal_for_view, proposal, False),
        "agreement": (access.get_agreement_for_view, agreement, True),
        "meeting": (access.get_meeting_for_view, meeting, False),
        "task": (access.get_task_for_view, task, False),
        "centre": (access.get_venue_for_view, centre, False),
        "unit_venue": (access.get_venue_for_view, unit_venue, True),
        "room": (access.get_room_for_view, room, True),
        "booking": (access.get_booking_for_view, booking, True),
    }
