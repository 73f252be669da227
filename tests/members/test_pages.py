"""Member pages: masked register, audited reveal, workflows through forms, scope."""

import pytest
from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.members import services
from jiceng.members.models import Member, Transfer
from tests.members.factories import facts


@pytest.fixture
def member(territory):
    return services.member_register(
        actor=territory.users["xh_c1_secretary"],
        org=territory.orgs["xh_c1_b1"],
        facts=facts(phone="13812345678"),
    )


def test_register_page_masks_and_reveal_is_audited(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    html = client.get(reverse("members:list")).content.decode()
    number = services.member_reveal(
        actor=territory.users["xh_admin"], member=member, field="id_number"
    )
    assert member.name in html and number not in html and "138****5678" in html
    detail_url = reverse("members:detail", args=[member.pk])
    assert number not in client.get(detail_url).content.decode()
    reveals = AuditEntry.objects.filter(action="reveal").count()
    shown = client.post(reverse("members:reveal", args=[member.pk]), {"field": "id_number"})
    assert shown.status_code == 302 and number not in shown["Location"]
    assert number in client.get(detail_url).content.decode()
    # Shown once: the next view is masked again.
    assert number not in client.get(detail_url).content.decode()
    assert AuditEntry.objects.filter(action="reveal").count() == reveals + 1


def test_other_community_sees_nothing(client, territory, member):
    client.force_login(territory.users["xh_c3_secretary"])
    assert member.name not in client.get(reverse("members:list")).content.decode()
    assert client.get(reverse("members:detail", args=[member.pk])).status_code == 404
    assert (
        client.post(reverse("members:reveal", args=[member.pk]), {"field": "phone"}).status_code
        == 404
    )
    client.force_login(territory.users["xh_resident"])
    assert client.get(reverse("members:list")).status_code == 404


def test_register_form_shows_field_errors(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    response = client.post(
        reverse("members:new"),
        {
            "org": territory.orgs["xh_c1_b1"].pk,
            "name": "周杰",
            "id_number": "310104198506010011",
            "ethnicity": "汉族",
            "education": "bachelor",
            "joined_on": "2010-07-01",
            "status": "full",
            "full_on": "2011-07-01",
            "category": "in_service",
        },
    )
    assert response.status_code == 200
    assert "身份证号" in response.content.decode() and Member.objects.count() == 0


def test_transfer_through_pages(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    client.post(
        reverse("members:transfer", args=[member.pk]),
        {"to_org": territory.orgs["hp_c1_b"].pk, "reason": "迁居黄浦"},
    )
    transfer = Transfer.objects.get()
    client.force_login(territory.users["hp_s1_staff"])
    page = client.get(reverse("members:transfers")).content.decode()
    assert member.name in page
    client.post(reverse("members:transfer_decide", args=[transfer.pk, "accept"]))
    member.refresh_from_db()
    assert member.org == territory.orgs["hp_c1_b"]


@pytest.mark.parametrize(
    "name",
    [
        "members:list",
        "members:new",
        "members:transfers",
        "members:mobile",
        "members:dual",
        "members:statistics",
    ],
)
def test_pages_render(client, territory, member, name):
    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse(name)).status_code == 200


def test_statistics_page_counts(client, territory, member):
    client.force_login(territory.users["xh_admin"])
    html = client.get(reverse("members:statistics")).content.decode()
    assert "共 1 人" in html and "汉族" in html
