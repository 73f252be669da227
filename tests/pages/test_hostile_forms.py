"""Issue 22: the five hostile values (over-long, NUL, bidi, HTML, emoji) typed into every
field of every page form, as each demo role and as a resident without an account, on the
street demo. Nothing here names a form: the pages come from the URL patterns (with an
object of each kind from the demo, one per state where a state changes the page), and
the forms from the HTML of those pages, as a browser finds them. A form added anywhere
is walked without a change here; a page whose URL takes an argument this module cannot
fill, or a POST form it cannot submit, fails the test unless it is listed below with
the reason.

Each submission runs in a savepoint rolled back after it. Expected: no 5xx; NUL and
over-long text in a field a person types into refused with an error that names the
field (shown on the page or on the page the redirect leads to), and nothing written
(no INSERT, UPDATE or DELETE touching a row, the session's own row aside); every such
field states its maxlength; no bidirectional control stored (the values of every
statement that writes are read). An import form gets a workbook made from its own
template with the value in every column and the value as the file's name; any other
file input a photo named with the value."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from jiceng.accounts.models import User
from jiceng.core.inputs import BIDI, MSG_CONTROL
from jiceng.demo.logins import DEMO_ACCOUNTS, TOTP_USERNAME
from tests.api.hostile import HOSTILE, OVER_LONG, hostile_value
from tests.demo.conftest import _street_demo_module, street_demo  # noqa: F401
from tests.pages.forms_walk import PageForm, parse_page

# URL prefixes that hold no page forms: the JSON API and Open311 (walked by
# tests/api/test_hostile_api.py), the admin (Django's own forms), the language switch.
NOT_PAGES = ("api/", "admin/", "open311/", "i18n/")

# Patterns with arguments that are not pages: they answer a file or a fragment, never a
# form. Views that take POST alone (`require_POST`) are targets of forms on other pages,
# walked there; they are recognized by their decorator and need no entry.
NOT_FORM_PAGES = {
    "appeals:photo": "an image",
    "orglife:export": "a workbook",
    "orgs:org_children": "a fragment of the org tree (links only)",
    "orglife:attachment": "serves a meeting's photo or PDF (no page, no form)",
    "assessment:export": "a workbook",
    "assessment:evidence": "serves a rectification item's photo or PDF (no page, no form)",
    "linkage:attachment": "serves a dispatch's photo or PDF (no page, no form)",
    "linkage:received_attachment": "serves a dispatch's photo or PDF (no page, no form)",
    "jobs:job": "a background job's state, its owner's alone (links only, no form)",
    "jobs:result": "serves a background job's result file",
    "pick": "a picker's options for a search (core.pickers): a fragment, no form",
}

# What submitting a background job writes whatever the file holds (core.jobs): the job,
# its audit entry and its queued task. The rows of the file are the job's to check; the
# walk runs jobs in the request (as `make run` does), so what they would write counts.
JOB_BOOKKEEPING = {"core_job", "core_auditentry", "core_audithead", "django_tasks_db_dbtaskresult"}

# POST forms the walk finds and does not submit, with the reason.
NOT_SUBMITTED = {
    "accounts:logout": "signs the walking role out; holds no text",
    "large_text": "a display switch; holds no text",
    "set_language": "Django's language switch; holds no text",
}

# Typed fields whose value a submission may drop, not refuse, with the reason. The walk
# still requires that the value is not stored.
DROPPED = {
    ("orglife:meeting_new", "reason_#"): "an absent member's reason is not kept",
    ("orglife:meeting_edit", "reason_#"): "an absent member's reason is not kept",
}

TOO_LONG_WORDS = ("最多", "不超过", "超过", "至多")


def _demo_samples() -> dict[str, list[dict]]:
    """URL name → the keyword arguments of the pages walked: one object of each kind
    in the demo street, one per state where the state changes what the page offers."""
    from jiceng.accounts.models import RoleAssignment
    from jiceng.appeals.models import Appeal, Category
    from jiceng.assessment import models as assessment
    from jiceng.cobuild import models as cobuild
    from jiceng.core.models import Area, StandardAddress
    from jiceng.duties import models as duties
    from jiceng.linkage import models as linkage
    from jiceng.members.models import Member
    from jiceng.orglife import models as orglife
    from jiceng.orgs.models import BigCommittee, PartyOrg, Unit
    from jiceng.supervision.models import WeakOrgCase

    community = RoleAssignment.objects.get(user__username="demo_community").area
    grid = Area.objects.filter(level="grid", path__startswith=community.path).order_by("code")
    org = PartyOrg.objects.filter(area__path__startswith=community.path).order_by("pk").first()

    def pk(queryset):
        first = queryset.order_by("pk").first()
        return [{"pk": first.pk}] if first else []

    def per_state(queryset, field):
        values = queryset.order_by().values_list(field, flat=True).distinct()
        found = [queryset.filter(**{field: v}).order_by("pk").first() for v in values]
        return [{"pk": obj.pk} for obj in sorted(found, key=lambda o: o.pk)]

    in_community = {"community": community}
    appeals = Appeal.objects.filter(area__path__startswith=community.path)
    members = Member.objects.filter(org__area__path__startswith=community.path)
    year = orglife.Meeting.objects.order_by("-held_on").values_list("held_on", flat=True).first()
    link = orglife.HouseholdLink.objects.order_by("pk").first()
    code = appeals.exclude(tracking_code="").order_by("pk")
    levels = [{"level": "community"}, {"level": "grid"}]
    return {
        "appeals:places": levels,
        "cobuild:places": levels,
        "appeals:setup_category_edit": pk(Category.objects.all()),
        "appeals:detail": per_state(appeals, "state"),
        "track:code": [{"code": a.tracking_code} for a in code[:1]]
        + [{"code": a.tracking_code} for a in code.filter(state="replied")[:1]],
        "cobuild:need": per_state(cobuild.Need.objects.filter(**in_community), "status"),
        "cobuild:need_from_appeal": [{"appeal_id": a.pk} for a in appeals.order_by("pk")[:1]],
        "cobuild:resource": pk(cobuild.Resource.objects.all()),
        "cobuild:proposal_change": per_state(cobuild.MatchProposal.objects.all(), "state"),
        "cobuild:project": per_state(cobuild.Project.objects.all(), "state"),
        "cobuild:agreement": pk(cobuild.Agreement.objects.all()),
        "cobuild:meeting": pk(cobuild.JointMeeting.objects.all()),
        "cobuild:venue": pk(cobuild.Venue.objects.all()),
        "members:account": pk(members),
        "members:detail": pk(members),
        "members:data_access": pk(members),
        "members:transfer": pk(members),
        "members:outflow": pk(members),
        "orglife:meeting": per_state(orglife.Meeting.objects.all(), "kind"),
        "orglife:meeting_edit": pk(orglife.Meeting.objects.all()),
        "orglife:org_compliance": [{"org_id": org.pk}],
        "orglife:ledger": [{"org_id": org.pk, "year": year.year if year else 2026}],
        "orglife:topic": per_state(orglife.Topic.objects.all(), "state"),
        "orglife:issue_from_appeal": [{"appeal_id": a.pk} for a in appeals.order_by("pk")[:1]],
        "orglife:contact_point": pk(orglife.ContactPoint.objects.all()),
        "orglife:visit_new": [{"link_id": link.pk}] if link else [],
        "orglife:public_community": [{"community_id": community.pk}],
        "supervision:weak_org": per_state(WeakOrgCase.objects.all(), "state"),
        "orgs:org_detail": [{"pk": org.pk}],
        "orgs:org_edit": [{"pk": org.pk}],
        "orgs:org_move": [{"pk": org.pk}],
        "orgs:org_close": [{"pk": org.pk}],
        "orgs:unit_detail": pk(Unit.objects.filter(area__path__startswith=community.path)),
        "orgs:unit_edit": pk(Unit.objects.filter(area__path__startswith=community.path)),
        "orgs:unit_move": pk(Unit.objects.filter(area__path__startswith=community.path)),
        "orgs:unit_coverage": pk(Unit.objects.filter(area__path__startswith=community.path)),
        "orgs:grid_detail": pk(grid),
        "orgs:committee_detail": pk(BigCommittee.objects.all()),
        "assessment:scheme": per_state(assessment.Scheme.objects.all(), "state"),
        "assessment:scheme_edit": pk(assessment.Scheme.objects.filter(state="open")),
        "assessment:ranking": pk(assessment.Scheme.objects.filter(state="open")),
        "assessment:assessment": per_state(assessment.Assessment.objects.all(), "group"),
        "assessment:report": per_state(assessment.Report.objects.all(), "state"),
        "assessment:review": per_state(assessment.Reviewer.objects.all(), "capacity"),
        "assessment:rectification": per_state(assessment.Rectification.objects.all(), "state"),
        "linkage:received": [
            {"pk": r.recipient_id}
            for r in [
                linkage.Report.objects.filter(recipient__area=community, state=state).first()
                for state in ("pending", "returned", "submitted", "accepted")
            ]
            if r
        ],
        "linkage:dispatch": per_state(linkage.Dispatch.objects.all(), "state"),
        "linkage:report": [
            {"pk": r.recipient.dispatch_id, "report_id": r.pk}
            for r in [
                linkage.Report.objects.filter(state=state).select_related("recipient").first()
                for state in ("pending", "returned", "submitted", "accepted")
            ]
            if r
        ],
        "duties:detail": per_state(duties.Duty.objects.all(), "state"),
        "duties:request": per_state(duties.PowerRequest.objects.all(), "state"),
        "ledgers:ledger": [{"key": "member_register"}, {"key": "appeal_rates"}],
        "dashboard:area": [{"pk": community.pk}],
        "dashboard:charts": [{"pk": community.pk}],
        "dashboard:screen": [{"pk": community.pk}],
        "places:address": pk(
            StandardAddress.objects.filter(building__path__startswith=community.path)
        ),
    }


def _patterns(resolver=None, prefix="", namespace=""):
    """(name, route, arguments) of every URL pattern that can answer a GET, with its
    namespace."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, route, space)
        elif isinstance(entry, URLPattern) and entry.name and not _post_only(entry.callback):
            yield f"{namespace}{entry.name}", route, entry.pattern.regex.groupindex


