"""The category admin writes through the category services: their checks on the field
they name, their audit entry; the code, the Open311 service_code, is set once."""

from jiceng.appeals.models import Category
from jiceng.core.models import AuditEntry

FIELDS = {
    "name": "宠物扰民",
    "group": "社会治理",
    "description": "",
    "response_hours": "24",
    "resolution_amount": "3",
    "resolution_unit": "working_days",
    "reopen_days": "7",
    "is_active": "on",
    "sort": "5",
}


def test_category_admin_creates_and_changes_through_the_services(client, territory):
    client.force_login(territory.users["superuser"])
    created = client.post("/admin/appeals/category/add/", {"code": "pets", **FIELDS})
    assert created.status_code == 302, created.content.decode()[:2000]
    pets = Category.objects.get(code="pets")
    assert (pets.name, pets.resolution_amount, pets.sort) == ("宠物扰民", 3, 5)
    entry = AuditEntry.objects.get(target_type="appeals.category", target_id=str(pets.pk))
    assert (entry.action, entry.actor_id, entry.changes) == (
        AuditEntry.Action.CREATE,
        territory.users["superuser"].pk,
        {"code": "pets"},
    )
    url = f"/admin/appeals/category/{pets.pk}/change/"
    changed = client.post(url, {**FIELDS, "code": "dogs", "response_hours": "12"})
    assert changed.status_code == 302
    pets.refresh_from_db()
    assert (pets.code, pets.response_hours) == ("pets", 12)
    update = AuditEntry.objects.filter(target_type="appeals.category", action="update").get()
    assert update.changes == {"response_hours": {"old": 24, "new": 12}}


def test_category_admin_shows_the_service_refusal_on_its_field(client, territory):
    client.force_login(territory.users["superuser"])
    hours = {**FIELDS, "resolution_unit": "hours", "resolution_amount": "12"}
    refused = client.post("/admin/appeals/category/add/", {"code": "pets", **hours})
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "办结时限不能短于响应时限" in errors["resolution_amount"][0]
    assert not Category.objects.filter(code="pets").exists()
