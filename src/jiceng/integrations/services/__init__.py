"""Writes of the integrations app: system tokens, subscriptions and the outbox, and the
12345 work-order exchange."""

from jiceng.integrations.services.hotline import (
    HotlineImportReport,
    HotlineRowsInvalid,
    hotline_export,
    hotline_import,
    hotline_import_file,
    parse_since,
)
from jiceng.integrations.services.outbox import (
    SendResult,
    deliveries_enqueue,
    deliveries_send,
    delivery_replay,
    on_appeal_events,
    signature,
)
from jiceng.integrations.services.subscriptions import subscription_create, subscription_revoke
from jiceng.integrations.services.tokens import (
    system_token_authenticate,
    system_token_create,
    system_token_revoke,
)

__all__ = [
    "HotlineImportReport",
    "HotlineRowsInvalid",
    "SendResult",
    "deliveries_enqueue",
    "deliveries_send",
    "delivery_replay",
    "hotline_export",
    "hotline_import",
    "hotline_import_file",
    "on_appeal_events",
    "parse_since",
    "signature",
    "subscription_create",
    "subscription_revoke",
    "system_token_authenticate",
    "system_token_create",
    "system_token_revoke",
]
