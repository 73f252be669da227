"""The demo street's co-building: every list filled, every state present, all of it
written through the services (each row has its audit entry)."""

from django.urls import reverse

from jiceng.accounts.models import User
from jiceng.cobuild import selectors
from jiceng.cobuild.models import (
    Agreement,
    AgreementReview,
    Booking,
    JointMeeting,
    MatchProposal,
    MatchRun,
    MeetingTask,
    Need,
    Project,
    ProjectEvent,
    Resource,
    Room,
    Venue,
)
from jiceng.core.audit_evidence import audit_verify
from jiceng.core.models import AuditEntry
from jiceng.demo.cobuild import UNDER_RULE_FLOOR_AREA


def test_every_list_is_filled_and_every_state_present(street_demo):
    counts = street_demo.counts
    for key in ("needs", "resources", "projects", "venues"):
        assert counts[key] > 0, key
    for model in (MatchRun, Agreement, AgreementReview, JointMeeting, MeetingTask, Room, Booking):
        assert model.objects.exists(), model.__name__
    assert set(Need.objects.values_list("source", flat=True)) == set(Need.Source.values)
    assert set(Need.objects.values_list("status", flat=True)) == set(Need.Status.values)
    assert set(Project.objects.values_list("state", flat=True)) == set(Project.State.values)
    assert set(MatchProposal.objects.values_list("state", flat=True)) == set(
        MatchProposal.State.values
    )
    # Converted appeals keep their link; residents' phones are stored encrypted.
    converted = Need.objects.filter(source=Need.Source.APPEAL)
    assert converted.exists() and not converted.filter(appeal__isnull=True).exists()
    phones = Need.objects.exclude(contact_phone_encrypted="").values_list(
        "contact_phone_encrypted", flat=True
    )
    assert phones and all(p.startswith("sm4gcm:v1:") for p in phones)
    # Resources from unit orgs and from members' dual reports; one withdrawn.
    assert Resource.objects.filter(offered_by_org__isnull=False).exists()
    assert Resource.objects.filter(dual_report__isnull=False).exists()
    assert Resource.objects.filter(is_active=False).exists()
    # Agreements: reviewed by both sides, by one side, and one ended.
    assert AgreementReview.objects.filter(reviewer="unit").exists()
    assert AgreementReview.objects.filter(reviewer="community").count() > (
        AgreementReview.objects.filter(reviewer="unit").count()
    )
    assert Agreement.objects.filter(ended_on__isnull=False).exists()
    # Tasks: done, open and overdue, open and not yet due.
    street = User.objects.get(username="demo_street")
    assert MeetingTask.objects.filter(status=MeetingTask.Status.DONE).exists()
    overdue = selectors.overdue_tasks(viewer=street)
    assert overdue.exists()
    assert MeetingTask.objects.filter(status="open").exclude(pk__in=overdue).exists()
    # Service centres: one community under the 1000 m² rule, the others over it.
    checks = selectors.service_centre_floor_area(viewer=street)
    under = [c for c in checks if not c.ok]
    assert len(under) == 1 and under[0].floor_area == UNDER_RULE_FLOOR_AREA
    assert len(checks) == 16 and all(c.ok for c in checks if c is not under[0])
    assert Venue.objects.filter(kind=Venue.Kind.UNIT_VENUE).exists()
    assert Booking.objects.filter(cancelled_at__isnull=False).exists()
    assert Booking.objects.filter(cancelled_at__isnull=True).count() >= 5


def test_written_through_the_services(street_demo):
    for model in (
        Need,
        Resource,
        Project,
        MatchRun,
        Agreement,
        AgreementReview,
        JointMeeting,
        MeetingTask,
        Venue,
        Room,
        Booking,
    ):
        label = model._meta.label_lower
        created = AuditEntry.objects.filter(target_type=label, action="create").count()
        assert created == model.objects.count() > 0, label
    # Every project step left its event and its audit entry.
    for project in Project.objects.all():
        events = ProjectEvent.objects.filter(project=project).count()
        updates = AuditEntry.objects.filter(
            target_type="cobuild.project", target_id=str(project.pk), action="update"
        ).count()
        assert events == 1 + updates
    assert AuditEntry.objects.filter(target_type="cobuild.matchproposal").count() == (
        MatchProposal.objects.exclude(state="pending").count()
    )
    assert audit_verify().ok


def test_demo_accounts_open_the_co_building_pages(street_demo, client):
    client.force_login(User.objects.get(username="demo_street"))
    pages = [
        reverse("cobuild:overview"),
        reverse("cobuild:matching"),
        reverse("cobuild:meetings"),
        reverse("cobuild:venues"),
        reverse("cobuild:need", args=[Need.objects.filter(appeal__isnull=False).first().pk]),
        reverse("cobuild:project", args=[Project.objects.filter(state="evaluated").first().pk]),
        reverse("cobuild:agreement", args=[Agreement.objects.first().pk]),
        reverse("cobuild:meeting", args=[JointMeeting.objects.first().pk]),
        reverse("cobuild:venue", args=[Room.objects.first().venue_id]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
