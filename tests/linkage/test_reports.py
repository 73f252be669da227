"""Receipts and report-back: acknowledgement, the form pre-filled from the outcome
registry (equal to its figures), corrections kept beside the computed value with a
note, the report's lifecycle and refusals, late from the deadline, chasing in one
action, the bulletin's figures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.outcomes import Period, outcome
from jiceng.linkage import prefill, selectors, services, states
from jiceng.linkage.errors import LinkageErrorCode as Code
from jiceng.linkage.models import Dispatch, Notification, Receipt, Report, ReportValue
from tests.linkage.conftest import PERIOD


def _satisfaction(sent):
    return next(f for f in sent.task.fields.all() if f.kind == "outcome")


def test_prefilled_values_equal_the_outcomes_figures(sent):
    t = sent.t
    field = _satisfaction(sent)
    for key in ("xh_c1", "xh_c2"):
        r = sent.recipient(sent.task, key)
        expected = outcome("appeals.satisfaction_rate").measure(t.areas[key], Period.parse(PERIOD))
        found = prefill.prefill(r, [field])[field.pk]
        assert found.figure == expected
        assert found.display == prefill.display_number(found.outcome, expected.value)


def test_prefill_follows_the_data(sent, monkeypatch):
    """With figures (not an empty quarter): a rate shows in percent, and what is stored
    as computed is the registry's, whatever the form said."""
    from jiceng.core.outcomes import Figure

    o = outcome("appeals.satisfaction_rate")
    monkeypatch.setattr(type(o), "measure", lambda self, s, p: Figure.rate(37, 40))
    t = sent.t
    r = sent.recipient(sent.task, "xh_c1")
    field = _satisfaction(sent)
    assert prefill.prefill(r, [field])[field.pk].display == "92.5"
    answers = sent.answers(sent.task)
    answers[field.pk] = services.Answer(value="")  # confirmed as computed
    report = services.report_submit(actor=t.users["xh_c1_secretary"], recipient=r, answers=answers)
    value = ReportValue.objects.get(report=report, field=field)
    assert (value.value, value.corrected) == ("92.5", False)
    assert value.computed == Decimal("0.925000")
    assert (value.computed_numerator, value.computed_denominator) == (37, 40)


def test_a_correction_keeps_the_computed_value_and_needs_a_note(sent, monkeypatch):
    from jiceng.core.outcomes import Figure

    o = outcome("appeals.satisfaction_rate")
    monkeypatch.setattr(type(o), "measure", lambda self, s, p: Figure.rate(37, 40))
    t = sent.t
    r = sent.recipient(sent.task, "xh_c1")
    field = _satisfaction(sent)
    answers = sent.answers(sent.task)
    answers[field.pk] = services.Answer(value="95")
    with pytest.raises(ValidationFailed) as refused:
        services.report_submit(actor=t.users["xh_c1_secretary"], recipient=r, answers=answers)
    assert (refused.value.code, refused.value.field) == (Code.NOTE_REQUIRED, f"notes.{field.pk}")
    assert Report.objects.get(recipient=r).state == Report.State.PENDING
    answers[field.pk] = services.Answer(value="95", note="有两件诉求重复登记")
    report = services.report_submit(actor=t.users["xh_c1_secretary"], recipient=r, answers=answers)
    value = ReportValue.objects.get(report=report, field=field)
    assert (value.value, value.corrected, value.note) == ("95", True, "有两件诉求重复登记")
    assert value.computed == Decimal("0.925000")


@pytest.mark.parametrize(
    ("label", "value", "code"),
    [
        ("开展活动次数", "三次", Code.ANSWER_NUMBER),
        ("开展活动次数", "", Code.ANSWER_REQUIRED),
        ("是否完成整改", "maybe", Code.BAD_CHOICE),
        ("主要方式", "电话", Code.BAD_CHOICE),
    ],
)
def test_answers_are_checked(sent, label, value, code):
    t = sent.t
    r = sent.recipient(sent.task, "xh_c1")
    with pytest.raises(ValidationFailed) as refused:
        services.report_submit(
            actor=t.users["xh_c1_secretary"],
            recipient=r,
            answers=sent.answers(sent.task, **{label: value}),
        )
    assert refused.value.code == code
    assert not ReportValue.objects.filter(report__recipient=r).exists()


