"""Writes to the people of a grid: grid leaders, grid workers and lane chiefs (街巷长).

Services are keyword-only, take the acting user (None for the system), check access,
run in one transaction and leave an audit entry."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.inputs import max_length_of
from jiceng.core.models import Area, AuditEntry
from jiceng.core.roles import Role
from jiceng.core.types import Actor
from jiceng.core.validators import clean_text
from jiceng.orgs.errors import OrgErrorCode as Code
from jiceng.orgs.models import GridPost

if TYPE_CHECKING:
    from jiceng.accounts.models import User

MSG_GRID_LEVEL = _("只能在网格中设置网格长和网格员")
MSG_GRID_LEADER_TAKEN = _("该网格已有网格长")


MSG_DUTY = _("职责无效")
MSG_LANE_REQUIRED = _("请填写街巷长负责的街巷或路段")
MSG_LANE_LONG = _("街巷路段不能超过100个字")
MSG_LANE_NOT_CHIEF = _("只有街巷长需要填写街巷路段")
MSG_LANE_TAKEN = _("该街巷路段已有街巷长")
MSG_POST_TWICE = _("此人已在该网格担任这一职责")
MSG_POST_ENDED = _("该任职已经结束")
MSG_POST_END_BEFORE_START = _("离任日期不能早于任职日期")


def _check_post(*, grid: Area, duty: str, lane: str) -> None:
    if grid.level != Area.Level.GRID:
        raise ValidationFailed(MSG_GRID_LEVEL, field="grid", code=Code.GRID_LEVEL)
    if duty not in GridPost.Duty.values:
        raise ValidationFailed(MSG_DUTY, field="duty", code=Code.BAD_DUTY)
    if duty == GridPost.Duty.LANE_CHIEF:
        if not lane:
            raise ValidationFailed(MSG_LANE_REQUIRED, field="lane", code=Code.LANE_REQUIRED)
        if len(lane) > max_length_of(GridPost, "lane"):
            raise ValidationFailed(MSG_LANE_LONG, field="lane", code=Code.LANE_LONG)
    elif lane:
        raise ValidationFailed(MSG_LANE_NOT_CHIEF, field="lane", code=Code.LANE_NOT_CHIEF)


@transaction.atomic
def grid_post_assign(
    *,
    actor: Actor,
    grid: Area,
    user,
    duty: str,
    lane: str = "",
    started_on: datetime.date | None = None,
) -> GridPost:
    """Give a person a duty in a grid: grid leader (one per grid), grid worker, or lane
    chief of one street or lane segment (one per segment). The person also gets the
    grid_worker role on that grid, so the scope follows the duty."""
    from jiceng.accounts.services import role_grant

    require_manage_area(actor, grid)
    lane = clean_text(lane)
    _check_post(grid=grid, duty=duty, lane=lane)
    open_posts = GridPost.objects.select_for_update().filter(grid=grid, ended_on__isnull=True)
    if duty == GridPost.Duty.LEADER and open_posts.filter(duty=GridPost.Duty.LEADER).exists():
        raise Conflict(MSG_GRID_LEADER_TAKEN, field="duty", code=Code.GRID_LEADER_TAKEN)
    if duty == GridPost.Duty.LANE_CHIEF and open_posts.filter(duty=duty, lane=lane).exists():
        raise Conflict(MSG_LANE_TAKEN, field="lane", code=Code.LANE_TAKEN)
    if duty != GridPost.Duty.LANE_CHIEF and open_posts.filter(duty=duty, user=user).exists():
        raise Conflict(MSG_POST_TWICE, field="user", code=Code.POST_TWICE)
    post = GridPost.objects.create(
        grid=grid, user=user, duty=duty, lane=lane, started_on=started_on or timezone.localdate()
    )
    role_grant(actor=actor, user=user, role=Role.GRID_WORKER, area=grid, if_missing=True)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=post,
        changes={
            "grid": grid.pk,
            "user": user.pk,
            "duty": duty,
            **({"lane": lane} if lane else {}),
        },
    )
    return post


@transaction.atomic
def grid_post_end(
    *, actor: Actor, post: GridPost, ended_on: datetime.date | None = None
) -> GridPost:
    """End a person's duty in a grid; the post stays as history. When the person holds no
    other open duty in that grid, the grid_worker role it gave is revoked."""
    from jiceng.accounts.services import role_revoke_anchor

    require_manage_area(actor, post.grid)
    post = GridPost.objects.select_for_update().get(pk=post.pk)
    if post.ended_on is not None:
        raise Conflict(MSG_POST_ENDED, code=Code.POST_ENDED)
    ended_on = ended_on or timezone.localdate()
    if ended_on < post.started_on:
        raise ValidationFailed(
            MSG_POST_END_BEFORE_START, field="ended_on", code=Code.POST_END_BEFORE_START
        )
    post.ended_on = ended_on
    post.save(update_fields=["ended_on"])
    if not GridPost.objects.filter(grid=post.grid, user=post.user, ended_on__isnull=True).exists():
        role_revoke_anchor(actor=actor, user=post.user, role=Role.GRID_WORKER, area=post.grid)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=post,
        changes={"ended_on": str(post.ended_on)},
    )
    return post


# ---- bulk writes for the demo and imports ----------------------------------------------------


@dataclass
class GridPostRow:
    grid: Area
    user: "User"
    duty: str
    started_on: datetime.date | None = None
    lane: str = ""


def grid_post_bulk_assign(
    *, actor: Actor, rows: Sequence[GridPostRow], batch_size: int = 2000
) -> int:
    """Give many people their grid duties at once, with the checks of `grid_post_assign`;
    each person also gets the grid_worker role on their grid (one bulk grant), so the
    scope follows the duty. Meant for freshly built grids: one audit entry per call."""
    from jiceng.accounts.services import RoleGrantRow, role_bulk_grant

    today = timezone.localdate()
    checked: set[int] = set()
    leaders: set[int] = set()
    lanes: set[tuple[int, str]] = set()
    posts: list[GridPost] = []
    grants: list[RoleGrantRow] = []
    granted: set[tuple[int, int]] = set()
    with transaction.atomic():
        for row in rows:
            if row.grid.pk not in checked:
                require_manage_area(actor, row.grid)
                checked.add(row.grid.pk)
            lane = clean_text(row.lane)
            _check_post(grid=row.grid, duty=row.duty, lane=lane)
            if row.duty == GridPost.Duty.LANE_CHIEF:
                if (row.grid.pk, lane) in lanes:
                    raise Conflict(MSG_LANE_TAKEN, field="lane", code=Code.LANE_TAKEN)
                lanes.add((row.grid.pk, lane))
            if row.duty == GridPost.Duty.LEADER:
                if row.grid.pk in leaders:
                    raise Conflict(MSG_GRID_LEADER_TAKEN, field="duty", code=Code.GRID_LEADER_TAKEN)
                leaders.add(row.grid.pk)
            posts.append(
                GridPost(
                    grid=row.grid,
                    user=row.user,
                    duty=row.duty,
                    lane=lane,
                    started_on=row.started_on or today,
                )
            )
            if (row.user.pk, row.grid.pk) not in granted:
                granted.add((row.user.pk, row.grid.pk))
                grants.append(RoleGrantRow(user=row.user, role=Role.GRID_WORKER, area=row.grid))
        leader_grids = sorted(leaders)
        for start in range(0, len(leader_grids), 5000):
            if GridPost.objects.filter(
                grid_id__in=leader_grids[start : start + 5000],
                duty=GridPost.Duty.LEADER,
                ended_on__isnull=True,
            ).exists():
                raise Conflict(MSG_GRID_LEADER_TAKEN, field="duty", code=Code.GRID_LEADER_TAKEN)
        lane_grids = sorted({grid_id for grid_id, _lane in lanes})
        for start in range(0, len(lane_grids), 5000):
            taken = GridPost.objects.filter(
                grid_id__in=lane_grids[start : start + 5000],
                duty=GridPost.Duty.LANE_CHIEF,
                ended_on__isnull=True,
            ).values_list("grid_id", "lane")
            if lanes & set(taken):
                raise Conflict(MSG_LANE_TAKEN, field="lane", code=Code.LANE_TAKEN)
        GridPost.objects.bulk_create(posts, batch_size=batch_size)
        role_bulk_grant(actor=actor, rows=grants, batch_size=batch_size)
        if posts:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="orgs.gridpost",
                target_label=f"{len(posts)} grid posts",
                changes={"count": len(posts)},
            )
    return len(posts)
