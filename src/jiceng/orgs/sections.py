"""Sections other apps add to an org's file (the org detail page), registered from their
AppConfig.ready() like the dashboard's indicators, so orgs never imports them. A section
names its template and how to read its context for a viewer and an org (through its own
app's selectors, scoped); a context of None shows nothing."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FileSection:
    key: str
    template: str
    # (viewer, org) → the template's context, or None when there is nothing to show
    context: Callable[[object, object], dict | None]
    order: int = 100


@dataclass(frozen=True)
class ShownSection:
    template: str
    context: dict


_SECTIONS: dict[str, FileSection] = {}


def register_section(section: FileSection) -> None:
    _SECTIONS[section.key] = section


def file_sections(*, viewer, org) -> list[ShownSection]:
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(viewer, org)
        if context is not None:
            shown.append(ShownSection(section.template, context))
    return shown
