"""Shapes of the territory tree in the JSON API."""

from typing import Literal

from ninja import Field, Schema

from jiceng.core.models import Area

# An inline enum: OpenAPI components are keyed by class name and other apps have a
# "Level" too.
# Built from the model's choices, which mypy cannot follow.
AreaLevel = Literal[tuple(Area.Level.values)]  # type: ignore[valid-type]


class AreaFilters(Schema):
    """Query filters of the area list; `level` is an enum so OpenAPI lists its values."""

    parent: int | None = Field(None, description="上级区域 id：只列其直接下级")
    level: AreaLevel | None = Field(None, description="层级")  # type: ignore[valid-type]
    q: str | None = Field(None, max_length=100, description="名称包含，或区划代码开头")


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    level_display: str
    parent_id: int | None
    depth: int

    @staticmethod
    def resolve_level_display(obj: Area) -> str:
        return str(obj.get_level_display())


class AreaDetailOut(AreaOut):
    # Only the ancestors the viewer may see, root first, ending with the area itself.
    breadcrumb: list[AreaOut]
