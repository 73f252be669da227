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