def _post_only(view) -> bool:
    """Whether the view takes POST alone (`require_POST`): a target of forms on other
    pages, walked through those forms, never a page of its own."""
    while view is not None:
        code = getattr(view, "__code__", None)
        cells = getattr(view, "__closure__", None) or ()
        for name, cell in zip(code.co_freevars if code else (), cells, strict=False):
            if name == "request_method_list" and list(cell.cell_contents) == ["POST"]:
                return True
        view = getattr(view, "__wrapped__", None)
    return False


def _page_urls(samples) -> tuple[list[str], list[str]]:
    """The pages to open, and the patterns this module could not fill."""
    urls, unknown = [], []
    for name, route, groups in _patterns():
        if route.startswith(NOT_PAGES) or route.endswith(".xlsx") or name in NOT_FORM_PAGES:
            continue
        for kwargs in samples.get(name, [{}] if not groups else []):
            try:
                urls.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                unknown.append(f"{name} {kwargs}")
        if groups and not samples.get(name):
            unknown.append(f"{name} ({route}): no object of this kind in the demo")
    return list(dict.fromkeys(urls)), unknown


class Writes:
    """Every statement that changed a row, by table, and whether any stored value held a
    bidirectional control (an execute wrapper)."""

    IGNORED = {"django_session"}  # saved on every request (SESSION_SAVE_EVERY_REQUEST)
    STATEMENT = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)

    def __init__(self):
        self.tables: list[str] = []
        self.bidi: list[str] = []
        self.values: list[str] = []

    def stored(self, value: str) -> bool:
        return any(value in v or (v in value and len(v) > 20) for v in self.values)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = self.STATEMENT.match(sql)
        if match and match.group(1) not in self.IGNORED and context["cursor"].rowcount != 0:
            self.tables.append(match.group(1))
            rows = params if many else [params]
            values = [v for row in rows or [] for v in (row or [])]
            self.values += [v for v in values if isinstance(v, str)]
            if any(isinstance(v, str) and BIDI.search(v) for v in values):
                self.bidi.append(match.group(1))
        return result


