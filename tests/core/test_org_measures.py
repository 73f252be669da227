"""The org measure registry (core.org_measures): the refusal of activity sources, every
registered measure run over a territory's orgs with the queries it sends checked, and
orglife's bulk compliance equal, org by org, to its outcome for one org."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core import org_measures
from jiceng.core.org_measures import FLAG, OrgMeasure
from jiceng.core.outcomes import Figure, Period, is_activity_table, outcome
from jiceng.orgs.models import PartyOrg
from tests.core.test_outcomes import TABLE
from tests.linkage.test_org_rules import QUARTER, hold


@pytest.mark.parametrize("sources", [("django_session",), ("core_auditentry",)])
def test_a_measure_reading_platform_activity_is_refused(sources):
    with pytest.raises(ValueError, match="activity"):
        org_measures.register_org_measure(
            OrgMeasure(
                key="test.logins",
                label="登录次数",
                app="test",
                unit=FLAG,
                kind="party_org",
                sources=sources,
                measure=lambda orgs, period: {},
            )
        )
    with pytest.raises(LookupError):
        org_measures.org_measure("test.logins")


def test_the_apps_register_their_org_measures():
    registered = {m.key: m.app for m in org_measures.org_measures()}
    assert registered["orglife.compliance"] == "orglife"
    assert registered["supervision.weak_candidate"] == "supervision"
    assert registered["supervision.weak_confirmed"] == "supervision"


def test_no_registered_measure_touches_activity_tables(territory):
    orgs = PartyOrg.objects.filter(area__path__startswith=territory.areas["xh"].path)
    for measure in org_measures.org_measures():
        declared = set(measure.sources)
        with CaptureQueriesContext(connection) as queries:
            figures = measure.measure(orgs, Period.year(2025))
        assert all(isinstance(f, Figure) for f in figures.values())
        assert set(figures) <= set(orgs.values_list("pk", flat=True)), measure.key
        read = {t for q in queries for t in TABLE.findall(q["sql"])}
        assert not [t for t in read if is_activity_table(t)], (measure.key, read)
        assert read <= declared | {"core_area", "orgs_partyorg"}, (measure.key, read)


def test_bulk_compliance_equals_the_outcome_for_each_org(territory):
    o = territory.orgs
    hold(o["xh_c1_b1"], 8)
    hold(o["xh_c1_gb"], 5)
    period = Period.parse(QUARTER)
    bulk = org_measures.org_measure("orglife.compliance").measure(PartyOrg.objects.all(), period)
    single = outcome("orglife.compliance")
    for org in PartyOrg.objects.all():
        one = single.measure(org, period)
        if one.value is None:
            assert org.pk not in bulk, org.name  # nothing was due: no figure to compare
        else:
            got = bulk[org.pk]
            assert (got.numerator, got.denominator, got.url) == (
                one.numerator,
                one.denominator,
                one.url,
            )
    assert bulk[o["xh_c1_gb"].pk].value == 5 / 8
