"""The seeded frequencies equal the defaults `ensure_requirements` restores, and it never
overwrites a deployment's change."""

from jiceng.orglife.models import MeetingRequirement
from jiceng.orglife.requirements import DEFAULTS, ensure_requirements


def test_migration_rows_equal_the_defaults_and_changes_are_kept(requirements):
    rows = set(MeetingRequirement.objects.values_list("kind", "period", "times", "org_kinds"))
    assert rows == set(DEFAULTS)
    MeetingRequirement.objects.filter(kind="lecture").update(period="month")
    MeetingRequirement.objects.filter(kind="themed_day").delete()
    assert ensure_requirements() == 1
    assert MeetingRequirement.objects.get(kind="lecture").period == "month"
    assert MeetingRequirement.objects.filter(kind="themed_day").exists()


def test_only_the_city_may_tighten_a_frequency(client, life, territory):
    import json

    from jiceng.core.models import AuditEntry

    body = json.dumps({"period": "month", "times": 1})
    territory.client_for(client, "xh_admin")
    response = client.put(
        "/api/orglife/requirements/lecture", data=body, content_type="application/json"
    )
    # The city's root area is outside a district's sight: the same answer as a missing one.
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert MeetingRequirement.objects.get(kind="lecture").period == "quarter"
    territory.client_for(client, "city_admin")
    response = client.put(
        "/api/orglife/requirements/lecture", data=body, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["period"] == "month"
    assert AuditEntry.objects.filter(target_type="orglife.meetingrequirement").count() == 1
    bad = client.put(
        "/api/orglife/requirements/lecture",
        data=json.dumps({"period": "decade", "times": 1}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "period"
    assert client.get("/api/orglife/requirements").status_code == 200
