"""The demo's named fixture: 湖南路街道 built by `demo_generate` at street scale.

`demo_snapshot()` reads back everything the demo wrote, minus ids, hashes and times, so
two runs can be compared for determinism.
"""

import datetime

import pytest
from django.utils import timezone

SEED = 7


@pytest.fixture
def street_demo(db):
    from jiceng.demo.generator import demo_generate

    return demo_generate(scale="street", seed=SEED)


def demo_snapshot() -> dict[str, list]:
    """Every demo row as plain values: names, codes, credit codes, coverage and people."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.appeals.models import Appeal
    from jiceng.cobuild.models import Booking, MeetingTask, Need, Project, Resource, Venue
    from jiceng.core.models import Area
    from jiceng.members.models import Member, MobileInflow, Transfer
    from jiceng.orgs.models import GridPost, PartTimeMember, PartyOrg, Unit

    new_since = timezone.now() - datetime.timedelta(days=30)
    return {
        "areas": list(
            Area.objects.order_by("code").values_list("code", "name", "level", "parent__code")
        ),
        "orgs": sorted(
            PartyOrg.objects.values_list(
                "name",
                "kind",
                "domain",
                "form",
                "area__code",
                "parent__name",
                "secretary_name",
                "established_on",
            )
        ),
        "units": sorted(
            (
                u.uscc,
                u.name,
                u.kind,
                u.area.code,
                u.address,
                u.employees,
                u.formal_members,
                str(u.coverage),
                u.own_org.name if u.own_org else None,
                u.covering_org.name if u.covering_org else None,
                u.registered_at >= new_since,
            )
            for u in Unit.objects.select_related("area", "own_org", "covering_org")
        ),
        "users": sorted(User.objects.values_list("username", "full_name")),
        "roles": sorted(
            RoleAssignment.objects.values_list("user__username", "role", "area__code", "org__name"),
            key=str,
        ),
        "grid_posts": sorted(
            GridPost.objects.values_list("grid__code", "user__username", "duty", "started_on")
        ),
        "part_time": sorted(
            PartTimeMember.objects.values_list(
                "committee__area__code", "name", "source", "unit__uscc", "position", "started_on"
            ),
            key=str,
        ),
        "totp": sorted(TOTPDevice.objects.values_list("user__username", "name", "key")),
        "members": sorted(
            Member.objects.values_list(
                "name", "id_number_index", "org__name", "status", "category", "joined_on"
            )
        ),
        "transfers": sorted(
            Transfer.objects.values_list("member__id_number_index", "to_org__name", "state")
        ),
        "inflows": sorted(MobileInflow.objects.values_list("id_number_index", "state")),
        # Cases: what, where, how far handled, and on which day (times move with today).
        "appeals": sorted(
            Appeal.objects.values_list(
                "category__code", "area__code", "description", "state", "satisfaction"
            ),
            key=str,
        ),
        # Co-building: what, where and how far; dates move with today.
        "needs": sorted(
            Need.objects.values_list(
                "title", "category", "community__code", "source", "status", "beneficiaries"
            )
        ),
        "resources": sorted(
            Resource.objects.values_list(
                "title", "category", "offered_by_org__name", "capacity", "is_active"
            ),
            key=str,
        ),
        "projects": sorted(
            Project.objects.values_list(
                "need__title", "need__community__code", "provider_org__name", "state", "score"
            ),
            key=str,
        ),
        "tasks": sorted(
            MeetingTask.objects.values_list("decision", "owner_member__name", "status")
        ),
        "venues": sorted(Venue.objects.values_list("name", "kind", "floor_area")),
        "bookings": sorted(Booking.objects.values_list("room__name", "purpose", "booked_for")),
    }
