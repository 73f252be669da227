"""Receipts (回执) are for delivery, never for appraisal: no registered outcome lists the
receipt table among its sources, no query of the bulletin, an outcome, or a linkage
indicator touches it, and a published bulletin carries no read times."""

import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core.outcomes import Period, outcomes
from jiceng.core.scope import scope_for
from jiceng.dashboard.registry import indicators_for
from jiceng.linkage import bulletin, services
from jiceng.linkage.models import Receipt

RECEIPTS = Receipt._meta.db_table


def test_no_outcome_lists_the_receipt_table():
    assert RECEIPTS == "linkage_receipt"
    for o in outcomes():
        assert RECEIPTS not in o.sources, o.key
        assert not any(s.startswith("linkage_") for s in o.sources), o.key


def test_no_outcome_formula_reads_receipts(territory):
    with CaptureQueriesContext(connection) as queries:
        for o in outcomes():
            if "area" in o.subjects:
                o.measure(territory.areas["xh_c1"], Period.parse("2026-Q1"))
    assert not [q["sql"] for q in queries if RECEIPTS in q["sql"]]


def test_the_bulletin_reads_no_receipt_and_shows_no_time(sent):
    t = sent.t
    for key in ("xh_c1", "xh_c2"):
        r = sent.recipient(sent.task, key)
        services.receipt_open(actor=t.users["xh_c1_secretary"], recipient=r)
        report = services.report_submit(actor=None, recipient=r, answers=sent.answers(sent.task))
        services.report_accept(actor=t.users["xh_s1_staff"], report=report)
    with CaptureQueriesContext(connection) as queries:
        figures = bulletin.build_figures(sent.task)
    assert not [q["sql"] for q in queries if RECEIPTS in q["sql"]]
    published = services.bulletin_publish(actor=t.users["xh_s1_staff"], dispatch=sent.task)
    text = json.dumps(published.figures, ensure_ascii=False)
    for word in ("opened", "acknowledged", "read", "submitted", "login", "时间"):
        assert word not in text, word
    assert not re.search(r"\d{1,2}:\d{2}", text)  # no time of day anywhere
    assert figures == published.figures


def test_linkage_indicators_read_no_receipt(sent):
    user = sent.t.users["xh_admin"]
    mine = [i for i in indicators_for(scope_for(user)) if i.key.startswith("linkage_")]
    assert mine
    with CaptureQueriesContext(connection) as queries:
        for indicator in mine:
            indicator.total(user, sent.t.areas["xh"])
    assert not [q["sql"] for q in queries if RECEIPTS in q["sql"]]
