"""Account administration: staff create accounts and grant roles inside their territory
only, and revoke them; everything audited."""

import pytest
from django.urls import reverse

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.models import AuditEntry

NEW_PASSWORD = "Grid-Worker-2026!"


def _create(client, **fields):
    data = {
        "username": "wang_grid",
        "full_name": "王网格",
        "password": NEW_PASSWORD,
        "role": "grid_worker",
    }
    data.update(fields)
    return client.post(reverse("accounts:account_new"), data)


def test_community_secretary_creates_a_grid_worker(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    page = client.get(reverse("accounts:account_new")).content.decode()
    assert "第一网格" in page and "贵州路" not in page
    response = _create(client, area=territory.areas["xh_g1"].pk)
    assert response.status_code == 302
    account = User.objects.get(username="wang_grid")
    assert account.check_password(NEW_PASSWORD)
    assert RoleAssignment.objects.get(user=account).area == territory.areas["xh_g1"]
    assert AuditEntry.objects.filter(action="grant", target_id=str(account.pk)).exists()
    listing = client.get(reverse("accounts:account_list")).content.decode()
    assert "wang_grid" in listing and "hp_s1_staff" not in listing


def test_wrong_level_weak_password_and_foreign_area_are_refused(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    wrong_level = _create(client, area=territory.areas["xh_c1"].pk)
    assert wrong_level.status_code == 200 and not User.objects.filter(username="wang_grid").exists()
    weak = _create(client, area=territory.areas["xh_g1"].pk, password="12345678")
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    foreign = _create(client, area=territory.areas["hp_g1"].pk)
    assert foreign.status_code == 200
    assert not User.objects.filter(username="wang_grid").exists()


def test_revoke_and_no_access_for_other_roles(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    worker = RoleAssignment.objects.get(user=territory.users["xh_g1_worker"])
    other = RoleAssignment.objects.get(user=territory.users["hp_s1_staff"])
    assert client.post(reverse("accounts:account_revoke", args=[other.pk])).status_code == 404
    client.post(reverse("accounts:account_revoke", args=[worker.pk]))
    worker.refresh_from_db()
    assert worker.revoked_at is not None
    for key in ("xh_g1_worker", "xh_resident", "xh_member"):
        client.force_login(territory.users[key])
        assert client.get(reverse("accounts:account_list")).status_code == 404


@pytest.mark.parametrize("key", ["xh_admin", "xh_s1_staff", "city_admin"])
def test_account_list_is_the_territory_latest_first_and_searchable(client, territory, key):
    """The list holds the roles anchored in the viewer's territory (on an area there or
    an org located there), newest first, 50 a page; `q` finds a username or a name."""
    from jiceng.accounts.selectors import assignment_list
    from jiceng.core.access import can_manage_area

    viewer = territory.users[key]
    rows = list(assignment_list(viewer=viewer))
    expected = [
        a
        for a in RoleAssignment.objects.filter(revoked_at__isnull=True).order_by("-id")
        if can_manage_area(viewer, a.area or a.org.area)
    ]
    assert rows == expected
    client.force_login(viewer)
    found = client.get(reverse("accounts:account_list"), {"q": "c1_secre"}).content.decode()
    assert "xh_c1_secretary" in found and "xh_c3_secretary" not in found