def test_receipts_open_and_acknowledge_once(sent):
    t = sent.t
    r = sent.recipient(sent.task, "xh_c1")
    # The street (the sender) looking does not open it for the community.
    services.receipt_open(actor=t.users["xh_s1_staff"], recipient=r)
    assert Receipt.objects.get(recipient=r).opened_at is None
    services.receipt_open(actor=t.users["xh_c1_secretary"], recipient=r)
    opened = Receipt.objects.get(recipient=r).opened_at
    assert opened is not None
    first = services.receipt_acknowledge(actor=t.users["xh_c1_secretary"], recipient=r)
    again = services.receipt_acknowledge(actor=t.users["xh_c1_secretary"], recipient=r)
    assert first.acknowledged_at == again.acknowledged_at and again.opened_at == opened


def test_who_may_answer(sent):
    t = sent.t
    r = sent.recipient(sent.task, "xh_c1")
    # Another community: out of sight.
    with pytest.raises(NotFound):
        selectors.received_get(viewer=t.users["xh_c3_secretary"], recipient_id=r.pk)
    with pytest.raises(NotFound):
        services.receipt_acknowledge(actor=t.users["xh_c3_secretary"], recipient=r)
    # The street sees its communities' rows but does not answer for them.
    with pytest.raises(PermissionDenied):
        services.report_submit(
            actor=t.users["xh_s1_staff"], recipient=r, answers=sent.answers(sent.task)
        )
    # A grid worker in the community does not see linkage at all.
    with pytest.raises(NotFound):
        services.receipt_acknowledge(actor=t.users["xh_g1_worker"], recipient=r)


def test_report_lifecycle(sent):
    t = sent.t
    secretary, staff = t.users["xh_c1_secretary"], t.users["xh_s1_staff"]
    r = sent.recipient(sent.task, "xh_c1")
    report = services.report_submit(actor=secretary, recipient=r, answers=sent.answers(sent.task))
    assert report.state == Report.State.SUBMITTED
    assert Receipt.objects.get(recipient=r).acknowledged_at is not None  # a report acknowledges
    with pytest.raises(Conflict):
        services.report_submit(actor=secretary, recipient=r, answers=sent.answers(sent.task))
    with pytest.raises(ValidationFailed):
        services.report_return(actor=staff, report=report, reason="")
    # The recipient may not review its own report (the dispatch is out of its sight).
    with pytest.raises(NotFound):
        services.report_accept(actor=secretary, report=report)
    returned = services.report_return(actor=staff, report=report, reason="数字有误")
    assert (returned.state, returned.return_reason) == (Report.State.RETURNED, "数字有误")
    assert Notification.objects.filter(recipient=secretary, title__startswith="报送被退回").exists()
    with pytest.raises(Conflict) as stale:
        services.report_submit(
            actor=secretary, recipient=r, answers=sent.answers(sent.task), version=report.version
        )
    assert stale.value.code == Code.STALE_VERSION
    again = services.report_submit(
        actor=secretary,
        recipient=r,
        answers=sent.answers(sent.task, 开展活动次数="4"),
        version=returned.version,
    )
    assert again.state == Report.State.SUBMITTED and again.return_reason == ""
    accepted = services.report_accept(actor=staff, report=again)
    assert accepted.state == Report.State.ACCEPTED
    with pytest.raises(Conflict):
        services.report_return(actor=staff, report=accepted, reason="再改")


def test_no_reports_on_a_closed_or_withdrawn_dispatch(sent):
    t = sent.t
    services.dispatch_close(actor=t.users["xh_s1_staff"], dispatch=sent.task)
    r = sent.recipient(sent.task, "xh_c1")
    with pytest.raises(Conflict) as refused:
        services.report_submit(
            actor=t.users["xh_c1_secretary"], recipient=r, answers=sent.answers(sent.task)
        )
    assert refused.value.code == Code.DISPATCH_CLOSED


