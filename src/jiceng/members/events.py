"""Timeline rows of a member's record, written by typed helpers inside services."""

from django.utils import timezone

from jiceng.members.models import Member, MemberEvent


def member_event(
    member: Member, kind: str, *, actor=None, note: str = "", data: dict | None = None
) -> MemberEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return MemberEvent.objects.create(
        member=member, kind=kind, at=timezone.now(), actor=actor, note=note[:300], data=data or {}
    )
