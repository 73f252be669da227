"""The input policy (core.inputs): control characters refused naming the field,
bidirectional controls removed, NFKC for numbers, limits checked after cleaning, in
the API's types, the page forms and the query strings alike."""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st
from ninja import Schema
from pydantic import ValidationError

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import (
    BIDI,
    CONTROL,
    MSG_CONTROL,
    InputPolicyForm,
    check_text,
    limited_text,
)

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe"]
BIDIS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("char", CONTROLS)
def test_a_control_character_is_refused_naming_the_field(char):
    with pytest.raises(ValidationFailed) as refused:
        check_text(f"名{char}称", field="name", max_length=50)
    assert (refused.value.field, refused.value.message, refused.value.code) == (
        "name",
        MSG_CONTROL,
        "invalid",
    )


@pytest.mark.parametrize("char", BIDIS)
def test_bidirectional_controls_are_removed(char):
    assert check_text(f"photo{char}gpj.exe", field="name") == "photogpj.exe"


def test_tab_and_newlines_are_text():
    assert check_text("a\tb\r\nc", field="x") == "a b c"
    assert check_text("第一行\r\n第二行  \n", field="x", kind="multiline") == "第一行\n第二行"


def test_numbers_and_names_are_normalized():
    assert check_text("１３８ １２３４ ５６７８", field="phone", kind="number") == "138 1234 5678"
    assert check_text("李 娜", field="name", kind="name") == "李娜"
    assert check_text("John  Smith", field="name", kind="name") == "John Smith"


def test_the_limit_counts_what_is_stored():
    assert check_text("  " + "长" * 10 + "  ", field="x", max_length=10) == "长" * 10
    with pytest.raises(ValidationFailed) as refused:
        check_text("㍿" * 3, field="x", max_length=10, kind="name")  # NFKC: 12 characters
    assert refused.value.field == "x"


@given(st.text(max_size=200))
def test_what_is_accepted_is_clean_and_stays_so(text):
    try:
        cleaned = check_text(text, field="x", kind="multiline")
    except ValidationFailed:
        assert CONTROL.search(text)
        return
    assert not CONTROL.search(cleaned) and not BIDI.search(cleaned)
    assert check_text(cleaned, field="x", kind="multiline") == cleaned


class _Payload(Schema):
    name: limited_text(5)


def test_the_api_type_states_and_enforces_its_limit():
    assert _Payload.model_json_schema()["properties"]["name"]["maxLength"] == 5
    assert _Payload(name=" a\u202eb ").name == "ab"
    for value, kind in (("长" * 6, "string_too_long"), ("a\x00", "invalid")):
        with pytest.raises(ValidationError) as refused:
            _Payload(name=value)
        assert refused.value.errors()[0]["type"] == kind


class _Form(InputPolicyForm):
    name = forms.CharField(max_length=20)
    password = forms.CharField(widget=forms.PasswordInput)


def test_the_page_form_refuses_in_chinese_and_removes_bidi():
    form = _Form({"name": "张\x00三", "password": "x"})
    assert not form.is_valid() and form.errors["name"] == [str(MSG_CONTROL)]
    form = _Form({"name": "张\u202e三", "password": "pa\u202ess"})
    assert form.is_valid()
    assert form.cleaned_data == {"name": "张三", "password": "pa\u202ess"}


def test_control_characters_in_query_strings_are_refused(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    answer = client.get("/api/orgs", {"q": "党\x00委"})
    assert answer.status_code == 400
    assert answer.json() == {"code": "invalid", "message": str(MSG_CONTROL), "field": "q"}
    page = client.get("/members/", {"q": "\x00"})
    assert page.status_code == 400 and str(MSG_CONTROL) in page.content.decode()
    assert client.get("/open311/v2/requests.json", {"jurisdiction_id": "\x00"}).status_code == 400
    assert client.get("/api/orgs", {"q": "党委"}).status_code == 200


@pytest.mark.parametrize(
    "username, password", [("xh\x00admin", "x"), ("xh_admin", "pa\x00ss"), ("长" * 151, "x")]
)
def test_the_sign_in_form_refuses_before_looking_anyone_up(client, territory, username, password):
    answer = client.post("/accounts/login/", {"username": username, "password": password})
    assert answer.status_code == 200 and "_auth_user_id" not in client.session
    shown = answer.content.decode()
    assert (str(MSG_CONTROL) if "\x00" in username + password else "151") in shown