def _submit(client, url, data) -> tuple[object, Writes]:
    """The answer, and what it wrote (rolled back)."""
    writes = Writes()
    with transaction.atomic(), connection.execute_wrapper(writes):
        response = client.post(url, data)
        # A background job submitted (and, here, run) by the page: how it ended, read
        # before the rollback takes it away.
        location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
        if location.startswith("/jobs/"):
            from jiceng.core.models import Job

            job = Job.objects.filter(pk=location.split("/")[2]).first()
            response.job_error = job.error_code if job else ""
        transaction.set_rollback(True)
    return response, writes


def _shown(client, answer) -> str:
    """What the person sees next: the page itself, or where a redirect leads (views
    that answer with a message and a redirect)."""
    if 300 <= answer.status_code < 400:
        answer = client.get(answer["Location"])
    return answer.content.decode("utf-8", "replace")


def _names_the_refusal(shown: str, value_kind: str, label: str, name: str) -> bool:
    from jiceng.orglife.errors import MSG_TEXT_CONTROL

    if value_kind == "nul":
        said = str(MSG_CONTROL) in shown or str(MSG_TEXT_CONTROL) in shown
    else:
        said = any(word in shown for word in TOO_LONG_WORDS)
    return said and (label or name) in shown


def _workbook(template: bytes, value: str) -> bytes:
    """The template's first sheet with one row holding `value` in every column."""
    import openpyxl

    from jiceng.core.excel import workbook

    sheet = openpyxl.load_workbook(io.BytesIO(template), read_only=True).worksheets[0]
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    return workbook([h or "" for h in headers], [[value] * len(headers)])


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _walk_files(client, form, url, page, label) -> list[str]:
    """Each file input: an import workbook made from the page's template, or a photo,
    with the hostile value in its cells and as its name."""
    failures = []
    for name in form.files:
        # An import offers its template; any other upload here is a photo.
        templates = [link for link in page.links if link.endswith("template.xlsx")]
        if templates:
            template = client.get(templates[0]).content
        for value_kind in HOSTILE:
            value = hostile_value(value_kind, 200)
            if templates:
                content = _workbook(template, "" if value_kind == "nul" else value)
                filename = f"{value[:200]}.xlsx"
            else:
                content, filename = _png(), f"{value[:200]}.png"
            upload = {name: SimpleUploadedFile(filename, content)}
            answer, writes = _submit(client, url, {**form.data, **upload})
            at = f"{label} {name}={value_kind}"
            if answer.status_code >= 500:
                failures.append(f"{at}: {answer.status_code}")
            elif (
                value_kind in ("nul", OVER_LONG)
                and templates
                and (set(writes.tables) - JOB_BOOKKEEPING)
            ):
                failures.append(f"{at}: wrote {sorted(set(writes.tables))}")
            elif _job_broke(answer):
                failures.append(f"{at}: the job failed unexpectedly")
            elif writes.bidi:
                failures.append(f"{at}: stored a bidirectional control in {writes.bidi}")
    return failures


