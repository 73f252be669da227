"""The ledgers app's errors: one stable code per refusal, messages as constants the
tests reuse, raised as core.errors classes so the API answers {"code", "message",
"field"} and the pages show the message."""

from enum import StrEnum

from jiceng.core.ledgers import MSG_PERIOD, MSG_SUBJECT, MSG_SUBJECT_KIND  # noqa: F401

# A bad period is core's CoreErrorCode.LEDGER_PERIOD (core.ledgers.parse_period).


class LedgerErrorCode(StrEnum):
    SUBJECT_REQUIRED = "ledger_subject_required"
    SUBJECT_NOT_ACCEPTED = "ledger_subject_not_accepted"
