"""Composition tables computed from the data, on a hand-built set of members."""

import datetime

from jiceng.members import selectors, services
from jiceng.members.statistics import composition
from tests.members.factories import facts, id_number

TODAY = datetime.date(2026, 11, 22)


def table(tables, name):
    return {row.key: row.count for row in next(t for t in tables if t.name == name).rows}


def test_composition_on_a_known_set(territory):
    actor = territory.users["xh_c1_secretary"]
    org = territory.orgs["xh_c1_b1"]
    people = [
        # birth, gender, ethnicity, education, joined, status, full_on
        (datetime.date(1996, 11, 22), "female", "汉族", "bachelor", datetime.date(2020, 1, 1)),
        (datetime.date(1996, 11, 23), "male", "回族", "postgraduate", datetime.date(2021, 6, 1)),
        (datetime.date(1950, 1, 1), "male", "汉", "high_school", datetime.date(1975, 7, 1)),
        (datetime.date(1940, 5, 5), "female", "满族", "junior_or_below", datetime.date(1960, 7, 1)),
    ]
    for birth, gender, ethnicity, education, joined in people:
        services.member_register(
            actor=actor,
            org=org,
            facts=facts(
                birth=birth,
                gender_of_id=gender,
                id_number=id_number(birth, gender=gender),
                ethnicity=ethnicity,
                education=education,
                joined_on=joined,
                full_on=joined + datetime.timedelta(days=366),
            ),
        )
    services.member_register(
        actor=actor,
        org=org,
        facts=facts(
            birth=datetime.date(2000, 2, 29),
            id_number=id_number(datetime.date(2000, 2, 29)),
            joined_on=datetime.date(2026, 3, 1),
            status="probationary",
            full_on=None,
            category="student",
        ),
    )
    tables = composition(selectors.member_list(viewer=actor), today=TODAY)
    assert all(t.total == 5 for t in tables)
    assert table(tables, "gender") == {"male": 3, "female": 2}
    assert table(tables, "ethnicity") == {"han": 3, "minority": 2}
    age = table(tables, "age")
    # 30 today exactly (born 1996-11-22) and 29 (born a day later) and 26: all ≤30.
    assert age["b0"] == 3
    assert age["b8"] == 1  # 76
    assert age["b9"] == 1  # 86
    tenure = table(tables, "tenure")
    # Joined 2026 (0 years), 2020 and 2021 (6 and 5 years), 1975 and 1960 (51 and 66).
    assert (tenure["b0"], tenure["b1"], tenure["b6"]) == (1, 2, 2)
    assert table(tables, "status") == {"probationary": 1, "full": 4}
    assert table(tables, "category")["student"] == 1
    assert table(tables, "org_kind")["branch"] == 5
