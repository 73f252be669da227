"""The handler's queue shows the cases its viewer may see (core.scope): what the case's
page and its actions would refuse is not listed either."""

from jiceng.accounts.services import role_grant, user_create
from jiceng.appeals import selectors, services
from tests.conftest import PASSWORD


def test_handler_queue_is_scoped_by_its_viewer(world):
    case = world.intake(area_key="xh_c3", code="illegal-building", text="楼顶违建")
    assert case.unit == world.department
    queue = selectors.handler_queue(viewer=world.t.users["xh_chengguan"], unit=world.department)
    assert list(queue) == [case]
    # A handler of the same unit whose role lies in another district sees none of it.
    stranger = user_create(actor=None, username="hp_chengguan", password=PASSWORD,
                           check_password=False)  # fmt: skip
    role_grant(actor=None, user=stranger, role="department_staff", area=world.t.areas["hp"])
    services.handler_add(actor=None, unit=world.department, user=stranger)
    assert list(selectors.handler_queue(viewer=stranger, unit=world.department)) == []
    assert list(selectors.handler_queue(viewer=None, unit=world.department)) == []


def test_queue_page_lists_only_visible_cases(client, world):
    case = world.intake(area_key="xh_c3", code="illegal-building", text="楼顶违建")
    client.force_login(world.t.users["xh_chengguan"])
    assert case.tracking_code in client.get("/appeals/queue/").content.decode()


def test_queue_shows_the_earliest_due_and_links_to_the_rest(client, world):
    """Each unit's queue lists the 20 earliest due; the rest is the case list of that
    unit, which the link opens (and only that unit's cases)."""
    from jiceng.appeals.views import QUEUE_SHOWN
    from jiceng.core.services import area_create

    # One place each: similar cases at one place wait as possible duplicates.
    for n in range(QUEUE_SHOWN + 1):
        world.t.areas[f"grid{n}"] = area_create(
            actor=None,
            parent=world.t.areas["xh_c3"],
            code=f"310104004001{n + 100:03d}",
            name=f"第{n}网格",
            level="grid",
        )
    cases = [
        world.intake(area_key=f"grid{n}", code="illegal-building", text=f"楼顶违建{n}")
        for n in range(QUEUE_SHOWN + 1)
    ]
    other = world.intake(area_key="xh_c3", code="sanitation", text="楼下垃圾没人清运")
    assert other.unit != world.department
    client.force_login(world.t.users["xh_chengguan"])
    page = client.get("/appeals/queue/").content.decode()
    due = sorted(cases, key=lambda a: (a.resolution_due_at, a.pk))
    assert due[0].tracking_code in page and due[-1].tracking_code not in page
    link = f"/appeals/?unit={world.department.pk}&amp;state=open"
    assert link in page
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert due[-1].tracking_code in listed and other.tracking_code not in listed
    # Anything else in `unit` is no filter, never an error.
    assert client.get("/appeals/?unit=abc").status_code == 200


def test_queues_of_all_units_in_one_query_equal_each_unit_queue(world, django_assert_num_queries):
    """`handler_queues` reads every unit's first cases at once: the same cases, in the
    same order, as each unit's own queue."""
    from jiceng.core.scope import scope_for
    from jiceng.core.services import area_create

    for n in range(5):
        world.t.areas[f"g{n}"] = area_create(
            actor=None,
            parent=world.t.areas["xh_c3"],
            code=f"310104004001{n + 200:03d}",
            name=f"第{n}网格",
            level="grid",
        )
        world.intake(area_key=f"g{n}", code="illegal-building", text=f"楼顶违建{n}")
        world.intake(area_key=f"g{n}", code="sanitation", text=f"垃圾{n}")
    viewer = world.t.users["xh_admin"]
    units = [world.department, world.street_unit, world.community_unit, world.hp_department]
    scope_for(viewer)  # the viewer's roles, read once per request
    with django_assert_num_queries(1):
        queues = selectors.handler_queues(viewer=viewer, units=units, first=3)
    for unit in units:
        expected = list(selectors.handler_queue(viewer=viewer, unit=unit)[:3])
        assert queues[unit.pk] == expected
    assert len(queues[world.department.pk]) == 3
