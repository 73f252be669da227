"""Pages that register, edit, move and close party orgs: success writes through the
service (state and audit row), each refusal comes back on its field in Chinese and
writes nothing, and scope holds (404 out of sight, 403 in sight but not the viewer's)."""

import pytest
from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.orgs.models import PartyOrg, Unit
from jiceng.orgs.services import party_orgs as org_msgs


def _count() -> tuple[int, int]:
    return PartyOrg.objects.count(), AuditEntry.objects.count()


def _errors(response) -> dict[str, list[str]]:
    return {
        name: [str(e) for e in errors] for name, errors in response.context["form"].errors.items()
    }


def _org_post(territory, **changes) -> dict:
    data = {
        "name": "复兴西路社区第三党支部",
        "kind": "branch",
        "domain": "community",
        "form": "single",
        "parent": territory.orgs["xh_c1_gb"].pk,
        "area": territory.areas["xh_g2"].pk,
        "secretary_name": "王芳",
        "established_on": "2026-07-01",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_register_org_page_creates_and_audits(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("orgs:org_new")).status_code == 200
    response = client.post(reverse("orgs:org_new"), _org_post(territory))
    org = PartyOrg.objects.get(name="复兴西路社区第三党支部")
    assert response.status_code == 302 and response["Location"] == reverse(
        "orgs:org_detail", args=[org.pk]
    )
    assert org.parent == territory.orgs["xh_c1_gb"] and org.area == territory.areas["xh_g2"]
    assert org.path == f"{territory.orgs['xh_c1_gb'].path}{org.pk}/"
    entry = AuditEntry.objects.filter(target_type="orgs.partyorg", target_id=str(org.pk)).get()
    assert entry.action == "create" and entry.actor == territory.users["xh_c1_secretary"]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "  "}, "name", "这个字段是必填项。"),
        ({"name": "支" * 121}, "name", None),
        ({"kind": "group", "parent": ""}, "parent", str(org_msgs.MSG_ORG_GROUP_PARENT)),
        ({"kind": "group"}, "parent", str(org_msgs.MSG_ORG_GROUP_PARENT)),
        ({"parent": "", "area": ""}, "area", "请选择所在区域"),
        ({"secretary_name": "王" * 51}, "secretary_name", None),
    ],
)
def test_register_org_refusals_show_on_their_field(client, territory, changes, field, message):
    client.force_login(territory.users["xh_s1_staff"])
    before = _count()
    response = client.post(reverse("orgs:org_new"), _org_post(territory, **changes))
    assert response.status_code == 422
    errors = _errors(response)
    assert field in errors
    if message:
        assert message in errors[field]
    assert _count() == before
    assert "未能保存" in response.content.decode()


def test_register_org_in_a_closed_parent_is_refused_on_parent(client, territory):
    from jiceng.orgs import services

    parent = services.org_create(
        actor=None,
        name="待撤销支部",
        kind="branch",
        domain="community",
        area=territory.areas["xh_c1"],
        parent=territory.orgs["xh_c1_gb"],
    )
    services.org_close(actor=None, org=parent, reason="合并")
    client.force_login(territory.users["xh_s1_staff"])
    # A closed org is not offered as a parent; posting its id anyway is out of the choices.
    response = client.post(reverse("orgs:org_new"), _org_post(territory, parent=parent.pk))
    assert response.status_code == 422
    assert "parent" in _errors(response)


