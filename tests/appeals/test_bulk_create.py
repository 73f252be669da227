"""Recording past cases in bulk (a migration from a hotline system, the demo's year):
the same intake checks as a live case, all or nothing, a rerun skips what is on file,
one audit entry, counters equal a rebuild."""

import datetime

import pytest
from django.utils import timezone

from jiceng.appeals import rollup, services
from jiceng.appeals.models import Appeal, AppealMonthStat
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry


def _case(world, *, key: str, text: str = "楼下垃圾三天没人清运", days_ago: int = 30, **extra):
    intake = services.Intake(
        channel="hotline",
        category=world.category(extra.pop("code", "sanitation")),
        area=world.t.areas["xh_g1"],
        description=text,
        client="hotline-2025",
        idempotency_key=key,
        **extra,
    )
    received = timezone.now() - datetime.timedelta(days=days_ago)
    return services.CaseRecord(intake=intake, received_at=received)


def test_cases_are_written_once_with_one_audit_entry(world):
    cases = [_case(world, key=f"k{n}", contact_phone="13812345678") for n in range(3)]
    before = AuditEntry.objects.count()
    assert services.appeal_bulk_create(actor=None, cases=cases) == 3
    assert AuditEntry.objects.count() == before + 1
    stored = Appeal.objects.get(idempotency_key="k0")
    assert stored.contact_phone_encrypted and "13812345678" not in stored.contact_phone_encrypted
    assert services.appeal_bulk_create(actor=None, cases=cases) == 0  # a rerun skips them
    assert Appeal.objects.count() == 3
    kept = _counters()
    assert kept and sum(row[3] for row in kept) == 3
    rollup.rebuild()
    assert _counters() == kept


def _counters():
    return sorted(
        AppealMonthStat.objects.values_list("community_id", "street_id", "month", *rollup.COUNTERS)
    )


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"text": "  "}, "description"),
        ({"text": "长" * 5000}, "description"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"days_ago": -1}, "received_at"),
    ],
)
def test_one_bad_case_refuses_the_whole_call_naming_the_field(world, bad, field):
    cases = [_case(world, key="good"), _case(world, key="bad", **bad)]
    with pytest.raises(ValidationFailed) as refused:
        services.appeal_bulk_create(actor=None, cases=cases)
    assert refused.value.field == field
    assert not Appeal.objects.exists()


def test_an_inactive_category_is_refused(world):
    category = world.category("sanitation")
    category.is_active = False
    category.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed) as refused:
        services.appeal_bulk_create(actor=None, cases=[_case(world, key="x")])
    assert refused.value.field == "category"
    assert not Appeal.objects.exists()


def test_counters_over_many_months_are_added_in_several_statements(world, monkeypatch):
    monkeypatch.setattr(rollup, "ADD_MANY_ROWS", 2)
    cases = [_case(world, key=f"m{n}", days_ago=5 + 31 * n) for n in range(5)]
    assert services.appeal_bulk_create(actor=None, cases=cases) == 5
    kept = _counters()
    assert len(kept) == 5 and sum(row[3] for row in kept) == 5
    rollup.rebuild()
    assert _counters() == kept
