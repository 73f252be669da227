"""Numbers other systems know a case by (the 12345 platform's work-order number, …).

The app that keeps such a number registers it in its `ready()` (STYLE 13: appeals never
imports it): a label and the ORM path from Appeal to the number. The case's page shows
them, and the appeals search (page and API, already scoped by core.scope) matches them,
so a case is found by the number a caller or another system quotes.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Reference:
    label: str | Promise  # what the case's page calls it, e.g. 工单编号
    lookup: str  # the path from Appeal to the number, e.g. "hotline_order__number"


_REFERENCES: dict[str, Reference] = {}


def register_reference(reference: Reference) -> None:
    """Once per lookup: registering the same lookup again replaces it (a reload)."""
    _REFERENCES[reference.lookup] = reference


def references() -> tuple[Reference, ...]:
    return tuple(_REFERENCES.values())