def _job_broke(answer) -> bool:
    """Whether the submission led to a job that failed on something other than a
    refusal (core.jobs' general "job_failed", what an exception becomes in a job)."""
    return getattr(answer, "job_error", "") == "job_failed"


def _unnumbered(name: str) -> str:
    return re.sub(r"\d+", "#", name)


# The fields already walked in this module (by any role): (URL name, its arguments that
# are not ids, field name). One object of each kind stands for the others.
_walked: set = set()
# The walks that ran in this process: under pytest-xdist they are shared out among the
# workers, and the check of what was reached needs all of them in one process.
_walks_run: set = set()
WALKS = {None, *(a.username for a in DEMO_ACCOUNTS), "second factor"}


def _linked_pages(page, seen: set, page_url: str = "") -> list[str]:
    """Links of a page to a page with a query string not opened before (a form page
    that first asks which org, a list filtered to one place): one per URL name and
    set of query keys. A GET form that asks only to choose (selects, no text typed) is
    such a link too, submitted as it stands (a form page whose first step picks the
    org)."""
    from urllib.parse import urlencode

    found = []
    chosen = [
        f"{form.action or urlsplit(page_url).path}?{urlencode(form.data)}"
        for form in page.forms
        if form.method == "get" and form.data and not form.texts and not form.files
    ]
    for link in [*page.links, *chosen]:
        parts = urlsplit(link)
        if not parts.query or parts.netloc or parts.path.endswith(".xlsx"):
            continue
        try:
            name = resolve(parts.path).view_name
        except Resolver404:
            continue
        keys = tuple(sorted(k.split("=")[0] for k in parts.query.split("&")))
        if name in NOT_FORM_PAGES or "export" in name or (name, keys) in seen:
            continue
        seen.add((name, keys))
        found.append(link)
    return found


