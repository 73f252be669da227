"""Supervision's to-dos on the workbench: weak-org candidates for the district to decide,
rectification plans nearing or past their deadline, talks whose follow-up is due. Each
source reads through the selectors in one query (a second, counted, when many)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import KIND_SUPERVISION, Scope
from jiceng.dashboard.workbench import (
    OPEN,
    Todo,
    TodoSource,
    due_soon_window,
    few_or_many,
    items_from,
    register_source,
    urgency_of,
)
from jiceng.supervision import access, selectors
from jiceng.supervision.models import WeakOrgCase

S = WeakOrgCase.State


def _deciders(scope: Scope) -> bool:
    return scope.everything or any(
        p.count("/") <= access.DISTRICT_DEPTH for p in scope.managed_area_paths()
    )


def _supervisors(scope: Scope) -> bool:
    return scope.everything or any(
        p.count("/") <= access.STREET_DEPTH for p in scope.managed_area_paths()
    )


def candidates(viewer, scope: Scope, now: datetime.datetime) -> list[Todo]:
    if not _deciders(scope):
        return []
    rows = selectors.weak_org_list(viewer=viewer, state=S.CANDIDATE)
    listing = few_or_many(rows)
    url = reverse("supervision:weak_orgs") + f"?state={S.CANDIDATE}"
    return items_from(
        listing,
        lambda case: Todo(
            source="supervision_candidates",
            title=f"{case.org.name}（{case.year}）",
            action=gettext("研判是否认定为软弱涣散党组织"),
            url=reverse("supervision:weak_org", args=[case.pk]),
            urgency=OPEN,
        ),
        lambda: [
            Todo(
                source="supervision_candidates",
                title=gettext("软弱涣散候选党组织"),
                action=gettext("逐个研判认定或排除"),
                url=url,
                count=rows.count(),
                is_group=True,
            )
        ],
    )


def plans_due(viewer, scope: Scope, now: datetime.datetime) -> list[Todo]:
    if not _supervisors(scope):
        return []
    horizon = timezone.localdate() + due_soon_window() + datetime.timedelta(days=14)
    rows = selectors.weak_org_list(viewer=viewer, state=S.RECTIFYING).filter(deadline__lte=horizon)
    return items_from(
        few_or_many(rows.order_by("deadline")),
        lambda case: Todo(
            source="supervision_plans",
            title=case.org.name,
            action=gettext("整顿到期，组织验收"),
            url=reverse("supervision:weak_org", args=[case.pk]),
            urgency=urgency_of(case.deadline, now),
            due=case.deadline,
        ),
        lambda: [
            Todo(
                source="supervision_plans",
                title=gettext("软弱涣散整顿"),
                action=gettext("整顿即将到期或已超期"),
                url=reverse("supervision:weak_orgs") + f"?state={S.RECTIFYING}",
                count=rows.count(),
                is_group=True,
            )
        ],
    )


def follow_ups_due(viewer, scope: Scope, now: datetime.datetime) -> list[Todo]:
    if not _supervisors(scope):
        return []
    horizon = timezone.localdate() + due_soon_window()
    rows = selectors.talk_list(viewer=viewer, awaiting=True).filter(follow_up_on__lte=horizon)
    return items_from(
        few_or_many(rows.order_by("follow_up_on")),
        lambda talk: Todo(
            source="supervision_talks",
            title=f"{talk.org.name} · {talk.talked_to}",
            action=gettext("约谈回访"),
            url=reverse("supervision:talks") + f"#talk-{talk.pk}",
            urgency=urgency_of(talk.follow_up_on, now),
            due=talk.follow_up_on,
        ),
        lambda: [
            Todo(
                source="supervision_talks",
                title=gettext("约谈回访"),
                action=gettext("回访到期"),
                url=reverse("supervision:talks") + "?awaiting=1",
                count=rows.count(),
                is_group=True,
            )
        ],
    )


def register() -> None:
    for key, label, items, order in (
        ("supervision_candidates", _("软弱涣散待研判"), candidates, 70),
        ("supervision_plans", _("软弱涣散整顿到期"), plans_due, 71),
        ("supervision_talks", _("约谈回访到期"), follow_ups_due, 72),
    ):
        register_source(
            TodoSource(key=key, label=label, kind=KIND_SUPERVISION, items=items, order=order)
        )