def test_community_secretary_cannot_register_an_org_in_another_community(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    before = _count()
    response = client.post(
        reverse("orgs:org_new"),
        _org_post(territory, parent="", area=territory.areas["xh_c3"].pk),
    )
    # The other community is not among the places offered: the choice itself is refused.
    assert response.status_code == 422 and "area" in _errors(response)
    assert _count() == before


def test_edit_org_page(client, territory):
    org = territory.orgs["xh_c1_b1"]
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("orgs:org_edit", args=[org.pk])
    assert client.get(url).status_code == 200
    data = {"name": "复兴西路社区第一党支部（新）", "domain": "community", "form": "single"}
    response = client.post(url, {**data, "secretary_name": "李明"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "复兴西路社区第一党支部（新）" and org.secretary_name == "李明"
    assert AuditEntry.objects.filter(target_id=str(org.pk), action="update").exists()
    refused = client.post(url, {**data, "name": "", "secretary_name": ""})
    assert refused.status_code == 422 and "name" in _errors(refused)


def test_move_org_page_moves_the_subtree(client, territory):
    branch = territory.orgs["xh_unit_org"]
    group = territory.orgs["xh_unit_group"]
    new_parent = territory.orgs["xh_c1_gb"]
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("orgs:org_move", args=[branch.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"parent": new_parent.pk, "area": ""})
    assert response.status_code == 302
    branch.refresh_from_db()
    group.refresh_from_db()
    assert branch.parent == new_parent and branch.path == f"{new_parent.path}{branch.pk}/"
    assert group.path == f"{branch.path}{group.pk}/"
    entry = AuditEntry.objects.filter(target_id=str(branch.pk), action="move").get()
    assert entry.changes["parent"] == {"old": territory.orgs["xh_s1_wc"].pk, "new": new_parent.pk}


@pytest.mark.parametrize(
    "target, field, message",
    [
        ("self", "parent", None),  # not offered: an org cannot go under itself
        ("same", "parent", str(org_msgs.MSG_MOVE_NOTHING)),
    ],
)
def test_move_org_refusals(client, territory, target, field, message):
    org = territory.orgs["xh_c1_gb"]
    parent = org if target == "self" else territory.orgs["xh_s1_wc"]
    client.force_login(territory.users["xh_s1_staff"])
    response = client.post(reverse("orgs:org_move", args=[org.pk]), {"parent": parent.pk})
    assert response.status_code == 422
    errors = _errors(response)
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert not AuditEntry.objects.filter(action="move").exists()


def test_a_street_cannot_move_an_org_into_another_street(client, territory):
    """Street staff of 湖南路 are offered neither 天平路's community nor 黄浦's orgs: a
    posted id of either is refused on its field, and nothing moves (the API answers 404)."""
    org = territory.orgs["xh_c1_b1"]
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("orgs:org_move", args=[org.pk])
    into_area = client.post(url, {"parent": org.parent_id, "area": territory.areas["xh_c3"].pk})
    into_org = client.post(url, {"parent": territory.orgs["hp_s1_wc"].pk})
    assert into_area.status_code == 422 and "area" in _errors(into_area)
    assert into_org.status_code == 422 and "parent" in _errors(into_org)
    org.refresh_from_db()
    assert org.area == territory.areas["xh_g1"] and org.parent == territory.orgs["xh_c1_gb"]


def test_close_org_page_keeps_history_and_releases_units(client, territory):
    joint = territory.orgs["xh_joint"]
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("orgs:org_close", args=[joint.pk])
    refused = client.post(url, {"reason": " ", "closed_on": "2026-11-30"})
    assert refused.status_code == 422 and "reason" in _errors(refused)
    response = client.post(url, {"reason": "企业迁出，联合党支部撤销", "closed_on": "2026-11-30"})
    assert response.status_code == 302
    joint.refresh_from_db()
    assert joint.closed_on.isoformat() == "2026-11-30" and joint.closed_reason
    assert not Unit.objects.filter(covering_org=joint).exists()
    # The closed org still has its page, without the buttons that change it.
    page = client.get(reverse("orgs:org_detail", args=[joint.pk])).content.decode()
    assert "已撤销" in page and reverse("orgs:org_close", args=[joint.pk]) not in page
    again = client.post(url, {"reason": "重复", "closed_on": "2026-11-30"})
    assert again.status_code == 422
    assert str(org_msgs.MSG_ORG_ALREADY_CLOSED) in again.content.decode()


def test_close_org_with_open_children_is_refused(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    org = territory.orgs["xh_c1_gb"]
    response = client.post(
        reverse("orgs:org_close", args=[org.pk]), {"reason": "调整", "closed_on": "2026-11-30"}
    )
    assert response.status_code == 422
    assert str(org_msgs.MSG_ORG_HAS_OPEN_CHILDREN) in response.content.decode()
    org.refresh_from_db()
    assert org.closed_on is None


@pytest.mark.parametrize("name", ["org_edit", "org_move", "org_close"])
def test_org_pages_answer_404_out_of_scope_and_403_in_sight(client, territory, name):
    client.force_login(territory.users["hp_s1_staff"])
    assert (
        client.get(reverse(f"orgs:{name}", args=[territory.orgs["xh_c1_b1"].pk])).status_code == 404
    )
    # A member sees the org tree but changes nothing in it.
    client.force_login(territory.users["xh_member"])
    assert (
        client.get(reverse(f"orgs:{name}", args=[territory.orgs["xh_c1_b1"].pk])).status_code == 403
    )


def test_unit_org_secretary_registers_a_group_in_their_own_branch(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    own = territory.orgs["xh_unit_org"]
    response = client.post(
        reverse("orgs:org_new"),
        {
            "name": "销售部党小组",
            "kind": "group",
            "domain": "private_enterprise",
            "form": "single",
            "parent": own.pk,
        },
    )
    assert response.status_code == 302
    group = PartyOrg.objects.get(name="销售部党小组")
    assert group.parent == own and group.area == own.area
