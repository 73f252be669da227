"""The channels a notification may also go out on, besides the inbox: email through
Django's mail API, a WeCom group robot's webhook, a generic HTTP SMS gateway. Each is
off until configured by settings (from the environment): JICENG_NOTIFY_EMAIL=1,
JICENG_WECOM_WEBHOOK_URL, JICENG_SMS_GATEWAY_URL (+ JICENG_SMS_GATEWAY_TOKEN).

A sender raises TransientFailure for what a retry may cure (a timeout, a refused
connection, a 5xx or 429) and PermanentFailure for what it will not (a 4xx); the outbox
retries the first with back-off and gives up on the second. Another channel can be
plugged in with `register_sender` (a test, a deployment's own gateway)."""

import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail

TIMEOUT_SECONDS = 10


class TransientFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


Sender = Callable[[str, str, str], None]  # (address, subject, body)
_PLUGGED: dict[str, Sender] = {}


def register_sender(channel: str, sender: Sender | None) -> None:
    """Plug a sender in for `channel` (None unplugs it)."""
    if sender is None:
        _PLUGGED.pop(channel, None)
    else:
        _PLUGGED[channel] = sender


def _post_json(url: str, payload: dict, headers: dict | None = None) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(4096)
    except urllib.error.HTTPError as error:
        if error.code >= 500 or error.code == 429:
            raise TransientFailure(f"HTTP {error.code}") from None
        raise PermanentFailure(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise TransientFailure(str(getattr(error, "reason", error))[:200]) from None
    # A WeCom robot answers 200 with {"errcode": …} on a refusal.
    try:
        decoded = json.loads(answer or b"{}")
    except ValueError:
        return
    if isinstance(decoded, dict) and decoded.get("errcode") not in (None, 0):
        raise PermanentFailure(f"errcode {decoded.get('errcode')}")


def send_email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise PermanentFailure(type(error).__name__) from None
    except (smtplib.SMTPException, OSError) as error:
        raise TransientFailure(type(error).__name__) from None


def send_wecom(address: str, subject: str, body: str) -> None:
    """The group robot posts the text in its group, mentioning the user by mobile."""
    url = getattr(settings, "WECOM_WEBHOOK_URL", "")
    content = f"{subject}\n{body}".strip()
    _post_json(
        url, {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": [address]}}
    )


def send_sms(address: str, subject: str, body: str) -> None:
    url = getattr(settings, "SMS_GATEWAY_URL", "")
    token = getattr(settings, "SMS_GATEWAY_TOKEN", "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    _post_json(url, {"to": address, "text": f"{subject} {body}".strip()[:300]}, headers)


def _configured() -> dict[str, Sender]:
    found: dict[str, Sender] = {}
    if getattr(settings, "NOTIFY_EMAIL", False):
        found["email"] = send_email
    if getattr(settings, "WECOM_WEBHOOK_URL", ""):
        found["wecom"] = send_wecom
    if getattr(settings, "SMS_GATEWAY_URL", ""):
        found["sms"] = send_sms
    return {**found, **_PLUGGED}


def sender_for(channel: str) -> Sender | None:
    return _configured().get(channel)


def active_channels() -> list[str]:
    return sorted(_configured())
