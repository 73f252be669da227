"""Valid, distinct personal data for members' tests."""

import datetime
import itertools

from jiceng.core.validators import id_check_character
from jiceng.members.services import MemberFacts

_sequence = itertools.count(1)


def id_number(
    birth: datetime.date = datetime.date(1985, 6, 1), *, gender: str = "male", region="310104"
) -> str:
    """A valid GB 11643 number: sequence digits chosen for the gender (odd is male)."""
    n = next(_sequence) % 500
    seq = n * 2 + (1 if gender == "male" else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_character(body)


def facts(**overrides) -> MemberFacts:
    birth = overrides.pop("birth", datetime.date(1985, 6, 1))
    gender = overrides.pop("gender_of_id", "male")
    data = dict(
        name="张伟",
        id_number=id_number(birth, gender=gender),
        ethnicity="汉族",
        education="bachelor",
        joined_on=datetime.date(2010, 7, 1),
        status="full",
        category="in_service",
        full_on=datetime.date(2011, 7, 1),
        phone="13812345678",
    )
    data.update(overrides)
    return MemberFacts(**data)
