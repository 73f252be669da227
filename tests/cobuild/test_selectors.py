"""Every list a page or the API will show reads in a fixed number of queries, whatever
the number of rows (no N+1), with the related rows it displays already joined."""

import pytest

from jiceng.cobuild import selectors, services
from jiceng.cobuild.models import Venue
from tests.cobuild.conftest import DAY


@pytest.fixture
def viewer(world, objects):
    # More rows of each kind, so that a per-row query would show in the count.
    t = world.t
    for i in range(3):
        need = world.need(title=f"需求{i}")
        resource = world.resource(title=f"资源{i}")
        services.project_create(actor=None, need=need, resources=[resource])
        services.venue_create(
            actor=None,
            name=f"站点{i}",
            kind=Venue.Kind.SERVICE_CENTRE,
            area=t.areas["xh_c1"],
            floor_area=10,
        )
    # A fresh user object: its scope is computed once, inside the counted block.
    return type(t.users["xh_s1_staff"]).objects.get(username="xh_s1_staff")


LISTS = {
    # selector call, queries (1 for the viewer's role assignments), what each row shows
    "needs": (lambda v, o: selectors.need_list(viewer=v), 2, lambda r: r.community.name),
    "resources": (
        lambda v, o: selectors.resource_list(viewer=v),
        2,
        lambda r: (r.area.name, r.offered_by_org.name, r.used),
    ),
    "projects": (
        lambda v, o: selectors.project_list(viewer=v),
        3,
        lambda r: (r.need.community.name, [x.title for x in r.resources.all()]),
    ),
    "runs": (lambda v, o: selectors.match_run_list(viewer=v), 2, lambda r: r.area.name),
    "proposals": (
        lambda v, o: selectors.proposal_list(viewer=v),
        2,
        lambda r: (r.need.title, r.resource.area.name, r.run.area_id),
    ),
    "agreements": (
        lambda v, o: selectors.agreement_list(viewer=v),
        4,
        lambda r: (r.community.name, r.unit.name, list(r.commitments.all()), list(r.reviews.all())),
    ),
    "meetings": (
        lambda v, o: selectors.meeting_list(viewer=v),
        2,
        lambda r: (r.committee.area.name, r.attendee_count, r.open_tasks),
    ),
    "tasks": (
        lambda v, o: selectors.overdue_tasks(viewer=v, today=DAY.replace(year=2027)),
        2,
        lambda r: (r.meeting.committee.area.name, r.owner_member),
    ),
    "venues": (
        lambda v, o: selectors.venue_list(viewer=v),
        3,
        lambda r: (r.area.name, r.unit, [room.name for room in r.rooms.all()]),
    ),
    "bookings": (
        lambda v, o: selectors.booking_list(viewer=v),
        2,
        lambda r: (r.room.venue.name, r.booked_by),
    ),
}


@pytest.mark.parametrize("name", LISTS)
def test_list_reads_in_fixed_queries(world, objects, viewer, name, django_assert_num_queries):
    call, queries, show = LISTS[name]
    with django_assert_num_queries(queries):
        rows = list(call(viewer, objects))
        assert rows, name
        for row in rows:
            show(row)


def test_floor_area_check_reads_in_fixed_queries(world, objects, viewer, django_assert_num_queries):
    with django_assert_num_queries(3):
        rows = selectors.service_centre_floor_area(viewer=viewer)
    assert [r.community.name for r in rows] == ["复兴西路社区居委会", "武康路社区居委会"]
