"""Pages that register, edit, move units and attach them to their own or a joint org:
success through the service with its audit row, each refusal on its field, scope."""

import pytest
from django.urls import reverse

from jiceng.core import validators
from jiceng.core.models import AuditEntry
from jiceng.core.validators import uscc_check_character
from jiceng.orgs.models import Unit
from jiceng.orgs.services import units as unit_msgs


def _uscc(seventeen: str) -> str:
    return seventeen + uscc_check_character(seventeen)


GOOD = _uscc("91310104MA1FL8888")


def _errors(response) -> dict[str, list[str]]:
    return {k: [str(e) for e in v] for k, v in response.context["form"].errors.items()}


def _state() -> tuple[int, int]:
    return Unit.objects.count(), AuditEntry.objects.count()


def _unit_post(territory, **changes) -> dict:
    data = {
        "name": "上海武康路文化创意有限公司",
        "uscc": GOOD,
        "kind": "private_enterprise",
        "area": territory.areas["xh_c1"].pk,
        "address": "武康路100号",
        "employees": 20,
        "formal_members": 2,
    }
    data.update(changes)
    return data


def test_register_unit_page_creates_a_new_uncovered_unit(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("orgs:unit_new")).status_code == 200
    # Typed on a phone: lower case and full-width characters are normalized.
    response = client.post(reverse("orgs:unit_new"), _unit_post(territory, uscc=" " + GOOD.lower()))
    unit = Unit.objects.get(uscc=GOOD)
    assert response.status_code == 302
    assert unit.coverage == Unit.Coverage.UNCOVERED and unit.area == territory.areas["xh_c1"]
    assert AuditEntry.objects.filter(target_type="orgs.unit", target_id=str(unit.pk)).exists()
    page = client.get(reverse("orgs:unit_detail", args=[unit.pk])).content.decode()
    assert "新登记未覆盖" in page
    listed = client.get(reverse("orgs:unit_list") + "?coverage=new_uncovered").content.decode()
    assert unit.name in listed


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"uscc": GOOD[:17] + ("0" if GOOD[17] != "0" else "1")},
            "uscc",
            validators.MSG_USCC_CHECK,
        ),
        ({"uscc": GOOD[:15]}, "uscc", validators.MSG_USCC_LENGTH),
        ({"uscc": "91310104MA1FI99999"}, "uscc", validators.MSG_USCC_CHARS),
        ({"uscc": "91310104MA1FL0001X"}, "uscc", None),  # the fixture's unit: taken or bad check
        ({"formal_members": 30}, "formal_members", unit_msgs.MSG_UNIT_COUNTS),
        ({"name": ""}, "name", None),
        ({"kind": ""}, "kind", None),
        ({"employees": -1}, "employees", None),
    ],
)
def test_register_unit_refusals_show_on_their_field(client, territory, changes, field, message):
    client.force_login(territory.users["xh_c1_secretary"])
    before = _state()
    response = client.post(reverse("orgs:unit_new"), _unit_post(territory, **changes))
    assert response.status_code == 422
    errors = _errors(response)
    assert field in errors
    if message:
        assert errors[field] == [str(message)]
    assert _state() == before


