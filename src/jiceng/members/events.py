"""Timeline rows of a member's record, written by typed helpers inside services."""

from django.utils import timezone

from jiceng.members.models import Member, MemberEvent


def event_actor(actor):
    """The account an event names: none for the system or an anonymous caller."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        return None
    return actor


def member_event(
    member: Member, kind: str, *, actor=None, note: str = "", data: dict | None = None
) -> MemberEvent:
    actor = event_actor(actor)
    return MemberEvent.objects.create(
        member=member, kind=kind, at=timezone.now(), actor=actor, note=note[:300], data=data or {}
    )
