"""The outcome registry: periods, the refusal of activity sources, and every registered
formula run against a small territory with the queries it sends checked for tables that
record platform activity (sessions, the audit log, login attempts)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core import outcomes
from jiceng.core.outcomes import RATE, Figure, Outcome, Period


def test_periods_parse_years_quarters_and_months():
    assert Period.parse("2026") == Period(
        datetime.date(2026, 1, 1), datetime.date(2027, 1, 1), "2026"
    )
    q4 = Period.parse("2026-q4")
    assert (q4.start, q4.end, q4.label) == (
        datetime.date(2026, 10, 1),
        datetime.date(2027, 1, 1),
        "2026-Q4",
    )
    december = Period.parse("2026-12")
    assert december.end == datetime.date(2027, 1, 1)
    assert Period.parse("2026-02").end == datetime.date(2026, 3, 1)
    assert len(Period.parse("2026").months()) == 12
    assert Period.parse("2026-Q2").months()[-1] == datetime.date(2026, 6, 1)
    for bad in ("", "26", "2026-13", "2026-Q5", "2026-00", "二〇二六"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_a_rate_over_nothing_is_no_rate():
    assert Figure.rate(0, 0).value is None
    assert Figure.rate(3, 4).value == 0.75


@pytest.mark.parametrize(
    "sources", [("django_session",), ("core_auditentry",), ("axes_accessattempt",)]
)
def test_an_outcome_reading_platform_activity_is_refused(sources):
    with pytest.raises(ValueError, match="activity"):
        outcomes.register_outcome(
            Outcome(
                key="test.logins",
                label="登录次数",
                app="test",
                unit=RATE,
                sources=sources,
                for_area=lambda area, period: Figure.rate(0, 0),
            )
        )
    with pytest.raises(LookupError):
        outcomes.outcome("test.logins")


def test_every_app_registers_outcomes():
    """The outcomes issue 17 names, each registered by the app whose data it reads."""
    registered = {o.key: o.app for o in outcomes.outcomes()}
    named = {
        "appeals.response_rate": "appeals",
        "appeals.resolution_rate": "appeals",
        "appeals.satisfaction_rate": "appeals",
        "cobuild.projects_completed": "cobuild",
        "cobuild.projects_rated_well": "cobuild",
        "orglife.compliance": "orglife",
        "orgs.unit_coverage": "orgs",
        "members.mobile_verified": "members",
        "members.dual_service": "members",
        "assessment.rectification_on_time": "assessment",
    }
    assert {key: registered.get(key) for key in named} == named


TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def test_no_registered_formula_touches_activity_tables(territory):
    """Run every formula for a district, a community and (where it measures orgs) an
    org, and read the tables its SQL names."""
    period = Period.year(2026)
    subjects = [territory.areas["xh"], territory.areas["xh_c1"]]
    subjects += list(territory.orgs.values())[:1]
    for outcome in outcomes.outcomes():
        declared = set(outcome.sources)
        assert not [t for t in declared if outcomes.is_activity_table(t)], outcome.key
        for subject in subjects:
            with CaptureQueriesContext(connection) as queries:
                figure = outcome.measure(subject, period)
            assert isinstance(figure, Figure)
            read = {t for q in queries for t in TABLE.findall(q["sql"])}
            assert not [t for t in read if outcomes.is_activity_table(t)], (outcome.key, read)
            # The formula reads what it declares, or core's own territory tables.
            assert read <= declared | {"core_area", "orgs_partyorg"}, (outcome.key, read)
