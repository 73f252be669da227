"""The outbox: a notification for a user who opted in becomes a message (the address
encrypted at rest); `jiceng outbox deliver` sends each once — under retry, under a
crash between claim and send (left `sending`, then `failed_unknown`, never resent),
with back-off for transient failures and up to the attempt limit. The WeCom robot and
the SMS gateway are small HTTP clients, exercised against a real HTTP server here."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.errors import ValidationFailed
from jiceng.linkage import services
from jiceng.linkage.errors import LinkageErrorCode as Code
from jiceng.linkage.models import DeliveryPreference, OutboxMessage

M = OutboxMessage.State


class Gateway:
    """A test HTTP server answering each POST with the next status of `statuses` (the
    last one repeated), recording every request."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "body": json.loads(body),
                        "auth": self.headers.get("Authorization"),
                    }
                )
                status = (
                    gateway.statuses.pop(0) if len(gateway.statuses) > 1 else gateway.statuses[0]
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    yield server
    server.close()


@pytest.fixture
def opted_in(territory, gateway):
    user = territory.users["xh_c1_secretary"]
    services.delivery_preference_set(actor=user, channel="sms", address="13800138000", enabled=True)
    return user


def test_the_address_is_encrypted_and_never_audited(opted_in):
    from jiceng.core.models import AuditEntry

    preference = DeliveryPreference.objects.get(user=opted_in)
    assert "13800138000" not in preference.address_encrypted
    assert crypto.decrypt(preference.address_encrypted) == "13800138000"
    entry = AuditEntry.objects.filter(target_type="linkage.deliverypreference").last()
    assert "13800138000" not in json.dumps(entry.changes)


def test_a_channel_must_be_switched_on_and_the_address_valid(territory, settings):
    user = territory.users["xh_c1_secretary"]
    with pytest.raises(ValidationFailed) as refused:
        services.delivery_preference_set(
            actor=user, channel="wecom", address="13800138000", enabled=True
        )
    assert refused.value.code == Code.CHANNEL_OFF
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/"
    with pytest.raises(ValidationFailed) as refused:
        services.delivery_preference_set(actor=user, channel="sms", address="12345", enabled=True)
    assert (refused.value.code, refused.value.field) == (Code.ADDRESS, "address")


def test_delivered_once_whatever_the_number_of_runs(opted_in, gateway):
    services.notify([opted_in], title="新任务", body="请报送", url="/linkage/")
    message = OutboxMessage.objects.get()
    assert message.state == M.PENDING and message.channel == "sms"
    first = services.outbox_deliver()
    second = services.outbox_deliver()
    call_command("outbox", "deliver")
    assert (first.sent, second.sent) == (1, 0)
    assert len(gateway.requests) == 1
    sent = gateway.requests[0]
    assert sent["body"]["to"] == "13800138000" and "新任务" in sent["body"]["text"]
    assert sent["auth"] == "Bearer secret-token"
    message.refresh_from_db()
    assert (message.state, message.attempts) == (M.SENT, 1)


def test_a_crash_between_claim_and_send_never_sends_twice(opted_in, gateway):
    services.notify([opted_in], title="新任务")
    now = timezone.now()
    claimed = services.outbox_claim(now=now)  # ...and the process dies here
    assert len(claimed) == 1
    assert OutboxMessage.objects.get().state == M.SENDING
    # The next runs do not take it again while it may still be in flight...
    assert services.outbox_deliver(now=now + datetime.timedelta(seconds=30)).sent == 0
    # ...and past the timeout it is marked for an operator, not resent.
    later = services.outbox_deliver(now=now + datetime.timedelta(hours=1))
    assert later.unknown == 1 and later.sent == 0
    assert OutboxMessage.objects.get().state == M.FAILED_UNKNOWN
    assert services.outbox_deliver(now=now + datetime.timedelta(hours=2)).sent == 0
    assert gateway.requests == []


def test_transient_failures_are_retried_with_back_off(opted_in, gateway, settings):
    settings.OUTBOX_RETRY_SECONDS = 60
    gateway.statuses = [503, 503, 200]
    services.notify([opted_in], title="新任务")
    now = timezone.now()
    assert services.outbox_deliver(now=now).retried == 1
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == (M.PENDING, 1)
    assert message.next_attempt_at == now + datetime.timedelta(seconds=60)
    assert services.outbox_deliver(now=now + datetime.timedelta(seconds=30)).retried == 0  # not due
    assert services.outbox_deliver(now=now + datetime.timedelta(seconds=61)).retried == 1
    message.refresh_from_db()
    assert message.next_attempt_at == now + datetime.timedelta(seconds=61 + 120)
    assert services.outbox_deliver(now=now + datetime.timedelta(seconds=200)).sent == 1
    assert len(gateway.requests) == 3


def test_gives_up_after_the_attempt_limit(opted_in, gateway, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_SECONDS = 1
    gateway.statuses = [500]
    services.notify([opted_in], title="新任务")
    now = timezone.now()
    services.outbox_deliver(now=now)
    result = services.outbox_deliver(now=now + datetime.timedelta(seconds=5))
    assert result.failed == 1
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == (M.FAILED, 2)
    assert services.outbox_deliver(now=now + datetime.timedelta(days=1)).sent == 0
    assert len(gateway.requests) == 2


def test_a_permanent_failure_is_not_retried(opted_in, gateway):
    gateway.statuses = [400]
    services.notify([opted_in], title="新任务")
    assert services.outbox_deliver().failed == 1
    assert OutboxMessage.objects.get().state == M.FAILED
    assert len(gateway.requests) == 1


def test_wecom_robot_mentions_the_mobile(territory, settings):
    server = Gateway()
    try:
        settings.WECOM_WEBHOOK_URL = server.url
        user = territory.users["xh_s1_staff"]
        services.delivery_preference_set(
            actor=user, channel="wecom", address="13900139000", enabled=True
        )
        services.notify([user], title="催报", body="请尽快报送")
        assert services.outbox_deliver().sent == 1
        body = server.requests[0]["body"]
        assert body["msgtype"] == "text"
        assert body["text"]["mentioned_mobile_list"] == ["13900139000"]
    finally:
        server.close()


def test_email_through_djangos_mail_api(territory, settings):
    settings.NOTIFY_EMAIL = True
    user = territory.users["xh_s1_staff"]
    services.delivery_preference_set(
        actor=user, channel="email", address="staff@example.org", enabled=True
    )
    services.notify([user], title="新通知", body="正文")
    assert services.outbox_deliver().sent == 1
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]
    assert mail.outbox[0].subject == "新通知"


def test_nothing_goes_out_for_users_who_did_not_opt_in(territory, gateway):
    services.notify([territory.users["xh_s1_staff"]], title="新任务")
    assert not OutboxMessage.objects.exists()
