"""Timeline rows of a meeting record, written by a typed helper inside services."""

from django.utils import timezone

from jiceng.orglife.models import Meeting, MeetingEvent


def meeting_event(
    meeting: Meeting, action: str, *, actor=None, previous: dict | None = None
) -> MeetingEvent:
    who = actor if getattr(actor, "is_authenticated", False) else None
    return MeetingEvent.objects.create(
        meeting=meeting,
        action=action,
        version=meeting.version,
        at=timezone.now(),
        actor=who,
        actor_label=who.get_username() if who else "system",
        previous=previous or {},
    )