def _walk_forms(client, who: str, pages: list[str]) -> tuple[list[str], int]:
    failures, sent = [], 0
    queue, linked, seen = list(pages), set(), set()
    for page_url in queue:
        response = client.get(page_url)
        if response.status_code >= 500:
            failures.append(f"{who} GET {page_url}: {response.status_code}")
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "html" not in content_type:
            continue
        html = response.content.decode()
        page = parse_page(html)
        if page_url in pages:
            more = [link for link in _linked_pages(page, seen, page_url) if link not in linked]
            linked.update(more)
            queue += more
        for form in page.forms:
            if form.method != "post":
                continue
            url = form.action or page_url
            try:
                match = resolve(urlsplit(url).path)
            except Resolver404:
                failures.append(f"{who} {page_url}: a form posts to {url}, which is no page")
                continue
            if match.view_name in NOT_SUBMITTED:
                continue
            kind = (match.view_name, tuple(v for v in match.kwargs.values() if isinstance(v, str)))
            label = f"{who} POST {url} (from {page_url})"
            if form.files and (*kind, "file") not in _walked:
                _walked.add((*kind, "file"))
                failures += _walk_files(client, form, url, page, label)
                sent += 1
            # Fields numbered per row (reason_17, reason_18, …) are one field.
            fields = {}
            for field, spec in form.texts.items():
                if (*kind, _unnumbered(field)) not in _walked:
                    _walked.add((*kind, _unnumbered(field)))
                    fields[field] = spec
            if not form.texts and not form.files:
                _walked.add((*kind, ""))
            more, count = _walk_fields(client, form, kind, fields, url, page, label)
            failures += more
            sent += count
    return failures, sent


