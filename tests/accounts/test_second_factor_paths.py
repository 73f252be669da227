"""The second factor holds whatever login path opened the session (security review,
items 1 and 2): the middleware and the API decide from the user's roles and the
session's verified state, never from a flag the project's own login view sets.

The walk below opens every URL pattern and every API operation with a password-only
session of a role that requires TOTP and expects a redirect to verification (401 for the
API), except exactly the sign-in pages and the public pages.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from jiceng.accounts.middleware import OPEN_BEFORE_VERIFY, PUBLIC_PAGES, SIGN_IN_PAGES
from jiceng.accounts.models import User
from jiceng.accounts.services import totp_device_create
from jiceng.api import api
from tests.conftest import PASSWORD

VERIFY = "/accounts/verify/"


@pytest.fixture
def totp_admin(territory, settings):
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = territory.users["xh_admin"]
    totp_device_create(actor=None, user=admin, name="phone")
    return admin


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern, f"{namespace}{pattern.name or ''}"


SAMPLES = {"fmt": "json", "app_label": "accounts", "code": "x", "request_id": "1"}


def _concrete(route: str, pattern: URLPattern) -> str:
    """A path that the pattern matches, with 1 or "x" for its parameters."""
    if isinstance(pattern.pattern, RegexPattern) or route.startswith("^"):
        route = route.replace("^", "").replace("$", "").replace("\\.", ".")
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLES.get(m.group(1), "1"), route)
        route = route.replace("\\", "")
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", route)
    route = re.sub(r"<(?:str|slug|path):\w+>", "x", route)
    route = re.sub(r"<\w+>", "x", route)
    return "/" + route


def _page_routes():
    for route, pattern, name in _walk(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue  # the API walk below
        yield _concrete(route, pattern), name


def test_open_list_is_exactly_sign_in_and_public_pages():
    names = {name for _, _, name in _walk(get_resolver().url_patterns)}
    assert {
        "accounts:login",
        "accounts:verify",
        "accounts:enroll",
        "accounts:logout",
    } == SIGN_IN_PAGES
    # Every open name is a real page, so a renamed URL cannot silently fall off the list
    # or, worse, stay open under a name nobody checks.
    assert names >= OPEN_BEFORE_VERIFY
    assert not {n for n in PUBLIC_PAGES if n.startswith(("accounts:", "admin:"))}


def test_every_page_redirects_a_password_only_session_to_verification(client, totp_admin):
    client.force_login(totp_admin)  # a session opened without the project's login view
    checked = 0
    for path, name in _page_routes():
        if name in OPEN_BEFORE_VERIFY:
            continue
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (path, name, response.status_code)
            assert response["Location"].startswith(VERIFY), (path, name, response["Location"])
        checked += 1
    assert checked > 100  # admin pages included


def test_every_api_operation_answers_401_before_verification(client, totp_admin):
    client.force_login(totp_admin)
    schema = api.get_openapi_schema()
    checked = public = 0
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method, operation in operations.items():
            if method == "get":
                response = client.get(concrete)
            else:
                call = getattr(client, method)
                response = call(concrete, data="{}", content_type="application/json")
            if not operation.get("security"):
                public += 1
                assert response.status_code != 401, (method, path)
                continue
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["code"] == "second_factor_required", (method, path)
            checked += 1
    assert checked > 50 and public >= 2


def test_admin_login_does_not_open_a_session(client, territory, totp_admin):
    """Review item 1: POST /admin/login/ with username and password, no code."""
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "xh_admin", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    for path in ("/", "/members/", "/members/export.xlsx", "/admin/"):
        assert client.get(path).status_code == 302
    assert client.get("/api/members").status_code == 401


def test_admin_login_sends_to_the_projects_login_with_next(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == reverse("accounts:login") + "?next=/admin/"


def test_account_administration_is_closed_before_verification(client, territory, totp_admin):
    """Review item 2: with a password-only session, no listing, creating or revoking
    accounts, and no new district admin to enrol a device of its own."""
    client.post(reverse("accounts:login"), {"username": "xh_admin", "password": PASSWORD})
    assert client.get(reverse("accounts:account_list"))["Location"].startswith(VERIFY)
    created = client.post(
        reverse("accounts:account_new"),
        {
            "username": "intruder",
            "full_name": "入侵者",
            "password": "Very-Str0ng-Passw0rd!",
            "role": "district_admin",
            "area": territory.areas["xh"].pk,
        },
    )
    assert created["Location"].startswith(VERIFY)
    assert not User.objects.filter(username="intruder").exists()
    assignment = territory.users["xh_s1_staff"].assignments.get()
    revoked = client.post(reverse("accounts:account_revoke", args=[assignment.pk]))
    assert revoked["Location"].startswith(VERIFY)
    assignment.refresh_from_db()
    assert assignment.revoked_at is None
    api = client.post(
        "/api/accounts",
        {"username": "intruder", "password": "Very-Str0ng-Passw0rd!", "role": "district_admin"},
        content_type="application/json",
    )
    assert api.status_code == 401


def test_a_role_granted_during_a_session_requires_the_second_factor_at_once(
    client, territory, settings
):
    """The decision follows the roles, not what the login saw: a street staff member
    made district admin while signed in is asked for the code on the next page."""
    from jiceng.accounts.services import role_grant

    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    user = territory.users["xh_s1_staff"]
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert client.get("/").status_code == 200
    role_grant(actor=None, user=user, role="district_admin", area=territory.areas["xh"])
    assert client.get("/")["Location"].startswith(VERIFY)
    assert client.get("/api/me").status_code == 401


def test_public_pages_stay_open_to_a_password_only_session(client, totp_admin):
    client.force_login(totp_admin)
    assert client.get(reverse("appeals:report")).status_code == 200
    assert client.get(reverse("track:lookup")).status_code == 200
    assert client.get("/api/public/appeal-categories").status_code == 200
