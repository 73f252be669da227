"""Timeline rows of a project, written by a typed helper inside services."""

from django.utils import timezone

from jiceng.cobuild.models import Project, ProjectEvent


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def project_event(
    project: Project,
    action: str,
    *,
    actor=None,
    from_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> ProjectEvent:
    who = _actor(actor)
    return ProjectEvent.objects.create(
        project=project,
        action=action,
        from_state=from_state,
        to_state=project.state,
        at=timezone.now(),
        actor=who,
        actor_label=who.get_username() if who else "system",
        note=note[:2000],
        data=data or {},
    )
