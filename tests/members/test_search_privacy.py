"""Searching the register without putting personal data in a URL (security review,
item 7) and with every lookup by a whole number audited (PIPL: the person may ask who
looked them up).

The search text goes by POST into the session behind a token; the URL holds only the
token. The suite-wide check in tests/conftest.py fails any test whose requests carry an
ID number or mobile number in a URL."""

import pytest
from django.urls import reverse

from jiceng.core import crypto
from jiceng.core.models import AuditEntry
from jiceng.members import services
from jiceng.members.selectors import lookup_field
from tests.conftest import PERSONAL_NUMBER_IN_URL
from tests.members.factories import facts


@pytest.fixture
def member(territory):
    return services.member_register(
        actor=territory.users["xh_c1_secretary"],
        org=territory.orgs["xh_c1_b1"],
        facts=facts(name="王芳", phone="13912345678"),
    )


def _id_number(member) -> str:
    return crypto.decrypt(member.id_number_encrypted)


def _lookups():
    return AuditEntry.objects.filter(action=AuditEntry.Action.LOOKUP)


def test_a_search_by_id_number_is_posted_and_the_url_holds_a_token(
    client, territory, member, _no_personal_numbers_in_urls
):
    client.force_login(territory.users["xh_c1_secretary"])
    number = _id_number(member)
    posted = client.post(reverse("members:list"), {"q": number, "status": ""})
    assert posted.status_code == 302
    location = posted["Location"]
    assert number not in location and "s=" in location and "q=" not in location
    page = client.get(location)
    html = page.content.decode()
    assert "王芳" in html and page.context["page"].paginator.count == 1
    # The number shows again in the search box (the page body), masked in the table.
    assert f'value="{number}"' in html
    assert not any(PERSONAL_NUMBER_IN_URL.search(url) for url in _no_personal_numbers_in_urls)


def test_a_whole_number_lookup_is_audited_with_a_keyed_hash(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    number = _id_number(member)
    client.post(reverse("members:list"), {"q": number})
    entry = _lookups().get()
    assert entry.actor == territory.users["xh_c1_secretary"]
    assert (entry.target_type, entry.target_id) == ("members.member", str(member.pk))
    assert entry.changes["field"] == "id_number"
    assert entry.changes["query_hash"] and number not in str(entry.changes)
    client.post(reverse("members:list"), {"q": "13912345678"})
    assert _lookups().filter(changes__field="phone", target_id=str(member.pk)).exists()


def test_a_lookup_that_finds_nobody_is_audited_too(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    client.post(reverse("members:list"), {"q": "13800000000"})
    entry = _lookups().get()
    assert entry.target_id == "" and entry.changes["found"] == 0


def test_a_name_search_is_not_a_lookup(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    response = client.get(client.post(reverse("members:list"), {"q": "王"})["Location"])
    assert response.context["page"].paginator.count == 1
    assert not _lookups().exists()


def test_filters_and_paging_keep_the_token(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    org = territory.orgs["xh_c1_b1"]
    location = client.post(reverse("members:list"), {"q": "王", "org": org.pk, "status": "formal"})[
        "Location"
    ]
    assert f"org={org.pk}" in location and "status=formal" in location
    page = client.get(location + "&page=1")
    assert page.context["q"] == "王"


def test_a_token_of_another_session_is_not_an_answer(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    location = client.post(reverse("members:list"), {"q": "王"})["Location"]
    client.logout()
    client.force_login(territory.users["xh_c1_secretary"])
    expired = client.get(location, follow=True)
    assert "查询已过期" in expired.content.decode()
    assert "s=" not in expired.redirect_chain[-1][0]


def test_the_api_refuses_a_search_in_the_url(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    response = client.get("/api/members", {"q": "王"})
    assert response.status_code == 400
    assert response.json()["field"] == "q"
    assert "POST /api/members/search" in response.json()["message"]


def test_the_api_searches_by_post_and_audits_lookups(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    number = _id_number(member)
    found = client.post(
        "/api/members/search", {"q": number}, content_type="application/json"
    ).json()
    assert [m["id"] for m in found["items"]] == [member.pk]
    assert number not in str(found)  # masked in the answer as in the list
    assert _lookups().filter(target_id=str(member.pk)).count() == 1
    by_name = client.post("/api/members/search", {"q": "王"}, content_type="application/json")
    assert by_name.json()["count"] == 1
    assert _lookups().count() == 1
    empty = client.post("/api/members/search", {"q": ""}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["field"] == "q"


def test_search_stays_in_scope(client, territory, member):
    client.force_login(territory.users["hp_s1_staff"])
    number = _id_number(member)
    location = client.post(reverse("members:list"), {"q": number})["Location"]
    assert client.get(location).context["page"].paginator.count == 0
    found = client.post("/api/members/search", {"q": number}, content_type="application/json")
    assert found.json()["count"] == 0


@pytest.mark.parametrize(
    "text,field",
    [
        ("110101199003074578", "id_number"),
        ("11010119900307457x", "id_number"),
        ("１３９１２３４５６７８", "phone"),
        ("13912345678", "phone"),
        ("王芳", None),
        ("1391234", None),
        ("", None),
    ],
)
def test_lookup_field(text, field):
    assert lookup_field(text) == field


@pytest.mark.parametrize(
    "url,leaks",
    [
        ("/members/?q=110101199003074578", True),
        ("/api/members?q=13912345678", True),
        ("/track/?code=11010119900307457X", True),
        ("/members/?s=Abc123&page=2", False),
        ("/appeals/12345/", False),
        ("/api/members/search", False),
    ],
)
def test_the_url_check_recognises_personal_numbers(url, leaks):
    assert bool(PERSONAL_NUMBER_IN_URL.search(url)) is leaks
