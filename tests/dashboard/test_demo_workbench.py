"""The workbench of every demo account (the street demo): each item is work the viewer
may do, by the apps' own access rules; each links to a page the viewer can open; the
home page's queries are pinned per role and do not grow with the data; and every link
of each role's navigation opens.

The module holds only tests that expect the demo in the database (tests/demo/conftest)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.accounts.models import RoleAssignment, User
from jiceng.appeals import access as appeal_access
from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Category
from jiceng.appeals.workbench import unit_cases
from jiceng.cobuild import access as cobuild_access
from jiceng.cobuild.models import MatchProposal, Need
from jiceng.cobuild.selectors import need_list, proposal_list
from jiceng.cobuild.workbench import needs_unmatched, project_steps, proposals_to_decide
from jiceng.core.access import can_manage_area
from jiceng.core.scope import scope_for
from jiceng.dashboard.workbench import LIST_LIMIT, workbench_items
from jiceng.demo.logins import DEMO_ACCOUNTS
from jiceng.members import access as member_access
from jiceng.members.models import DualReport, MobileInflow, Transfer
from jiceng.members.selectors import dual_report_list, inflow_list, transfer_list
from jiceng.members.workbench import inflows_to_verify, reports_awaiting_post, transfers_to_accept
from tests.pages.test_nav_links import nav_links

USERNAMES = [account.username for account in DEMO_ACCOUNTS]
# The home page's queries per demo role, whatever the data: session, user, roles, the
# territory figures (one per column of children, whose sums are the totals, and one per
# indicator without children; one per rollup read, core.rollups.reading) and the workbench's
# sources (one or two each). Measured on the street demo with rows added: a source that
# lists its few items one by one counts them in one more query once they are many. The
# linkage app added one query for everyone (the inbox's unread count in the top bar) and,
# where a role sees dispatch and notification, its two indicators (tasks due, late
# reports) and its to-do sources (tasks to report, notices to acknowledge, reports to
# review, late recipients to chase); duty admission its two indicators and up to three
# sources (applications to review, requests to answer, overdue requests); assessment its
# overdue rectification indicator and its sources (report to write, reviews to give,
# items due, closures to confirm, overdue items escalated); supervision its weak-org
# indicators and sources (candidates to decide, plans due, talks' follow-ups). A
# department's staff see their own sends: linkage's two indicators and the review and
# chase sources (four); the district the tasks its streets marked outside their lists.
# The open and overdue cases (both indicators and the overseers' overdue by child) are
# one read of appeals.open_rollup for the whole page. The viewer's own handling units are
# read once (their ids), and the cases and summonses sent to them only where there are any.
# The units to organize: the new and uncovered ones counted, those that must form an org
# from the coverage rollup of the areas the viewer manages (one read of those areas).
# Organizational life's orgs due and behind: whether the year's tree is complete, then
# its children's rows and the area's own orgs' rows.
HOME_QUERIES = {
    "demo_city": 58,
    "demo_district": 61,
    "demo_street": 68,
    "demo_community": 59,
    "demo_grid": 18,
    "demo_unit": 21,
    "demo_member": 8,
    "demo_resident": 9,
    "demo_department": 21,
    "demo_auditor": 14,
}


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.parametrize("username", USERNAMES)
def test_every_item_is_work_the_viewer_may_do(street_demo, username):
    user = _user(username)
    scope = scope_for(user)
    pending = transfer_list(viewer=user, state=Transfer.State.PENDING)
    assert set(transfers_to_accept(viewer=user, scope=scope)) == {
        t for t in pending if member_access.can_decide_transfer(user, t)
    }
    unchecked = inflow_list(viewer=user, state=MobileInflow.State.PENDING)
    assert set(inflows_to_verify(viewer=user, scope=scope)) == {
        i for i in unchecked if can_manage_area(user, i.community)
    }
    reports = dual_report_list(viewer=user).filter(service_post="")
    assert set(reports_awaiting_post(viewer=user, scope=scope)) == {
        r for r in reports if can_manage_area(user, r.community)
    }
    proposals = proposal_list(viewer=user, state=MatchProposal.State.PENDING)
    assert set(proposals_to_decide(viewer=user, scope=scope)) == {
        p for p in proposals if cobuild_access.can_decide_proposal(user, p)
    }
    needs = need_list(viewer=user, status=Need.Status.OPEN)
    assert set(needs_unmatched(viewer=user, scope=scope)) == {
        n for n in needs if cobuild_access.can_manage_need(user, n)
    }
    for project in project_steps(viewer=user, scope=scope, today=datetime.date.today()):
        assert cobuild_access.can_carry_out_project(user, project), (username, project)
    if not scope.everything:
        for case in unit_cases(viewer=user):
            assert appeal_access.can_handle(user, case), (username, case)


@pytest.mark.parametrize("username", USERNAMES)
def test_every_item_links_to_a_page_the_viewer_opens(street_demo, client, username):
    user = _user(username)
    client.force_login(user)
    items = workbench_items(viewer=user)
    for url in dict.fromkeys(item.url for item in items):
        assert client.get(url).status_code == 200, (username, url)
    response = client.get("/api/workbench?limit=500")
    assert response.status_code == 200
    assert [i["title"] for i in response.json()["items"]] == [i.title for i in items]


def test_the_demo_roles_have_work_on_their_workbench(street_demo):
    """The demo is a showcase: each working role finds something to do."""
    for username in ("demo_district", "demo_street", "demo_community", "demo_grid"):
        assert workbench_items(viewer=_user(username)), username
    for username in ("demo_member", "demo_resident", "demo_auditor"):
        assert workbench_items(viewer=_user(username)) == [], username
    sources = {t.source for t in workbench_items(viewer=_user("demo_street"))}
    assert {"appeals_street", "appeals_overdue", "members_transfers", "cobuild_needs"} <= sources


def _home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def _grow(users: dict[str, User]) -> None:
    """More of what the workbench lists, through the services: cases in the demo grid
    (beyond what a source lists one by one), a pending transfer's worth of inflows."""
    grid = RoleAssignment.objects.get(user=users["demo_grid"], revoked_at__isnull=True).area
    category = Category.objects.filter(is_active=True).order_by("sort", "code").first()
    for i in range(3 * LIST_LIMIT):
        intake = appeal_services.Intake(
            channel="grid",
            category=category,
            area=grid,
            # Texts that share no two characters, so none is held as a duplicate.
            description="".join(chr(0x4E00 + (i * 997 + k * 31) % 20000) for k in range(12)),
            client="test",
            idempotency_key=f"workbench-grow-{i}",
        )
        appeal_services.appeal_intake(actor=users["demo_grid"], intake=intake)