def test_register_taken_code_names_the_field(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    taken = territory.units["xh_own"].uscc
    response = client.post(reverse("orgs:unit_new"), _unit_post(territory, uscc=taken))
    assert response.status_code == 422
    assert _errors(response)["uscc"] == [str(unit_msgs.MSG_UNIT_USCC_TAKEN)]


def test_community_secretary_cannot_register_a_unit_outside_their_community(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    before = _state()
    response = client.post(
        reverse("orgs:unit_new"), _unit_post(territory, area=territory.areas["xh_c3"].pk)
    )
    assert response.status_code == 422 and "area" in _errors(response)
    assert _state() == before


def test_edit_unit_page(client, territory):
    unit = territory.units["xh_joint1"]
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("orgs:unit_edit", args=[unit.pk])
    assert client.get(url).status_code == 200
    data = {"name": unit.name, "kind": unit.kind, "address": "武康路1号", "employees": 18}
    response = client.post(url, {**data, "formal_members": 3})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.employees == 18 and unit.formal_members == 3 and unit.address == "武康路1号"
    refused = client.post(url, {**data, "formal_members": 19})
    assert refused.status_code == 422
    assert _errors(refused)["formal_members"] == [str(unit_msgs.MSG_UNIT_COUNTS)]


def test_move_unit_page(client, territory):
    unit = territory.units["xh_must"]
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("orgs:unit_move", args=[unit.pk])
    assert client.get(url).status_code == 200
    same = client.post(url, {"area": unit.area_id})
    assert same.status_code == 422
    assert _errors(same)["area"] == [str(unit_msgs.MSG_UNIT_MOVE_SAME)]
    response = client.post(url, {"area": territory.areas["xh_g1"].pk})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.area == territory.areas["xh_g1"]
    assert AuditEntry.objects.filter(target_id=str(unit.pk), action="move").exists()


def test_move_unit_out_of_its_joint_orgs_street_is_refused(client, territory):
    from jiceng.orgs import services

    unit = territory.units["xh_joint1"]
    services.unit_move(actor=None, unit=unit, area=territory.areas["xh_c2"])  # same street: fine
    client.force_login(territory.users["xh_admin"])
    response = client.post(
        reverse("orgs:unit_move", args=[unit.pk]), {"area": territory.areas["xh_c3"].pk}
    )
    assert response.status_code == 422
    assert _errors(response)["area"] == [str(unit_msgs.MSG_COVER_TERRITORY)]
    unit.refresh_from_db()
    assert unit.area == territory.areas["xh_c2"]


def test_coverage_page_attaches_own_or_joint_org(client, territory):
    unit = territory.units["xh_must"]
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("orgs:unit_coverage", args=[unit.pk])
    assert client.get(url).status_code == 200
    joint = territory.orgs["xh_joint"].pk
    response = client.post(url, {"own_org": "", "covering_org": joint})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.coverage == Unit.Coverage.JOINT
    both = client.post(url, {"own_org": territory.orgs["xh_c1_b1"].pk, "covering_org": joint})
    assert both.status_code == 422
    assert _errors(both)["covering_org"] == [str(unit_msgs.MSG_COVER_HAS_OWN)]
    taken = client.post(url, {"own_org": territory.orgs["xh_unit_org"].pk, "covering_org": ""})
    assert taken.status_code == 422
    assert _errors(taken)["own_org"] == [str(unit_msgs.MSG_OWN_ORG_TAKEN)]
    # A single-form branch is not offered as a joint org.
    single = client.post(url, {"own_org": "", "covering_org": territory.orgs["xh_c1_b1"].pk})
    assert single.status_code == 422 and "covering_org" in _errors(single)
    unit.refresh_from_db()
    assert unit.coverage == Unit.Coverage.JOINT


@pytest.mark.parametrize("name", ["unit_edit", "unit_move", "unit_coverage"])
def test_unit_pages_answer_404_out_of_scope_and_403_in_sight(client, territory, name):
    client.force_login(territory.users["hp_s1_staff"])
    url = reverse(f"orgs:{name}", args=[territory.units["xh_own"].pk])
    assert client.get(url).status_code == 404
    # The unit's own org secretary sees the unit but the registry is the territory's.
    client.force_login(territory.users["xh_unit_secretary"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "viewer, params",
    [
        ("city_admin", {}),
        ("city_admin", {"coverage": "uncovered"}),
        ("xh_admin", {"coverage": "own"}),
        ("xh_admin", {"area": "xh_s1"}),
        ("xh_s1_staff", {}),
        ("xh_admin", {"kind": "company"}),
        ("xh_admin", {"q": "咖啡"}),
    ],
)
def test_the_register_total_is_the_count_of_its_rows(client, territory, viewer, params):
    """Where the coverage rollup counts the same units, the page's total is read from it
    (no count over the units); otherwise counted. Either way it is the number of rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiceng.orgs import rollup
    from jiceng.orgs.selectors import unit_list

    rollup.rebuild()
    user = territory.users[viewer]
    area = territory.areas[params["area"]] if "area" in params else None
    query = {**params, **({"area": area.pk} if area else {})}
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("orgs:unit_list"), query)
    filters = {name: params.get(name) for name in ("coverage", "kind", "q")}
    rows = unit_list(viewer=user, area=area, **filters)
    assert page.context["page"].paginator.count == rows.count()
    counted = any("COUNT(*)" in q["sql"] and '"orgs_unit"' in q["sql"] for q in captured)
    assert counted == ("kind" in params or "q" in params)
