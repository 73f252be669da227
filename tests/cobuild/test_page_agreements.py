"""Agreement pages: a community signs with a unit, with commitments checked all at once;
commitments added and their progress recorded; the yearly two-way review."""

import datetime

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import Agreement, AgreementReview, Commitment
from jiceng.core.models import AuditEntry


def sign(t, rows=(), **overrides) -> dict:
    data = {
        "title": "复兴西路社区与某科技公司共建协议",
        "community": t.areas["xh_c1"].pk,
        "unit": t.units["xh_own"].pk,
        "signed_on": "2026-01-05",
        "valid_from": "",
        "valid_until": "2027-12-31",
        "c-TOTAL_FORMS": "3",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "20",
    }
    for i in range(3):
        side, content, target, measure = rows[i] if i < len(rows) else ("unit", "", "", "")
        data.update(
            {
                f"c-{i}-side": side,
                f"c-{i}-content": content,
                f"c-{i}-target": target,
                f"c-{i}-measure": measure,
            }
        )
    data.update(overrides)
    return data


ROWS = [("unit", "每年开放会议室", "12", "次"), ("community", "组织志愿者进企业", "4", "次")]


@pytest.fixture
def agreement(territory) -> Agreement:
    return services.agreement_create(
        actor=None,
        community=territory.areas["xh_c1"],
        unit=territory.units["xh_own"],
        title="共建协议",
        signed_on=datetime.date(2025, 1, 1),
        commitments=[
            services.CommitmentSpec("unit", "开放场地", 12, "次"),
            services.CommitmentSpec("community", "志愿服务", 4, "次"),
        ],
    )


def test_community_signs_an_agreement_with_commitments(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("cobuild:agreement_new")).status_code == 200
    response = client.post(reverse("cobuild:agreement_new"), sign(territory, ROWS))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cobuild:agreement", args=[agreement.pk])
    assert agreement.valid_from == datetime.date(2026, 1, 5)  # defaults to the signing day
    assert list(agreement.commitments.order_by("id").values_list("side", "content")) == [
        ("unit", "每年开放会议室"),
        ("community", "组织志愿者进企业"),
    ]
    html = client.get(response["Location"]).content.decode()
    assert "每年开放会议室" in html and "12 次" in html


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"signed_on": ""}, "signed_on"),
        ({"valid_until": "2025-01-01"}, "valid_until"),
        ({"unit": "999999"}, "unit"),
        ({"community": "999999"}, "community"),
    ],
)
def test_agreement_refusals_name_the_field(client, territory, overrides, field):
    client.force_login(territory.users["xh_c1_secretary"])
    response = client.post(reverse("cobuild:agreement_new"), sign(territory, ROWS, **overrides))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Agreement.objects.exists() and not Commitment.objects.exists()


