"""Need pages: a resident's need without an account (rate limit, idempotent retry, the
phone encrypted and masked), staff needs, closing a need, setting up a project by hand,
and the appeal page's button that converts an appeal into a need."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import AppealEvent, Category
from jiceng.cobuild.models import Need, Project
from jiceng.core.models import AuditEntry
from tests.cobuild.conftest import days

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def resident_post(t, **overrides) -> dict:
    today = datetime.date.today()
    data = {
        "title": "楼里独居老人需要助餐",
        "category": "elderly_care",
        "community": t.areas["xh_c1"].pk,
        "place": "复兴西路 12 弄",
        "beneficiaries": "6",
        "window_start": today.isoformat(),
        "window_end": (today + datetime.timedelta(days=30)).isoformat(),
        "description": "六位高龄独居老人，中午吃饭不方便",
        "contact_name": "王阿姨",
        "contact_phone": PHONE,
        "idempotency_key": "key-1",
    }
    data.update(overrides)
    return data


def errors_of(response) -> dict:
    return response.context["form"].errors


# ---- residents --------------------------------------------------------------------------------


def test_public_form_renders_without_an_account(client, territory):
    response = client.get(reverse("cobuild:need_report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我要提需求" in html and 'name="idempotency_key"' in html
    assert "csrfmiddlewaretoken" in html


def test_place_picker_goes_down_to_the_community(client, territory):
    html = client.get(
        reverse("cobuild:places", args=["street"]), {"district": territory.areas["xh"].pk}
    ).content.decode()
    assert "湖南路街道" in html and "天平路街道" in html and "黄浦" not in html
    html = client.get(
        reverse("cobuild:places", args=["community"]), {"street": territory.areas["xh_s1"].pk}
    ).content.decode()
    assert "复兴西路社区居委会" in html and 'name="community"' in html
    assert "网格" not in html
    assert client.get(reverse("cobuild:places", args=["grid"])).status_code == 404


def test_resident_files_a_need_and_a_retry_files_nothing_more(client, territory):
    data = resident_post(territory)
    response = client.post(reverse("cobuild:need_report"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("cobuild:need_report_done")
    need = Need.objects.get()
    assert need.source == Need.Source.RESIDENT and need.created_by is None
    assert need.community == territory.areas["xh_c1"] and need.beneficiaries == 6
    assert AuditEntry.objects.filter(target_type="cobuild.need", target_id=str(need.pk)).exists()
    # The same submission again (a double tap, a resend): the same need, nothing new.
    again = client.post(reverse("cobuild:need_report"), data)
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Need.objects.count() == 1
    assert "已收到" in client.get(again["Location"]).content.decode()


def test_phone_is_encrypted_at_rest_and_masked_on_the_page(client, territory):
    client.post(reverse("cobuild:need_report"), resident_post(territory))
    need = Need.objects.get()
    raw = Need.objects.filter(pk=need.pk).values_list("contact_phone_encrypted", flat=True)[0]
    assert raw.startswith("sm4gcm:v1:") and PHONE not in raw
    audit = AuditEntry.objects.filter(target_type="cobuild.need").values_list("changes", flat=True)
    assert all(PHONE not in str(changes) for changes in audit)
    client.force_login(territory.users["xh_c1_secretary"])
    html = client.get(reverse("cobuild:need", args=[need.pk])).content.decode()
    assert "138****5678" in html and PHONE not in html


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"title": ""}, "title", "这个字段是必填项"),
        ({"title": "长" * 101}, "title", "101"),
        ({"description": "长" * 2001}, "description", "2001"),
        ({"category": "rockets"}, "category", ""),
        ({"community": ""}, "community", ""),
        ({"community": "999999"}, "community", "应选择社区"),
        ({"beneficiaries": "0"}, "beneficiaries", ""),
        ({"window_end": "2020-01-01"}, "window_end", "结束日期不能早于开始日期"),
        ({"contact_phone": "12345"}, "contact_phone", "手机"),
    ],
)
def test_resident_refusals_name_the_field_and_write_nothing(
    client, territory, overrides, field, message
):
    response = client.post(reverse("cobuild:need_report"), resident_post(territory, **overrides))
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors, errors
    assert message in " ".join(errors[field])
    label = response.context["form"].fields[field].label
    assert f"{label}：" in response.content.decode()
    assert not Need.objects.exists()


def test_community_must_be_a_community_not_a_grid(client, territory):
    data = resident_post(territory, community=territory.areas["xh_g1"].pk)
    response = client.post(reverse("cobuild:need_report"), data)
    assert "community" in errors_of(response)
    assert not Need.objects.exists()


def test_a_refused_form_keeps_the_chosen_community(client, territory):
    response = client.post(reverse("cobuild:need_report"), resident_post(territory, title=""))
    html = response.content.decode()
    assert f'name="community" value="{territory.areas["xh_c1"].pk}"' in html
    assert "复兴西路社区居委会" in html


def test_public_form_is_rate_limited_per_client(client, territory, settings):
    settings.APPEAL_PUBLIC_LIMIT = 2
    for n in range(2):
        response = client.post(
            reverse("cobuild:need_report"), resident_post(territory, idempotency_key=f"k{n}")
        )
        assert response.status_code == 302
    refused = client.post(
        reverse("cobuild:need_report"), resident_post(territory, idempotency_key="k9")
    )
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Need.objects.count() == 2
    # Reading the form is not counted.
    assert client.get(reverse("cobuild:need_report")).status_code == 200


def test_text_is_escaped(client, territory):
    client.post(
        reverse("cobuild:need_report"),
        resident_post(territory, title="<script>alert(1)</script>"),
    )
    client.force_login(territory.users["xh_c1_secretary"])
    need = Need.objects.get()
    html = client.get(reverse("cobuild:need", args=[need.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# ---- staff --------------------------------------------------------------------------------------


def staff_post(t, **overrides) -> dict:
    data = resident_post(t, idempotency_key="staff-1", contact_phone="", contact_name="")
    data.update(overrides)
    return data


def test_staff_records_a_need_and_lands_on_its_page(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    page = client.get(reverse("cobuild:need_new"))
    assert page.status_code == 200 and "复兴西路社区居委会" in page.content.decode()
    assert "东平路" not in page.content.decode()
    response = client.post(reverse("cobuild:need_new"), staff_post(territory))
    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cobuild:need", args=[need.pk])
    assert need.source == Need.Source.STAFF
    assert need.created_by == territory.users["xh_c1_secretary"]
    client.post(reverse("cobuild:need_new"), staff_post(territory))
    assert Need.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"window_start": ""}, "window_start"),
        ({"window_end": "2099-01-01"}, "window_end"),  # more than three years
        ({"beneficiaries": "abc"}, "beneficiaries"),
    ],
)
def test_staff_refusals_name_the_field(client, territory, overrides, field):
    client.force_login(territory.users["xh_c1_secretary"])
    response = client.post(reverse("cobuild:need_new"), staff_post(territory, **overrides))
    assert response.status_code == 200 and field in errors_of(response)
    assert not Need.objects.exists()


def test_staff_cannot_file_outside_their_communities(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    data = staff_post(territory, community=territory.areas["hp_c1"].pk)
    response = client.post(reverse("cobuild:need_new"), data)
    assert response.status_code == 200 and "community" in errors_of(response)
    assert not Need.objects.exists()


@pytest.mark.parametrize("role", ["xh_unit_secretary", "xh_resident", "xh_g1_worker"])
def test_need_form_is_404_for_who_collects_no_needs(client, territory, role):
    client.force_login(territory.users[role])
    assert client.get(reverse("cobuild:need_new")).status_code == 404


def test_need_page_out_of_scope_is_404_and_closing_it_too(client, world):
    need = world.need()
    client.force_login(world.t.users["hp_s1_staff"])
    assert client.get(reverse("cobuild:need", args=[need.pk])).status_code == 404
    response = client.post(
        reverse("cobuild:need", args=[need.pk]), {"form": "close", "reason": "不需要了"}
    )
    assert response.status_code == 404
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_staff_close_a_need_with_a_reason(client, world):
    need = world.need()
    client.force_login(world.t.users["xh_c1_secretary"])
    url = reverse("cobuild:need", args=[need.pk])
    refused = client.post(url, {"form": "close", "reason": ""})
    assert "reason" in refused.context["close_form"].errors
    response = client.post(url, {"form": "close", "reason": "已由物业解决"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED and need.closed_reason == "已由物业解决"


def test_community_sets_up_a_project_by_hand(client, world):
    need = world.need(start=0, end=14)
    resource = world.resource(start=0, end=60)
    other = world.resource(category="legal", title="法律咨询")
    client.force_login(world.t.users["xh_c1_secretary"])
    url = reverse("cobuild:need", args=[need.pk])
    page = client.get(url).content.decode()
    assert "企业志愿者助餐服务" in page and "法律咨询" not in page
    refused = client.post(url, {"form": "project", "resources": [other.pk], "budget": "0"})
    assert "resources" in refused.context["project_form"].errors
    assert not Project.objects.exists()
    ok = client.post(url, {"form": "project", "resources": [resource.pk], "budget": "500"})
    project = Project.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("cobuild:project", args=[project.pk])
    assert project.title == need.title and project.budget == 500
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED


# ---- an appeal that is really a need --------------------------------------------------------


@pytest.fixture
def appeal(territory):
    return appeal_services.appeal_intake(
        actor=None,
        intake=appeal_services.Intake(
            channel="resident",
            category=Category.objects.get(code="elderly-service"),
            area=territory.areas["xh_g1"],
            description="楼里几位独居老人希望有人帮忙送餐",
            contact_phone=PHONE,
        ),
    )[0]


def test_appeal_page_offers_the_conversion_to_staff_who_may(client, territory, appeal):
    client.force_login(territory.users["xh_c1_secretary"])
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    convert = reverse("cobuild:need_from_appeal", args=[appeal.pk])
    assert "转为共建需求" in html and convert in html
    client.force_login(territory.users["xh_g1_worker"])  # sees the case, not co-building
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert convert not in html


def test_converting_an_appeal_keeps_its_history(client, territory, appeal):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:need_from_appeal", args=[appeal.pk])
    form = client.get(url).context["form"]
    assert form.initial["category"] == "elderly_care"
    response = client.post(
        url,
        {
            "title": "独居老人送餐",
            "category": "elderly_care",
            "beneficiaries": "4",
            "window_start": days(0).isoformat(),
            "window_end": days(30).isoformat(),
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cobuild:need", args=[need.pk]
    )
    assert need.appeal == appeal and need.source == Need.Source.APPEAL
    assert AppealEvent.objects.filter(appeal=appeal, action="to_need").exists()
    page = client.get(response["Location"]).content.decode()
    assert "原诉求办理记录" in page and appeal.tracking_code in page and "138****5678" in page
    # The appeal page now links to the need; converting again only leads there.
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert reverse("cobuild:need", args=[need.pk]) in html
    assert client.get(url)["Location"] == reverse("cobuild:need", args=[need.pk])
    assert Need.objects.count() == 1


def test_conversion_refusal_names_the_field(client, territory, appeal):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:need_from_appeal", args=[appeal.pk])
    response = client.post(
        url,
        {
            "title": "送餐",
            "category": "elderly_care",
            "beneficiaries": "4",
            "window_start": days(10).isoformat(),
            "window_end": days(0).isoformat(),
        },
    )
    assert response.status_code == 200 and "window_end" in response.context["form"].errors
    assert not Need.objects.exists()
    assert not AppealEvent.objects.filter(action="to_need").exists()


def test_conversion_out_of_scope_is_404(client, territory, appeal):
    client.force_login(territory.users["hp_s1_staff"])
    url = reverse("cobuild:need_from_appeal", args=[appeal.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x"}).status_code == 404
    assert not Need.objects.exists()
