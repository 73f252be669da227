"""Issue 22: the five hostile values (over-long, NUL, bidi, HTML, emoji) typed into every
field of every page form, as street staff and as a district admin. The forms are found
by rendering the pages and reading their HTML, as a browser would, so a form added to a
page is walked without a change here. No answer is a 5xx (on PostgreSQL too); NUL and
over-long text in a field a person types into are refused with a form error (NUL's in
Chinese, naming what is wrong) and nothing is written (no audit row); every such field
states its maxlength. Each submission runs in a savepoint rolled back after it."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from jiceng.core.inputs import MSG_CONTROL
from jiceng.core.models import AuditEntry
from tests.api.hostile import HOSTILE, OVER_LONG, build_world, hostile_value
from tests.pages.forms_walk import page_forms


def _pages(w) -> list[str]:
    a = w.t.areas
    return [
        reverse("appeals:report"),
        reverse("appeals:intake"),
        reverse("appeals:list"),
        reverse("appeals:detail", args=[w.appeal.pk]),
        reverse("appeals:setup_rules"),
        reverse("appeals:setup_units"),
        reverse("appeals:setup_category_new"),
        reverse("track:lookup"),
        reverse("track:code", args=[w.appeal.tracking_code]),
        reverse("track:code", args=[w.replied.tracking_code]),
        reverse("cobuild:need_report"),
        reverse("cobuild:need_new"),
        reverse("cobuild:need", args=[w.need.pk]),
        reverse("cobuild:resource_new"),
        reverse("cobuild:matching"),
        reverse("cobuild:agreement_new"),
        reverse("cobuild:meeting_new"),
        reverse("cobuild:venue_new"),
        reverse("cobuild:resource", args=[w.cobuild["resource"].pk]),
        reverse("cobuild:project", args=[w.cobuild["project"].pk]),
        reverse("cobuild:agreement", args=[w.cobuild["agreement"].pk]),
        reverse("cobuild:meeting", args=[w.cobuild["meeting"].pk]),
        reverse("cobuild:venue", args=[w.cobuild["venue"].pk]),
        reverse("members:list"),
        reverse("members:new"),
        reverse("members:detail", args=[w.member.pk]),
        reverse("members:transfer", args=[w.member.pk]),
        reverse("members:outflow", args=[w.other_member.pk]),
        reverse("members:account", args=[w.member.pk]),
        reverse("members:transfers"),
        reverse("members:mobile"),
        reverse("members:dual"),
        reverse("accounts:account_new"),
        reverse("orgs:unit_list") + f"?area={a['xh_s1'].pk}",
    ]


def _submit(client, form, url, data) -> tuple[object, bool]:
    """The answer, and whether anything was written: every change leaves an audit row."""
    with transaction.atomic():
        before = AuditEntry.objects.count()
        response = client.get(url, data) if form.method == "get" else client.post(url, data)
        written = AuditEntry.objects.count() != before
        transaction.set_rollback(True)
    return response, written


def _shown(client, answer) -> str:
    """What the person sees next: the page itself, or where a redirect leads (views
    that answer with a message and a redirect)."""
    if 300 <= answer.status_code < 400:
        answer = client.get(answer["Location"])
    return answer.content.decode()


@pytest.mark.parametrize("role", ["xh_s1_staff", "xh_admin"])
def test_hostile_values_in_every_page_form(territory, role, settings):
    # Hundreds of public submissions from one address: the per-address limit is not
    # what is under test here.
    settings.APPEAL_PUBLIC_LIMIT = 100_000
    world = build_world(territory)
    # An address of its own (TEST-NET-1), so the hundreds of public submissions count
    # against no other test's rate-limit bucket.
    client = Client(raise_request_exception=False, REMOTE_ADDR="192.0.2.22")
    client.force_login(territory.users[role])
    failures, walked, sent = [], set(), 0
    for page in _pages(world):
        response = client.get(page)
        if response.status_code >= 500:
            failures.append(f"GET {page}: {response.status_code}")
        if response.status_code != 200:
            continue
        for form in page_forms(response.content.decode()):
            url = form.action or page
            key = (url, form.method, tuple(sorted(form.texts)))
            if key in walked or url.startswith("/logout") or "/accounts/logout" in url:
                continue
            walked.add(key)
            for name, (kind, limit) in form.texts.items():
                typed = kind != "hidden" and form.method == "post"
                if typed and kind != "password" and limit is None:
                    failures.append(f"{url} {name}: no maxlength")
                for value_kind in HOSTILE:
                    value = hostile_value(value_kind, limit)
                    answer, written = _submit(client, form, url, {**form.data, name: value})
                    sent += 1
                    label = f"{form.method.upper()} {url} {name}={value_kind}"
                    if answer.status_code >= 500:
                        failures.append(f"{label}: {answer.status_code}")
                        continue
                    if not typed or value_kind not in ("nul", OVER_LONG):
                        continue
                    if written:
                        failures.append(f"{label}: accepted ({answer.status_code})")
                    elif value_kind == "nul" and str(MSG_CONTROL) not in _shown(client, answer):
                        failures.append(f"{label}: no error naming the control character")
    assert sent > 200
    assert failures == [], "\n".join(failures)