def test_one_bad_commitment_writes_nothing_and_names_its_row(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    rows = [ROWS[0], ("community", "组织志愿者进企业", "", "次")]
    response = client.post(reverse("cobuild:agreement_new"), sign(territory, rows))
    assert response.status_code == 200
    second = response.context["rows"].forms[1]
    assert "target" in second.errors and "目标值应为大于 0 的数" in second.errors["target"][0]
    assert "目标值：目标值应为大于 0 的数" in response.content.decode()
    assert not Agreement.objects.exists() and not Commitment.objects.exists()


def test_agreement_with_a_unit_of_another_district_is_refused(client, territory):
    client.force_login(territory.users["xh_admin"])
    data = sign(territory, ROWS, unit=territory.units["hp_plain"].pk)
    response = client.post(reverse("cobuild:agreement_new"), data)
    assert "unit" in response.context["form"].errors
    assert not Agreement.objects.exists()


def test_add_a_commitment_and_record_progress(client, territory, agreement):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:agreement", args=[agreement.pk])
    response = client.post(
        url,
        {
            "form": "commitment",
            "side": "unit",
            "content": "捐赠图书",
            "target": "200",
            "measure": "册",
        },
    )
    assert response.status_code == 302
    assert agreement.commitments.count() == 3
    refused = client.post(url, {"form": "commitment", "side": "unit", "content": "x"})
    assert {"target", "measure"} <= set(refused.context["commitment_form"].errors)
    community_side = agreement.commitments.get(side="community")
    response = client.post(
        url,
        {
            "form": "achieved",
            "commitment": community_side.pk,
            f"a{community_side.pk}-achieved": "3",
        },
    )
    assert response.status_code == 302
    community_side.refresh_from_db()
    assert community_side.achieved == 3


def test_unit_records_its_own_side_only(client, territory, agreement):
    client.force_login(territory.users["xh_unit_secretary"])
    url = reverse("cobuild:agreement", args=[agreement.pk])
    unit_side = agreement.commitments.get(side="unit")
    community_side = agreement.commitments.get(side="community")
    html = client.get(url).content.decode()
    assert f'name="commitment" value="{unit_side.pk}"' in html
    assert f'name="commitment" value="{community_side.pk}"' not in html
    response = client.post(
        url, {"form": "achieved", "commitment": unit_side.pk, f"a{unit_side.pk}-achieved": "6"}
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "form": "achieved",
            "commitment": community_side.pk,
            f"a{community_side.pk}-achieved": "1",
        },
    )
    assert response.status_code == 404
    community_side.refresh_from_db()
    assert community_side.achieved == 0


def test_two_way_review_once_a_year_each_side(client, territory, agreement):
    url = reverse("cobuild:agreement", args=[agreement.pk])
    client.force_login(territory.users["xh_c1_secretary"])
    review = {"form": "review", "year": "2025", "reviewer": "community", "score": "92"}
    assert client.post(url, review).status_code == 302
    again = client.post(url, review)
    assert "year" in again.context["review_form"].errors
    assert "该年度本方已评价" in again.content.decode()
    client.force_login(territory.users["xh_unit_secretary"])
    # The unit's org speaks for the unit only.
    form = client.get(url).context["review_form"]
    assert [c[0] for c in form.fields["reviewer"].choices] == ["unit"]
    refused = client.post(url, {**review, "score": "50"})
    assert "reviewer" in refused.context["review_form"].errors
    response = client.post(url, {**review, "reviewer": "unit", "score": "88"})
    assert response.status_code == 302
    assert AgreementReview.objects.filter(agreement=agreement).count() == 2
    assert AuditEntry.objects.filter(target_type="cobuild.agreementreview").count() == 2


@pytest.mark.parametrize(
    "overrides, field",
    [({"score": "101"}, "score"), ({"year": "2031"}, "year"), ({"year": "2020"}, "year")],
)
def test_review_refusals_name_the_field(client, territory, agreement, overrides, field):
    client.force_login(territory.users["xh_c1_secretary"])
    data = {"form": "review", "year": "2025", "reviewer": "community", "score": "90", **overrides}
    response = client.post(reverse("cobuild:agreement", args=[agreement.pk]), data)
    assert field in response.context["review_form"].errors
    assert not AgreementReview.objects.exists()


def test_end_an_agreement(client, territory, agreement):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:agreement", args=[agreement.pk])
    assert client.post(url, {"form": "end", "ended_on": "2026-06-30"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.ended_on == datetime.date(2026, 6, 30)
    assert "已终止" in client.get(url).content.decode()


def test_agreement_out_of_scope_is_404(client, territory, agreement):
    client.force_login(territory.users["hp_s1_staff"])
    url = reverse("cobuild:agreement", args=[agreement.pk])
    assert client.get(url).status_code == 404
    data = {"form": "review", "year": "2025", "reviewer": "community", "score": "1"}
    assert client.post(url, data).status_code == 404
    assert not AgreementReview.objects.exists()


def test_agreement_page_queries_do_not_grow(
    client, territory, agreement, django_assert_max_num_queries
):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:agreement", args=[agreement.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(10):
        services.commitment_add(
            actor=None,
            agreement=agreement,
            spec=services.CommitmentSpec("unit", f"承诺{n}", 1, "次"),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
