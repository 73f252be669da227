"""The demo's named fixture: 湖南路街道 built by `demo_generate` at street scale.

The demo is built once per test module, inside a transaction that is rolled back when
the module is done; each test runs in its own savepoint within it (pytest-django's
`db`), so what a test changes is undone before the next. A module that uses
`street_demo` must hold only tests that expect the demo in the database.

`demo_snapshot()` reads back everything the demo wrote, minus ids, hashes and times, so
two runs can be compared for determinism.
"""

import datetime
import re
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

SEED = 7


@pytest.fixture(scope="module")
def _street_demo_module(django_db_setup, django_db_blocker):
    from jiceng.demo.generator import demo_generate

    # As tests/conftest.py's `_fast_settings`, which is function-scoped.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        result = demo_generate(scale="street", seed=SEED)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def street_demo(_street_demo_module, db):
    return _street_demo_module


def demo_snapshot() -> dict[str, list]:
    """Every demo row as plain values: names, codes, credit codes, coverage and people."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.appeals.models import Appeal, AppealEvent, HandlingUnit, Mediation, RoutingRule
    from jiceng.cobuild.models import Booking, MeetingTask, Need, Project, Resource, Venue
    from jiceng.core.models import Area
    from jiceng.members.models import DualReport, Member, MobileInflow, MobileOutflow, Transfer
    from jiceng.orgs.models import GridPost, PartTimeMember, PartyOrg, Unit

    new_since = timezone.now() - datetime.timedelta(days=30)
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
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
        # A system token's account is named after the token's id ("system-<id>"), and ids
        # are aside here (PostgreSQL's sequences do not roll back with the demo).
        "users": sorted(
            (re.sub(r"^system-\d+$", "system-#", username), full_name)
            for username, full_name in User.objects.values_list("username", "full_name")
        ),
        "roles": sorted(
            RoleAssignment.objects.values_list("user__username", "role", "area__code", "org__name"),
            key=str,
        ),
        "grid_posts": sorted(
            GridPost.objects.values_list(
                "grid__code", "user__username", "duty", "lane", "started_on"
            )
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
                "name",
                "id_number_index",
                "org__name",
                "status",
                "category",
                "joined_on",
                "full_on",
                "birth_date",
                "gender",
                "ethnicity",
                "education",
                "phone_index",
                "residence_community__code",
                "work_unit__uscc",
                "post",
            ),
            key=str,
        ),
        "transfers": sorted(
            Transfer.objects.values_list("member__id_number_index", "to_org__name", "state")
        ),
        "inflows": sorted(MobileInflow.objects.values_list("id_number_index", "state")),
        "outflows": sorted(
            MobileOutflow.objects.values_list(
                "member__id_number_index", "destination", "left_on", "state"
            )
        ),
        "dual_reports": sorted(
            DualReport.objects.values_list(
                "kind",
                "community__code",
                "unit_org__name",
                "member__id_number_index",
                "service_post",
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
        "handling_units": sorted(HandlingUnit.objects.values_list("name", "kind", "area__code")),
        "routing_rules": sorted(
            RoutingRule.objects.values_list("category__code", "area__code", "unit__name"),
            key=str,
        ),
        # Cases: what, where, how far handled, and when; the year of cases ends at the
        # start of today, so two runs on one day give the same times.
        "appeals": sorted(
            (
                a.category.code,
                a.area.code,
                a.description,
                a.channel,
                a.state,
                a.satisfaction,
                a.unit.name if a.unit else None,
                a.received_at if a.received_at < midnight else None,
                a.response_overdue,
                a.resolution_overdue,
                a.reopen_count,
            )
            for a in Appeal.objects.select_related("category", "area", "unit")
        ),
        "appeal_steps": sorted(
            Counter(
                (e.appeal.idempotency_key, e.action, e.at if e.at < midnight else None)
                for e in AppealEvent.objects.select_related("appeal").exclude(action="overdue")
            ).items(),
            key=str,
        ),
        "mediations": sorted(
            Mediation.objects.values_list("appeal__idempotency_key", "parties", "outcome"),
            key=str,
        ),
    }
