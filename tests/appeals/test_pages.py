"""Appeal pages: a resident files and follows a case without an account; handlers act;
the street, queue and rates pages answer within scope."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from jiceng.appeals.models import Appeal, Category


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _report(client, world, **extra):
    data = {
        "category": Category.objects.get(code="sanitation").pk,
        "district": world.t.areas["xh"].pk,
        "street": world.t.areas["xh_s1"].pk,
        "community": world.t.areas["xh_c1"].pk,
        "description": "楼道里堆满杂物，存在消防隐患",
        "contact_phone": "13912345678",
        "idempotency_key": "k-" + extra.pop("key", "1"),
    }
    data.update(extra)
    return client.post(reverse("appeals:report"), data)


def test_resident_files_and_tracks_without_an_account(client, world):
    page = client.get(reverse("appeals:report"))
    assert page.status_code == 200 and "徐汇区" in page.content.decode()
    response = _report(client, world)
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("track:code", args=[appeal.tracking_code])
    tracked = client.get(response["Location"]).content.decode()
    assert appeal.tracking_code in tracked and "已派单" in tracked
    assert "13912345678" not in tracked and "139****5678" not in tracked
    # A double submit of the same form returns the same case.
    _report(client, world)
    assert Appeal.objects.count() == 1


def test_place_picker_lists_children(client, world):
    url = reverse("appeals:places", args=["community"])
    html = client.get(url, {"street": world.t.areas["xh_s1"].pk}).content.decode()
    assert "复兴西路社区居委会" in html and "贵州路" not in html
    assert client.get(reverse("appeals:places", args=["district"])).status_code == 404


def test_public_intake_is_rate_limited(client, world, settings):
    settings.APPEAL_PUBLIC_LIMIT = 2
    assert _report(client, world, key="a").status_code == 302
    assert _report(client, world, key="b").status_code == 302
    refused = _report(client, world, key="c")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Appeal.objects.count() == 2


def test_text_is_never_rendered_as_html(client, world):
    _report(client, world, description="<script>alert(1)</script>垃圾")
    appeal = Appeal.objects.get()
    client.force_login(world.t.users["xh_c1_secretary"])
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_handler_signs_replies_and_resident_rates(client, world):
    _report(client, world)
    appeal = Appeal.objects.get()
    secretary = world.t.users["xh_c1_secretary"]
    client.force_login(secretary)
    detail = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "签收" in detail and "139****5678" in detail
    client.post(reverse("appeals:act", args=[appeal.pk, "accept"]))
    client.post(reverse("appeals:act", args=[appeal.pk, "reply"]), {"reply": "已清理完毕"})
    # An illegal step comes back as a message, not an error page.
    again = client.post(reverse("appeals:act", args=[appeal.pk, "accept"]), follow=True)
    assert "不能签收" in again.content.decode()
    client.logout()
    code = appeal.tracking_code
    rate = client.post(
        reverse("track:rate", args=[code]), {"resolved": "1", "satisfaction": "satisfied"}
    )
    assert rate.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.CLOSED and appeal.resolved is True


def test_out_of_scope_case_is_404(client, world):
    _report(client, world)
    appeal = Appeal.objects.get()
    client.force_login(world.t.users["hp_s1_staff"])
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    assert client.post(reverse("appeals:act", args=[appeal.pk, "accept"])).status_code == 404


@pytest.mark.parametrize(
    "name", ["appeals:list", "appeals:queue", "appeals:street", "appeals:rates", "appeals:intake"]
)
def test_staff_pages_render_for_street_staff(client, world, name):
    _report(client, world)
    client.force_login(world.t.users["xh_s1_staff"])
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_grid_worker_files_in_a_few_taps(client, world):
    worker = world.t.users["xh_g1_worker"]
    client.force_login(worker)
    form = client.get(reverse("appeals:intake")).content.decode()
    assert "第一网格" in form
    response = client.post(
        reverse("appeals:intake"),
        {
            "channel": "grid",
            "category": Category.objects.get(code="road-damage").pk,
            "area": world.t.areas["xh_g1"].pk,
            "description": "井盖松动",
            "idempotency_key": "grid-1",
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.channel == "grid"
    assert appeal.created_by == worker


def test_intake_refuses_a_place_out_of_sight_on_the_field(client, world):
    """The place is picked among the communities and grids in sight (a picker): one in
    another district is refused beside the field and nothing is filed; the grid
    worker's own grid is chosen in advance."""
    worker = world.t.users["xh_g1_worker"]
    client.force_login(worker)
    form = client.get(reverse("appeals:intake"))
    assert form.context["form"].initial["area"] == world.t.areas["xh_g1"].pk
    response = client.post(
        reverse("appeals:intake"),
        {
            "channel": "grid",
            "category": Category.objects.get(code="road-damage").pk,
            "area": world.t.areas["hp_g1"].pk,
            "description": "井盖松动",
            "idempotency_key": "grid-2",
        },
    )
    assert response.status_code == 200
    assert "请从列表中选择" in str(response.context["form"].errors["area"])
    assert not Appeal.objects.exists()


def test_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.t.users["xh_admin"])
    for i in range(3):
        world.intake(text=f"第{i}件不同的事情{'甲乙丙丁'[i]}")
    with django_assert_max_num_queries(12):
        client.get(reverse("appeals:list"))
    for i in range(20):
        world.intake(text=f"另一批第{i}件{i * 7}")
    with django_assert_max_num_queries(12):
        client.get(reverse("appeals:list"))


def test_a_long_list_counts_up_to_the_cap_and_says_so(client, world, monkeypatch):
    """A district's or the city's list is counted up to CappedPaginator.CAP only: the
    page says "CAP+" and still pages on; below the cap it gives the pages exactly."""
    from jiceng.core.pagination import CappedPaginator

    client.force_login(world.t.users["xh_admin"])
    for i in range(7):
        world.intake(text=f"第{i}件事情{'甲乙丙丁戊己庚'[i]}{i * 13}")
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    monkeypatch.setattr("jiceng.appeals.views.LIST_PAGE", 2)
    first = client.get(reverse("appeals:list")).content.decode()
    assert "第 1 页，共 3+ 件" in first and "page=2" in first
    # The pages up to the cap are reachable; past it, filters narrow the list.
    second = client.get(reverse("appeals:list"), {"page": 9}).content.decode()
    assert "第 2 页，共 3+ 件" in second and "page=3" not in second
    monkeypatch.setattr(CappedPaginator, "CAP", 100)
    exact = client.get(reverse("appeals:list")).content.decode()
    assert "1 / 4" in exact and "+ 件" not in exact