def _walk_fields(client, form: PageForm, form_kind, fields, url, page, label):
    failures, sent = [], 0
    for name, (kind, limit) in fields.items():
        typed = kind != "hidden"
        if typed and kind != "password" and limit is None:
            failures.append(f"{label} {name}: no maxlength")
        for value_kind in HOSTILE:
            value = hostile_value(value_kind, limit)
            answer, writes = _submit(client, url, {**form.data, name: value})
            sent += 1
            at = f"{label} {name}={value_kind}"
            if answer.status_code >= 500:
                failures.append(f"{at}: {answer.status_code}")
                continue
            if not typed:
                continue  # a tampered hidden value may be refused any way but a 5xx
            if answer.status_code in (403, 404, 405):
                failures.append(f"{at}: the form could not be submitted ({answer.status_code})")
                continue
            if writes.bidi:
                failures.append(f"{at}: stored a bidirectional control in {writes.bidi}")
            if value_kind not in ("nul", OVER_LONG):
                continue
            if writes.tables and (form_kind[0], _unnumbered(name)) in DROPPED:
                if writes.stored(value):
                    failures.append(f"{at}: stored in {sorted(set(writes.tables))}")
            elif writes.tables:
                failures.append(f"{at}: accepted, wrote {sorted(set(writes.tables))}")
            elif not _names_the_refusal(
                _shown(client, answer), value_kind, form.label(name, page.labels), name
            ):
                failures.append(f"{at}: no error naming the field")
    return failures, sent


@pytest.fixture
def walk(street_demo, settings):  # noqa: F811
    # Hundreds of public submissions from one address: the per-address limit is not
    # what is under test here.
    settings.APPEAL_PUBLIC_LIMIT = 100_000
    # A page's background job (a roster import) runs in the request that submits it, as
    # under `make run`, so that the hostile rows reach the import.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    pages, unknown = _page_urls(_demo_samples())
    return pages, unknown


def _client() -> Client:
    # An address of its own (TEST-NET-1), so the public submissions count against no
    # other test's rate-limit bucket.
    return Client(raise_request_exception=False, REMOTE_ADDR="192.0.2.22")


def test_every_page_with_arguments_is_opened(walk):
    _pages, unknown = walk
    assert unknown == []


@pytest.mark.parametrize("username", [None] + [a.username for a in DEMO_ACCOUNTS])
def test_hostile_values_in_every_page_form(walk, username):
    pages, _unknown = walk
    client = _client()
    if username:
        client.force_login(User.objects.get(username=username))
    failures, sent = _walk_forms(client, username or "anonymous", pages)
    _walks_run.add(username)
    assert failures == [], "\n".join(failures)
    if username is None:
        assert sent > 20


def test_hostile_values_in_the_second_factor_forms(walk, settings):
    """The code pages appear only to a role that must pass TOTP: the district admin
    (whose demo device is confirmed) gets the code check, a city admin the enrolment."""
    settings.TOTP_REQUIRED_ROLES = ["district_admin", "city_admin"]
    failures, sent = [], 0
    for username, page in ((TOTP_USERNAME, "accounts:verify"), ("demo_city", "accounts:enroll")):
        client = _client()
        client.force_login(User.objects.get(username=username))
        url = reverse(page)
        response = client.get(url)
        assert response.status_code == 200, (username, url)
        assert parse_page(response.content.decode()).forms, url
        more, count = _walk_forms(client, username, [url])
        failures += more
        sent += count
    _walks_run.add("second factor")
    assert sent >= 10
    assert failures == [], "\n".join(failures)


def test_the_walk_reached_every_form_the_issue_names():
    """Run after the walks above (same module): the forms a review found unwalked."""
    names = {key[0] for key in _walked}
    expected = {
        "members:import",
        "appeals:setup_category_edit",
        "cobuild:proposal_change",
        "accounts:verify",
        "accounts:enroll",
        "orgs:org_new",
        "orgs:unit_new",
        "orgs:unit_import",
        "orgs:grid_import",
        "orgs:grid_detail",
        "orgs:committee_list",
        "orgs:committee_detail",
        "orglife:meeting_new",
        "orglife:topic_new",
        "orglife:act",
    }
    if not _walked:
        pytest.skip("the walks did not run in this session")
    if _walks_run != WALKS:
        pytest.skip("the walks ran in several processes (pytest -n); run this module alone")
    assert expected - names == set(), sorted(names)
    assert len(names) > 60