def test_late_is_derived_from_the_deadline():
    today = datetime.date(2026, 5, 10)
    assert states.is_late(datetime.date(2026, 5, 9), "pending", today)
    assert states.is_late(datetime.date(2026, 5, 9), "returned", today)
    assert not states.is_late(datetime.date(2026, 5, 10), "pending", today)
    assert not states.is_late(datetime.date(2026, 5, 9), "submitted", today)
    assert not states.is_late(None, "pending", today)


def _past_deadline(sent):
    Dispatch.objects.filter(pk=sent.task.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    sent.task.refresh_from_db()


def test_chasing_notifies_each_late_recipient_once_per_chase(sent):
    t = sent.t
    # xh_c2 reports (it has no secretary in the fixture); xh_c1 will be late.
    r2 = sent.recipient(sent.task, "xh_c2")
    services.report_submit(actor=None, recipient=r2, answers=sent.answers(sent.task))
    assert (
        services.dispatch_chase(actor=t.users["xh_s1_staff"], dispatch=sent.task) == 0
    )  # not due yet
    _past_deadline(sent)
    assert [d.pk for d in selectors.late_to_chase(viewer=t.users["xh_s1_staff"])] == [sent.task.pk]
    before = Notification.objects.filter(title__startswith="催报").count()
    assert services.dispatch_chase(actor=t.users["xh_s1_staff"], dispatch=sent.task) == 1
    chased = Notification.objects.filter(title__startswith="催报")
    assert chased.count() == before + 1
    assert chased.get().recipient_id == t.users["xh_c1_secretary"].pk
    with pytest.raises(PermissionDenied):
        services.dispatch_chase(actor=t.users["xh_admin"], dispatch=sent.task)


def test_bulletin_figures_per_recipient_and_totals(sent, monkeypatch):
    from jiceng.core.outcomes import Figure

    o = outcome("appeals.satisfaction_rate")
    parts = {sent.t.areas["xh_c1"].pk: (9, 10), sent.t.areas["xh_c2"].pk: (7, 10)}
    monkeypatch.setattr(type(o), "measure", lambda self, s, p: Figure.rate(*parts[s.pk]))
    t = sent.t
    staff = t.users["xh_s1_staff"]
    for key, count in (("xh_c1", "3"), ("xh_c2", "5")):
        r = sent.recipient(sent.task, key)
        report = services.report_submit(
            actor=None, recipient=r, answers=sent.answers(sent.task, 开展活动次数=count)
        )
        services.report_accept(actor=staff, report=report)
    with pytest.raises(Conflict):
        services.bulletin_publish(actor=t.users["xh_admin"], dispatch=sent.notice, summary="")
    published = services.bulletin_publish(actor=staff, dispatch=sent.task, summary="总体良好")
    figures = published.figures
    labels = [c["label"] for c in figures["columns"]]
    assert labels == ["诉求满意率", "开展活动次数", "是否完成整改", "主要方式"]  # text left out
    assert [row["values"] for row in figures["rows"]] == [
        ["90.0", "3", "yes", "走访"],
        ["70.0", "5", "yes", "走访"],
    ]
    assert figures["totals"] == ["80.0", "8", "是 2 / 否 0", "走访 2；会议 0；线上 0"]
    with pytest.raises(Conflict) as again:
        services.bulletin_publish(actor=staff, dispatch=sent.task)
    assert again.value.code == Code.BULLETIN_EXISTS
    assert Notification.objects.filter(
        recipient=t.users["xh_c1_secretary"], title__startswith="通报"
    ).exists()


def test_no_bulletin_before_anything_is_accepted(sent):
    with pytest.raises(Conflict) as refused:
        services.bulletin_publish(actor=sent.t.users["xh_s1_staff"], dispatch=sent.task)
    assert refused.value.code == Code.NOTHING_ACCEPTED
