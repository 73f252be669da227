"""Every registered ledger generated on the demo street (湖南路街道) and one of its
communities, as their staff see them: a street's ledger has rows, every ledger's cells
match its columns, and the queries are bounded whatever the number of rows (a street's
ledger costs what a community's does)."""

import datetime

import pytest
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.core.ledgers import all_ledgers
from jiceng.core.models import Area
from jiceng.ledgers.selectors import ledger_table, subject_for
from tests.demo.conftest import _street_demo_module, street_demo  # noqa: F401

# Each ledger's rows: a fixed handful of queries (the scope of a fresh viewer, the rows
# with their prefetches, the party-statistics tables one each).
MAX_QUERIES = 10
LEDGERS = all_ledgers()


def _period() -> str:
    # Half a year back: a calendar year the demo's year of records fills well.
    return str((timezone.localdate() - datetime.timedelta(days=180)).year)


def _staff(role: str) -> tuple[User, Area]:
    user = User.objects.filter(assignments__role=role).order_by("username").first()
    return User.objects.get(pk=user.pk), user.assignments.get(role=role).area


def _generate(role: str, ledger, assert_max):
    viewer, area = _staff(role)
    subject = subject_for(viewer=viewer, ledger=ledger, area=area, period=_period())
    with assert_max(MAX_QUERIES):
        table = ledger_table(viewer=viewer, ledger=ledger, subject=subject)
    assert all(len(row) == len(ledger.columns) for row in table.rows)
    return area, table


@pytest.mark.parametrize("ledger", LEDGERS, ids=[x.key for x in LEDGERS])
def test_street_ledger_has_rows_with_bounded_queries(
    street_demo,  # noqa: F811
    ledger,
    django_assert_max_num_queries,
):
    street, table = _generate("street_staff", ledger, django_assert_max_num_queries)
    assert street.level == "street"
    assert table.rows, f"{ledger.key} is empty for the demo street"


@pytest.mark.parametrize("ledger", LEDGERS, ids=[x.key for x in LEDGERS])
def test_community_ledger_with_bounded_queries(
    street_demo,  # noqa: F811
    ledger,
    django_assert_max_num_queries,
):
    community, table = _generate("community_secretary", ledger, django_assert_max_num_queries)
    assert community.level == "community"
    # Nothing from outside the community: the street's own ledger holds at least as much.
    _street, whole = _generate("street_staff", ledger, django_assert_max_num_queries)
    assert len(table.rows) <= len(whole.rows) or ledger.key in SUMMARIES


# Ledgers of one row per group (a composition table, a category): a community may have
# as many groups as the street.
SUMMARIES = {"member_composition", "appeals_by_category", "appeals_by_channel"}


def test_member_register_masks_every_number(street_demo):  # noqa: F811
    from jiceng.core import crypto
    from jiceng.core.ledgers import ledger_named
    from jiceng.members.models import Member

    viewer, street = _staff("street_staff")
    ledger = ledger_named("member_register")
    table = ledger_table(
        viewer=viewer, ledger=ledger, subject=subject_for(viewer=viewer, ledger=ledger, area=street)
    )
    numbers = {
        crypto.decrypt(n) for n in Member.objects.values_list("id_number_encrypted", flat=True)
    }
    id_column = [c.key for c in ledger.columns].index("id_number")
    phone_column = [c.key for c in ledger.columns].index("phone")
    for row in table.rows:
        assert row[id_column] not in numbers and "*" in row[id_column]
        assert not row[phone_column] or "****" in row[phone_column]
