"""Taking a batch of cases for a background step (routing, the deadline check).

SELECT … FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL), so two
overlapping runs never take the same case; SQLite has one writer at a time anyway."""

from django.db import connection
from django.db.models import QuerySet

from jiceng.appeals.models import Appeal


def claim(queryset: QuerySet[Appeal], size: int) -> list[Appeal]:
    """Up to `size` cases of `queryset`, oldest id first, locked for the rest of the
    transaction; rows another transaction holds are skipped, not waited for."""
    queryset = queryset.order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset[:size])
