"""Every refusal a service, view or API operation raises carries a stable code of its
own (an app's `<App>ErrorCode`, or core's CoreErrorCode for the checks core makes for
every app), so an API client tells refusals apart without reading translated text.

Read from the source: a `raise ValidationFailed(...)`, `Conflict(...)` or
`ApplicationError(...)` without `code=` fails here. Only the one input policy
(core/inputs.py: text too long, control characters) keeps the generic "invalid", which
is what the API's schema validation answers for the same faults. A bare
`PermissionDenied()` keeps core's "forbidden"."""

import enum
import importlib
import pathlib
import re

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "jiceng"
RAISE = re.compile(r"raise (?:errors\.)?(ValidationFailed|Conflict|ApplicationError)\(")
GENERIC_ALLOWED = {"core/inputs.py"}


def _calls(text: str):
    for match in RAISE.finditer(text):
        start = index = match.end()
        depth = 1
        while depth:
            depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(text[index], 0)
            index += 1
        yield text[: match.start()].count("\n") + 1, text[start : index - 1]


def test_every_refusal_names_its_code():
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/migrations/" in relative or relative in GENERIC_ALLOWED:
            continue
        for line, arguments in _calls(path.read_text(encoding="utf-8")):
            if "code=" not in arguments:
                missing.append(f"{relative}:{line}")
    assert missing == []


ENUMS = [
    ("jiceng.core.errors", "CoreErrorCode", None),
    ("jiceng.orgs.errors", "OrgErrorCode", "org"),
    ("jiceng.accounts.errors", "AccountErrorCode", "account_"),
    ("jiceng.members.errors", "MemberErrorCode", None),
    ("jiceng.cobuild.errors", "CobuildErrorCode", None),
    ("jiceng.appeals.errors", "AppealErrorCode", None),
    ("jiceng.orglife.errors", "OrgLifeErrorCode", None),
    ("jiceng.linkage.errors", "LinkageErrorCode", "linkage_"),
    ("jiceng.duties.errors", "DutyErrorCode", "duties_"),
    ("jiceng.ledgers.errors", "LedgerErrorCode", "ledger_"),
]


@pytest.mark.parametrize("module, name, prefix", ENUMS)
def test_codes_are_distinct_within_and_across_apps(module, name, prefix):
    codes = getattr(importlib.import_module(module), name)
    assert issubclass(codes, enum.StrEnum)
    values = [code.value for code in codes]
    assert len(values) == len(set(values)), name
    if prefix:
        assert all(value.startswith(prefix) for value in values), name
    others = set()
    for other_module, other_name, _prefix in ENUMS:
        if other_name != name:
            others |= {c.value for c in getattr(importlib.import_module(other_module), other_name)}
    # A code means one refusal in the whole API, except the generic transition refusal
    # that several lifecycles share.
    assert (set(values) & others) <= {"illegal_transition"}, name
