"""The outbox against a real local receiver that fails, then recovers."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiceng.appeals import services as appeal_services
from jiceng.integrations import services
from jiceng.integrations.models import Delivery
from jiceng.integrations.services.outbox import MAX_ATTEMPTS, backoff, signature

from .receiver import Receiver

pytestmark = pytest.mark.django_db
ALL = ["case.received", "case.dispatched", "case.replied", "case.closed", "case.rated"]


def subscribe(world, url, **extra):
    t = world.t
    return services.subscription_create(
        actor=extra.pop("actor", t.users["xh_admin"]),
        name=extra.pop("name", "区城运中心"),
        url=url,
        events=extra.pop("events", ALL),
        area=t.areas[extra.pop("area_key", "xh")],
        **extra,
    )


def live_case(world, capture, **extra):
    """A case received, dispatched, accepted, replied and rated, each step committed."""
    handler = world.t.users["xh_c1_secretary"]
    with capture(execute=True):
        case = world.intake(area_key="xh_g1", contact_phone="13812345678", **extra)
    with capture(execute=True):
        appeal_services.appeal_accept(actor=handler, appeal=case)
    with capture(execute=True):
        appeal_services.appeal_reply(actor=handler, appeal=case, reply="已清运，电话13812345678")
    with capture(execute=True):
        appeal_services.appeal_rate(appeal=case, resolved=True, satisfaction="satisfied")
    return case


def make_due() -> None:
    Delivery.objects.filter(state="pending").update(next_attempt_at=timezone.now())


def test_receiver_down_then_up_every_event_once(world, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        _subscription, secret = subscribe(world, receiver.url)
        receiver.secret = secret
        hp_sub, _ = subscribe(
            world, receiver.url, name="黄浦", area_key="hp", actor=world.t.users["hp_admin"]
        )
        case = live_case(world, django_capture_on_commit_callbacks)
        events = list(Delivery.objects.order_by("id").values_list("event", flat=True))
        assert events[:2] == ["case.received", "case.dispatched"]
        assert set(events) == set(ALL)
        assert not Delivery.objects.filter(subscription=hp_sub).exists()  # other territory
        total = len(events)

        before = timezone.now()
        first = services.deliveries_send()
        assert first.delivered == 0 and first.failed == total
        waiting = Delivery.objects.filter(state="pending")
        assert waiting.count() == total
        assert all(d.next_attempt_at >= before + backoff(1) for d in waiting)
        # Nothing is due yet: a second run sends nothing (idempotent).
        assert services.deliveries_send().failed == 0

        make_due()
        services.deliveries_send()  # still down: second failure, longer wait
        assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}

        receiver.failing = False
        make_due()
        call_command("events", "deliver")
        assert Delivery.objects.filter(state="delivered").count() == total
        assert len(receiver.seen) == total
        assert receiver.bad_signatures == 0
        # A lost acknowledgement: the same delivery sent again is dropped by its id.
        Delivery.objects.filter(event="case.replied").update(
            state="pending", next_attempt_at=timezone.now()
        )
        services.deliveries_send()
        assert len(receiver.seen) == total
        payloads = list(receiver.seen.values())
        assert {p["event"] for p in payloads} == set(ALL)
        assert all(p["case"]["id"] == case.pk for p in payloads)
        # No personal data by default: not the phone, not the resident's words.
        text = json.dumps(payloads, ensure_ascii=False)
        assert "13812345678" not in text and "垃圾三天" not in text
        assert "contact" not in payloads[0]


def test_enqueue_is_idempotent_and_follows_commit(world, django_capture_on_commit_callbacks):
    subscribe(world, "http://127.0.0.1:9/none")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        world.intake(area_key="xh_g1")
    assert Delivery.objects.count() == 0  # nothing before the commit
    for callback in callbacks:
        callback()
    count = Delivery.objects.count()
    assert count == 2
    for callback in callbacks:  # heard twice: nothing more
        callback()
    assert Delivery.objects.count() == count


def test_dead_letters_are_replayed(client, world, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        _subscription, secret = subscribe(world, receiver.url, events=["case.received"])
        receiver.secret = secret
        with django_capture_on_commit_callbacks(execute=True):
            world.intake(area_key="xh_g1")
        for _ in range(MAX_ATTEMPTS):
            make_due()
            services.deliveries_send()
        dead = Delivery.objects.get()
        assert dead.state == "dead" and dead.attempts == MAX_ATTEMPTS
        client.force_login(world.t.users["xh_admin"])
        listed = client.get("/api/integrations/deliveries?state=dead").json()["items"]
        assert [row["id"] for row in listed] == [dead.pk]
        # Another district's admin does not see it; a street's staff may not replay it.
        client.force_login(world.t.users["hp_admin"])
        assert client.post(f"/api/integrations/deliveries/{dead.pk}/replay").status_code == 404
        client.force_login(world.t.users["xh_admin"])
        replayed = client.post(f"/api/integrations/deliveries/{dead.pk}/replay")
        assert replayed.status_code == 200 and replayed.json()["state"] == "pending"
        again = client.post(f"/api/integrations/deliveries/{dead.pk}/replay")
        assert again.status_code == 409
        receiver.failing = False
        services.deliveries_send()
        assert Delivery.objects.get().state == "delivered"
        assert list(receiver.seen) == [str(dead.delivery_id)]


def test_personal_data_only_for_the_units_handling_system(
    world, django_capture_on_commit_callbacks
):
    subscribe(
        world,
        "http://127.0.0.1:9/a",
        name="居委会系统",
        unit=world.community_unit,
        include_personal=True,
        events=["case.dispatched"],
    )
    subscribe(
        world,
        "http://127.0.0.1:9/b",
        name="街道系统",
        unit=world.street_unit,
        include_personal=True,
        events=["case.dispatched"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        world.intake(area_key="xh_g1", contact_phone="13812345678", contact_name="王阿姨")
    bodies = {d.subscription.name: json.loads(d.body) for d in Delivery.objects.all()}
    assert bodies["居委会系统"]["contact"] == {"name": "王阿姨", "phone": "13812345678"}
    assert "contact" not in bodies["街道系统"]


def test_personal_data_needs_a_unit(world):
    from jiceng.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        subscribe(world, "http://127.0.0.1:9/a", include_personal=True)
    assert refused.value.code == "integration_personal_needs_unit"


def test_signature_check():
    body = b'{"a":1}'
    mac = signature("s3cret", "1700000000", body)
    assert mac.startswith("sha256=") and len(mac) == 71
    assert mac != signature("other", "1700000000", body)
    assert mac != signature("s3cret", "1700000001", body)


def test_backoff_grows_and_is_bounded():
    delays = [backoff(n) for n in range(1, 12)]
    assert delays[0] == datetime.timedelta(seconds=30)
    assert delays == sorted(delays)
    assert delays[-1] == datetime.timedelta(hours=2)


def test_refused_urls(world):
    from jiceng.core.errors import ValidationFailed

    for url in ("file:///etc/passwd", "ftp://x/y", "javascript:alert(1)"):
        with pytest.raises(ValidationFailed):
            subscribe(world, url)