def test_the_home_page_of_each_role_keeps_its_query_count(street_demo, client):
    users = {username: _user(username) for username in USERNAMES}
    before = {u: _home_queries(client, user) for u, user in users.items()}
    _grow(users)
    after = {u: _home_queries(client, user) for u, user in users.items()}
    assert after == HOME_QUERIES
    for username in USERNAMES:
        assert 0 <= after[username] - before[username] <= 1, (username, before, after)
    # The grid worker's cases went from a list to a counted group.
    (group,) = [t for t in workbench_items(viewer=users["demo_grid"]) if t.is_group]
    assert group.count >= 3 * LIST_LIMIT


@pytest.mark.parametrize("username", USERNAMES)
def test_every_navigation_link_of_a_demo_role_opens(street_demo, client, username):
    """Navigation shows only pages the role can open (a unit org secretary has no
    territory, so no coverage page)."""
    client.force_login(_user(username))
    links = nav_links(client.get("/").content.decode())
    for section in [link for link in links if link != "/"]:
        response = client.get(section)
        assert response.status_code == 200, (username, section)
        links += nav_links(response.content.decode())
    for link in dict.fromkeys(links):
        assert client.get(link).status_code == 200, (username, link)
    if username == "demo_unit":
        assert "/orgs/coverage/" not in links


def test_dual_reports_without_a_post_are_the_communitys_to_assign(street_demo):
    staff = _user("demo_community")
    scope = scope_for(staff)
    for report in reports_awaiting_post(viewer=staff, scope=scope):
        assert isinstance(report, DualReport) and report.service_post == ""
        member_access.require_manage_dual_report(staff, report)
